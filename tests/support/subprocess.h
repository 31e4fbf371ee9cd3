// Running a program as a user would, capturing what it prints and how it exits.
#ifndef COALITION_TESTS_SUPPORT_SUBPROCESS_H_
#define COALITION_TESTS_SUPPORT_SUBPROCESS_H_

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace coalition::test {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal number when killed by a signal
  std::string out;
  std::string err;
};

// Runs `argv` with the current environment plus `env` (a value of "" unsets the variable), no
// standard input, and waits for it to end.
ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env = {});

// Same, with standard input read from the file `stdin_path`.
ProcessResult run_process_with_input(const std::vector<std::string>& argv,
                                     const std::map<std::string, std::string>& env,
                                     const std::string& stdin_path);

// Same, but sends `signal` to the program once `after` has passed (if it is still running).
ProcessResult run_process_until(const std::vector<std::string>& argv,
                                const std::map<std::string, std::string>& env,
                                std::chrono::milliseconds after, int signal,
                                const std::string& stdin_path = "/dev/null");

// The whole file (empty when it cannot be read).
std::string read_file(const std::filesystem::path& file);

// The current environment plus `env` ("KEY=VALUE" entries; a value of "" unsets the variable).
std::vector<std::string> merged_environment(const std::map<std::string, std::string>& env);

}  // namespace coalition::test

#endif  // COALITION_TESTS_SUPPORT_SUBPROCESS_H_
