// Principal: who is calling, as a credential proves it (an API token, an OIDC bearer token) or,
// for direct use of a store at the engine's own terminal, as the caller asserts it. Everything
// the application layer decides — what a caller sees, what it may do, whose name goes into the
// audit log — starts from a Principal; no request field can name another actor.
#ifndef COALITION_AUTH_PRINCIPAL_H_
#define COALITION_AUTH_PRINCIPAL_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace coalition {

// How the identity was established. Asserted identities (direct store access: --as/--role/--org)
// are marked as such in the audit log.
enum class IdentitySource { kAsserted, kToken, kOidc };
std::string_view to_string(IdentitySource source);

// What a credential may do beyond acting on its own tasks. Scopes are stored as words:
//   admin        tokens, workflow registration, purge, legal holds; every execution, full view
//   coordinate   read every execution (views still by role); cancel and retry
//   signal:<id>  a partner system: send signals to executions of workflow <id>, nothing else
//   metrics      a monitoring system: read GET /metrics, nothing else
enum class Scope { kAdmin, kCoordinate, kSignal, kMetrics };

struct Principal {
  std::string person;        // normal form (common/text_field.h normal_name)
  std::string organisation;  // normal form; empty: none (a service, a coalition-wide admin)
  std::vector<std::string> roles;
  bool admin = false;
  bool coordinate = false;
  bool metrics = false;
  std::vector<std::string> signal_workflows;  // signal:<id> scopes
  IdentitySource source = IdentitySource::kAsserted;
  // The token's id, or for OIDC a hash of issuer and subject: for the audit log ("token:<id>",
  // "oidc:<hash>") and the rate limit; never secret, never a name in clear.
  std::string credential;

  bool has_role(std::string_view role) const;
  // A service credential (a partner system, monitoring): no person's work, only its scopes.
  bool service() const {
    return (!signal_workflows.empty() || metrics) && roles.empty() && !admin && !coordinate;
  }
  bool may_signal(std::string_view workflow_id) const;
  std::vector<std::string> scopes() const;  // as stored
};

// Parses stored or typed scope words into `p`; kInvalidArgument naming the first unknown word.
Status apply_scopes(const std::vector<std::string>& scopes, Principal& p);

// The engine's own names in the audit log (engine, external, operator, retention, ...): no
// credential may name a person so.
bool is_engine_name(std::string_view person);

// A principal from names typed at the terminal (direct store access), in normal form; the
// role list may hold one role (what --role says) or none.
Principal asserted_principal(std::string_view person, std::string_view role,
                             std::string_view organisation);

}  // namespace coalition

#endif  // COALITION_AUTH_PRINCIPAL_H_
