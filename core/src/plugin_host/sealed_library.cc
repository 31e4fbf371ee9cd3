#include "plugin_host/sealed_library.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "common/sha256.h"

namespace coalition {
namespace {

// Far above any plugin library; a bound so a mistaken path cannot exhaust memory.
constexpr off_t kMaxLibraryBytes = off_t{512} << 20;

std::string errno_text() {
  return std::strerror(errno);
}

bool write_all(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

Result<SealedLibrary> SealedLibrary::copy_of(const std::filesystem::path& file) {
  const std::string name = file.string();
  // O_NONBLOCK: a FIFO put where a library should be must not stall the engine.
  const int in = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (in < 0) return Error::plugin_load("cannot open " + name + ": " + errno_text());
  struct stat st {};
  if (::fstat(in, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > kMaxLibraryBytes) {
    ::close(in);
    return Error::plugin_load(name + " is not a regular file of at most 512 MiB");
  }
  std::string bytes;
  bytes.reserve(static_cast<size_t>(st.st_size));
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(in, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string why = errno_text();
      ::close(in);
      return Error::plugin_load("cannot read " + name + ": " + why);
    }
    if (n == 0) break;
    bytes.append(buffer, static_cast<size_t>(n));
    if (static_cast<off_t>(bytes.size()) > kMaxLibraryBytes) {
      ::close(in);
      return Error::plugin_load(name + " grew beyond 512 MiB while it was read");
    }
  }
  ::close(in);

  const int fd = ::memfd_create("coalition-plugin", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return Error::plugin_load("cannot copy " + name + " into memory: " + errno_text());
  if (!write_all(fd, bytes) ||
      ::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) {
    const std::string why = errno_text();
    ::close(fd);
    return Error::plugin_load("cannot seal the copy of " + name + ": " + why);
  }
  return SealedLibrary(fd, sha256_hex(bytes));
}

Result<SealedLibrary> SealedLibrary::verified_copy_of(const std::filesystem::path& file,
                                                      const std::string& expected_sha256,
                                                      const std::string& expected_by) {
  auto copy = copy_of(file);
  if (copy && copy->sha256() != expected_sha256) {
    return Error::plugin_load(file.string() + " was refused: " + expected_by + " expects SHA-256 " +
                              expected_sha256 + ", the file has " + copy->sha256());
  }
  return copy;
}

SealedLibrary::SealedLibrary(SealedLibrary&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      sha256_(std::move(other.sha256_)),
      keep_open_(other.keep_open_) {}

SealedLibrary::~SealedLibrary() {
  if (fd_ >= 0 && !keep_open_) ::close(fd_);
}

std::filesystem::path SealedLibrary::path() const {
  return "/proc/self/fd/" + std::to_string(fd_);
}

std::string SealedLibrary::naming(std::string text, const std::filesystem::path& file) const {
  const std::string copy = path().string();
  const std::string name = file.string();
  for (size_t at = text.find(copy); at != std::string::npos; at = text.find(copy, at)) {
    text.replace(at, copy.size(), name);
    at += name.size();
  }
  return text;
}

}  // namespace coalition
