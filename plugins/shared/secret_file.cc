// Written once, read on every start: the key must survive restarts or every code or hash made
// with it changes meaning.
#include "shared/secret_file.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace coalition::plugins {

std::string load_or_create_secret(const std::filesystem::path& file, const char* env_name) {
  if (const char* env = std::getenv(env_name); env != nullptr && *env != '\0') {
    return env;
  }
  if (std::ifstream in(file, std::ios::binary); in) {
    std::stringstream text;
    text << in.rdbuf();
    if (text.str().size() >= 16) return text.str();
  }
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1)
    throw std::runtime_error("no random bytes for the secret");
  if (!file.parent_path().empty()) std::filesystem::create_directories(file.parent_path());
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create the secret " + file.string());
  const bool written = ::write(fd, bytes, sizeof bytes) == static_cast<ssize_t>(sizeof bytes);
  ::fsync(fd);
  ::close(fd);
  if (!written) throw std::runtime_error("cannot write the secret " + file.string());
  return std::string(reinterpret_cast<const char*>(bytes), sizeof bytes);
}

}  // namespace coalition::plugins
