// PluginRegistry: the installed plugins and the step types they provide, by name.
#ifndef COALITION_PLUGIN_HOST_PLUGIN_REGISTRY_H_
#define COALITION_PLUGIN_HOST_PLUGIN_REGISTRY_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/file_system.h"
#include "common/result.h"
#include "plugin_host/plugin_loader.h"

namespace coalition {

// Filled once at start-up, then read-only: concurrent reads are safe, adds are not.
class PluginRegistry {
 public:
  // Registers every step type of `plugin`, or none: a plugin id or step type name that is
  // already registered refuses the whole plugin with kConflict, naming both libraries.
  Status add(LoadedPlugin plugin);

  // nullptr when no installed plugin provides `name`.
  const StepType* find(std::string_view name) const;

  // Up to `limit` installed step type names closest in spelling to `name`, closest first.
  std::vector<std::string> closest_names(std::string_view name, size_t limit = 3) const;

  // Plugins in registration order; step types sorted by name.
  const std::vector<PluginInfo>& plugins() const { return plugins_; }
  std::vector<const StepType*> step_types() const;

 private:
  std::vector<PluginInfo> plugins_;
  std::map<std::string, std::shared_ptr<const StepType>, std::less<>> step_types_;
};

// Discovers plugins in `directories` (plugin_discovery.h), loads each and adds it to
// `registry`. A plugin that fails to load or conflicts is skipped; every failure and warning is
// returned, in discovery order, and the remaining plugins stay usable.
struct InstallReport {
  std::vector<Error> errors;
  std::vector<std::string> warnings;
};
InstallReport install_plugins(const std::vector<std::filesystem::path>& directories,
                              const FileSystem& fs, PluginLoader& loader, PluginRegistry& registry);

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_PLUGIN_REGISTRY_H_
