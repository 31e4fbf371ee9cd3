// HostLauncher: the seam that starts a plugin host child process. The engine's end of the
// child is a connected socket (frames, host_frame.h) and the read end of a pipe that carries
// whatever the host and its plugin print (stdout and stderr both), never the engine's own
// output.
#ifndef COALITION_PLUGIN_HOST_HOST_LAUNCHER_H_
#define COALITION_PLUGIN_HOST_HOST_LAUNCHER_H_

#include <sys/types.h>

#include <filesystem>
#include <string>

#include "common/result.h"
#include "plugin_host/plugin_isolation.h"

namespace coalition {

// A started child. The descriptors belong to whoever receives this (close-on-exec).
struct HostChild {
  pid_t pid = -1;
  int socket_fd = -1;  // the engine's end of the socketpair
  int output_fd = -1;  // read end of the child's stdout and stderr
  int pid_fd = -1;     // a pidfd of the child: readable once it has ended
};

// The environment variable that tells `coalition-plugin-host` it was started by an engine (its
// value), and the one that names the engine's pid (the host exits when it is not its parent).
inline constexpr const char* kHostCookieVariable = "COALITION_PLUGIN_HOST";
inline constexpr const char* kHostCookie = "run-one-plugin-for-the-coalition-engine";
inline constexpr const char* kHostParentVariable = "COALITION_PLUGIN_HOST_PARENT";
// The descriptor the host finds its socket on.
inline constexpr int kHostSocketFd = 3;

class HostLauncher {
 public:
  virtual ~HostLauncher() = default;
  // Starts one host for `plugin_id` (named in its command line, for `ps`). Fails with kIo.
  virtual Result<HostChild> launch(const std::string& plugin_id) = 0;
};

// posix_spawn of the host program: the socket on descriptor 3, stdout and stderr into one pipe,
// stdin from /dev/null, every other descriptor closed, signals reset to their defaults and
// unblocked, its own process group (a Ctrl-C at the engine's terminal reaches the engine, which
// stops its hosts itself), and an environment of its own (none of the engine's variables, which
// may hold credentials). Then the resource limits, with prlimit, before the host loads anything.
//
// posix_spawn rather than fork: glibc spawns with clone(CLONE_VM | CLONE_VFORK), which copies
// nothing and runs no code of the engine's in the child, so it is safe while other engine
// threads hold locks (see docs/decisions/0011-isolated-plugin-hosts.md).
class SpawnHostLauncher final : public HostLauncher {
 public:
  SpawnHostLauncher(std::filesystem::path program, PluginHostLimits limits);
  Result<HostChild> launch(const std::string& plugin_id) override;

 private:
  std::filesystem::path program_;
  PluginHostLimits limits_;
};

// `coalition-plugin-host` beside the running executable.
std::filesystem::path default_host_program();

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_HOST_LAUNCHER_H_
