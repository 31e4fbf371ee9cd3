// ExecProgram: an exec plugin's program (exec_protocol.h), running as the plugin host's
// child, and the two pipes the host speaks to it through.
//
// The host starts it after confining itself (host_sandbox.h) and after the engine set the
// host's resource limits, so the program inherits both. It runs in the host's process group,
// which the engine kills as a whole, and it dies with the host (PR_SET_PDEATHSIG).
#ifndef COALITION_PLUGIN_HOST_EXEC_PROGRAM_H_
#define COALITION_PLUGIN_HOST_EXEC_PROGRAM_H_

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"

namespace coalition {

// The descriptor an exec program finds its own code on (its sealed copy): an interpreter is
// given /proc/self/fd/3 to run.
inline constexpr int kExecProgramFd = 3;

class ExecProgram {
 public:
  // Starts the program whose code is open on `code_fd` (a sealed copy, exactly the bytes that
  // were checked) — run by `interpreter` when one is given, else executed itself. Its standard
  // input and output are pipes to this process, its standard error is this process's, its
  // code is on kExecProgramFd, and nothing else is inherited. `name` is its file's name, for
  // messages. Fails (kPluginLoad) with one sentence when it cannot be executed. Call while
  // this process has one thread: the child runs code between fork and exec.
  static Result<ExecProgram> start(int code_fd, const std::string& interpreter,
                                   const std::string& name);

  ExecProgram(ExecProgram&& other) noexcept;
  ExecProgram& operator=(ExecProgram&&) = delete;
  ExecProgram(const ExecProgram&) = delete;
  ExecProgram& operator=(const ExecProgram&) = delete;
  // Kills and reaps the program if it still runs.
  ~ExecProgram();

  // Writes all of `line` to the program's input; false once the program no longer reads it
  // (it ended, or closed its input).
  bool write(std::string_view line);

  enum class Read { kLine, kTooLong, kEnd };
  // The next line of the program's output, without its "\n", into `line`. kTooLong: the line
  // was longer than `max_bytes`; it has been read to its end and dropped. kEnd: the program
  // closed its output (it ended); what is left of an unfinished last line is dropped.
  Read read_line(std::string& line, size_t max_bytes);
  // True when a line, or the end, can be read without waiting for the program.
  bool has_buffered_line() const;

  int output_fd() const { return out_fd_; }
  const std::string& name() const { return name_; }
  // Waits for the program to end and returns its wait status (waitpid). Call after kEnd.
  int wait();

 private:
  ExecProgram(pid_t pid, int in_fd, int out_fd, std::string name)
      : pid_(pid), in_fd_(in_fd), out_fd_(out_fd), name_(std::move(name)) {}

  pid_t pid_ = -1;
  int in_fd_ = -1;
  int out_fd_ = -1;
  std::string name_;
  std::string buffer_;  // read but not yet returned
  bool ended_ = false;  // end of file seen on out_fd_
  bool reaped_ = false;
};

// "exited with status 3", "was killed by SIGSEGV (segmentation fault)": what a wait status says.
std::string describe_wait_status(int status);

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_EXEC_PROGRAM_H_
