// A JSON Web Token in the compact form (RFC 7519 over RFC 7515): header.payload.signature, each
// part base64url without padding. Parsing checks the form only — the signature, issuer,
// audience and times are the verifier's (auth/oidc_verifier.h). Never throws, whatever the text.
#ifndef COALITION_AUTH_JWT_H_
#define COALITION_AUTH_JWT_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/result.h"

namespace coalition {

// Longest token accepted: identity providers issue a few KiB; anything far larger is refused
// before it is decoded.
inline constexpr size_t kMaxJwtBytes = 16 * 1024;

struct Jwt {
  nlohmann::json header;      // an object, with "alg" a string
  nlohmann::json claims;      // an object
  std::string signing_input;  // "<header>.<payload>" as received: what the signature covers
  std::string signature;      // raw bytes
};

// kUnauthenticated naming what is wrong (never echoing the token): not three parts, a part that
// is not base64url, a header or payload that is not a JSON object within the JSON limits, no
// "alg", or a "crit" header (no extension is understood).
Result<Jwt> parse_jwt(std::string_view text);

// The bytes base64url `text` (no padding) stands for; nullopt when it is not that.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace coalition

#endif  // COALITION_AUTH_JWT_H_
