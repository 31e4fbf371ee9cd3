#include "server/session_cookie.h"

#include <algorithm>

#include "auth/web_session.h"

namespace coalition {

namespace {

// Strict: the browser sends the cookie only with requests this origin's own pages start, so a
// link from another site opens the app signed out rather than acting for the person.
constexpr const char* kAttributes = "; Path=/; HttpOnly; Secure; SameSite=Strict";
constexpr const char* kSignInCookie = "__Host-coalition-sign-in";
constexpr const char* kSignInAttributes = "; Path=/; HttpOnly; Secure; SameSite=Lax";

}  // namespace

std::string session_cookie(const std::string& text, std::chrono::milliseconds lifetime) {
  // At least a second: Max-Age=0 would make the browser drop the cookie at once.
  const auto seconds =
      std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(lifetime).count());
  return std::string(kSessionCookie) + "=" + text + "; Max-Age=" + std::to_string(seconds) +
         kAttributes;
}

std::string cleared_session_cookie() {
  return std::string(kSessionCookie) + "=; Max-Age=0" + kAttributes;
}

std::string session_text(const HttpRequest& request) {
  return cookie_value(request.header("cookie"), kSessionCookie);
}

std::string sign_in_cookie(const std::string& state) {
  return std::string(kSignInCookie) + "=" + state + "; Max-Age=600" + kSignInAttributes;
}

std::string cleared_sign_in_cookie() {
  return std::string(kSignInCookie) + "=; Max-Age=0" + kSignInAttributes;
}

std::string sign_in_state(const HttpRequest& request) {
  return cookie_value(request.header("cookie"), kSignInCookie);
}

Status same_site_request(const HttpRequest& request) {
  const std::string site = request.header("sec-fetch-site");
  if (site.empty() || site == "same-origin" || site == "none") return ok_status();
  return Error::permission_denied("a request from another site (Sec-Fetch-Site: " + site +
                                  ") may not act for a signed-in person");
}

Status check_csrf(const HttpRequest& request, const std::string& session_text) {
  if (auto same = same_site_request(request); !same) return same;
  const std::string presented = request.header("x-csrf-token");
  if (presented.empty()) {
    return Error::permission_denied(
        "a change made with the session cookie needs the session's X-CSRF-Token header");
  }
  if (!csrf_token_matches(session_text, presented)) {
    return Error::permission_denied("the X-CSRF-Token header is not this session's");
  }
  return ok_status();
}

}  // namespace coalition
