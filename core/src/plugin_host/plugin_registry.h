// PluginRegistry: the installed plugins and the step types they provide, by name.
#ifndef COALITION_PLUGIN_HOST_PLUGIN_REGISTRY_H_
#define COALITION_PLUGIN_HOST_PLUGIN_REGISTRY_H_

#include <functional>
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

// Discovers plugins in `directories` (plugin_discovery.h), reads each one's manifest, declares
// it through `loader` (its code is loaded on its first step, plugin_loader.h) and adds it to
// `registry`. Runs no plugin code. A plugin that is refused or conflicts is skipped; every
// refusal and warning is returned, in discovery order, and the remaining plugins stay usable.
// `admit` (when set) decides from the manifest and its exact bytes whether a plugin may be
// installed at all (plugin_trust.h).
struct InstallReport {
  std::vector<Error> errors;
  std::vector<std::string> warnings;
};
using AdmitPlugin = std::function<Status(const PluginManifest&, std::string_view manifest_text)>;
InstallReport install_plugins(const std::vector<std::filesystem::path>& directories,
                              const FileSystem& fs, PluginLoader& loader, PluginRegistry& registry,
                              const AdmitPlugin& admit = {});

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_PLUGIN_REGISTRY_H_
