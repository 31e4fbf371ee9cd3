// Where a plugin's code runs, and the limits an isolated plugin host runs under
// (the "plugins" block of the engine configuration: "isolation", "host", "output_bytes").
#ifndef COALITION_PLUGIN_HOST_PLUGIN_ISOLATION_H_
#define COALITION_PLUGIN_HOST_PLUGIN_ISOLATION_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "plugin_host/host_sandbox.h"

namespace coalition {

enum class Isolation {
  kInProcess,  // loaded into the engine: trusted code only (a crash takes the engine down)
  kIsolated,   // loaded into a `coalition-plugin-host` child process
};

std::string_view to_string(Isolation isolation);

// What every call of every plugin is held to, in process or not. (How long a call may take is
// an execution limit: ExecutionLimits::step_timeout.)
struct PluginCallLimits {
  // The largest output or error document a call may return; beyond, plugin.output_too_large.
  size_t output_bytes = size_t{1} << 20;
};

// The limits of one isolated host process (setrlimit), and how the engine treats a host that
// keeps failing.
struct PluginHostLimits {
  size_t address_space_mb = 4096;  // RLIMIT_AS (not applied in sanitizer builds)
  uint64_t cpu_seconds = 3600;     // RLIMIT_CPU over the host's life: it is then restarted
  uint64_t open_files = 256;       // RLIMIT_NOFILE
  size_t threads = 4;              // calls the host runs at once
  std::chrono::milliseconds restart_backoff{200};  // after the first failure, doubling
  std::chrono::milliseconds restart_backoff_max{30000};
  size_t quarantine_after = 5;  // consecutive crashes or hangs before the plugin is quarantined
  std::chrono::milliseconds quarantine_for{std::chrono::minutes(10)};
  // Confine each host with Landlock where the kernel has it (host_sandbox.h): system files and
  // the plugin's own directory to read, plus what `paths` grants the plugin (by id).
  bool sandbox = true;
  std::map<std::string, SandboxPaths> paths;
};

struct PluginIsolationConfig {
  // Plugins in the engine's own directory (shipped with it) run in process, every other one
  // isolated, unless `by_plugin` names it.
  Isolation builtin = Isolation::kInProcess;
  Isolation others = Isolation::kIsolated;
  std::map<std::string, Isolation> by_plugin;
  PluginHostLimits host;
  PluginCallLimits calls;
  // The host program; empty: `coalition-plugin-host` beside the running executable.
  std::filesystem::path host_program;

  Isolation for_plugin(const std::string& id, bool builtin_directory) const;
};

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_PLUGIN_ISOLATION_H_
