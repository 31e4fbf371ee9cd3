// OidcSignIn: signing a person in to the web app through their identity provider — the OpenID
// Connect authorization code flow with PKCE (RFC 7636, S256). start() makes the three secrets
// of one sign-in: `state` (binds the provider's answer to this browser: it also goes into a
// cookie), `nonce` (binds the ID token to this sign-in) and the PKCE verifier (only its SHA-256
// goes to the browser, so a code intercepted on the way back is useless without it). finish()
// takes the code the provider sent back, trades it at the provider's token endpoint, and
// verifies the ID token as a bearer token of that issuer is verified (auth/oidc_verifier.h),
// with its nonce. A sign-in is used once and lives 10 minutes; at most 10,000 are pending (then
// new ones are refused until some end; none is pushed out), so starting sign-ins cannot exhaust
// the server.
#ifndef COALITION_AUTH_OIDC_SIGN_IN_H_
#define COALITION_AUTH_OIDC_SIGN_IN_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "auth/oidc_token_endpoint.h"
#include "auth/oidc_verifier.h"
#include "config/engine_config.h"

namespace coalition {

class OidcSignIn {
 public:
  static constexpr std::chrono::minutes kLifetime{10};
  static constexpr size_t kMaxPending = 10000;

  // The issuers with a `sign_in` block; reads each client secret file now (kConfiguration when
  // one cannot be read). `verifier` must outlive this.
  static Result<std::unique_ptr<OidcSignIn>> create(const std::vector<OidcIssuerConfig>& issuers,
                                                    OidcVerifier& verifier,
                                                    std::unique_ptr<OidcTokenEndpoint> endpoint);

  struct Provider {
    std::string id;
    std::string name;
  };
  std::vector<Provider> providers() const;

  struct Started {
    std::string state;     // for the browser's sign-in cookie
    std::string location;  // the provider's authorization endpoint with the request
  };
  // A sign-in through provider `id` at `now`; kNotFound for a provider not configured, kIo
  // when 10,000 are pending.
  Result<Started> start(const std::string& id, TimePoint now);

  // The principal the provider's answer proves: `state` must name a sign-in started here less
  // than 10 minutes before `now` and not finished, and equal `browser_state` (the cookie the
  // browser that started it holds); the code is traded and the ID token verified with the
  // sign-in's nonce. Every failure is kUnauthenticated (kIo when the provider cannot be reached
  // or its keys have never been had); the sign-in is over either way.
  Result<Principal> finish(const std::string& state, const std::string& browser_state,
                           const std::string& code, TimePoint now);

  size_t pending() const;

 private:
  struct Configured {
    std::string issuer;
    OidcSignInConfig sign_in;
    std::string client_secret;
  };
  struct Pending {
    const Configured* provider;
    std::string nonce;
    std::string verifier;
    TimePoint started;
  };
  OidcSignIn(OidcVerifier& verifier, std::unique_ptr<OidcTokenEndpoint> endpoint)
      : verifier_(verifier), endpoint_(std::move(endpoint)) {}
  void forget_expired(TimePoint now);  // mutex_ held

  OidcVerifier& verifier_;
  std::unique_ptr<OidcTokenEndpoint> endpoint_;
  std::vector<std::unique_ptr<Configured>> configured_;
  mutable std::mutex mutex_;
  std::map<std::string, Pending> pending_;  // by state
};

}  // namespace coalition

#endif  // COALITION_AUTH_OIDC_SIGN_IN_H_
