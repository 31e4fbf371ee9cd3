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
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/result.h"
#include "plugin_host/host_call_result.h"
#include "plugin_host/host_frame.h"
#include "plugin_host/host_launcher.h"
#include "plugin_host/plugin_answer.h"

namespace spdlog {
class logger;
}

namespace coalition {

// How a call through a host ended: the plugin's answer, or why there is none.
// The socket is read on the callers' own threads: while calls are in flight, one of them (the
// leader) runs the socket's handlers (its own Asio io_context) until its answer is in, then
// hands the turn to another waiting caller. An answer therefore wakes one thread, the one that
// reads it — usually its own caller — not an io thread that then wakes the caller: on this kind
// of machine a wake-up costs about as much as the whole round trip (bench/README.md, W6). The
// shared io thread watches the process itself (a pidfd: its death is known at once, even when
// no call is in flight) and reads what it prints.
class PluginProcess : public std::enable_shared_from_this<PluginProcess> {
 public:
  // Takes `child` over: its exit and output are watched on `io` (which must run until every
  // process is stopped). `max_frame` bounds what the host may send in one frame.
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
  PluginProcess(boost::asio::io_context& io, HostChild child, std::string plugin_id,
                size_t max_frame);
  // Registers call `id` (0: the load), sends `frame` and waits for the result: nullopt when
  // `deadline` passed first (the call is then forgotten).
  std::optional<HostCallResult> exchange(uint64_t id, const HostFrame& frame,
                                         std::chrono::steady_clock::time_point deadline,
                                         bool& unsent);
  // Waits for call `id`'s result, leading the socket's reads while no one else does.
  std::optional<HostCallResult> wait_for(uint64_t id,
                                         std::chrono::steady_clock::time_point deadline);
  void read_prefix();
  void read_body(size_t length);
  void on_frame(HostFrame frame);
  void fulfil(uint64_t call, HostCallResult result);
  void watch_exit();
  void read_output();
  void on_output(std::string_view bytes);
  void log_line(std::string_view line);
  // Sends a whole frame before `deadline` (waiting for its turn no longer than that): all of
  // it, part of it (the stream is then broken, or the host is gone), or nothing.
  enum class Sent { kAll, kPart, kNothing };
  Sent send(const std::string& bytes, std::chrono::steady_clock::time_point deadline);
  // The log's budget: at most kLinesPerSecond lines of output and log frames a second.
  bool allow_line();
  // Kills the child (SIGKILL) and says why; the exit watch then ends it.
  void terminate(const std::string& reason);
  // The connection is over (end of file or a broken frame, seen by the socket's handlers):
  // mark it dead, reap the host, fail every call still in flight. Idempotent; thread-safe.
  void on_broken();
  void reap();
  // Runs one handler of call_io_: polls for kAnswerSpin first, then sleeps until `deadline`.
  size_t run_one_until(std::chrono::steady_clock::time_point deadline);

  const std::string plugin_id_;
  const size_t max_frame_;
  const pid_t pid_;
  // Declared before the socket: the socket goes first, then its handlers are dropped uninvoked.
  boost::asio::io_context call_io_;
  boost::asio::local::stream_protocol::socket socket_;
  boost::asio::posix::stream_descriptor output_;      // on the shared io
  boost::asio::posix::stream_descriptor exit_watch_;  // the child's pidfd, on the shared io
  std::shared_ptr<spdlog::logger> logger_;
  unsigned char prefix_[kFrameLengthBytes] = {};
  std::string body_;
  std::string output_buffer_;
  std::string output_chunk_;
  // Lines logged in the current second (output and log frames, read on two threads), and
  // those dropped beyond the cap.
  std::mutex log_mutex_;
  std::chrono::steady_clock::time_point log_window_{};
  size_t log_lines_ = 0;
  size_t log_dropped_ = 0;

  std::mutex reap_mutex_;  // waitpid and kill: never a kill after the pid was reaped
  bool reaped_ = false;
  mutable std::mutex mutex_;
  std::condition_variable answered_;  // a result arrived, or the reading turn is free
  bool leading_ = false;              // a caller is running call_io_
  bool dead_ = false;        // the socket is done with: calls in flight get their results now
  bool exited_ = false;      // the process has ended (its pidfd said so)
  bool stopping_ = false;    // stop() was called: its end is no news
  std::string kill_reason_;  // set when the engine kills it
  std::string death_;
  uint64_t next_call_ = 1;  // 0 is the load
  std::map<uint64_t, std::optional<HostCallResult>> pending_;
  std::timed_mutex send_mutex_;  // one frame at a time on the socket
};

// "signal 11 (SIGSEGV)".
std::string describe_signal(int signal);

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_PLUGIN_PROCESS_H_
