#include "plugin_host/host_session.h"

#include <coalition/plugin_abi.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "calendar/business_calendar.h"
#include "common/json_text.h"
#include "plugin_host/abi_check.h"
#include "plugin_host/exec_program.h"
#include "plugin_host/exec_protocol.h"
#include "plugin_host/host_frame.h"
#include "plugin_host/host_sandbox.h"
#include "plugin_host/native_step_invoker.h"
#include "plugin_host/plugin_host_api.h"
#include "plugin_host/sealed_library.h"

namespace coalition {
namespace {

// Frames from the engine: a call's input is bounded by the engine's JSON limits long before.
constexpr size_t kMaxEngineFrame = size_t{256} << 20;

// One writer at a time; the engine always reads, so a blocking write only waits for room.
class FrameWriter {
 public:
  explicit FrameWriter(int fd) : fd_(fd) {}
  void send(const HostFrame& frame) {
    const std::string bytes = encode_frame(frame);
    std::lock_guard<std::mutex> lock(mutex_);
    size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) ::_exit(0);  // the engine is gone: nothing left to answer
      done += static_cast<size_t>(n);
    }
  }

 private:
  int fd_;
  std::mutex mutex_;
};

// One log line as a log frame. A line is a line, not a document: the engine keeps far less of
// one than this.
void send_log(FrameWriter& writer, uint32_t level, std::string line) {
  constexpr size_t kMaxLine = 8192;
  if (line.size() > kMaxLine) line.resize(kMaxLine);
  writer.send(HostFrame{FrameKind::kLog, 0, level, {std::move(line)}});
}

// The plugin's log lines (through PluginHostApi's logger) become log frames; the engine logs
// them under the plugin's name, masked like every line it writes.
class FrameLogSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit FrameLogSink(FrameWriter& writer) : writer_(writer) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    uint32_t level = COALITION_LOG_ERROR;
    if (msg.level <= spdlog::level::debug) {
      level = COALITION_LOG_DEBUG;
    } else if (msg.level == spdlog::level::info) {
      level = COALITION_LOG_INFO;
    } else if (msg.level == spdlog::level::warn) {
      level = COALITION_LOG_WARN;
    }
    send_log(writer_, level, std::string(msg.payload.data(), msg.payload.size()));
  }
  void flush_() override {}

 private:
  FrameWriter& writer_;
};

// Waits for the next frame by polling the socket for a moment before a blocking read sleeps in
// the kernel: calls that follow one another closely (the engine waits for each answer, then
// sends the next) then find the host awake, saving a thread wake-up on each (~15 µs here).
void await_frame(int fd) {
  constexpr std::chrono::microseconds kSpin{100};
  const auto until = std::chrono::steady_clock::now() + kSpin;
  char byte = 0;
  do {
    const ssize_t n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    // Data, end of file or an error: the blocking read that follows sees it at once.
    if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) return;
  } while (std::chrono::steady_clock::now() < until);
}

// True for an execute or resume frame of one of `step_types` step types, with its two texts.
bool is_call(const HostFrame& frame, size_t step_types) {
  return (frame.kind == FrameKind::kExecute || frame.kind == FrameKind::kResume) &&
         frame.code < step_types && frame.texts.size() == 2 && frame.texts[0] && frame.texts[1];
}

