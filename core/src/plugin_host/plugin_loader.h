// PluginLoader: turns a plugin library into checked, ready-to-run step types.
#ifndef COALITION_PLUGIN_HOST_PLUGIN_LOADER_H_
#define COALITION_PLUGIN_HOST_PLUGIN_LOADER_H_

#include <coalition/plugin_abi.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.h"
#include "plugin_host/library_loader.h"
#include "plugin_host/plugin_info.h"
#include "plugin_host/step_type.h"

namespace coalition {

class CalendarSet;

struct LoadedPlugin {
  PluginInfo info;
  std::vector<std::shared_ptr<const StepType>> step_types;
};

class PluginLoader {
 public:
  // `plugin_configs` maps a plugin id to the configuration its instances are created with
  // (the "plugins.config" section of the engine configuration); a plugin without an entry
  // gets {}. `libraries` must outlive the loader.
  // When `config_directory` is set, each plugin's configuration object also carries it as
  // "config_directory" (unless it says otherwise). `calendars` (may be null) backs the
  // coalition.calendar/1 host extension and must outlive every loaded plugin.
  PluginLoader(LibraryLoader& libraries, nlohmann::json plugin_configs,
               std::filesystem::path config_directory = {}, const CalendarSet* calendars = nullptr);

  // Loads `file`, then does what load_entry does.
  Result<LoadedPlugin> load(const std::filesystem::path& file);

  // Calls `entry`, checks the descriptor (abi_check.h) before reading anything else, compiles
  // every schema, and creates one in-process instance per step type. Any failure refuses the
  // whole plugin with one sentence naming `source`. Never throws.
  Result<LoadedPlugin> load_entry(coalition_plugin_entry_v1_fn entry, const std::string& source);

 private:
  LibraryLoader& libraries_;
  nlohmann::json plugin_configs_;
  std::filesystem::path config_directory_;
  const CalendarSet* calendars_;
};

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_PLUGIN_LOADER_H_
