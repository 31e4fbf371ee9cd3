#include "plugin_host/plugin_process.h"

#include <coalition/plugin_abi.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <cerrno>
#include <cstring>
#include <thread>

#include "plugin_host/host_session.h"

namespace coalition {
namespace {

// How long a caller polls for its answer before it sleeps (run_one_until).
constexpr std::chrono::microseconds kAnswerSpin{50};

// What one host may put in the engine's log per second (its output and its plugin's log lines
// together), and the longest line kept: a plugin that floods its output costs the engine a
// read, never its log.
constexpr size_t kLinesPerSecond = 50;
constexpr size_t kLineBytes = 2000;
// What is read of a dead host's output before its death is reported.
constexpr size_t kDrainBytes = size_t{64} << 10;

std::string clip(std::string_view line) {
  if (line.size() <= kLineBytes) return std::string(line);
  return std::string(line.substr(0, kLineBytes)) +
         fmt::format(" [{} more bytes]", line.size() - kLineBytes);
}

std::string format_limit(std::chrono::milliseconds limit) {
  if (limit.count() % 1000 == 0) return fmt::format("{} s", limit.count() / 1000);
  return fmt::format("{} ms", limit.count());
}

}  // namespace

std::string describe_signal(int signal) {
  const char* name = sigabbrev_np(signal);
  if (name == nullptr) return fmt::format("signal {}", signal);
  return fmt::format("signal {} (SIG{})", signal, name);
}

std::shared_ptr<PluginProcess> PluginProcess::adopt(boost::asio::io_context& io, HostChild child,
                                                    std::string plugin_id, size_t max_frame) {
  std::shared_ptr<PluginProcess> process(
      new PluginProcess(io, child, std::move(plugin_id), max_frame));
  // Nothing runs call_io_ yet, so starting its read here races with no one; the exit watch and
  // the output belong to the shared io thread.
  process->read_prefix();
  boost::asio::post(io, [process] {
    process->watch_exit();
    process->read_output();
  });
  return process;
}

PluginProcess::PluginProcess(boost::asio::io_context& io, HostChild child, std::string plugin_id,
                             size_t max_frame)
    : plugin_id_(std::move(plugin_id)),
      max_frame_(max_frame),
      pid_(child.pid),
      socket_(call_io_, boost::asio::local::stream_protocol(), child.socket_fd),
      output_(io, child.output_fd),
      exit_watch_(io, child.pid_fd),
      logger_(spdlog::default_logger()->clone("plugin." + plugin_id_)) {}

PluginProcess::~PluginProcess() {
  terminate("was stopped by the engine");
  reap();
}

bool PluginProcess::alive() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return !dead_ && !exited_ && kill_reason_.empty();  // a host being killed takes no new call
}

std::string PluginProcess::death() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return death_;
}

std::optional<HostCallResult> PluginProcess::exchange(
    uint64_t id, const HostFrame& frame, std::chrono::steady_clock::time_point deadline,
    bool& unsent) {
  // A send that fails because the host is gone is answered by its death (plugin.crashed, as
  // soon as the end is seen); one that could not start before the deadline leaves the host
  // alone (`unsent`); one cut off half-way leaves the stream broken, and a timeout kills it.
  unsent = send(encode_frame(frame), deadline) == Sent::kNothing;
  if (auto result = wait_for(id, deadline)) return result;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = pending_.find(id);
  if (it != pending_.end() && it->second) {  // it came in as the time ran out
    HostCallResult result = std::move(*it->second);
    pending_.erase(it);
    return result;
  }
  if (it != pending_.end()) pending_.erase(it);
  return std::nullopt;
}

std::optional<HostCallResult> PluginProcess::wait_for(
    uint64_t id, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    auto it = pending_.find(id);
    if (it == pending_.end()) return std::nullopt;
    if (it->second) {
      HostCallResult result = std::move(*it->second);
      pending_.erase(it);
      return result;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    if (leading_ || dead_) {
      answered_.wait_until(lock, deadline);
      continue;
    }
    // This caller reads for everyone until its own answer is in, then passes the turn on.
    leading_ = true;
    lock.unlock();
    for (bool done = false; !done;) {
      size_t ran = 0;
      try {  // boundary: a handler that throws (memory) must not leave the reading turn taken
        ran = run_one_until(deadline);
      } catch (const std::exception& e) {
        terminate(std::string("could not be read (") + e.what() + ")");
        on_broken();
      }
      std::lock_guard<std::mutex> state(mutex_);
      auto mine = pending_.find(id);
      done = ran == 0 || dead_ || mine == pending_.end() || mine->second.has_value();
    }
    lock.lock();
    leading_ = false;
    answered_.notify_all();
  }
}

