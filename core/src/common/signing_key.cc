#include "common/signing_key.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <vector>

#include "common/private_file.h"
#include "common/state_directory.h"

namespace coalition {

namespace {

std::string to_hex(const unsigned char* bytes, size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes, n);
  out.pop_back();
  return out;
}

bool from_hex(std::string_view hex, unsigned char* out, size_t n) {
  size_t len = 0;
  return sodium_hex2bin(out, n, hex.data(), hex.size(), nullptr, &len, nullptr) == 0 && len == n;
}

// The FileSystem seam only reads; the public key file is readable by all (verifiers), so this
// write is POSIX. O_EXCL: only the process that created the key writes it.
Status write_new_file(const std::filesystem::path& path, const std::string& text, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0 && errno == EEXIST) return Error::conflict(path.string() + " exists already");
  if (fd < 0) return Error::io("cannot create " + path.string());
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const bool synced = written && ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) return Error::io("cannot write " + path.string());
  return ok_status();
}

Status create_key(const std::filesystem::path& path, const KeyKind& kind) {
  std::error_code ec;
  const auto dir = path.parent_path();
  if (!dir.empty() && !std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec || ::chmod(dir.c_str(), 0700) != 0) {
      return Error::io("cannot create the folder of the " + std::string(kind.noun) + " " +
                       dir.string());
    }
  }
  std::array<unsigned char, 32> seed{};
  std::array<unsigned char, 32> pk{};
  std::array<unsigned char, 64> sk{};
  randombytes_buf(seed.data(), seed.size());
  crypto_sign_seed_keypair(pk.data(), sk.data(), seed.data());
  const nlohmann::json doc{{"format", kind.format},
                           {"seed", to_hex(seed.data(), seed.size())},
                           {"public_key", to_hex(pk.data(), pk.size())}};
  sodium_memzero(seed.data(), seed.size());
  sodium_memzero(sk.data(), sk.size());
  // Written beside it and renamed into place, never over an existing file: a process reading
  // the key while another creates it reads all of it or finds none (it had read an empty file
  // between the creator's O_EXCL open and its write), and of two creators one wins.
  if (auto s = write_private_file(path.string(), doc.dump() + "\n", /*replace=*/false); !s) {
    if (s.error().code() == ErrorCode::kConflict) {
      return Error::conflict(path.string() + " exists already");
    }
    return s;
  }
  (void)std::filesystem::remove(path.string() + ".pub", ec);
  return write_new_file(path.string() + ".pub", to_hex(pk.data(), pk.size()) + "\n", 0644);
}

}  // namespace

Result<SigningKey> SigningKey::load_or_create(const std::filesystem::path& path,
                                              const FileSystem& fs, const KeyKind& kind) {
  if (path.empty()) {
    return Error::configuration("no " + std::string(kind.noun) +
                                ": set audit.signing_key, or HOME");
  }
  if (!fs.is_regular_file(path)) {
    if (sodium_init() < 0) return Error::internal("libsodium could not initialise");
    if (auto s = create_key(path, kind); !s && s.error().code() != ErrorCode::kConflict) {
      return std::move(s).error();  // a key another process just created is read below
    }
  }
  return load(path, fs, kind);
}

Result<SigningKey> SigningKey::create(const std::filesystem::path& path, const KeyKind& kind) {
  if (sodium_init() < 0) return Error::internal("libsodium could not initialise");
  if (auto s = create_key(path, kind); !s) return std::move(s).error();
  RealFileSystem fs;
  return load(path, fs, kind);
}

Result<SigningKey> SigningKey::load(const std::filesystem::path& path, const FileSystem& fs,
                                    const KeyKind& kind) {
  if (sodium_init() < 0) return Error::internal("libsodium could not initialise");
  const std::string noun(kind.noun);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Error::configuration(noun + " " + path.string() + " does not exist");
  }
  if ((st.st_mode & 077) != 0) {
    return Error::configuration(noun + " " + path.string() +
                                " may be read by others; make it mode 0600");
  }
  auto text = fs.read(path);
  if (!text) return std::move(text).error();
  const auto doc = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  std::array<unsigned char, 32> seed{};
  SigningKey key;
  if (!doc.is_object() || doc.value("format", "") != kind.format ||
      !from_hex(doc.value("seed", ""), seed.data(), seed.size())) {
    return Error::configuration(noun + " " + path.string() + " is not a " +
                                std::string(kind.format) + " file");
  }
  crypto_sign_seed_keypair(key.public_.data(), key.secret_.data(), seed.data());
  sodium_memzero(seed.data(), seed.size());
  return key;
}

std::string SigningKey::public_key_hex() const {
  return to_hex(public_.data(), public_.size());
}

std::string SigningKey::sign_hex(std::string_view message) const {
  std::array<unsigned char, crypto_sign_BYTES> sig{};
  crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), secret_.data());
  return to_hex(sig.data(), sig.size());
}

bool verify_signature(std::string_view public_key_hex, std::string_view message,
                      std::string_view signature_hex) {
  if (sodium_init() < 0) return false;
  std::array<unsigned char, 32> pk{};
  std::array<unsigned char, crypto_sign_BYTES> sig{};
  if (!from_hex(public_key_hex, pk.data(), pk.size()) ||
      !from_hex(signature_hex, sig.data(), sig.size())) {
    return false;
  }
  return crypto_sign_verify_detached(sig.data(),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), pk.data()) == 0;
}

std::filesystem::path default_signing_key_path() {
  return default_state_file("audit-signing.key");
}

}  // namespace coalition
