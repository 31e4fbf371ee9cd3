// API tokens: bearer credentials for people and partner systems, made by an administrator
// (`coalition tokens create`) and shown once. A token reads ctk_<id>_<secret>
// (auth/secret_text.h): <id> is its public name, for `tokens list` and `tokens revoke`. The
// store keeps only the SHA-256 of the whole text; a presented token is compared against it in
// constant time.
#ifndef COALITION_AUTH_API_TOKEN_H_
#define COALITION_AUTH_API_TOKEN_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/principal.h"
#include "auth/secret_text.h"
#include "common/utc_time.h"
#include "store/store.h"

namespace coalition {

inline constexpr size_t kTokenTextBytes = kSecretTextBytes;

struct TokenRequest {
  std::string person;
  std::string organisation;
  std::vector<std::string> roles;
  std::vector<std::string> scopes;
  std::optional<TimePoint> expires_at;
  std::string created_by;
};

struct IssuedToken {
  TokenRecord record;  // what the store keeps
  std::string text;    // the token itself: shown once, never stored
};

// A new token for `request` at `now`: names in normal form, each checked as a text field, scopes
// known words, at least one role or scope, expiry after `now`. kInvalidArgument otherwise.
Result<IssuedToken> issue_token(const TokenRequest& request, TimePoint now);

// The public id of a token text of the right shape; nullopt for anything else.
std::optional<std::string> token_id(std::string_view text);

// The principal `text` proves at `now`: kUnauthenticated when it is malformed, unknown, does
// not match, is revoked or has expired (the message says which, never echoing the text).
Result<Principal> authenticate_token(Store& store, std::string_view text, TimePoint now);

// The principal a stored token names (its scopes applied).
Result<Principal> principal_of(const TokenRecord& record);
// The same, when the token is live at `now`: kUnauthenticated "token revoked" or "token
// expired" otherwise.
Result<Principal> live_principal_of(const TokenRecord& record, TimePoint now);

}  // namespace coalition

#endif  // COALITION_AUTH_API_TOKEN_H_