size_t PluginProcess::run_one_until(std::chrono::steady_clock::time_point deadline) {
  // A quick plugin answers within microseconds of its call, while sleeping in the kernel until
  // the socket is readable costs a thread wake-up (~15 µs on a small VM) on top of the round
  // trip: poll for the answer a moment first. A slow call wastes kAnswerSpin of one thread.
  const auto spin_until = std::min(deadline, std::chrono::steady_clock::now() + kAnswerSpin);
  do {
    if (const size_t ran = call_io_.poll_one(); ran > 0) return ran;
  } while (std::chrono::steady_clock::now() < spin_until);
  return call_io_.run_one_until(deadline);
}

Result<std::string> PluginProcess::load(const std::string& load_document,
                                        std::chrono::milliseconds limit) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (dead_) return Error::io("the plugin host of '" + plugin_id_ + "' " + death_);
    pending_[0] = std::nullopt;
  }
  const auto deadline = std::chrono::steady_clock::now() + limit;
  bool unsent = false;
  auto result = exchange(0, HostFrame{FrameKind::kLoad, 0, 0, {load_document}}, deadline, unsent);
  if (!result) {
    terminate("did not load its plugin within " + format_limit(limit));
    reap();
    return Error::io("the plugin host of '" + plugin_id_ + "' " + death());
  }
  if (result->answer) return std::move(*result->answer->output_json);
  if (result->code == "plugin.refused") return Error::plugin_load(result->message);
  return Error::io(result->message);
}

HostCallResult PluginProcess::call(FrameKind kind, uint32_t type_index, const std::string& first,
                                   const std::string& context,
                                   std::chrono::steady_clock::time_point deadline,
                                   std::chrono::milliseconds limit) {
  uint64_t id = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (dead_ || exited_ || !kill_reason_.empty()) {
      return {std::nullopt, "plugin.crashed",
              fmt::format("the plugin host of '{}' {}", plugin_id_,
                          death_.empty() ? kill_reason_ : death_)};
    }
    id = next_call_++;
    pending_[id] = std::nullopt;
  }
  bool unsent = false;
  auto result = exchange(id, HostFrame{kind, id, type_index, {first, context}}, deadline, unsent);
  if (result) return std::move(*result);
  if (unsent) {
    // Its time ran out while it waited its turn to send: the host did nothing wrong.
    return {std::nullopt, "plugin.timed_out",
            fmt::format("a call of plugin '{}' could not be sent to its host within {}", plugin_id_,
                        format_limit(limit))};
  }
  const std::string reason = "did not answer a call within " + format_limit(limit);
  terminate(reason);
  return {std::nullopt, "plugin.timed_out",
          fmt::format("a call of plugin '{}' {}; its host was stopped", plugin_id_, reason)};
}

void PluginProcess::stop(std::chrono::milliseconds grace) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  // End of file on its socket makes the host exit; a host that does not is killed.
  ::shutdown(socket_.native_handle(), SHUT_WR);
  const auto until = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < until) {
    {
      std::lock_guard<std::mutex> lock(reap_mutex_);
      if (reaped_) return;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        reaped_ = true;
        std::lock_guard<std::mutex> state(mutex_);
        if (death_.empty()) death_ = "was stopped by the engine";
        return;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  terminate("was stopped by the engine");
  reap();
}

PluginProcess::Sent PluginProcess::send(const std::string& bytes,
                                        std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::timed_mutex> lock(send_mutex_, deadline);
  if (!lock.owns_lock()) return Sent::kNothing;
  const int fd = socket_.native_handle();
  size_t done = 0;
  const auto cut = [&done] { return done == 0 ? Sent::kNothing : Sent::kPart; };
  while (done < bytes.size()) {
    const ssize_t n =
        ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return Sent::kPart;  // host gone
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return cut();
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count() + 1, 60000))) < 0 &&
        errno != EINTR) {
      return Sent::kPart;
    }
    if ((p.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) return Sent::kPart;
  }
  return Sent::kAll;
}

void PluginProcess::terminate(const std::string& reason) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (kill_reason_.empty() && death_.empty()) kill_reason_ = reason;
  }
  std::lock_guard<std::mutex> lock(reap_mutex_);
  // The host leads a process group of its own: whatever its plugin started goes with it. Never
  // after reaping: the pid may be someone else's by then.
  if (!reaped_) ::kill(-pid_, SIGKILL);
}

