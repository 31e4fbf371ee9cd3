// Where an identity provider's signing keys (a JWK Set document) come from: a file, or an HTTPS
// URL fetched with libcurl (certificate and host name verified; a CA file may be named). An
// interface, so tests drive key rotation and fetch failures.
#ifndef COALITION_AUTH_JWKS_SOURCE_H_
#define COALITION_AUTH_JWKS_SOURCE_H_

#include <memory>
#include <string>

#include "common/result.h"
#include "config/engine_config.h"

namespace coalition {

class JwksSource {
 public:
  virtual ~JwksSource() = default;
  // The JWK Set's text; kIo naming the source when it cannot be read.
  virtual Result<std::string> fetch() = 0;
};

// The file or URL `issuer` names.
std::unique_ptr<JwksSource> make_jwks_source(const OidcIssuerConfig& issuer);

}  // namespace coalition

#endif  // COALITION_AUTH_JWKS_SOURCE_H_
