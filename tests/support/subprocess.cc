#include "support/subprocess.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "support/temp_dir.h"

extern char** environ;

namespace coalition::test {

bool locked_by_another_process(const std::filesystem::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool taken = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
  const bool held = !taken && errno == EWOULDBLOCK;
  if (taken) ::flock(fd, LOCK_UN);
  ::close(fd);
  return held;
}

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> merged_environment(const std::map<std::string, std::string>& env) {
  std::map<std::string, std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq != std::string::npos) vars[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& [key, value] : env) {
    if (value.empty()) {
      vars.erase(key);
    } else {
      vars[key] = value;
    }
  }
  std::vector<std::string> out;
  for (const auto& [key, value] : vars) out.push_back(key + "=" + value);
  return out;
}

ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env) {
  return run_process_until(argv, env, std::chrono::milliseconds(-1), 0);
}

ProcessResult run_process_with_input(const std::vector<std::string>& argv,
                                     const std::map<std::string, std::string>& env,
                                     const std::string& stdin_path) {
  return run_process_until(argv, env, std::chrono::milliseconds(-1), 0, stdin_path);
}

namespace {

// Runs the program; while it runs, sends `signal` once when `due()` first returns true (never
// when `due` is empty).
ProcessResult run_and_signal(const std::vector<std::string>& argv,
                             const std::map<std::string, std::string>& env,
                             const std::string& stdin_path, const std::function<bool()>& due,
                             int signal) {
  // Output goes to files rather than pipes: no risk of a full pipe blocking the child.
  TempDir dir;
  const auto out_file = dir.path() / "stdout";
  const auto err_file = dir.path() / "stderr";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, stdin_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  auto vars = merged_environment(env);
  std::vector<char*> envp;
  for (auto& v : vars) envp.push_back(v.data());
  envp.push_back(nullptr);

  pid_t pid = 0;
  int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("posix_spawn failed for " + argv[0]);
  int status = 0;
  bool exited = false;
  if (due) {
    bool signalled = false;
    while (!exited && !signalled) {
      exited = waitpid(pid, &status, WNOHANG) == pid;
      if (!exited && due()) {
        kill(pid, signal);
        signalled = true;
      } else if (!exited) {
        usleep(2000);
      }
    }
  }
  while (!exited && waitpid(pid, &status, 0) < 0) {
  }
  ProcessResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = read_file(out_file);
  result.err = read_file(err_file);
  return result;
}

}  // namespace

ProcessResult run_process_until(const std::vector<std::string>& argv,
                                const std::map<std::string, std::string>& env,
                                std::chrono::milliseconds after, int signal,
                                const std::string& stdin_path) {
  if (after.count() < 0) return run_and_signal(argv, env, stdin_path, {}, signal);
  const auto deadline = std::chrono::steady_clock::now() + after;
  return run_and_signal(
      argv, env, stdin_path, [deadline] { return std::chrono::steady_clock::now() >= deadline; },
      signal);
}

ProcessResult run_process_until_ready(const std::vector<std::string>& argv,
                                      const std::map<std::string, std::string>& env,
                                      const std::function<bool()>& ready,
                                      std::chrono::milliseconds at_most, int signal) {
  const auto deadline = std::chrono::steady_clock::now() + at_most;
  return run_and_signal(
      argv, env, "/dev/null",
      [&ready, deadline] { return ready() || std::chrono::steady_clock::now() >= deadline; },
      signal);
}

}  // namespace coalition::test
