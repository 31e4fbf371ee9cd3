// Installation: the engine configuration plus the plugins it finds, as every command needs them.
#ifndef COALITION_APP_INSTALLATION_H_
#define COALITION_APP_INSTALLATION_H_

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "calendar/business_calendar.h"
#include "common/file_system.h"
#include "config/engine_config.h"
#include "plugin_host/isolated_plugin.h"
#include "plugin_host/library_loader.h"
#include "plugin_host/plugin_registry.h"

namespace coalition::app {

struct Installation {
  EngineConfig config;
  std::vector<std::filesystem::path> plugin_directories;  // in search order
  CalendarSet calendars;  // what plugins see through coalition.calendar/1 (empty if unreadable)
  // The hosts of isolated plugins, and the loader that loads a plugin's code on its first
  // step; declared before the registry, whose step types use both.
  std::unique_ptr<PluginHosts> plugin_hosts;
  std::unique_ptr<PluginLoader> plugin_loader;
  PluginRegistry registry;
  std::vector<Error> plugin_errors;  // plugins that were refused; the others are usable
};

// Reads `config_file`; without one, the built-in defaults.
Result<EngineConfig> read_config(const std::optional<std::filesystem::path>& config_file,
                                 const FileSystem& fs);

// Installs the plugins found, by their manifests, in order: the built-in directory next to the
// executable (../lib/coalition/plugins), the configured directories and COALITION_PLUGIN_PATH.
// Runs no plugin code: a plugin's code is loaded when one of its steps first runs. Warnings and
// refused plugins are logged and kept; the other plugins are usable. `libraries` must outlive
// the installation.
std::unique_ptr<Installation> open_installation(EngineConfig config, const FileSystem& fs,
                                                LibraryLoader& libraries);

// The business-day calendars of calendars.directory (none when it is not set).
Result<CalendarSet> load_calendars(const EngineConfig& config);

// <dir of the running executable>/../lib/coalition/plugins.
std::filesystem::path builtin_plugin_directory();

// <dir of the running executable>/../share/coalition/web: the web app `coalition serve` answers
// at / (server.web_root overrides it).
std::filesystem::path builtin_web_directory();

// Where plugins are searched, in order: the built-in directory (unless plugins.builtin is
// false), the configured directories, then COALITION_PLUGIN_PATH.
std::vector<std::filesystem::path> plugin_search_path(const EngineConfig& config);

// Whether `library` ships with the engine: in the built-in directory, or a folder of its own
// there. Such plugins are trusted as the engine is (no lock, no signature) and run in process
// by default.
bool shipped_with_engine(const std::filesystem::path& library);

}  // namespace coalition::app

#endif  // COALITION_APP_INSTALLATION_H_
