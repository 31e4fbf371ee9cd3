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
  if (!PluginVersion::parse(info.version)) {
    return Error::plugin_load(info.source + ": plugin '" + info.id +
                              "' has no semantic version (expected MAJOR.MINOR.PATCH)");
  }
  const PluginVersion version = *PluginVersion::parse(info.version);
  for (const auto& existing : plugins_) {
    if (existing.id != info.id) continue;
    if (*PluginVersion::parse(existing.version) == version) {
      return Error::conflict("plugin '" + info.id + "' " + info.version + " from " + info.source +
                             " is already installed from " + existing.source)
          .with_plugin(info.id);
    }
    // Another version of a plugin comes from whoever published the first one, or it could
    // take over every workflow that does not pin a version.
    if (existing.publisher != info.publisher) {
      return Error::conflict("plugin '" + info.id + "' " + info.version + " from " + info.source +
                             " is published by '" + info.publisher + "', but the installed " +
                             existing.version + " (" + existing.source + ") by '" +
                             existing.publisher + "'; a plugin's versions come from one publisher")
          .with_plugin(info.id);
    }
  }
  for (const auto& type : plugin.step_types) {
    auto it = step_types_.find(type->info().name);
    if (it == step_types_.end()) continue;
    const std::string& owner = it->second.front()->info().plugin_id;
    if (owner == info.id) continue;  // another version of the same plugin
    std::string owner_source;
    for (const auto& p : plugins_) {
      if (p.id == owner) owner_source = p.source;
    }
    return Error::conflict("step type '" + type->info().name + "' of plugin '" + info.id + "' (" +
                           info.source + ") is already provided by plugin '" + owner + "' (" +
                           owner_source + "); step type names must be unique")
        .with_plugin(info.id);
  }
  for (auto& type : plugin.step_types) {
    auto& versions = step_types_[type->info().name];
    versions.push_back(std::move(type));
    std::stable_sort(versions.begin(), versions.end(), [](const auto& a, const auto& b) {
      return *PluginVersion::parse(a->info().plugin_version) >
             *PluginVersion::parse(b->info().plugin_version);
    });
  }
  plugins_.push_back(std::move(plugin.info));
  return ok_status();
}

const StepType* PluginRegistry::find(std::string_view name) const {
  auto it = step_types_.find(name);
  return it == step_types_.end() ? nullptr : it->second.front().get();
}

const StepType* PluginRegistry::find(std::string_view name,
                                     const PluginRequirements& required) const {
  auto it = step_types_.find(name);
  if (it == step_types_.end()) return nullptr;
  const auto requirement = required.find(it->second.front()->info().plugin_id);
  if (requirement == required.end()) return it->second.front().get();
  for (const auto& type : it->second) {
    if (requirement->second.satisfied_by(*PluginVersion::parse(type->info().plugin_version))) {
      return type.get();
    }
  }
  return nullptr;
}

const StepType* PluginRegistry::find_for_resume(std::string_view name, const std::string& version,
                                                const PluginRequirements& required) const {
  auto it = step_types_.find(name);
  if (it == step_types_.end()) return nullptr;
  const auto started = PluginVersion::parse(version);
  if (!started) return find(name, required);  // recorded before versions were: any will do
  const auto requirement = required.find(it->second.front()->info().plugin_id);
  const StepType* same_major = nullptr;
  for (const auto& type : it->second) {
    const auto v = *PluginVersion::parse(type->info().plugin_version);
    if (v == *started) return type.get();
    const bool allowed = requirement == required.end() || requirement->second.satisfied_by(v);
    if (same_major == nullptr && v.major == started->major && allowed) same_major = type.get();
  }
  return same_major;
}

const StepType* PluginRegistry::find_version(std::string_view name,
                                             std::string_view version) const {
  auto it = step_types_.find(name);
  if (it == step_types_.end()) return nullptr;
  for (const auto& type : it->second) {
    if (type->info().plugin_version == version) return type.get();
  }
  return nullptr;
}

std::vector<std::string> PluginRegistry::versions_of(std::string_view id) const {
  std::vector<PluginVersion> versions;
  for (const auto& p : plugins_) {
    if (p.id == id) versions.push_back(*PluginVersion::parse(p.version));
  }
  std::sort(versions.begin(), versions.end(), std::greater<>());
  std::vector<std::string> texts;
  for (const auto& v : versions) texts.push_back(v.text());
  return texts;
}

bool PluginRegistry::satisfies(std::string_view id, const VersionRequirement& requirement) const {
  for (const auto& p : plugins_) {
    if (p.id == id && requirement.satisfied_by(*PluginVersion::parse(p.version))) return true;
  }
  return false;
}

std::vector<std::string> PluginRegistry::closest_names(std::string_view name, size_t limit) const {
  std::vector<std::pair<size_t, std::string>> scored;
  for (const auto& [candidate, versions] : step_types_) {
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
  for (const auto& [name, versions] : step_types_) types.push_back(versions.front().get());
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
    if (manifest->kind == PluginKind::kLibrary && found_plugin.library.empty()) {
      report.errors.push_back(Error::plugin_load(found_plugin.manifest.string() +
                                                 ": refused, because its library " +
                                                 manifest->library.string() + " is not there"));
      continue;
    }
    if (manifest->kind == PluginKind::kExec) {
      if (!found_plugin.library.empty()) {
        report.errors.push_back(Error::plugin_load(
            found_plugin.manifest.string() + ": refused, because it declares an exec plugin " +
            "while the library " + found_plugin.library.string() +
            " sits beside it (remove one of the two)"));
        continue;
      }
      if (auto program = check_program_file(manifest->library, fs); !program) {
        report.errors.push_back(std::move(program).error());
        continue;
      }
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
