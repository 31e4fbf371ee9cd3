// PluginProcess: one running `coalition-plugin-host` child, seen from the engine — the socket
// to it, what it prints, and the calls in flight. It lives until the child dies or is stopped;
// IsolatedPlugin starts a new one when it must.
#ifndef COALITION_PLUGIN_HOST_PLUGIN_PROCESS_H_
#define COALITION_PLUGIN_HOST_PLUGIN_PROCESS_H_

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <chrono>
#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/result.h"
#include "plugin_host/host_frame.h"
#include "plugin_host/host_launcher.h"
#include "plugin_host/plugin_answer.h"

namespace spdlog {
class logger;
}

namespace coalition {

// How a call through a host ended: the plugin's answer, or why there is none.
struct HostCallResult {
  std::optional<PluginAnswer> answer;
  std::string code;     // without an answer: plugin.crashed, plugin.timed_out
  std::string message;  // one sentence naming the plugin and what happened to its host
};

class PluginProcess : public std::enable_shared_from_this<PluginProcess> {
 public:
  // Takes `child` over and starts reading its socket and output on `io` (which must run
  // until every process is stopped). `max_frame` bounds what the host may send in one frame.
  static std::shared_ptr<PluginProcess> adopt(boost::asio::io_context& io, HostChild child,
                                              std::string plugin_id, size_t max_frame);
  ~PluginProcess();
  PluginProcess(const PluginProcess&) = delete;
  PluginProcess& operator=(const PluginProcess&) = delete;

  // Sends the load document and waits for the host's answer: the describe document, or an
  // error (kPluginLoad with the host's reason; kIo when it died or did not answer in time).
  Result<std::string> load(const std::string& load_document, std::chrono::milliseconds limit);

  // One call (kExecute or kResume). Blocks until the answer, the host's death, or `deadline`
  // (the call's time `limit` from when it began, which the failure names): then the host is
  // killed (its other calls fail with plugin.crashed) and the call fails with
  // plugin.timed_out. Thread-safe; calls from several threads are in flight together.
  HostCallResult call(FrameKind kind, uint32_t type_index, const std::string& first,
                      const std::string& context, std::chrono::steady_clock::time_point deadline,
                      std::chrono::milliseconds limit);

  // Closes the socket (the host exits on end of file), waits up to `grace` for it, then kills
  // it; reaps it either way. Calls in flight fail with plugin.crashed. Idempotent.
  void stop(std::chrono::milliseconds grace);

  // Neither dead nor being killed: it may take a call.
  bool alive() const;
  pid_t pid() const { return pid_; }
  // After death: "was killed by signal 11 (SIGSEGV)", "exited with status 3", or why the
  // engine killed it.
  std::string death() const;

 private:
  struct Pending {
    std::promise<HostCallResult> promise;
  };

  PluginProcess(boost::asio::io_context& io, HostChild child, std::string plugin_id,
                size_t max_frame);
  void read_prefix();
  void read_body(size_t length);
  void on_frame(HostFrame frame);
  void read_output();
  void on_output(std::string_view bytes);
  void log_line(std::string_view line);
  // Sends a whole frame before `deadline`; false when the host does not take it.
  bool send(const std::string& bytes, std::chrono::steady_clock::time_point deadline);
  // Kills the child (SIGKILL) and says why; the reader then reaps it.
  void terminate(const std::string& reason);
  // The connection is over: reap the child, fail every call in flight.
  void on_broken(const std::string& what);
  void reap();

  const std::string plugin_id_;
  const size_t max_frame_;
  const pid_t pid_;
  boost::asio::local::stream_protocol::socket socket_;
  boost::asio::posix::stream_descriptor output_;
  std::shared_ptr<spdlog::logger> logger_;
  unsigned char prefix_[kFrameLengthBytes] = {};
  std::string body_;
  std::string output_buffer_;
  std::string output_chunk_;
  // Output lines logged in the current second, and those dropped beyond the cap.
  std::chrono::steady_clock::time_point output_window_{};
  size_t output_lines_ = 0;
  size_t output_dropped_ = 0;

  std::mutex reap_mutex_;  // waitpid and kill: never a kill after the pid was reaped
  bool reaped_ = false;
  mutable std::mutex mutex_;
  bool dead_ = false;
  bool stopping_ = false;    // stop() was called: its end is no news
  std::string kill_reason_;  // set when the engine kills it
  std::string death_;
  uint64_t next_call_ = 1;  // 0 is the load
  std::map<uint64_t, std::shared_ptr<Pending>> pending_;
  std::mutex send_mutex_;  // one frame at a time on the socket
};

// "signal 11 (SIGSEGV)".
std::string describe_signal(int signal);

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_PLUGIN_PROCESS_H_
