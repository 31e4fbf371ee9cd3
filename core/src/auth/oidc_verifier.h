// OidcVerifier: proves who calls from an OIDC bearer token (a JWT an identity provider signed),
// so a coalition can use the identity provider it already has. For each configured issuer: the
// signature (RS256, ES256; the algorithm must be one the issuer is configured for and the key's
// own), the issuer, the audience, expiry and not-before with a clock skew; then the configured
// claims map to the person, organisation, roles and scopes of a Principal.
//
// Keys are fetched from the issuer's JWK Set and kept for `jwks_refresh`; a token naming a key
// not yet known fetches again, at most once per kMinRefetch, so unknown key ids cannot make the
// server hammer the identity provider.
#ifndef COALITION_AUTH_OIDC_VERIFIER_H_
#define COALITION_AUTH_OIDC_VERIFIER_H_

#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "auth/json_web_key.h"
#include "auth/jwks_source.h"
#include "auth/principal.h"
#include "config/engine_config.h"
#include "runtime/clock.h"

namespace coalition {

class OidcVerifier {
 public:
  using SourceFactory = std::function<std::unique_ptr<JwksSource>(const OidcIssuerConfig&)>;
  static constexpr std::chrono::seconds kMinRefetch{30};

  explicit OidcVerifier(std::vector<OidcIssuerConfig> issuers,
                        const SourceFactory& sources = make_jwks_source);

  bool configured() const { return !issuers_.empty(); }

  // The principal `token` proves at `now`; kUnauthenticated saying what is wrong (never
  // echoing the token or its claims' values). Thread-safe.
  Result<Principal> verify(std::string_view token, TimePoint now);

  // Fetches every issuer's keys now (at start-up, so the first request does not wait); the
  // issuers whose keys could not be had.
  std::vector<Error> prefetch(TimePoint now);

 private:
  struct Issuer {
    OidcIssuerConfig config;
    std::unique_ptr<JwksSource> source;
    std::mutex mutex;
    std::vector<JsonWebKey> keys;
    std::optional<TimePoint> fetched_at;    // last successful fetch
    std::optional<TimePoint> attempted_at;  // last fetch, successful or not
  };
  // The issuer's keys, fetched when none are held, when they are older than jwks_refresh, or
  // (`want_kid` unknown) when the last attempt is older than kMinRefetch.
  Result<std::vector<JsonWebKey>> keys_for(Issuer& issuer, const std::string& want_kid,
                                           TimePoint now);
  static Status refresh(Issuer& issuer, TimePoint now);  // issuer.mutex held

  std::vector<std::unique_ptr<Issuer>> issuers_;
};

}  // namespace coalition

#endif  // COALITION_AUTH_OIDC_VERIFIER_H_
