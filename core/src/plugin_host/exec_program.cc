#include "plugin_host/exec_program.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "plugin_host/plugin_process.h"

extern char** environ;

namespace coalition {
namespace {

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Tells the parent why the child could not become the program, and ends the child.
[[noreturn]] void fail_exec(int report, int error) {
  (void)!::write(report, &error, sizeof error);
  ::_exit(127);
}

// In the child, between fork and exec: async-signal-safe calls only. Any failure is reported
// through `report` (close-on-exec: end of file there means the exec succeeded).
[[noreturn]] void become_program(int code_fd, int in_fd, int out_fd, int report,
                                 const char* interpreter, const char* name) {
  const auto fail = [&report](int error) { fail_exec(report, error); };
  // The descriptors land on 0, 1 and 3 (dup2 clears close-on-exec); 2 stays the host's, which
  // the engine reads into its log. Descriptor 3 was the engine's socket: the program must not
  // have it. None of the sources can be 0..3 (the host holds those), so no dup2 clobbers another.
  if (::dup2(in_fd, 0) < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(code_fd, kExecProgramFd) < 0) {
    fail(errno);
  }
  if (report != kExecProgramFd + 1 && ::dup2(report, kExecProgramFd + 1) < 0) fail(errno);
  if (::fcntl(kExecProgramFd + 1, F_SETFD, FD_CLOEXEC) < 0) fail(errno);
  ::close_range(kExecProgramFd + 2, ~0U, 0);
  report = kExecProgramFd + 1;
  // The host ignores SIGPIPE (it sees EPIPE instead); the program gets the default back.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  ::sigaction(SIGPIPE, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  static const char kCode[] = "/proc/self/fd/3";
  if (interpreter != nullptr) {
    char* const argv[] = {const_cast<char*>(interpreter), const_cast<char*>(kCode), nullptr};
    ::execve(interpreter, argv, environ);
  } else {
    char* const argv[] = {const_cast<char*>(name), nullptr};
    ::syscall(SYS_execveat, kExecProgramFd, "", argv, environ, AT_EMPTY_PATH);
  }
  fail_exec(report, errno);
}

}  // namespace

Result<ExecProgram> ExecProgram::start(int code_fd, const std::string& interpreter,
                                       const std::string& name) {
  int to_child[2] = {-1, -1};
  int from_child[2] = {-1, -1};
  int report[2] = {-1, -1};
  const auto cleanup = [&] {
    for (int* pair : {to_child, from_child, report}) {
      close_fd(pair[0]);
      close_fd(pair[1]);
    }
  };
  if (::pipe2(to_child, O_CLOEXEC) != 0 || ::pipe2(from_child, O_CLOEXEC) != 0 ||
      ::pipe2(report, O_CLOEXEC) != 0) {
    const int error = errno;
    cleanup();
    return Error::plugin_load(
        fmt::format("{}: cannot start the program: {}", name, std::strerror(error)));
  }
  // Writing to a program that ended must be an error to look at, not a signal that kills the
  // host before it can say what happened.
  ::signal(SIGPIPE, SIG_IGN);
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int error = errno;
    cleanup();
    return Error::plugin_load(
        fmt::format("{}: cannot start the program: {}", name, std::strerror(error)));
  }
  if (pid == 0) {
    become_program(code_fd, to_child[0], from_child[1], report[1],
                   interpreter.empty() ? nullptr : interpreter.c_str(), name.c_str());
  }
  close_fd(to_child[0]);
  close_fd(from_child[1]);
  close_fd(report[1]);
  int error = 0;
  ssize_t n = 0;
  do {
    n = ::read(report[0], &error, sizeof error);
  } while (n < 0 && errno == EINTR);
  close_fd(report[0]);
  ExecProgram program(pid, to_child[1], from_child[0], name);
  if (n == static_cast<ssize_t>(sizeof error)) {
    program.wait();
    return Error::plugin_load(fmt::format(
        "{}: cannot execute {}: {}", name,
        interpreter.empty() ? std::string("the program") : "its interpreter " + interpreter,
        std::strerror(error)));
  }
  return program;
}

ExecProgram::ExecProgram(ExecProgram&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      in_fd_(std::exchange(other.in_fd_, -1)),
      out_fd_(std::exchange(other.out_fd_, -1)),
      name_(std::move(other.name_)),
      buffer_(std::move(other.buffer_)),
      ended_(other.ended_),
      reaped_(std::exchange(other.reaped_, true)) {}

ExecProgram::~ExecProgram() {
  close_fd(in_fd_);
  close_fd(out_fd_);
  if (pid_ > 0 && !reaped_) {
    ::kill(pid_, SIGKILL);
    wait();
  }
}

bool ExecProgram::write(std::string_view line) {
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(in_fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;  // EPIPE: nobody reads any more
    done += static_cast<size_t>(n);
  }
  return true;
}

bool ExecProgram::has_buffered_line() const {
  return ended_ || buffer_.find('\n') != std::string::npos;
}

ExecProgram::Read ExecProgram::read_line(std::string& line, size_t max_bytes) {
  bool too_long = false;
  size_t scanned = 0;  // bytes of buffer_ known to hold no "\n"
  for (;;) {
    const size_t end = buffer_.find('\n', scanned);
    if (end != std::string::npos) {
      if (too_long || end > max_bytes) {
        buffer_.erase(0, end + 1);
        return Read::kTooLong;
      }
      line.assign(buffer_, 0, end);
      buffer_.erase(0, end + 1);
      return Read::kLine;
    }
    if (buffer_.size() > max_bytes) {  // keep reading to the end of the line, keeping nothing
      too_long = true;
      buffer_.clear();
    }
    scanned = buffer_.size();
    if (ended_) {
      buffer_.clear();
      return Read::kEnd;
    }
    char chunk[64 * 1024];
    const ssize_t n = ::read(out_fd_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ended_ = true;
      continue;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

int ExecProgram::wait() {
  int status = 0;
  if (reaped_ || pid_ <= 0) return status;
  pid_t r = 0;
  do {
    r = ::waitpid(pid_, &status, 0);
  } while (r < 0 && errno == EINTR);
  reaped_ = true;
  return status;
}

std::string describe_wait_status(int status) {
  if (WIFSIGNALED(status)) return "was killed by " + describe_signal(WTERMSIG(status));
  if (WIFEXITED(status)) return fmt::format("exited with status {}", WEXITSTATUS(status));
  return "ended";
}

}  // namespace coalition
