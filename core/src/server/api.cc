#include "server/api.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cctype>

#include "app/access.h"
#include "auth/api_token.h"
#include "auth/web_session.h"
#include "guard/media_scan.h"
#include "server/openapi_document.h"
#include "server/route_support.h"
#include "server/routes.h"
#include "server/session_cookie.h"

namespace coalition {

using nlohmann::json;

namespace {

json principal_json(const Principal& p) {
  json doc{{"person", p.person},
           {"organisation", p.organisation},
           {"roles", p.roles},
           {"scopes", p.scopes()},
           {"identity", std::string(to_string(p.source))}};
  if (!p.credential.empty()) doc["credential"] = p.credential;
  return doc;
}

HttpResponse too_many(int64_t wait_seconds) {
  HttpResponse r = problem_response(429, "rate_limited", "too many requests; slow down");
  r.headers.emplace_back("Retry-After", std::to_string(wait_seconds));
  return r;
}

}  // namespace

Api::Api(app::Session& session, EngineConfig config)
    : session_(session),
      config_(std::move(config)),
      oidc_(config_.oidc_issuers),
      limiter_(config_.server.rate_per_second, config_.server.rate_burst),
      waiting_(config_.server.acting_threads) {
  add_routes();
}

Result<Principal> Api::authenticate(const HttpRequest& request) {
  const std::string header = request.header("authorization");
  if (!header.empty()) return authenticate_bearer(header);
  const std::string cookie = session_text(request);
  if (cookie.empty()) {
    return Error::unauthenticated("a credential is required: Authorization: Bearer <token>");
  }
  auto proven = authenticate_web_session(session_.store(), cookie, utc_now());
  if (!proven) return std::move(proven).error();
  // A change made with the cookie must show it comes from the app's own page.
  if (request.method != "GET" && request.method != "HEAD") {
    if (auto checked = check_csrf(request, cookie); !checked) return std::move(checked).error();
  }
  return std::move(proven->principal);
}

Result<Principal> Api::authenticate_bearer(const std::string& header) {
  // The scheme's name is case-insensitive (RFC 9110 11.1).
  constexpr std::string_view kBearer = "bearer ";
  const bool bearer =
      header.size() > kBearer.size() &&
      std::equal(kBearer.begin(), kBearer.end(), header.begin(),
                 [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); });
  if (!bearer) {
    return Error::unauthenticated("the Authorization header must be Bearer <token>");
  }
  const std::string_view token = std::string_view(header).substr(kBearer.size());
  // Coalition's own tokens say what they are; anything else may be an identity provider's JWT.
  if (token.rfind("ctk_", 0) == 0 || !oidc_.configured()) {
    return authenticate_token(session_.store(), token, utc_now());
  }
  auto verified = oidc_.verify(token, utc_now());
  if (verified) {
    if (auto noted = people_.note(session_.store(), *verified, utc_now()); !noted) {
      spdlog::warn("could not record a signed-in person for hand-overs: {}",
                   noted.error().message());
    }
  }
  return verified;
}

Status Api::enable_sign_in(std::unique_ptr<OidcTokenEndpoint> endpoint) {
  auto made = OidcSignIn::create(config_.oidc_issuers, oidc_, std::move(endpoint));
  if (!made) return std::move(made).error();
  sign_in_ = std::move(*made);
  return ok_status();
}

Api::~Api() {
  drain();
}

void Api::drain() {
  waiting_.join();
}

std::optional<HttpResponse> Api::admit(const HttpRequest& request, const Route** route,
                                       std::optional<Principal>& principal,
                                       std::map<std::string, std::string>& params) {
  auto match = router_.match(request.method, request.path);
  if (match.outcome == Router::Outcome::kNoRoute) {
    // Outside the API, a GET is the web app's: a file, or one of its pages.
    if (web_ && request.method == "GET" && request.path.rfind("/v1/", 0) != 0) {
      if (auto page = web_->answer(request)) return page;
    }
    return problem_response(404, "not_found", "no such resource");
  }
  if (match.outcome == Router::Outcome::kWrongMethod) {
    std::string allowed;
    for (const auto& m : match.allowed) allowed += (allowed.empty() ? "" : ", ") + m;
    HttpResponse r = problem_response(405, "method_not_allowed",
                                      request.method + " is not answered here; try " + allowed);
    r.headers.emplace_back("Allow", allowed);
    return r;
  }
  *route = match.route;
  params = std::move(match.params);
  if (!match.route->authenticated) {
    if (!match.route->limited_by_address) return std::nullopt;
    if (int64_t wait = limiter_.take("address:" + request.remote, RateLimiter::Clock::now());
        wait > 0) {
      return too_many(wait);
    }
    return std::nullopt;
  }
  auto proven = authenticate(request);
  // Without a valid credential the limit is the client address's, which slows guessing.
  const std::string key = proven ? std::string(to_string(proven->source)) + ":" + proven->credential
                                 : "address:" + request.remote;
  if (int64_t wait = limiter_.take(key, RateLimiter::Clock::now()); wait > 0) {
    return too_many(wait);
  }
  if (!proven) {
    spdlog::info("refused {} {}: {}", request.method, match.route->path, proven.error().message());
    return problem_response(proven.error());
  }
  principal = std::move(*proven);
  return refuse_media(request, **route, *principal, params);
}

