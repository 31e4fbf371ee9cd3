// IsolatedPlugin: one partner plugin that runs in `coalition-plugin-host` child processes —
// starting a host, restarting it with backoff after it dies or hangs, and quarantining a
// plugin that keeps failing. PluginHosts: what all of them share (the io thread that watches
// their processes and reads what they print, the launcher, the limits).
#ifndef COALITION_PLUGIN_HOST_ISOLATED_PLUGIN_H_
#define COALITION_PLUGIN_HOST_ISOLATED_PLUGIN_H_

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/result.h"
#include "plugin_host/host_call_result.h"
#include "plugin_host/host_frame.h"
#include "plugin_host/host_launcher.h"
#include "plugin_host/plugin_isolation.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace coalition {

class IsolatedPlugin;
class PluginProcess;

// What `coalition plugins` and /metrics show of an isolated plugin.
struct PluginHealth {
  std::string plugin_id;
  bool running = false;
  size_t starts = 0;    // hosts started, the first included
  size_t failures = 0;  // hosts that crashed, hung or would not start
  bool quarantined = false;
  std::string last_failure;  // one sentence
};

class PluginHosts {
 public:
  PluginHosts(std::unique_ptr<HostLauncher> launcher, PluginHostLimits limits);
  // Stops every host (their calls fail with plugin.crashed), then the io thread.
  ~PluginHosts();
  PluginHosts(const PluginHosts&) = delete;
  PluginHosts& operator=(const PluginHosts&) = delete;

  // A plugin whose host is started with `load_document` (see host_session.h); not started yet.
  std::shared_ptr<IsolatedPlugin> add(std::string plugin_id, std::string load_document,
                                      size_t max_frame);
  std::vector<PluginHealth> health() const;
  // Drops a plugin that could not be loaded (its host is stopped already).
  void forget(const IsolatedPlugin* plugin);
  // Starts a host through the launcher, on the io thread (see the .cc for why). Not on the io
  // thread itself.
  Result<HostChild> spawn(const std::string& plugin_id);

  boost::asio::io_context& io();
  HostLauncher& launcher() { return *launcher_; }
  const PluginHostLimits& limits() const { return limits_; }

 private:
  std::unique_ptr<HostLauncher> launcher_;
  PluginHostLimits limits_;
  // The io thread and its io_context (in the .cc file: only plugin_host compiles Asio).
  struct IoThread;
  std::unique_ptr<IoThread> io_thread_;
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<IsolatedPlugin>> plugins_;
};

// The plugin hosts an isolation configuration describes: its host program (default:
// coalition-plugin-host beside the running executable) and its limits.
std::unique_ptr<PluginHosts> make_plugin_hosts(const PluginIsolationConfig& isolation);

class IsolatedPlugin {
 public:
  IsolatedPlugin(PluginHosts& hosts, std::string plugin_id, std::string load_document,
                 size_t max_frame);

  // Starts the first host and returns what the plugin declares (the describe document). A
  // later host must declare exactly the same, or it is refused.
  Result<std::string> start(std::chrono::milliseconds limit);

  // One call, on the running host or on a new one (after the restart backoff, within `limit`).
  // While quarantined, fails at once with plugin.quarantined. Thread-safe.
  HostCallResult call(FrameKind kind, uint32_t type_index, const std::string& first,
                      const std::string& context, std::chrono::milliseconds limit);

  PluginHealth health() const;
  // Stops the running host, if any.
  void stop();

 private:
  Result<std::shared_ptr<PluginProcess>> launch(std::chrono::milliseconds limit);
  // The running host, or a new one; an error result when none can be had before `deadline`.
  std::variant<std::shared_ptr<PluginProcess>, HostCallResult> running(
      std::chrono::steady_clock::time_point deadline);
  // Counts one failure of `process` (null: a host that could not be started) once.
  void note_failure(const std::shared_ptr<PluginProcess>& process, const std::string& what);
  void note_failure_locked(const std::shared_ptr<PluginProcess>& process, const std::string& what);

  PluginHosts& hosts_;
  const std::string plugin_id_;
  const std::string load_document_;
  const size_t max_frame_;
  std::string description_;  // the first host's describe document

  mutable std::mutex mutex_;  // held while a host starts: callers queue behind it
  std::shared_ptr<PluginProcess> current_;
  // The last host whose death was counted. A weak_ptr keeps its control block, so a new host
  // can never compare equal to it (a raw pointer could: the allocator reuses addresses).
  std::weak_ptr<PluginProcess> counted_;
  size_t starts_ = 0;
  size_t failures_ = 0;
  size_t consecutive_ = 0;
  std::chrono::steady_clock::time_point next_start_{};
  std::chrono::steady_clock::time_point quarantined_until_{};
  std::string last_failure_;
};

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_ISOLATED_PLUGIN_H_
