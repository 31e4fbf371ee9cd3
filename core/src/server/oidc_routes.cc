// /v1/auth: signing in to the web app through an identity provider (auth/oidc_sign_in.h). The
// sign-in page lists the providers; a person's browser is sent to one (login), and comes back
// with a code (callback), which becomes a session cookie as a token's sign-in does. These are
// navigations, not calls of a script: they answer with redirects, and a failed sign-in lands
// on the app's sign-in page with one word saying why (the log has the details).
#include <spdlog/spdlog.h>

#include "app/people_seen.h"
#include "app/web_sessions.h"
#include "server/route_support.h"
#include "server/routes.h"
#include "server/session_cookie.h"

namespace coalition {

using nlohmann::json;

namespace {

HttpResponse redirect(int status, const std::string& location) {
  HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Location", location);
  r.content_type = "text/plain; charset=utf-8";
  return r;
}

// Where a failed sign-in lands, with the word the page explains.
HttpResponse failed(const std::string& word, const Error& why) {
  spdlog::info("sign-in through an identity provider failed: {}", why.message());
  HttpResponse r = redirect(303, "/sign-in?failed=" + word);
  r.headers.emplace_back("Set-Cookie", cleared_sign_in_cookie());
  return r;
}

}  // namespace

void add_oidc_routes(Router& router, app::Session& s, const EngineConfig& config,
                     const std::unique_ptr<OidcSignIn>& sign_in, app::PeopleSeen& people) {
  router.add({"GET", "/v1/auth/providers", false, [&sign_in](const RouteCall&) {
                json list = json::array();
                if (sign_in) {
                  for (const auto& p : sign_in->providers()) {
                    list.push_back({{"id", p.id}, {"name", p.name}});
                  }
                }
                return ok(json{{"providers", std::move(list)}});
              }});
  Route login{"GET", "/v1/auth/oidc/{id}/login", false, [&sign_in](const RouteCall& c) {
                if (!sign_in) return problem_response(Error::not_found("no sign-in providers"));
                // A sign-in the person started, not one another site sends their browser to.
                if (auto same = same_site_request(c.request); !same) {
                  return problem_response(same.error());
                }
                auto started = sign_in->start(c.params.at("id"), utc_now());
                if (!started) return problem_response(started.error());
                HttpResponse r = redirect(302, started->location);
                r.headers.emplace_back("Set-Cookie", sign_in_cookie(started->state));
                return r;
              }};
  login.limited_by_address = true;
  router.add(std::move(login));
  const auto lifetime = config.server.session_lifetime;
  Route callback{
      "GET", "/v1/auth/oidc/callback", false,
      [&s, &sign_in, &people, lifetime](const RouteCall& c) {
        if (!sign_in) return problem_response(Error::not_found("no sign-in providers"));
        const std::string state = query_text(c.request, "state");
        const std::string error = query_text(c.request, "error");
        if (!error.empty()) {
          // The person declined, or the provider would not sign them in: the sign-in is over.
          (void)sign_in->finish(state, sign_in_state(c.request), "", utc_now());
          return failed("denied",
                        Error::unauthenticated("the identity provider answered an error"));
        }
        const TimePoint now = utc_now();
        auto p =
            sign_in->finish(state, sign_in_state(c.request), query_text(c.request, "code"), now);
        if (!p) {
          return failed(p.error().code() == ErrorCode::kIo ? "unavailable" : "refused", p.error());
        }
        auto issued = app::sign_in(s.store(), *p, now, lifetime);
        if (!issued) return failed("refused", issued.error());
        if (auto noted = people.note(s.store(), *p, now); !noted) {
          spdlog::warn("could not record a signed-in person for hand-overs: {}",
                       noted.error().message());
        }
        HttpResponse r = redirect(303, "/");
        r.headers.emplace_back("Set-Cookie", session_cookie(issued->text, lifetime));
        r.headers.emplace_back("Set-Cookie", cleared_sign_in_cookie());
        return r;
      }};
  callback.waits = true;  // the provider's token endpoint, then a commit
  callback.limited_by_address = true;
  router.add(std::move(callback));
}

}  // namespace coalition
