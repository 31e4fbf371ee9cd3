// The browser session's cookie and the checks that keep another site from using it: the
// cookie's attributes, reading it from a request, the CSRF token a change must carry, and
// refusing requests a browser marks as coming from another site (Sec-Fetch-Site).
#ifndef COALITION_SERVER_SESSION_COOKIE_H_
#define COALITION_SERVER_SESSION_COOKIE_H_

#include <chrono>
#include <string>

#include "common/result.h"
#include "server/http_message.h"

namespace coalition {

// Set-Cookie values: the session for `lifetime` (HttpOnly, Secure, SameSite=Strict, Path=/),
// and one that makes the browser forget it.
std::string session_cookie(const std::string& text, std::chrono::milliseconds lifetime);
std::string cleared_session_cookie();

// The session cookie's value in `request`; empty when it has none.
std::string session_text(const HttpRequest& request);

// The cookie that binds a sign-in through an identity provider to the browser that started it
// (auth/oidc_sign_in.h): its state, for 10 minutes. SameSite=Lax, because the provider sends the
// browser back with a top-level navigation from its own site.
std::string sign_in_cookie(const std::string& state);
std::string cleared_sign_in_cookie();
std::string sign_in_state(const HttpRequest& request);

// kPermissionDenied when a browser says the request comes from another origin (Sec-Fetch-Site
// other than same-origin or none). Requests without the header (curl, a partner's system) pass:
// they carry no cookie of a person's browser.
Status same_site_request(const HttpRequest& request);

// For a change made with the session cookie: same_site_request, and X-CSRF-Token must be the
// session's CSRF token (auth/web_session.h). kPermissionDenied otherwise.
Status check_csrf(const HttpRequest& request, const std::string& session_text);

}  // namespace coalition

#endif  // COALITION_SERVER_SESSION_COOKIE_H_
