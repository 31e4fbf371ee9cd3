// OidcVerifier: proves who calls from an OIDC bearer token (a JWT an identity provider signed),
// so a coalition can use the identity provider it already has. For each configured issuer: the
// signature (RS256, ES256; the algorithm must be one the issuer is configured for and the key's
// own), the issuer, the audience, expiry and not-before with a clock skew; then the configured
// claims map to the person, organisation, roles and scopes of a Principal — within what the
// issuer is trusted for (its organisations and roles, when the configuration names them).
//
// Verification never waits for the network: keys are fetched by a thread of the verifier's own.
// Keys are kept for `jwks_refresh` and then fetched again in the background while the old ones
// stay in use; a token naming a key not yet known asks for a fetch (at most one per
// `min_refetch`, so made-up key ids cannot make the server hammer the identity provider) and is
// refused until the key is there.
#ifndef COALITION_AUTH_OIDC_VERIFIER_H_
#define COALITION_AUTH_OIDC_VERIFIER_H_

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "auth/json_web_key.h"
#include "auth/jwks_source.h"
#include "auth/principal.h"
#include "common/clock.h"
#include "config/engine_config.h"

namespace coalition {

class OidcVerifier {
 public:
  using SourceFactory = std::function<std::unique_ptr<JwksSource>(const OidcIssuerConfig&)>;
  static constexpr std::chrono::seconds kMinRefetch{30};

  explicit OidcVerifier(std::vector<OidcIssuerConfig> issuers,
                        const SourceFactory& sources = make_jwks_source,
                        std::chrono::milliseconds min_refetch = kMinRefetch);
  ~OidcVerifier();
  OidcVerifier(const OidcVerifier&) = delete;
  OidcVerifier& operator=(const OidcVerifier&) = delete;

  bool configured() const { return !issuers_.empty(); }

  // What an ID token from a sign-in (auth/oidc_sign_in.h) must show: the issuer the sign-in
  // went to, the client's id as its audience (in place of the issuer's API audience), and the
  // nonce it sent. Without one (a bearer token), a token that carries a nonce is an ID token
  // and is refused: it proves a sign-in to a client, not a grant to call the API.
  struct IdTokenExpectation {
    std::string issuer;
    std::string audience;
    std::string nonce;
  };

  // The principal `token` proves at `now` (the wall clock, for exp, nbf and iat);
  // kUnauthenticated saying what is wrong (never echoing the token or its claims' values); kIo
  // when the issuer's keys have never been had. Thread-safe; never blocks on the network.
  Result<Principal> verify(std::string_view token, TimePoint now,
                           const IdTokenExpectation* expected = nullptr);

  // Fetches every issuer's keys now, on the calling thread (at start-up, so the first request
  // finds them); the issuers whose keys could not be had.
  std::vector<Error> prefetch();

  // Blocks until no fetch that may run now is asked for or running (tests).
  void wait_idle();

 private:
  using Steady = std::chrono::steady_clock;
  struct Issuer {
    OidcIssuerConfig config;
    std::unique_ptr<JwksSource> source;
    // Guarded by the verifier's mutex_:
    std::shared_ptr<const std::vector<JsonWebKey>> keys;
    std::optional<Steady::time_point> fetched_at;    // last successful fetch
    std::optional<Steady::time_point> attempted_at;  // last fetch, successful or not
    bool wanted = false;                             // a fetch is asked for
  };
  bool eligible(const Issuer& issuer, Steady::time_point now) const;  // mutex_ held
  // Fetches `issuer`'s keys (no lock held while it does) and installs them.
  Status fetch(Issuer& issuer);
  void refresh_loop();

  std::vector<std::unique_ptr<Issuer>> issuers_;
  std::chrono::milliseconds min_refetch_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  bool fetching_ = false;
  bool stop_ = false;
  std::thread refresher_;  // started last
};

}  // namespace coalition

#endif  // COALITION_AUTH_OIDC_VERIFIER_H_
