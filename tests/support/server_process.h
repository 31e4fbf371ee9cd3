// ServerProcess: `coalition serve` as a real child process on a loopback port the kernel picks,
// for tests that talk to it over TCP, then stop it with a signal and read how it ended.
#ifndef COALITION_TESTS_SUPPORT_SERVER_PROCESS_H_
#define COALITION_TESTS_SUPPORT_SERVER_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "support/subprocess.h"

namespace coalition::test {

class ServerProcess {
 public:
  ServerProcess() = default;
  ~ServerProcess();  // kills the server if it still runs
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Runs `argv` (which must end with the serve command and its options) with `env` and waits
  // until it prints "listening on URL"; false (with what it printed) when it exits first or
  // takes longer than `wait`.
  bool start(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
             const std::filesystem::path& work_dir, std::string* why,
             std::chrono::seconds wait = std::chrono::seconds(60));
  // "127.0.0.1:PORT"
  const std::string& address() const { return address_; }
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // Sends `signal` and waits for the process to end.
  ProcessResult stop(int signal);
  // What it printed so far on stderr.
  std::string err() const;

 private:
  pid_t pid_ = -1;
  std::string address_;
  std::filesystem::path out_file_;
  std::filesystem::path err_file_;
};

}  // namespace coalition::test

#endif  // COALITION_TESTS_SUPPORT_SERVER_PROCESS_H_
