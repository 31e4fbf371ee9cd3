// The identity provider's token endpoint, where a sign-in trades its authorization code (and
// PKCE verifier) for an ID token (OpenID Connect Core 3.1.3). An interface, so tests drive the
// provider's answers; the real one posts over HTTPS with libcurl (the peer and its name
// verified, no redirects followed; plain HTTP only to a loopback host, as the configuration
// allows for a provider on the same machine).
#ifndef COALITION_AUTH_OIDC_TOKEN_ENDPOINT_H_
#define COALITION_AUTH_OIDC_TOKEN_ENDPOINT_H_

#include <memory>
#include <string>

#include "common/result.h"
#include "config/engine_config.h"

namespace coalition {

struct CodeExchange {
  std::string code;
  std::string code_verifier;
  std::string client_secret;  // empty for a public client
};

class OidcTokenEndpoint {
 public:
  virtual ~OidcTokenEndpoint() = default;
  // The ID token `provider` answers for `exchange`: kUnauthenticated when it refuses (its
  // `error` code in the message), kIo when it cannot be reached or answers what is not a token
  // response.
  virtual Result<std::string> exchange(const OidcSignInConfig& provider,
                                       const CodeExchange& exchange) = 0;
};

std::unique_ptr<OidcTokenEndpoint> make_oidc_token_endpoint();

}  // namespace coalition

#endif  // COALITION_AUTH_OIDC_TOKEN_ENDPOINT_H_
