#include "app/installation.h"

#include <spdlog/spdlog.h>

#include <boost/dll/runtime_symbol_info.hpp>
#include <cstdlib>
#include <set>

#include "plugin_host/plugin_discovery.h"
#include "plugin_host/plugin_trust.h"

namespace coalition::app {
namespace {

// A library straight in the built-in directory, or in a folder of its own there.
bool in_builtin_directory(const std::filesystem::path& dir, const std::filesystem::path& builtin) {
  return dir == builtin || dir.parent_path() == builtin;
}

}  // namespace

std::filesystem::path builtin_plugin_directory() {
  // The build tree mirrors the install tree (bin/ next to lib/coalition/plugins/).
  return (boost::dll::program_location().parent_path() / ".." / "lib" / "coalition" / "plugins")
      .lexically_normal();
}

std::filesystem::path builtin_web_directory() {
  return (boost::dll::program_location().parent_path() / ".." / "share" / "coalition" / "web")
      .lexically_normal();
}

Result<EngineConfig> read_config(const std::optional<std::filesystem::path>& config_file,
                                 const FileSystem& fs) {
  if (!config_file) return EngineConfig{};
  return load_engine_config(*config_file, fs);
}

std::vector<std::filesystem::path> plugin_search_path(const EngineConfig& config) {
  std::vector<std::filesystem::path> dirs;
  if (config.builtin_plugins) dirs.push_back(builtin_plugin_directory());
  for (const auto& dir : config.plugin_directories) dirs.push_back(dir);
  if (const char* env = std::getenv("COALITION_PLUGIN_PATH")) {
    for (auto& dir : split_search_path(env)) dirs.push_back(std::move(dir));
  }
  return dirs;
}

bool shipped_with_engine(const std::filesystem::path& library) {
  return in_builtin_directory(library.parent_path().lexically_normal(), builtin_plugin_directory());
}

std::unique_ptr<Installation> open_installation(EngineConfig config, const FileSystem& fs,
                                                LibraryLoader& libraries) {
  auto installation = std::make_unique<Installation>();
  installation->config = std::move(config);
  auto& dirs = installation->plugin_directories;
  dirs = plugin_search_path(installation->config);

  // Commands that depend on calendars report a broken calendar directory themselves
  // (load_calendars); plugins then simply see no calendars.
  if (auto calendars = load_calendars(installation->config); calendars) {
    installation->calendars = std::move(*calendars);
  }
  const EngineConfig& settings = installation->config;
  installation->plugin_loader = std::make_unique<PluginLoader>(
      libraries, settings.plugin_configs, settings.config_directory, &installation->calendars);
  PluginLoader& loader = *installation->plugin_loader;
  const PluginIsolationConfig& isolation = settings.plugin_isolation;
  installation->plugin_hosts = make_plugin_hosts(isolation);
  // Plugins shipped with the engine (in its own directory, or a folder of their own in it) run
  // in process by default; every other one in a host of its own.
  loader.isolate_with(
      *installation->plugin_hosts,
      [&isolation](const std::string& id, const std::filesystem::path& file) {
        return isolation.for_plugin(id, shipped_with_engine(file));
      },
      settings.calendar_directory);
  loader.set_output_bytes(isolation.calls.output_bytes);
  const PluginTrust trust(settings.plugin_trust, fs);
  // The built-in directory is searched first: the ids it provides are the engine's own, and a
  // plugin from anywhere else may not add a version of one (it would run in their place).
  std::set<std::string> shipped_ids;
  auto report = install_plugins(
      dirs, fs, loader, installation->registry,
      [&trust, &fs, &shipped_ids](const PluginManifest& manifest, std::string_view text) -> Status {
        const bool shipped = shipped_with_engine(manifest.library);
        if (shipped) {
          shipped_ids.insert(manifest.info.id);
        } else if (shipped_ids.count(manifest.info.id) != 0) {
          return Error::plugin_load(manifest.file.string() + " was refused: plugin id '" +
                                    manifest.info.id +
                                    "' belongs to a plugin shipped with the engine; a plugin "
                                    "from elsewhere cannot add a version of it");
        }
        return trust.admit(manifest, text, shipped, fs);
      });
  for (const auto& warning : report.warnings) spdlog::warn("{}", warning);
  for (const auto& error : report.errors) spdlog::error("plugin refused: {}", error.to_string());
  installation->plugin_errors = std::move(report.errors);
  return installation;
}

Result<CalendarSet> load_calendars(const EngineConfig& config) {
  if (config.calendar_directory.empty()) return CalendarSet();
  return CalendarSet::load(config.calendar_directory);
}

}  // namespace coalition::app
