// Browser sessions. A person signs in once — with an API token, or through their identity
// provider (OIDC) — and the server answers with a cookie that page scripts cannot read
// (HttpOnly, Secure, SameSite=Strict). The cookie reads cws_<id>_<secret> (auth/secret_text.h);
// the store keeps only its SHA-256. A session made from an API token reads the token again on
// every request, so revoking or expiring the token ends the session and a change of its roles
// applies at once; one made through a provider keeps what the provider's token said, for the
// session's lifetime. Signing out ends the session in the store, not only in the browser.
//
// Requests that change something and come with the cookie must also carry the session's CSRF
// token (X-CSRF-Token): derived from the cookie's secret, it is handed to the page when it signs
// in, and another site — which the browser sends the cookie for only from this origin anyway —
// cannot know it.
#ifndef COALITION_AUTH_WEB_SESSION_H_
#define COALITION_AUTH_WEB_SESSION_H_

#include <chrono>
#include <string>
#include <string_view>

#include "auth/principal.h"
#include "common/utc_time.h"
#include "store/store.h"

namespace coalition {

// The cookie's name. "__Host-": the browser accepts it only when Secure, with Path=/ and no
// Domain, so no other host (not even a subdomain) can set or shadow it.
inline constexpr std::string_view kSessionCookie = "__Host-coalition-session";

struct IssuedWebSession {
  WebSessionRecord record;  // what the store keeps
  std::string text;         // the cookie's value: sent once in Set-Cookie, never stored
};

// A session for `p`, whose identity a token or an identity provider proved, from `now` for
// `lifetime`. kInvalidArgument for an asserted identity (nothing proved it).
Result<IssuedWebSession> issue_web_session(const Principal& p, TimePoint now,
                                           std::chrono::milliseconds lifetime);

struct ProvenSession {
  Principal principal;
  WebSessionRecord record;
};

// Whom the cookie text proves at `now`: kUnauthenticated when it is malformed, unknown, does not
// match, was signed out or has expired, and, for a session made from an API token, when that
// token has since been revoked or has expired (the message says which, never echoing the text).
Result<ProvenSession> authenticate_web_session(Store& store, std::string_view text, TimePoint now);

// The session's CSRF token: the hex SHA-256 of a fixed label and the cookie text; and whether
// `presented` is it (constant time).
std::string csrf_token(std::string_view session_text);
bool csrf_token_matches(std::string_view session_text, std::string_view presented);

// The value of cookie `name` in a Cookie header ("a=1; b=2"); empty when it is not there.
std::string cookie_value(std::string_view header, std::string_view name);

}  // namespace coalition

#endif  // COALITION_AUTH_WEB_SESSION_H_
