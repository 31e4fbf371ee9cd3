// An identity provider for tests: RSA-2048 and EC P-256 keys made with OpenSSL at test time, their
// JWK Set, and compact JWTs signed with them (RS256, ES256) — so OIDC tests carry no key
// material in the repository.
#ifndef COALITION_TESTS_SUPPORT_JWT_SIGNER_H_
#define COALITION_TESTS_SUPPORT_JWT_SIGNER_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

typedef struct evp_pkey_st EVP_PKEY;

namespace coalition::test {

class JwtSigner {
 public:
  enum class Kind { kRsa, kP256 };
  // A fresh key; `kid` names it in the JWK Set and the tokens' headers.
  JwtSigner(Kind kind, std::string kid, int rsa_bits = 2048);

  // {"kty", "kid", "use": "sig", "alg", and n/e or crv/x/y}.
  nlohmann::json jwk() const;
  // A token with `claims`; the header names the key's algorithm and kid unless `header`
  // replaces members of it (e.g. {"alg": "none"}).
  std::string sign(const nlohmann::json& claims, const nlohmann::json& header = nullptr) const;

  static std::string base64url(const std::string& bytes);

 private:
  Kind kind_;
  std::string kid_;
  std::shared_ptr<EVP_PKEY> key_;
};

// {"keys": [...]}.
std::string jwk_set(const std::vector<nlohmann::json>& keys);

}  // namespace coalition::test

#endif  // COALITION_TESTS_SUPPORT_JWT_SIGNER_H_
