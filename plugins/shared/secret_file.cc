// Written once, read on every start: the key must survive restarts or every code or hash made
// with it changes meaning.
#include "shared/secret_file.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
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
    return secret;
  }
  const int link_error = errno;
  if (link_error == EEXIST) {
    if (auto winner = read_secret(file)) {  // another process created it meanwhile
      ::unlink(temp.c_str());
      return *winner;
    }
    // A file too short to be a secret (cut short before secrets were linked into place): the
    // new one replaces it whole.
    if (::rename(temp.c_str(), file.c_str()) == 0) return secret;
  }
  ::unlink(temp.c_str());
  throw std::runtime_error("cannot create the secret " + file.string());
}

}  // namespace coalition::plugins
