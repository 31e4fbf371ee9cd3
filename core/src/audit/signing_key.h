// SigningKey: the Ed25519 key (libsodium) that signs audit checkpoints. It lives outside the
// store (config key audit.signing_key, default default_signing_key_path()), so whoever can
// rewrite the store file cannot forge a checkpoint without also taking the key.
//
// The file is JSON {"format", "seed", "public_key"}, created 0600 in a folder created 0700 on
// first use, with the public key beside it in "<path>.pub" (hex) for verifiers. Failures are
// values: kConfiguration for a malformed file or one others may read, kIo for the disk.
#ifndef COALITION_AUDIT_SIGNING_KEY_H_
#define COALITION_AUDIT_SIGNING_KEY_H_

#include <array>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/file_system.h"
#include "common/result.h"

namespace coalition {

class SigningKey {
 public:
  // Reads the key at `path` through `fs`; creates it first when no file is there.
  static Result<SigningKey> load_or_create(const std::filesystem::path& path, const FileSystem& fs);
  std::string public_key_hex() const;
  std::string sign_hex(std::string_view message) const;  // detached signature, hex

 private:
  std::array<unsigned char, 64> secret_{};
  std::array<unsigned char, 32> public_{};
};

// True when `signature_hex` is `public_key_hex`'s signature of `message`.
bool verify_signature(std::string_view public_key_hex, std::string_view message,
                      std::string_view signature_hex);

// $XDG_STATE_HOME/coalition/audit-signing.key, else $HOME/.local/state/coalition/...; empty when
// neither variable is set.
std::filesystem::path default_signing_key_path();

}  // namespace coalition

#endif  // COALITION_AUDIT_SIGNING_KEY_H_
