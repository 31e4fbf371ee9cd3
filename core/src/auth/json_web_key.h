// JSON Web Keys (RFC 7517) and the signatures OIDC bearer tokens carry: RS256 (RSA PKCS #1 v1.5
// with SHA-256, RFC 7518 3.3) and ES256 (ECDSA on P-256 with SHA-256, 3.4), verified with
// OpenSSL. Nothing else is accepted: no "none", no shared-secret HMAC (a public key must never
// double as a secret), no other curve.
#ifndef COALITION_AUTH_JSON_WEB_KEY_H_
#define COALITION_AUTH_JSON_WEB_KEY_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace coalition {

enum class JwsAlgorithm { kRs256, kEs256 };
// "RS256", "ES256"; nullopt for anything else.
std::optional<JwsAlgorithm> parse_jws_algorithm(std::string_view name);
std::string_view to_string(JwsAlgorithm algorithm);

struct JsonWebKey {
  std::string kid;                                // may be empty
  JwsAlgorithm algorithm = JwsAlgorithm::kRs256;  // RSA keys: RS256; P-256 keys: ES256
  std::shared_ptr<EVP_PKEY> key;
};

// The usable signing keys of a JWK Set document: RSA keys (at least 2048 bits) and EC P-256
// keys, whose "use" is absent or "sig" and whose "alg", when given, agrees. Other keys are
// skipped; a document that is not a JWK Set, or has no usable key, is kConfiguration.
Result<std::vector<JsonWebKey>> parse_jwk_set(std::string_view text);

// Whether `signature` is `key`'s signature of `signing_input` under its algorithm (ES256:
// the 64-byte r||s form of RFC 7518 3.4).
bool verify_jws(const JsonWebKey& key, std::string_view signing_input, std::string_view signature);

}  // namespace coalition

#endif  // COALITION_AUTH_JSON_WEB_KEY_H_
