// Managing API tokens (auth/api_token.h): create, list, revoke. Admins do this (the admin scope,
// or the operator at the engine's terminal); each change is audited, and a token's secret is
// shown once, when it is made, and never again.
#ifndef COALITION_APP_TOKEN_ADMIN_H_
#define COALITION_APP_TOKEN_ADMIN_H_

#include <nlohmann/json.hpp>
#include <string>

#include "auth/api_token.h"
#include "auth/principal.h"
#include "store/store.h"

namespace coalition::app {

// kPermissionDenied unless `by` may manage tokens.
Result<IssuedToken> create_token(Store& store, const Principal& by, TokenRequest request,
                                 TimePoint now);
// Every token's public record (never a secret or its hash), oldest first.
Result<nlohmann::json> list_tokens(Store& store, const Principal& by, TimePoint now);
// Revokes token `id` at `now`; kNotFound when there is none; false when it was revoked already.
Result<bool> revoke_token(Store& store, const Principal& by, const std::string& id, TimePoint now);

// A token's public record: id, person, organisation, roles, scopes, created, expires, revoked,
// and its state at `now` (active, expired, revoked).
nlohmann::json token_json(const TokenRecord& t, TimePoint now);

}  // namespace coalition::app

#endif  // COALITION_APP_TOKEN_ADMIN_H_
