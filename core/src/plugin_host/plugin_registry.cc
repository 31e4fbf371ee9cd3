#include "plugin_host/plugin_registry.h"

#include <algorithm>

#include "plugin_host/plugin_discovery.h"

namespace coalition {
namespace {

// Levenshtein distance; names are short, so the quadratic table is fine.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

Status PluginRegistry::add(LoadedPlugin plugin) {
  const auto& info = plugin.info;
  for (const auto& existing : plugins_) {
    if (existing.id == info.id) {
      return Error::conflict("plugin '" + info.id + "' from " + info.source +
                             " is already installed from " + existing.source)
          .with_plugin(info.id);
    }
  }
  for (const auto& type : plugin.step_types) {
    auto it = step_types_.find(type->info().name);
    if (it == step_types_.end()) continue;
    const std::string& owner = it->second->info().plugin_id;
    std::string owner_source;
    for (const auto& p : plugins_) {
      if (p.id == owner) owner_source = p.source;
    }
    return Error::conflict("step type '" + type->info().name + "' of plugin '" + info.id + "' (" +
                           info.source + ") is already provided by plugin '" + owner + "' (" +
                           owner_source + "); step type names must be unique")
        .with_plugin(info.id);
  }
  for (auto& type : plugin.step_types) step_types_.emplace(type->info().name, std::move(type));
  plugins_.push_back(std::move(plugin.info));
  return ok_status();
}

const StepType* PluginRegistry::find(std::string_view name) const {
  auto it = step_types_.find(name);
  return it == step_types_.end() ? nullptr : it->second.get();
}

std::vector<std::string> PluginRegistry::closest_names(std::string_view name, size_t limit) const {
  std::vector<std::pair<size_t, std::string>> scored;
  for (const auto& [candidate, type] : step_types_) {
    const size_t distance = edit_distance(name, candidate);
    // Farther than about half the name is not a misspelling any more.
    if (distance <= std::max<size_t>(2, candidate.size() / 2)) {
      scored.emplace_back(distance, candidate);
    }
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> names;
  for (size_t i = 0; i < scored.size() && i < limit; ++i) names.push_back(scored[i].second);
  return names;
}

std::vector<const StepType*> PluginRegistry::step_types() const {
  std::vector<const StepType*> types;
  for (const auto& [name, type] : step_types_) types.push_back(type.get());
  return types;
}

InstallReport install_plugins(const std::vector<std::filesystem::path>& directories,
                              const FileSystem& fs, PluginLoader& loader, PluginRegistry& registry,
                              const AdmitPlugin& admit) {
  InstallReport report;
  auto found = discover_plugins(directories, fs);
  report.warnings = std::move(found.warnings);
  report.errors = std::move(found.refused);
  for (const auto& found_plugin : found.plugins) {
    auto text = fs.read(found_plugin.manifest);
    auto manifest = text ? parse_plugin_manifest(*text, found_plugin.manifest)
                         : Result<PluginManifest>(Error::plugin_load(text.error().message()));
    if (!manifest) {
      report.errors.push_back(std::move(manifest).error());
      continue;
    }
    if (admit) {
      if (auto admitted = admit(*manifest, *text); !admitted) {
        report.errors.push_back(std::move(admitted).error().with_plugin(manifest->info.id));
        continue;
      }
    }
    auto plugin = loader.declare(*manifest);
    if (!plugin) {
      report.errors.push_back(std::move(plugin).error());
      continue;
    }
    if (auto status = registry.add(std::move(*plugin)); !status) {
      report.errors.push_back(std::move(status).error());
    }
  }
  return report;
}

}  // namespace coalition
