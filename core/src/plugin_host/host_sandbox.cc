#include "plugin_host/host_sandbox.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace coalition {
namespace {

// The kernel's ABI, spelled out here rather than taken from <linux/landlock.h>: the build
// machine's headers may be older than the kernel the engine runs on (Debian 12's stop at ABI 2),
// and these values never change.
constexpr uint64_t kExecute = 1ULL << 0;
constexpr uint64_t kWriteFile = 1ULL << 1;
constexpr uint64_t kReadFile = 1ULL << 2;
constexpr uint64_t kReadDir = 1ULL << 3;
constexpr uint64_t kAbi1Rights = (1ULL << 13) - 1;        // execute .. make_sym
constexpr uint64_t kRefer = 1ULL << 13;                   // ABI 2
constexpr uint64_t kTruncate = 1ULL << 14;                // ABI 3
constexpr uint64_t kIoctlDev = 1ULL << 15;                // ABI 5
constexpr uint64_t kScopeAbstractUnixSocket = 1ULL << 0;  // ABI 6
constexpr uint64_t kScopeSignal = 1ULL << 1;              // ABI 6
constexpr uint32_t kCreateRulesetVersion = 1U << 0;
constexpr int kRulePathBeneath = 1;

struct RulesetAttr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;  // ABI 4
  uint64_t scoped;              // ABI 6
};

struct __attribute__((packed)) PathBeneathAttr {
  uint64_t allowed_access;
  int32_t parent_fd;
};

long create_ruleset(const RulesetAttr* attr, size_t size, uint32_t flags) {
  return ::syscall(SYS_landlock_create_ruleset, attr, size, flags);
}

// What each ABI lets a ruleset handle (and so deny).
uint64_t handled_rights(int abi) {
  uint64_t rights = kAbi1Rights;
  if (abi >= 2) rights |= kRefer;
  if (abi >= 3) rights |= kTruncate;
  if (abi >= 5) rights |= kIoctlDev;
  return rights;
}

// Adds one path-beneath rule; false when the path cannot be opened (it does not exist).
bool allow(int ruleset, const std::string& path, uint64_t rights) {
  const int fd = ::open(path.c_str(), O_PATH | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode)) {
    rights &= kExecute | kWriteFile | kReadFile | kTruncate | kIoctlDev;  // a file's own rights
  }
  PathBeneathAttr rule{rights, fd};
  const long added = ::syscall(SYS_landlock_add_rule, ruleset, kRulePathBeneath, &rule, 0);
  ::close(fd);
  return added == 0;
}

}  // namespace

int landlock_abi(std::string* why) {
  const long abi = create_ruleset(nullptr, 0, kCreateRulesetVersion);
  if (abi > 0) return static_cast<int>(abi);
  if (why != nullptr) {
    *why = errno == ENOSYS       ? "the kernel has no Landlock (Linux 5.13 or later is needed)"
           : errno == EOPNOTSUPP ? "Landlock is built into the kernel but not enabled (add "
                                   "\"landlock\" to the lsm= boot parameter)"
                                 : std::string("Landlock is unavailable: ") + std::strerror(errno);
  }
  return 0;
}

std::vector<std::string> system_read_paths() {
  // Not all of /etc (nor /opt): an engine installed there keeps its configuration, store and
  // keys beside them. Only what the C library, the dynamic linker, TLS and name resolution read.
  static const char* const kPaths[] = {"/usr",
                                       "/lib",
                                       "/lib32",
                                       "/lib64",
                                       "/libx32",
                                       "/proc/self",
                                       "/sys/devices/system/cpu",
                                       "/dev/random",
                                       "/dev/urandom",
                                       "/etc/ld.so.cache",
                                       "/etc/ld.so.conf",
                                       "/etc/ld.so.conf.d",
                                       "/etc/ssl",
                                       "/etc/pki",
                                       "/etc/ca-certificates",
                                       "/etc/ca-certificates.conf",
                                       "/etc/resolv.conf",
                                       "/etc/hosts",
                                       "/etc/host.conf",
                                       "/etc/nsswitch.conf",
                                       "/etc/gai.conf",
                                       "/etc/localtime",
                                       "/etc/timezone",
                                       "/etc/passwd",
                                       "/etc/group",
                                       "/etc/services",
                                       "/etc/protocols",
                                       "/etc/mime.types"};
  std::vector<std::string> paths;
  for (const char* p : kPaths) {
    struct stat st {};
    if (::stat(p, &st) != 0) continue;
    paths.emplace_back(p);
    // Landlock checks the file a path resolves to: /etc/resolv.conf is often a link into
    // /run/systemd/resolve/, a CA bundle one into /var/lib.
    std::error_code ec;
    const auto real = std::filesystem::canonical(p, ec);
    if (!ec && real != p) paths.push_back(real.string());
  }
  return paths;
}

std::vector<std::string> system_write_paths() {
  std::vector<std::string> paths;
  for (const char* p : {"/dev/null", "/dev/zero"}) {
    struct stat st {};
    if (::stat(p, &st) == 0) paths.emplace_back(p);
  }
  return paths;
}

SandboxOutcome confine_process(const SandboxPaths& paths) {
  SandboxOutcome outcome;
  std::string why;
  outcome.abi = landlock_abi(&why);
  if (outcome.abi == 0) {
    outcome.detail = why;
    return outcome;
  }
  const uint64_t rights = handled_rights(outcome.abi);
  RulesetAttr attr{rights, 0, 0};
  size_t size = sizeof(uint64_t);                     // ABI 1-3 know only the file-system field
  if (outcome.abi >= 4) size = 2 * sizeof(uint64_t);  // network: not handled, so left open
  if (outcome.abi >= 6) {
    attr.scoped = kScopeAbstractUnixSocket | kScopeSignal;
    size = sizeof attr;
  }
  const long ruleset = create_ruleset(&attr, size, 0);
  if (ruleset < 0) {
    outcome.detail = std::string("cannot create a Landlock ruleset: ") + std::strerror(errno);
    return outcome;
  }
  const int fd = static_cast<int>(ruleset);
  size_t read_rules = 0;
  size_t write_rules = 0;
  for (const auto& p : paths.read) {
    if (allow(fd, p, kExecute | kReadFile | kReadDir)) ++read_rules;
  }
  for (const auto& p : paths.write) {
    if (allow(fd, p, rights)) ++write_rules;
  }
  // Required of an unprivileged process, and right for a host anyway: nothing it runs gains
  // privileges through set-user-id or file capabilities.
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
      ::syscall(SYS_landlock_restrict_self, fd, 0) != 0) {
    outcome.detail = std::string("cannot enforce the Landlock ruleset: ") + std::strerror(errno);
    ::close(fd);
    return outcome;
  }
  ::close(fd);
  outcome.enforced = true;
  outcome.detail = fmt::format(
      "Landlock ABI {}: reads {} paths, writes {}{}", outcome.abi, read_rules, write_rules,
      outcome.abi >= 6 ? "; cannot signal processes outside its domain" : "");
  return outcome;
}

}  // namespace coalition
