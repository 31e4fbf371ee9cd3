// PluginLoader: turns a plugin library into checked, ready-to-run step types.
#ifndef COALITION_PLUGIN_HOST_PLUGIN_LOADER_H_
#define COALITION_PLUGIN_HOST_PLUGIN_LOADER_H_

#include <coalition/plugin_abi.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.h"
#include "plugin_host/deferred_plugin.h"
#include "plugin_host/library_loader.h"
#include "plugin_host/plugin_info.h"
#include "plugin_host/plugin_isolation.h"
#include "plugin_host/plugin_manifest.h"
#include "plugin_host/step_type.h"

namespace coalition {

class CalendarSet;
class PluginHosts;

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

  // Where each plugin runs: `choose` answers for a plugin id and its library file; plugins it
  // isolates run in hosts of `hosts`, which must outlive every step type loaded, and see the
  // calendars of `calendar_directory`. Without this, every plugin runs in process.
  using IsolationChooser =
      std::function<Isolation(const std::string& id, const std::filesystem::path& file)>;
  void isolate_with(PluginHosts& hosts, IsolationChooser choose,
                    std::filesystem::path calendar_directory);
  // The largest output or error document a call may return (plugins.output_bytes).
  void set_output_bytes(size_t bytes) { output_bytes_ = bytes; }

  // Loads `file` (lib<id>.so: the plugin must declare that id) in process — then does what
  // load_entry does — or in a plugin host, which runs the same checks and answers what the
  // plugin declares. Runs the plugin's code now; for tools that load one library on purpose
  // (`coalition plugin test`, `coalition plugin manifest`). Never throws.
  Result<LoadedPlugin> load(const std::filesystem::path& file);
  // load, for a library or an exec plugin's program (which always runs in a plugin host).
  Result<LoadedPlugin> load(const PluginCodeFile& file);

  // The plugin `manifest` describes, without running any of its code: step types built from
  // the manifest's declarations, whose code is loaded on the first call of any of them — from
  // a sealed copy of the library whose SHA-256 must be the manifest's, in process or in a
  // host as for load — and must then declare exactly what the manifest says
  // (check_code_matches), else every call fails with plugin.refused. The loader must outlive
  // the step types. Never throws.
  Result<LoadedPlugin> declare(const PluginManifest& manifest);

  // The code of `file` (lib<id>.so, declaring that id), loaded now where the isolation chooser
  // says; with `sha256`, from a sealed copy that must have that digest (`expected_by` names
  // who expects it, for the refusal). Never throws.
  Result<PluginCode> load_code(const std::filesystem::path& file, const std::string& sha256 = {},
                               const std::string& expected_by = {});
  // load_code for a library or an exec plugin's program: a program is started by a plugin host
  // (exec_protocol.h), from a sealed copy when `sha256` is given, and never in process.
  Result<PluginCode> load_code(const PluginCodeFile& file, const std::string& sha256 = {},
                               const std::string& expected_by = {});

  // Calls `entry`, checks the descriptor (abi_check.h) before reading anything else, compiles
  // every schema, and creates one in-process instance per step type. Any failure refuses the
  // whole plugin with one sentence naming `source`. Never throws.
  Result<LoadedPlugin> load_entry(coalition_plugin_entry_v1_fn entry, const std::string& source);

 private:
  Isolation isolation_of(const std::string& id, const std::filesystem::path& file) const;
  // Step types from what `code` declares, each running on its invoker.
  static Result<LoadedPlugin> with_step_types(PluginCode code, const std::string& source);
  Result<PluginCode> entry_code(coalition_plugin_entry_v1_fn entry, const std::string& source);
  Result<PluginCode> isolated_code(const PluginCodeFile& file, const std::string& id,
                                   const std::string& sha256, const std::string& expected_by);
  // OK when an exec plugin's program can run as one must: in a host.
  Status exec_isolation(const std::string& id, const std::filesystem::path& program) const;
  // The plugin's section of the configuration, with config_directory added.
  nlohmann::json config_for(const std::string& id) const;

  LibraryLoader& libraries_;
  PluginHosts* hosts_ = nullptr;
  IsolationChooser choose_;
  std::filesystem::path calendar_directory_;
  size_t output_bytes_ = PluginCallLimits{}.output_bytes;
  nlohmann::json plugin_configs_;
  std::filesystem::path config_directory_;
  const CalendarSet* calendars_;
};

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_PLUGIN_LOADER_H_