void PluginProcess::reap() {
  std::lock_guard<std::mutex> lock(reap_mutex_);
  if (reaped_) return;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  bool killed_here = false;
  if (r == 0) {
    // Its socket is closed but it still runs: a host that stops talking is stopped.
    ::kill(-pid_, SIGKILL);
    killed_here = true;
    do {
      r = ::waitpid(pid_, &status, 0);
    } while (r < 0 && errno == EINTR);
  }
  reaped_ = true;
  std::lock_guard<std::mutex> state(mutex_);
  if (!death_.empty()) return;
  if (!kill_reason_.empty()) {
    death_ = kill_reason_;
  } else if (r == pid_ && WIFSIGNALED(status)) {
    death_ = killed_here && WTERMSIG(status) == SIGKILL
                 ? "closed its connection to the engine and was stopped"
                 : "was killed by " + describe_signal(WTERMSIG(status));
  } else if (r == pid_ && WIFEXITED(status) && WEXITSTATUS(status) == kHostExitExecProtocol) {
    death_ = "stopped its program, which broke the exec protocol (the engine log says how)";
  } else if (r == pid_ && WIFEXITED(status)) {
    death_ = fmt::format("exited with status {}", WEXITSTATUS(status));
  } else {
    death_ = "ended";
  }
}

// The socket's handlers run on a leading caller's thread, which holds a reference to this
// process for as long as it runs call_io_; they capture `this` only (a strong reference here
// would keep a dead host's process alive: nobody may ever run its io_context again).
void PluginProcess::read_prefix() {
  boost::asio::async_read(socket_, boost::asio::buffer(prefix_),
                          [this](boost::system::error_code ec, size_t) {
                            if (ec) return on_broken();
                            auto length = frame_body_length(prefix_, max_frame_);
                            if (!length) {
                              terminate("sent a broken frame (" + length.error().message() + ")");
                              return on_broken();
                            }
                            read_body(*length);
                          });
}

void PluginProcess::read_body(size_t length) {
  body_.resize(length);
  boost::asio::async_read(socket_, boost::asio::buffer(body_),
                          [this](boost::system::error_code ec, size_t) {
                            if (ec) return on_broken();
                            auto frame = decode_frame_body(body_);
                            if (!frame) {
                              terminate("sent a broken frame (" + frame.error().message() + ")");
                              return on_broken();
                            }
                            on_frame(std::move(*frame));
                          });
}

void PluginProcess::fulfil(uint64_t call, HostCallResult result) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = pending_.find(call);
  if (it == pending_.end() || it->second) return;  // its caller gave up (timed out)
  it->second = std::move(result);
  answered_.notify_all();
}

void PluginProcess::on_frame(HostFrame frame) {
  switch (frame.kind) {
    case FrameKind::kAnswer:
      if (frame.call != 0 && frame.texts.size() == 2) {
        PluginAnswer answer{frame.code, std::move(frame.texts[0]), std::move(frame.texts[1])};
        fulfil(frame.call, HostCallResult{std::move(answer), {}, {}});
        return read_prefix();
      }
      break;
    case FrameKind::kLog:
      if (frame.texts.size() == 1 && frame.texts[0]) {
        if (!allow_line()) return read_prefix();
        const std::string line = clip(*frame.texts[0]);
        switch (frame.code) {
          case COALITION_LOG_DEBUG: logger_->debug("{}", line); break;
          case COALITION_LOG_INFO: logger_->info("{}", line); break;
          case COALITION_LOG_WARN: logger_->warn("{}", line); break;
          default: logger_->error("{}", line); break;
        }
        return read_prefix();
      }
      break;
    case FrameKind::kDescribe:
    case FrameKind::kRefused:
      if (frame.call == 0 && frame.texts.size() == 1 && frame.texts[0]) {
        if (frame.kind == FrameKind::kDescribe) {
          PluginAnswer answer{COALITION_STATUS_OK, std::move(frame.texts[0]), std::nullopt};
          fulfil(0, HostCallResult{std::move(answer), {}, {}});
        } else {
          fulfil(0, HostCallResult{std::nullopt, "plugin.refused", clip(*frame.texts[0])});
        }
        return read_prefix();
      }
      break;
    default: break;
  }
  terminate(fmt::format("sent a frame the engine does not expect (kind {}, {} texts)",
                        static_cast<int>(frame.kind), frame.texts.size()));
  on_broken();
}

