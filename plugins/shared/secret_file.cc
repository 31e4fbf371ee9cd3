// Written once, read on every start: the key must survive restarts or every code or hash made
// with it changes meaning.
#include "shared/secret_file.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

namespace coalition::plugins {

namespace {

constexpr size_t kMinSecretBytes = 16;

// The file's bytes when it holds a secret.
std::optional<std::string> read_secret(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  if (text.str().size() < kMinSecretBytes) return std::nullopt;
  return text.str();
}

// A regular file (not a link) that opens for reading and holds fewer bytes than a secret.
bool short_regular_file(const std::filesystem::path& file) {
  struct stat st {};
  if (::lstat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  std::ifstream in(file, std::ios::binary);
  return in && static_cast<size_t>(st.st_size) < kMinSecretBytes;
}

}  // namespace

// The new secret is written to a file beside the named one and linked into place, never written
// into the named file itself: a process reading it meanwhile reads all of it or finds none, and
// of two processes creating it at once one wins and both use the winner's (opened with O_TRUNC,
// a reader could find it empty, and a second creator replace the key the first already used).
std::string load_or_create_secret(const std::filesystem::path& file, const char* env_name) {
  if (const char* env = std::getenv(env_name); env != nullptr && *env != '\0') {
    return env;
  }
  if (auto existing = read_secret(file)) return *existing;
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1)
    throw std::runtime_error("no random bytes for the secret");
  const std::string secret(reinterpret_cast<const char*>(bytes), sizeof bytes);
  const std::filesystem::path dir =
      file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
  std::filesystem::create_directories(dir);
  std::string temp = (dir / ("." + file.filename().string() + ".XXXXXX")).string();
  const int fd = ::mkostemp(temp.data(), O_CLOEXEC);  // mode 0600
  if (fd < 0) throw std::runtime_error("cannot create the secret " + file.string());
  const bool written =
      ::write(fd, secret.data(), secret.size()) == static_cast<ssize_t>(secret.size());
  const bool synced = written && ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) {
    ::unlink(temp.c_str());
    throw std::runtime_error("cannot write the secret " + file.string());
  }
  if (::link(temp.c_str(), file.c_str()) == 0) {
    ::unlink(temp.c_str());
    // The new name survives a power cut once its folder is synced (best effort).
    if (const int folder = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); folder >= 0) {
      (void)::fsync(folder);
      ::close(folder);
    }
    return secret;
  }
  const int link_error = errno;
  if (link_error == EEXIST) {
    if (auto winner = read_secret(file)) {  // another process created it meanwhile
      ::unlink(temp.c_str());
      return *winner;
    }
    // A regular file this process reads but too short to be a secret (cut short by an older
    // version) is replaced whole, and what is there afterwards is used. Anything else
    // (unreadable, a link, a folder) is refused, never replaced.
    if (short_regular_file(file) && ::rename(temp.c_str(), file.c_str()) == 0) {
      if (auto replaced = read_secret(file)) return *replaced;
    }
  }
  ::unlink(temp.c_str());
  throw std::runtime_error("cannot create the secret " + file.string() + ": " +
                           std::strerror(link_error));
}

}  // namespace coalition::plugins
