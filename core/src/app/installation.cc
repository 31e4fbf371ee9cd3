#include "app/installation.h"

#include <spdlog/spdlog.h>

#include <boost/dll/runtime_symbol_info.hpp>
#include <cstdlib>

#include "plugin_host/plugin_discovery.h"

namespace coalition::app {

std::filesystem::path builtin_plugin_directory() {
  // The build tree mirrors the install tree (bin/ next to lib/coalition/plugins/).
  return (boost::dll::program_location().parent_path() / ".." / "lib" / "coalition" / "plugins")
      .lexically_normal();
}

Result<EngineConfig> read_config(const std::optional<std::filesystem::path>& config_file,
                                 const FileSystem& fs) {
  if (!config_file) return EngineConfig{};
  return load_engine_config(*config_file, fs);
}

std::unique_ptr<Installation> open_installation(EngineConfig config, const FileSystem& fs,
                                                LibraryLoader& libraries) {
  auto installation = std::make_unique<Installation>();
  installation->config = std::move(config);
  auto& dirs = installation->plugin_directories;
  if (installation->config.builtin_plugins) dirs.push_back(builtin_plugin_directory());
  for (const auto& dir : installation->config.plugin_directories) dirs.push_back(dir);
  if (const char* env = std::getenv("COALITION_PLUGIN_PATH")) {
    for (auto& dir : split_search_path(env)) dirs.push_back(std::move(dir));
  }

  // Commands that depend on calendars report a broken calendar directory themselves
  // (load_calendars); plugins then simply see no calendars.
  if (auto calendars = load_calendars(installation->config); calendars) {
    installation->calendars = std::move(*calendars);
  }
  PluginLoader loader(libraries, installation->config.plugin_configs,
                      installation->config.config_directory, &installation->calendars);
  auto report = install_plugins(dirs, fs, loader, installation->registry);
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
