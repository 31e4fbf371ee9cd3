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
#include "plugin_host/plugin_version.h"

namespace coalition {

// Filled once at start-up, then read-only: concurrent reads are safe, adds are not.
// Several versions of one plugin may be installed side by side; a step type name belongs to one
// plugin id, and each of its versions provides its own StepType.
class PluginRegistry {
 public:
  // Registers every step type of `plugin`, or none: the same plugin id and version installed
  // twice, another version of an installed plugin from another publisher, or a step type name
  // another plugin id provides, refuses the whole plugin with kConflict, naming both libraries.
  Status add(LoadedPlugin plugin);

  // The newest installed version of step type `name`; nullptr when no plugin provides it.
  const StepType* find(std::string_view name) const;
  // The newest version of `name` whose plugin satisfies `required` (a plugin without an entry
  // there: the newest); nullptr when none does.
  const StepType* find(std::string_view name, const PluginRequirements& required) const;
  // Where a step suspended under plugin version `version` resumes: that version when it is still
  // installed, else the newest of the same major that satisfies `required`; nullptr when none
  // is installed (a new major may behave differently with what the step waited for).
  const StepType* find_for_resume(std::string_view name, const std::string& version,
                                  const PluginRequirements& required) const;

  // The installed versions of plugin `id`, newest first.
  std::vector<std::string> versions_of(std::string_view id) const;
  // Whether an installed version of plugin `id` satisfies `requirement`.
  bool satisfies(std::string_view id, const VersionRequirement& requirement) const;

  // Up to `limit` installed step type names closest in spelling to `name`, closest first.
  std::vector<std::string> closest_names(std::string_view name, size_t limit = 3) const;

  // Plugins in registration order (each installed version); step types sorted by name (the
  // newest version of each).
  const std::vector<PluginInfo>& plugins() const { return plugins_; }
  std::vector<const StepType*> step_types() const;
  // Step type `name` of plugin version `version` exactly; nullptr when not installed.
  const StepType* find_version(std::string_view name, std::string_view version) const;

 private:
  std::vector<PluginInfo> plugins_;
  // By name: each installed version's step type, newest first.
  std::map<std::string, std::vector<std::shared_ptr<const StepType>>, std::less<>> step_types_;
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
