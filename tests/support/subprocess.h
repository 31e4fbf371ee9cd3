// Running a program as a user would, capturing what it prints and how it exits.
#ifndef COALITION_TESTS_SUPPORT_SUBPROCESS_H_
#define COALITION_TESTS_SUPPORT_SUBPROCESS_H_

#include <chrono>
#include <filesystem>
#include <functional>
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

// Same, but sends `signal` as soon as `ready()` (polled every few milliseconds while the program
// runs) returns true, or once `at_most` has passed. For killing a program at a moment defined by
// what it has done rather than by the clock, which a loaded machine stretches.
ProcessResult run_process_until_ready(const std::vector<std::string>& argv,
                                      const std::map<std::string, std::string>& env,
                                      const std::function<bool()>& ready,
                                      std::chrono::milliseconds at_most, int signal);

// The whole file (empty when it cannot be read).
std::string read_file(const std::filesystem::path& file);

// True when another process holds an flock on `file`, as a coalition process that acts holds
// its store (a worker from the moment its stop signals are blocked): a test waits for this
// instead of guessing how long the program takes to start. Takes and lets go of the lock itself
// when it is free, which a coalition process opening the store meanwhile waits out.
bool locked_by_another_process(const std::filesystem::path& file);

// The current environment plus `env` ("KEY=VALUE" entries; a value of "" unsets the variable).
std::vector<std::string> merged_environment(const std::map<std::string, std::string>& env);

}  // namespace coalition::test

#endif  // COALITION_TESTS_SUPPORT_SUBPROCESS_H_
