// libFuzzer target: any bytes as a bearer credential an identity provider might have issued —
// the JWT's form (auth/jwt.h), a JWK Set document (auth/json_web_key.h), and the whole
// verification against an issuer whose key was made in this process (auth/oidc_verifier.h).
// Never a crash; a parsed token's header and claims are objects with a string "alg"; and no input
// verifies, since none can carry a signature by a key made after it was written.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/json_web_key.h"
#include "auth/jwt.h"
#include "auth/oidc_verifier.h"
#include "support/jwt_signer.h"

namespace {

class FixedKeys final : public coalition::JwksSource {
 public:
  explicit FixedKeys(std::string text) : text_(std::move(text)) {}
  coalition::Result<std::string> fetch() override { return text_; }

 private:
  std::string text_;
};

coalition::OidcVerifier& verifier() {
  static const std::unique_ptr<coalition::OidcVerifier> v = [] {
    const coalition::test::JwtSigner key(coalition::test::JwtSigner::Kind::kP256, "k1");
    coalition::OidcIssuerConfig issuer;
    issuer.issuer = "https://idp.test";
    issuer.audience = "coalition";
    issuer.jwks_url = "https://idp.test/keys";
    const std::string keys = coalition::test::jwk_set({key.jwk()});
    auto made = std::make_unique<coalition::OidcVerifier>(
        std::vector<coalition::OidcIssuerConfig>{issuer},
        [keys](const coalition::OidcIssuerConfig&) { return std::make_unique<FixedKeys>(keys); });
    (void)made->prefetch();
    return made;
  }();
  return *v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto jwt = coalition::parse_jwt(bytes)) {
    if (!jwt->header.is_object() || !jwt->claims.is_object() || !jwt->header["alg"].is_string()) {
      __builtin_trap();
    }
  }
  (void)coalition::parse_jwk_set(bytes);
  const auto now = coalition::TimePoint(std::chrono::seconds(1'800'000'000));
  if (verifier().verify(bytes, now)) __builtin_trap();
  return 0;
}
