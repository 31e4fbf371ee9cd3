// coalition-plugin-host: runs one plugin library in a process of its own, for an engine that
// started it (plugin_host/host_launcher.h). A crash, a hang or a leak here costs the engine one
// attempt and a restart, never itself.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "plugin_host/host_launcher.h"
#include "plugin_host/host_session.h"
#include "plugin_host/library_loader.h"

namespace {

bool started_by_an_engine() {
  const char* cookie = std::getenv(coalition::kHostCookieVariable);
  struct stat socket_info {};
  return cookie != nullptr && std::strcmp(cookie, coalition::kHostCookie) == 0 &&
         ::fstat(coalition::kHostSocketFd, &socket_info) == 0 && S_ISSOCK(socket_info.st_mode);
}

}  // namespace

int main() {
  if (!started_by_an_engine()) {
    std::fputs(
        "coalition-plugin-host: this program runs one plugin in isolation for the Coalition "
        "engine, which starts it; it is not meant to be run by hand.\n",
        stderr);
    return 64;
  }
  // Die with the engine. If it is already gone (it died between spawning us and this line),
  // our parent is no longer the pid it wrote down: leave at once.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  const char* parent = std::getenv(coalition::kHostParentVariable);
  if (parent == nullptr || std::to_string(::getppid()) != parent) return 0;
  // Nothing of the engine's but the socket and the output pipe: the launcher closed the rest;
  // make sure before any plugin code runs.
  ::close_range(coalition::kHostSocketFd + 1, ~0U, 0);
  ::unsetenv(coalition::kHostCookieVariable);
  ::unsetenv(coalition::kHostParentVariable);
  coalition::DllLibraryLoader libraries;
  return coalition::run_plugin_host(coalition::kHostSocketFd, libraries);
}
