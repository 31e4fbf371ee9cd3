#include "support/server_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

namespace coalition::test {

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
}

std::string ServerProcess::err() const {
  return read_file(err_file_);
}

bool ServerProcess::start(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env,
                          const std::filesystem::path& work_dir, std::string* why,
                          std::chrono::seconds wait) {
  out_file_ = work_dir / "serve.out";
  err_file_ = work_dir / "serve.err";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  auto vars = merged_environment(env);
  std::vector<char*> envp;
  for (auto& v : vars) envp.push_back(v.data());
  envp.push_back(nullptr);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    *why = "posix_spawn failed";
    return false;
  }
  const auto deadline = std::chrono::steady_clock::now() + wait;
  constexpr std::string_view kMark = "listening on http";
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string text = read_file(err_file_);
    if (auto at = text.find(kMark); at != std::string::npos) {
      const auto start = text.find("://", at) + 3;
      const auto end = text.find('\n', start);
      if (end != std::string::npos) {
        address_ = text.substr(start, end - start);
        return true;
      }
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      *why = "the server exited before it listened: " + read_file(err_file_);
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  *why = "the server did not listen in time: " + read_file(err_file_);
  return false;
}

ProcessResult ServerProcess::stop(int signal) {
  ProcessResult result;
  if (pid_ <= 0) return result;
  kill(pid_, signal);
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0) {
  }
  pid_ = -1;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = read_file(out_file_);
  result.err = read_file(err_file_);
  return result;
}

}  // namespace coalition::test
