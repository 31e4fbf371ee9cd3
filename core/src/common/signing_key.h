// SigningKey: an Ed25519 key (libsodium) kept in a file — the key that signs audit checkpoints
// (it lives outside the store, config key audit.signing_key, so whoever can rewrite the store
// cannot forge a checkpoint without also taking the key), and a plugin publisher's key.
//
// The file is JSON {"format", "seed", "public_key"}, created 0600 in a folder created 0700,
// with the public key beside it in "<path>.pub" (hex) for verifiers. Failures are values:
// kConfiguration for a malformed file or one others may read, kConflict for a key that exists
// where a new one was asked for, kIo for the disk.
#ifndef COALITION_COMMON_SIGNING_KEY_H_
#define COALITION_COMMON_SIGNING_KEY_H_

#include <array>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/file_system.h"
#include "common/result.h"

namespace coalition {

// What a key is for: the file's format and the name messages give it.
struct KeyKind {
  std::string_view format;
  std::string_view noun;
};
inline constexpr KeyKind kAuditSigningKey{"coalition.audit-signing-key/1", "audit signing key"};
inline constexpr KeyKind kPublisherKey{"coalition.publisher-key/1", "publisher key"};

class SigningKey {
 public:
  // Reads the key at `path` through `fs`; creates it first when no file is there.
  static Result<SigningKey> load_or_create(const std::filesystem::path& path, const FileSystem& fs,
                                           const KeyKind& kind);
  // Reads the key at `path`, which must exist.
  static Result<SigningKey> load(const std::filesystem::path& path, const FileSystem& fs,
                                 const KeyKind& kind);
  // Creates a new key at `path`; an existing file is never replaced (kConflict).
  static Result<SigningKey> create(const std::filesystem::path& path, const KeyKind& kind);
  std::string public_key_hex() const;
  std::string sign_hex(std::string_view message) const;  // detached signature, hex

 private:
  std::array<unsigned char, 64> secret_{};
  std::array<unsigned char, 32> public_{};
};

// True when `signature_hex` is `public_key_hex`'s signature of `message`.
bool verify_signature(std::string_view public_key_hex, std::string_view message,
                      std::string_view signature_hex);

// Where the audit signing key lives by default: $XDG_STATE_HOME/coalition/audit-signing.key,
// else $HOME/.local/state/coalition/...; empty when neither variable is set.
std::filesystem::path default_signing_key_path();

}  // namespace coalition

#endif  // COALITION_COMMON_SIGNING_KEY_H_