// Reads one frame; nullopt at end of file. A broken frame from the engine ends the host.
std::optional<HostFrame> read_frame(int fd) {
  auto read_all = [fd](char* data, size_t size) -> bool {
    size_t done = 0;
    while (done < size) {
      const ssize_t n = ::read(fd, data + done, size - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  };
  unsigned char prefix[kFrameLengthBytes];
  if (!read_all(reinterpret_cast<char*>(prefix), sizeof(prefix))) return std::nullopt;
  auto length = frame_body_length(prefix, kMaxEngineFrame);
  if (!length) ::_exit(kHostExitProtocol);
  std::string body(*length, '\0');
  if (!read_all(body.data(), body.size())) return std::nullopt;
  auto frame = decode_frame_body(body);
  if (!frame) ::_exit(kHostExitProtocol);
  return std::move(*frame);
}

nlohmann::json schema_text(const char* text) {
  return text == nullptr ? nlohmann::json(nullptr) : nlohmann::json(text);
}

nlohmann::json describe(const coalition_plugin_descriptor_t& d) {
  nlohmann::json types = nlohmann::json::array();
  for (uint32_t i = 0; i < d.step_type_count; ++i) {
    const auto& t = *d.step_types[i];
    types.push_back({{"name", t.name},
                     {"description", t.description != nullptr ? t.description : ""},
                     {"capabilities", t.capabilities},
                     {"parameters_schema", schema_text(t.parameters_schema_json)},
                     {"input_schema", schema_text(t.input_schema_json)},
                     {"output_schema", schema_text(t.output_schema_json)},
                     {"answer_schema", schema_text(answer_schema_of(t))}});
  }
  // Nothing that changes between two hosts of one library (no pid): the engine compares the
  // description of every restarted host with the first.
  return {{"protocol", kHostProtocolVersion},
          {"plugin",
           {{"id", d.id},
            {"version", d.version},
            {"publisher", d.publisher},
            {"description", d.description},
            {"partner_type", d.partner_type},
            {"abi_major", d.abi_major},
            {"abi_minor", d.abi_minor}}},
          {"step_types", std::move(types)}};
}

// Runs calls on `threads` threads that take turns reading the socket: the thread that reads a
// call runs it and answers it, while the next idle thread reads on. No hand-off between a
// reader and a worker sits on a call's path (a thread wake-up costs as much as the call), and a
// hung call holds only its own thread.
class CallRunner {
 public:
  CallRunner(int fd, std::vector<std::unique_ptr<NativeStepInvoker>>& invokers, FrameWriter& writer)
      : fd_(fd), invokers_(invokers), writer_(writer) {}

  // Never returns: the host ends with _exit at end of file.
  [[noreturn]] void run(size_t threads) {
    for (size_t i = 1; i < threads; ++i) std::thread([this] { work(); }).detach();
    work();
  }

 private:
  [[noreturn]] void work() {
    for (;;) {
      std::optional<HostFrame> frame;
      {
        std::lock_guard<std::mutex> lock(read_mutex_);
        await_frame(fd_);
        frame = read_frame(fd_);
      }
      // End of file: the engine is done with this host. No plugin code runs on the way out.
      if (!frame) ::_exit(0);
      if (!is_call(*frame, invokers_.size())) ::_exit(kHostExitProtocol);
      PluginAnswer answer = invokers_[frame->code]->answer(frame->kind == FrameKind::kResume,
                                                           *frame->texts[0], *frame->texts[1]);
      writer_.send(HostFrame{FrameKind::kAnswer,
                             frame->call,
                             answer.status,
                             {std::move(answer.output_json), std::move(answer.error_json)}});
    }
  }

  const int fd_;
  std::vector<std::unique_ptr<NativeStepInvoker>>& invokers_;
  FrameWriter& writer_;
  std::mutex read_mutex_;
};

// Confines this process as the load document's "sandbox" says (nothing when it has none).
void confine(const nlohmann::json& load) {
  auto box = load.find("sandbox");
  if (box == load.end() || !box->is_object()) return;
  SandboxPaths paths;
  for (const char* kind : {"read", "write"}) {
    auto& to = std::string_view(kind) == "read" ? paths.read : paths.write;
    if (auto list = box->find(kind); list != box->end() && list->is_array()) {
      for (const auto& p : *list) {
        if (p.is_string()) to.push_back(p.get<std::string>());
      }
    }
  }
  const SandboxOutcome confined = confine_process(paths);
  if (confined.enforced) {
    spdlog::debug("confined: {}", confined.detail);
  } else {
    spdlog::info("not confined: {}", confined.detail);
  }
}

int refuse(FrameWriter& writer, const std::string& why) {
  writer.send(HostFrame{FrameKind::kRefused, 0, 0, {why}});
  return 0;
}

// Runs the calls of an exec plugin's program (exec_protocol.h), one at a time, on the host's
// only thread. Between calls it watches the program too, so a program that dies while idle
// takes its host with it at once and the engine learns of it before the next call.
class ExecSession {
 public:
  ExecSession(int fd, FrameWriter& writer, ExecProgram program, size_t output_bytes)
      : fd_(fd), writer_(writer), program_(std::move(program)), output_bytes_(output_bytes) {}

  // The program's description, as the describe document to send; a refusal otherwise.
  Result<std::string> describe(const std::string& plugin_id, const std::string& config_json,
                               const std::string& source) {
    if (!program_.write(exec_describe_request(plugin_id, config_json))) {
      return Error::plugin_load(source + ": the program " + ended() +
                                " before it was asked to describe itself");
    }
    for (std::string line;;) {
      switch (program_.read_line(line, max_line())) {
        case ExecProgram::Read::kEnd:
          return Error::plugin_load(source + ": the program " + ended() +
                                    " without describing itself");
        case ExecProgram::Read::kTooLong:
          return Error::plugin_load(source + ": the program answered describe with a line " +
                                    "longer than " + std::to_string(max_line()) + " bytes");
        case ExecProgram::Read::kLine: break;
      }
      ExecLine read = read_exec_line(line);
      if (auto* log = std::get_if<ExecLog>(&read)) {
        send_log(writer_, log->level, std::move(log->message));
        continue;
      }
      auto description = exec_description(line, source, plugin_id);
      if (!description) return std::move(description).error();
      step_types_ = std::move(description->step_types);
      return std::move(description->document);
    }
  }

  [[noreturn]] void run() {
    for (;;) {
      wait_for_a_call();
      auto frame = read_frame(fd_);
      if (!frame) ::_exit(0);  // the engine is done with this host (the program dies with it)
      if (!is_call(*frame, step_types_.size())) ::_exit(kHostExitProtocol);
      const std::string request =
          exec_call_request(frame->call, frame->kind == FrameKind::kResume,
                            step_types_[frame->code], *frame->texts[0], *frame->texts[1]);
      if (!program_.write(request)) end_with_program();
      PluginAnswer answer = answer_of(frame->call);
      writer_.send(HostFrame{FrameKind::kAnswer,
                             frame->call,
                             answer.status,
                             {std::move(answer.output_json), std::move(answer.error_json)}});
    }
  }

 private:
  // An output or an error document, and the words around it.
  size_t max_line() const { return output_bytes_ + (size_t{64} << 10); }

  std::string ended() {
    const int status = program_.wait();
    return describe_wait_status(status);
  }

  // Until the engine sends a call; what the program says meanwhile is log lines, or its end.
  void wait_for_a_call() {
    for (;;) {
      if (program_.has_buffered_line()) {
        read_idle_line();
        continue;
      }
      pollfd fds[2] = {{fd_, POLLIN, 0}, {program_.output_fd(), POLLIN, 0}};
      const int n = ::poll(fds, 2, -1);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) ::_exit(kHostExitProtocol);
      if (fds[1].revents != 0) {
        read_idle_line();
        continue;
      }
      if (fds[0].revents != 0) return;
    }
  }

  void read_idle_line() {
    std::string line;
    switch (program_.read_line(line, max_line())) {
      case ExecProgram::Read::kEnd: end_with_program();
      case ExecProgram::Read::kTooLong:
        stop_broken("wrote a line longer than the limit while idle");
      case ExecProgram::Read::kLine: break;
    }
    ExecLine read = read_exec_line(line);
    if (auto* log = std::get_if<ExecLog>(&read)) {
      send_log(writer_, log->level, std::move(log->message));
    } else if (auto* broken = std::get_if<ExecBroken>(&read)) {
      stop_broken(broken->why);
    } else {
      stop_broken("answered a call it was not asked");
    }
  }

  PluginAnswer answer_of(uint64_t call) {
    for (std::string line;;) {
      switch (program_.read_line(line, max_line())) {
        case ExecProgram::Read::kEnd: end_with_program();
        case ExecProgram::Read::kTooLong:
          // Dropped whole; the call fails as an oversized library answer does.
          return breach_answer("plugin.output_too_large",
                               fmt::format("the program answered with a line of more than {} "
                                           "bytes (plugins.output_bytes is {})",
                                           max_line(), output_bytes_));
        case ExecProgram::Read::kLine: break;
      }
      ExecLine read = read_exec_line(line);
      if (auto* log = std::get_if<ExecLog>(&read)) {
        send_log(writer_, log->level, std::move(log->message));
        continue;
      }
      if (auto* broken = std::get_if<ExecBroken>(&read)) stop_broken(broken->why);
      auto& answer = std::get<ExecAnswer>(read);
      if (answer.id != call) {
        stop_broken(fmt::format("answered call {} while call {} was waiting", answer.id, call));
      }
      return within_output_bytes(std::move(answer.answer), "the program", output_bytes_);
    }
  }

  // The program ended: so does its host, the same way, so that the engine reports the
  // program's signal or status as it reports a library's crash.
  [[noreturn]] void end_with_program() {
    const int status = program_.wait();
    say("the program " + program_.name() + " " + describe_wait_status(status));
    if (WIFSIGNALED(status)) {
      const int signal = WTERMSIG(status);
      struct sigaction dfl {};
      dfl.sa_handler = SIG_DFL;
      ::sigaction(signal, &dfl, nullptr);
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, signal);
      ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
      ::raise(signal);
      ::_exit(128 + signal);
    }
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    // The host's own statuses keep their meaning.
    ::_exit(code == kHostExitProtocol || code == kHostExitExecProtocol ? 1 : code);
  }

  [[noreturn]] void stop_broken(const std::string& why) {
    say("the program " + program_.name() + " " + why);
    ::_exit(kHostExitExecProtocol);  // the program dies with its host (PR_SET_PDEATHSIG)
  }

  // Why the host is about to end, on its standard error: the engine reads that pipe even when no
  // call is in flight (a log frame would wait for the next call's reader, and die with the host).
  static void say(const std::string& line) {
    const std::string text = line + "\n";
    (void)!::write(STDERR_FILENO, text.data(), text.size());
  }

  const int fd_;
  FrameWriter& writer_;
  ExecProgram program_;
  const size_t output_bytes_;
  std::vector<std::string> step_types_;
};

