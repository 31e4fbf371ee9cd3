#include "plugin_host/host_launcher.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/dll/runtime_symbol_info.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace coalition {
namespace {

// Closes what it holds unless released: every early return below leaves nothing open.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  int* out() { return &fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

Error spawn_error(const std::string& what, int error) {
  return Error::io("could not start the plugin host: " + what + ": " + std::strerror(error));
}

// What the host may see of the engine's environment: nothing secret, only what changes how
// programs behave (locale, time zone) and what sanitizer builds need.
std::vector<std::string> host_environment(const PluginHostLimits& limits) {
  std::vector<std::string> env = {
      std::string(kHostCookieVariable) + "=" + kHostCookie,
      std::string(kHostParentVariable) + "=" + std::to_string(::getpid()),
      "PATH=/usr/local/bin:/usr/bin:/bin",
  };
  for (const char* name : {"LANG", "LC_ALL", "TZ", "TZDIR", "UBSAN_OPTIONS"}) {
    if (const char* value = std::getenv(name)) env.push_back(std::string(name) + "=" + value);
  }
#if defined(__SANITIZE_ADDRESS__)
  // A sanitizer build of the host must fail the way a production build does: a crash by its
  // signal (not the sanitizer's report and exit status), memory bounded by a resident-size
  // limit (an address-space limit would break the sanitizer itself).
  std::string asan =
      "handle_segv=0:handle_sigbus=0:handle_abort=0:detect_leaks=0:"
      "allocator_may_return_null=1:hard_rss_limit_mb=" +
      std::to_string(limits.address_space_mb);
  if (const char* value = std::getenv("ASAN_OPTIONS")) asan = std::string(value) + ":" + asan;
  env.push_back("ASAN_OPTIONS=" + asan);
#else
  (void)limits;
#endif
  return env;
}

int set_limit(pid_t pid, int resource, rlim_t value) {
  struct rlimit limit {
    value, value
  };
  return ::prlimit(pid, static_cast<__rlimit_resource>(resource), &limit, nullptr);
}

}  // namespace

std::filesystem::path default_host_program() {
  return boost::dll::program_location().parent_path() / "coalition-plugin-host";
}

SpawnHostLauncher::SpawnHostLauncher(std::filesystem::path program, PluginHostLimits limits)
    : program_(std::move(program)), limits_(limits) {}

Result<HostChild> SpawnHostLauncher::launch(const std::string& plugin_id) {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
    return spawn_error("socketpair", errno);
  }
  Fd engine_end(pair[0]);
  Fd host_end(pair[1]);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return spawn_error("pipe", errno);
  Fd output_read(pipe_fds[0]);
  Fd output_write(pipe_fds[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, output_write.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, output_write.get(), 2);
  posix_spawn_file_actions_adddup2(&actions, host_end.get(), kHostSocketFd);
  posix_spawn_file_actions_addclosefrom_np(&actions, kHostSocketFd + 1);

  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none;
  sigemptyset(&none);
  sigset_t all;
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setsigdefault(&attributes, &all);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                            POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_USEVFORK);

  const std::string program = program_.string();
  const std::string label = "--plugin=" + plugin_id;
  std::vector<char*> argv = {const_cast<char*>(program.c_str()), const_cast<char*>(label.c_str()),
                             nullptr};
  const std::vector<std::string> environment = host_environment(limits_);
  std::vector<char*> envp;
  for (const auto& entry : environment) envp.push_back(const_cast<char*>(entry.c_str()));
  envp.push_back(nullptr);

  pid_t pid = -1;
  const int rc =
      ::posix_spawn(&pid, program.c_str(), &actions, &attributes, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (rc != 0) return spawn_error(program, rc);

  // The host waits for its load frame before it loads anything, so these limits are in force
  // before any plugin code runs. Address-space limits break sanitizer builds, which reserve
  // terabytes of shadow memory.
  bool limited = true;
#if !defined(__SANITIZE_ADDRESS__)
  limited = set_limit(pid, RLIMIT_AS, static_cast<rlim_t>(limits_.address_space_mb) << 20) == 0;
#endif
  limited = limited && set_limit(pid, RLIMIT_CPU, limits_.cpu_seconds) == 0 &&
            set_limit(pid, RLIMIT_NOFILE, limits_.open_files) == 0 &&
            set_limit(pid, RLIMIT_CORE, 0) == 0;
  if (!limited) {
    const int error = errno;
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return spawn_error("setting its resource limits", error);
  }
  // A pidfd (close-on-exec by itself) lets the engine learn of the host's end at once.
  Fd pid_fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (pid_fd.get() < 0) {
    const int error = errno;
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return spawn_error("pidfd_open", error);
  }
  return HostChild{pid, engine_end.release(), output_read.release(), pid_fd.release()};
}

}  // namespace coalition
