// /v1/session: the web app's sign-in with an API token, its session document, and sign-out
// (app/web_sessions.h). The session travels in a cookie page scripts cannot read; the page
// learns only whom it serves and the CSRF token it must send with every change.
#include "app/web_sessions.h"
#include "auth/api_token.h"
#include "server/route_support.h"
#include "server/routes.h"
#include "server/session_cookie.h"

namespace coalition {

using nlohmann::json;

namespace {

// The cookie the request was authenticated with: none when it came with a bearer token (which
// the API prefers, and which has no browser session to read or end).
std::string bearer_free_session_text(const HttpRequest& request) {
  return request.header("authorization").empty() ? session_text(request) : std::string();
}

}  // namespace

void add_session_routes(Router& router, app::Session& s, const EngineConfig& config) {
  const auto lifetime = config.server.session_lifetime;
  const PermissionsConfig& permissions = config.permissions;
  Route sign_in{"POST", "/v1/session", false, [&s, lifetime, &permissions](const RouteCall& c) {
                  if (auto same = same_site_request(c.request); !same) {
                    return problem_response(same.error());
                  }
                  auto body = object_body(c.request, "{\"token\": \"ctk_...\"}");
                  if (!body) return problem_response(body.error());
                  auto token = string_member(*body, "token", true);
                  if (!token) return problem_response(token.error());
                  auto p = authenticate_token(s.store(), *token, utc_now());
                  if (!p) return problem_response(p.error());
                  const TimePoint now = utc_now();
                  auto issued = app::sign_in(s.store(), *p, now, lifetime);
                  if (!issued) return problem_response(issued.error());
                  HttpResponse r =
                      ok(app::session_json(*p, issued->record, issued->text, permissions), 201);
                  r.headers.emplace_back("Set-Cookie", session_cookie(issued->text, lifetime));
                  return r;
                }};
  sign_in.waits = true;
  sign_in.limited_by_address = true;
  router.add(std::move(sign_in));

  // Both need a credential (the API admits the cookie and checks the CSRF token of a change);
  // a caller with a bearer token has no browser session to read or end.
  router.add({"GET", "/v1/session", true, [&s, &permissions](const RouteCall& c) {
                const std::string text = bearer_free_session_text(c.request);
                auto proven = authenticate_web_session(s.store(), text, utc_now());
                if (!proven) return problem_response(Error::not_found("no browser session"));
                return ok(app::session_json(proven->principal, proven->record, text, permissions));
              }});
  router.add(waiting({"POST", "/v1/session/end", true, [&s](const RouteCall& c) {
                        const std::string text = bearer_free_session_text(c.request);
                        auto proven = authenticate_web_session(s.store(), text, utc_now());
                        if (!proven)
                          return problem_response(Error::not_found("no browser session"));
                        if (auto ended = app::sign_out(s.store(), *proven, utc_now()); !ended) {
                          return problem_response(ended.error());
                        }
                        HttpResponse r = ok(json{{"signed_out", true}});
                        r.headers.emplace_back("Set-Cookie", cleared_session_cookie());
                        return r;
                      }}));
}

}  // namespace coalition