void PluginProcess::on_broken() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (dead_) return;
    dead_ = true;  // callers now wait for their result; none is dropped from pending_
  }
  // The fd number stays ours until the destructor: a sender still polling it sees the hang-up,
  // and a leader's read ends.
  ::shutdown(socket_.native_handle(), SHUT_RDWR);
  reap();
  const std::string message = fmt::format("the plugin host of '{}' {}", plugin_id_, death());
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [call, result] : pending_) {
    if (!result) {
      result = HostCallResult{std::nullopt, "plugin.crashed",
                              message + (call == 0 ? "" : " during this call")};
    }
  }
  answered_.notify_all();
}

void PluginProcess::watch_exit() {
  exit_watch_.async_wait(
      boost::asio::posix::stream_descriptor::wait_read,
      [self = shared_from_this()](boost::system::error_code ec) {
        if (ec == boost::asio::error::operation_aborted) return;
        // What it printed before it ended is the best clue to why: log it first.
        boost::system::error_code ignored;
        self->output_.non_blocking(true, ignored);
        // Whatever the plugin started dies with its host (its process group, while the zombie
        // still holds the host's pid), so nothing keeps writing into the pipe; the drain is
        // bounded anyway.
        {
          std::lock_guard<std::mutex> lock(self->reap_mutex_);
          if (!self->reaped_) ::kill(-self->pid_, SIGKILL);
        }
        for (size_t drained = 0; drained < kDrainBytes;) {
          char chunk[4096];
          const size_t n = self->output_.read_some(boost::asio::buffer(chunk), ignored);
          if (ignored || n == 0) break;
          drained += n;
          self->on_output(std::string_view(chunk, n));
        }
        if (!self->output_buffer_.empty()) self->log_line(self->output_buffer_);
        self->output_buffer_.clear();
        {
          std::lock_guard<std::mutex> lock(self->mutex_);
          self->exited_ = true;  // no new call; those in flight learn it from the socket
        }
        self->reap();
        bool stopping = false;
        {
          std::lock_guard<std::mutex> lock(self->mutex_);
          stopping = self->stopping_;
        }
        if (!stopping) {
          self->logger_->warn("the plugin host of '{}' {}", self->plugin_id_, self->death());
        }
        // Frames it sent before it ended (an answer, the reason it refused its plugin) are read
        // first by a call in flight: a shut-down socket delivers what it holds, then end of
        // file, which ends the calls in flight (on_broken). Shut down here too, in case a child
        // of the plugin inherited the host's end and keeps it open. Frames sent between calls
        // (a log line from a thread of the plugin's own) are lost with an idle host.
        ::shutdown(self->socket_.native_handle(), SHUT_RDWR);
        self->output_.close(ignored);
        self->exit_watch_.close(ignored);
      });
}

void PluginProcess::read_output() {
  output_chunk_.resize(4096);
  output_.async_read_some(boost::asio::buffer(output_chunk_),
                          [self = shared_from_this()](boost::system::error_code ec, size_t n) {
                            if (ec) return;  // end of file, or closed by on_broken
                            self->on_output(std::string_view(self->output_chunk_.data(), n));
                            self->read_output();
                          });
}

void PluginProcess::on_output(std::string_view bytes) {
  output_buffer_.append(bytes);
  size_t start = 0;
  for (size_t nl; (nl = output_buffer_.find('\n', start)) != std::string::npos; start = nl + 1) {
    log_line(std::string_view(output_buffer_).substr(start, nl - start));
  }
  output_buffer_.erase(0, start);
  if (output_buffer_.size() > kLineBytes) {  // a line without end: log what there is
    log_line(output_buffer_);
    output_buffer_.clear();
  }
}

bool PluginProcess::allow_line() {
  std::lock_guard<std::mutex> lock(log_mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (now - log_window_ >= std::chrono::seconds(1)) {
    if (log_dropped_ > 0) {
      logger_->warn("{} more lines of output and log dropped (at most {} a second are logged)",
                    log_dropped_, kLinesPerSecond);
    }
    log_window_ = now;
    log_lines_ = 0;
    log_dropped_ = 0;
  }
  if (log_lines_ >= kLinesPerSecond) {
    ++log_dropped_;
    return false;
  }
  ++log_lines_;
  return true;
}

void PluginProcess::log_line(std::string_view line) {
  if (allow_line()) logger_->warn("printed: {}", clip(line));
}

}  // namespace coalition