// The execution a route's `id` names (a task's: its execution), when the caller may see it: only
// such an execution is named in a refusal's audit entry and has its security contact told, so
// that a refusal lets nobody write against, or page for, another's case. Empty otherwise.
std::string Api::execution_named(const Route& route, const Principal& principal,
                                 const std::map<std::string, std::string>& params) {
  const auto id = params.find("id");
  if (id == params.end()) return "";
  std::string execution = id->second;
  if (route.path.rfind("/v1/tasks/", 0) == 0) {
    const auto dot = execution.rfind(".t");
    execution = dot == std::string::npos ? std::string() : execution.substr(0, dot);
  } else if (route.path.rfind("/v1/executions/", 0) != 0) {
    return "";
  }
  if (execution.empty() ||
      !app::view_execution_for(session_.store(), session_.catalog(), principal, execution)) {
    return "";
  }
  return execution;
}

// Images and video never enter, whatever field carries them (`attachments`, `mime`, a field no
// route reads): the whole body is scanned once the caller is known and before any route looks
// at it, its schema included. The refusal is audited with the caller and told to the security
// contact of the workflow the request is about.
std::optional<HttpResponse> Api::refuse_media(const HttpRequest& request, const Route& route,
                                              const Principal& principal,
                                              const std::map<std::string, std::string>& params) {
  if (request.body.empty()) return std::nullopt;
  auto body = body_of(request);
  if (!body) return std::nullopt;  // the route says what is wrong with it
  // Scanned first: what the request is about is looked up (the execution's visibility reads
  // the store) only for a refusal, not for every request that carries a body.
  if (!find_request_media(*body)) return std::nullopt;
  const std::string execution = execution_named(route, principal, params);
  std::shared_ptr<const Workflow> started;
  if (execution.empty() && body->is_object() && body->contains("workflow") &&
      (*body)["workflow"].is_string()) {
    int64_t version = 0;
    if (auto v = body->find("version"); v != body->end() && v->is_number_integer()) {
      version = v->get<int64_t>();
    }
    const std::string id = (*body)["workflow"];
    for (const auto& w : session_.catalog().all()) {  // the version named, else the latest
      if (w->id == id && (version == 0 || w->version == version)) started = w;
    }
  }
  auto refused = session_.engine().refuse_request_media(*body, app::actor_of(principal, ""),
                                                        request.method + " " + route.path,
                                                        execution, started.get());
  if (refused) return std::nullopt;
  return problem_response(refused.error());
}

HttpResponse Api::run(const Route& route, const RouteCall& call) {
  try {  // boundary: a route's bug answers 500 and the server goes on
    return route.handler(call);
  } catch (const std::exception& e) {
    spdlog::error("{} {} failed: {}", call.request.method, route.path, e.what());
    return problem_response(500, "internal", "internal error; the server's log has the details");
  }
}

void Api::handle(HttpRequest request, const std::function<void(HttpResponse)>& respond) {
  const Route* route = nullptr;
  std::optional<Principal> principal;
  std::map<std::string, std::string> params;
  if (auto refused = admit(request, &route, principal, params)) return respond(std::move(*refused));
  if (!route->waits) {
    return respond(run(*route, RouteCall{request, principal ? &*principal : nullptr, params}));
  }
  boost::asio::post(waiting_, [route, respond, request = std::move(request),
                               principal = std::move(principal), params = std::move(params)] {
    respond(run(*route, RouteCall{request, principal ? &*principal : nullptr, params}));
  });
}

HttpResponse Api::handle_now(const HttpRequest& request) {
  const Route* route = nullptr;
  std::optional<Principal> principal;
  std::map<std::string, std::string> params;
  if (auto refused = admit(request, &route, principal, params)) return std::move(*refused);
  return run(*route, RouteCall{request, principal ? &*principal : nullptr, params});
}

void Api::add_routes() {
  app::Session& s = session_;
  router_.add({"GET", "/healthz", false, [](const RouteCall&) {
                 return ok(json{{"status", "alive"}});
               }});
  router_.add({"GET", "/readyz", false, [this](const RouteCall&) {
                 if (!ready_) {
                   return problem_response(503, "not_ready", "recovery is not finished");
                 }
                 return ok(json{{"status", "ready"}});
               }});
  router_.add({"GET", "/v1/openapi.json", false,
               [](const RouteCall&) { return json_response(kOpenApiDocument); }});
  router_.add(
      {"GET", "/v1/me", true, [](const RouteCall& c) { return ok(principal_json(*c.principal)); }});

  add_task_routes(router_, s);
  add_execution_routes(router_, s, config_);
  add_workflow_routes(router_, s);
  add_admin_routes(router_, s, config_);
  add_session_routes(router_, s, config_);
  add_oidc_routes(router_, s, config_, sign_in_, people_);
  add_metrics_route(router_, s);
}

}  // namespace coalition