// The exec branch of run_plugin_host: the program from a sealed copy (checked against the
// digest when the engine sends one), started confined.
int run_exec_host(FrameWriter& writer, int fd, const nlohmann::json& load,
                  const std::string& config_json, size_t output_bytes) {
  const std::string plugin_id = load.value("plugin_id", "");
  const auto& exec = load.at("exec");
  if (!exec.is_object()) return kHostExitProtocol;
  const std::filesystem::path program = exec.value("program", "");
  const std::string interpreter = exec.value("interpreter", "");
  const std::string source = program.string();
  const std::string sha256 = load.value("sha256", "");
  auto copy = sha256.empty() ? SealedLibrary::copy_of(program)
                             : SealedLibrary::verified_copy_of(
                                   program, sha256, load.value("sha256_expected_by", "the engine"));
  if (!copy) return refuse(writer, copy.error().message());
  confine(load);
  auto started = ExecProgram::start(copy->fd(), interpreter, program.filename().string());
  if (!started) return refuse(writer, source + ": " + started.error().message());
  ExecSession session(fd, writer, std::move(*started), output_bytes);
  auto description = session.describe(plugin_id, config_json, source);
  if (!description) return refuse(writer, description.error().message());
  writer.send(HostFrame{FrameKind::kDescribe, 0, 0, {std::move(*description)}});
  session.run();
}

}  // namespace

