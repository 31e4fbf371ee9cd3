// SecretText: the shape of every bearer secret Coalition hands out — API tokens (ctk_) and
// browser sessions (cws_) —
//   <prefix><id>_<secret>
// where <id> is 16 hex digits (the record's public name) and <secret> is 256 random bits from
// libsodium in URL-safe base64 without padding (43 characters). Stores keep only the SHA-256 of
// the whole text, and a presented text is compared against it in constant time.
#ifndef COALITION_AUTH_SECRET_TEXT_H_
#define COALITION_AUTH_SECRET_TEXT_H_

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace coalition {

// Prefix (4 characters) + 16 + 1 + 43.
inline constexpr size_t kSecretTextBytes = 64;

struct SecretText {
  std::string id;    // the public part
  std::string text;  // the whole secret: shown once, never stored
  std::string hash;  // hex SHA-256 of `text`: what a store keeps
};

// A fresh secret text under `prefix` (4 characters, such as "ctk_"); kInternal when libsodium
// cannot start.
Result<SecretText> make_secret_text(std::string_view prefix);

// The public id of a text of the right shape under `prefix`; nullopt for anything else.
std::optional<std::string> secret_text_id(std::string_view text, std::string_view prefix);

// `bytes` random bytes from libsodium as URL-safe base64 without padding (OAuth state, nonce,
// PKCE verifier).
std::string random_url_safe(size_t bytes);

// `data` as URL-safe base64 without padding.
std::string base64url(const unsigned char* data, size_t size);

// Whether two secrets (or their hashes) are equal, in time that does not depend on where they
// differ.
bool same_secret(std::string_view a, std::string_view b);

// Whether `text` hashes to `stored_hash`, in constant time. An absent record compares the text
// with itself and answers false, so an unknown id and a wrong secret cost the same.
bool secret_text_matches(std::string_view text, const std::string* stored_hash);

}  // namespace coalition

#endif  // COALITION_AUTH_SECRET_TEXT_H_
