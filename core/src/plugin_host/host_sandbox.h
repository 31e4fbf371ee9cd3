// HostSandbox: what confines a plugin host beyond its resource limits. Where the kernel offers
// Landlock (Linux 5.13+, with "landlock" in its LSM list) a host restricts itself — before any
// plugin code runs, for good, every later thread included — to reading the system's libraries and
// configuration, its plugin's own directory and the paths the configuration grants that plugin
// (plugins.host.paths), and to writing only the paths granted for its state. With Landlock ABI 6
// (Linux 6.12) it can also no longer signal processes outside its domain, the engine among them,
// nor reach abstract UNIX sockets outside it. The network stays open: partner plugins call their
// partners' services. Where the kernel has no Landlock the host runs unconfined and says so;
// `coalition doctor` reports which it is on a machine.
#ifndef COALITION_PLUGIN_HOST_HOST_SANDBOX_H_
#define COALITION_PLUGIN_HOST_HOST_SANDBOX_H_

#include <string>
#include <vector>

namespace coalition {

struct SandboxPaths {
  std::vector<std::string> read;   // files and directories (with what is beneath) to read
  std::vector<std::string> write;  // ... to read, write, create and remove
};

// The Landlock ABI version the running kernel offers; 0 when it offers none, with the reason in
// `why` (when given).
int landlock_abi(std::string* why = nullptr);

// The system paths every plugin host may read (libraries, the files of /etc the C library, the
// dynamic linker, TLS and name resolution read — and where they link to — its own /proc), those
// that exist on this machine; and those it may also write (/dev/null, /dev/zero).
std::vector<std::string> system_read_paths();
std::vector<std::string> system_write_paths();

struct SandboxOutcome {
  int abi = 0;            // Landlock ABI used; 0: none
  bool enforced = false;  // the process is now confined
  std::string detail;     // what is in force, or why nothing is
};

// Confines the calling process as described above. Call it while the process has one thread:
// threads started later inherit the confinement, those already running would not. Paths that do
// not exist are left out. Never fails: an unconfined outcome says why.
SandboxOutcome confine_process(const SandboxPaths& paths);

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_HOST_SANDBOX_H_