int run_plugin_host(int fd, LibraryLoader& libraries) {
  FrameWriter writer(fd);
  auto first = read_frame(fd);
  if (!first) return 0;
  if (first->kind != FrameKind::kLoad || first->texts.size() != 1 || !first->texts[0]) {
    return kHostExitProtocol;
  }
  auto load = parse_json(*first->texts[0]);
  if (!load || !load->is_object() || load->value("protocol", 0) != kHostProtocolVersion) {
    return kHostExitProtocol;
  }
  const std::string plugin_id = load->value("plugin_id", "");
  const std::filesystem::path library = load->value("library", "");
  const std::string config_json = to_text(load->value("config", nlohmann::json::object()));
  const std::string calendars_dir = load->value("calendars", "");
  const size_t threads = std::clamp<size_t>(load->value("threads", size_t{4}), 1, 64);
  const size_t output_bytes = load->value("output_bytes", size_t{1} << 20);

  auto logger = std::make_shared<spdlog::logger>("plugin", std::make_shared<FrameLogSink>(writer));
  logger->set_level(spdlog::level::debug);
  spdlog::set_default_logger(logger);

  CalendarSet calendars;
  if (!calendars_dir.empty()) {
    if (auto loaded = CalendarSet::load(calendars_dir); loaded) calendars = std::move(*loaded);
  }
  if (load->contains("exec")) return run_exec_host(writer, fd, *load, config_json, output_bytes);
  const std::string source = library.string();
  // With a digest, the library is loaded from a sealed copy that has it (sealed_library.h):
  // no plugin code has run in this process yet, so this check can be trusted.
  std::optional<SealedLibrary> sealed;
  if (const std::string sha256 = load->value("sha256", ""); !sha256.empty()) {
    auto copy = SealedLibrary::verified_copy_of(library, sha256,
                                                load->value("sha256_expected_by", "the engine"));
    if (!copy) return refuse(writer, copy.error().message());
    sealed.emplace(std::move(*copy));
  }
  // Confined before the library is opened, so that its static constructors are too. The host
  // has one thread until CallRunner starts its own, which inherit the confinement.
  confine(*load);
  auto entry = libraries.open(sealed ? sealed->path() : library);
  if (!entry) {
    return refuse(writer, sealed ? sealed->naming(entry.error().message(), library)
                                 : entry.error().message());
  }
  const coalition_plugin_descriptor_t* descriptor = nullptr;
  try {  // boundary: plugin code
    descriptor = (*entry)(COALITION_ABI_MAJOR, COALITION_ABI_MINOR);
  } catch (...) {
    return refuse(writer, source + ": the plugin's entry point threw an exception");
  }
  if (auto status = check_descriptor_header(descriptor, source); !status) {
    return refuse(writer, status.error().message());
  }
  if (auto status = check_descriptor_body(*descriptor, source); !status) {
    return refuse(writer, status.error().message());
  }
  if (plugin_id != descriptor->id) {
    return refuse(writer, fmt::format("{}: the library declares plugin id '{}'; its file name "
                                      "says '{}' (a plugin's id is its library's name)",
                                      source, descriptor->id, plugin_id));
  }
  auto host = std::make_shared<const PluginHostApi>(descriptor->id, &calendars);
  std::vector<std::unique_ptr<NativeStepInvoker>> invokers;
  for (uint32_t i = 0; i < descriptor->step_type_count; ++i) {
    auto invoker = NativeStepInvoker::create(*descriptor, *descriptor->step_types[i], host,
                                             config_json, output_bytes);
    if (!invoker) return refuse(writer, source + ": " + invoker.error().message());
    invokers.push_back(std::move(*invoker));
  }
  writer.send(HostFrame{FrameKind::kDescribe, 0, 0, {to_text(describe(*descriptor))}});

  CallRunner(fd, invokers, writer).run(threads);
}

}  // namespace coalition
