#include "server/api.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cctype>

#include "app/access.h"
#include "app/execution_actions.h"
#include "app/execution_documents.h"
#include "app/task_actions.h"
#include "app/token_admin.h"
#include "auth/api_token.h"
#include "common/json_text.h"
#include "common/utc_time.h"
#include "server/problem.h"

namespace coalition {

using nlohmann::json;

namespace {

std::string text_of(const json& doc) {
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

HttpResponse ok(const json& doc, int status = 200) {
  return json_response(text_of(doc), status);
}

template <class T>
HttpResponse answer(const Result<T>& result, int status = 200) {
  if (!result) return problem_response(result.error());
  return ok(*result, status);
}

// The request body as JSON: {} when empty. A body must say it is JSON.
Result<json> body_of(const HttpRequest& request) {
  if (request.body.empty()) return json::object();
  const std::string type = request.header("content-type");
  if (type.rfind("application/json", 0) != 0) {
    return Error::invalid_argument("the request body must be application/json");
  }
  auto doc = parse_json(request.body);
  if (!doc) {
    const Error& e = doc.error();
    // Text that is not JSON is a bad request; JSON over a limit or with a repeated key is
    // invalid data, at its pointer.
    if (e.message().rfind("malformed JSON", 0) == 0) {
      return Error::invalid_argument("request body: " + e.message());
    }
    return Error::invalid_data("request body: " + e.message(), e.pointer());
  }
  return doc;
}

// A member of the body that must be a string when present.
Result<std::string> string_member(const json& body, const char* name, bool required) {
  auto it = body.find(name);
  if (it == body.end()) {
    if (required) {
      return Error::invalid_data(std::string("\"") + name + "\" is required",
                                 pointer_append("", name));
    }
    return std::string();
  }
  if (!it->is_string()) {
    return Error::invalid_data(std::string("\"") + name + "\" must be a string",
                               pointer_append("", name));
  }
  return it->get<std::string>();
}

Result<bool> flag(const HttpRequest& r, const char* name) {
  auto it = r.query.find(name);
  if (it == r.query.end() || it->second == "false") return false;
  if (it->second == "true" || it->second.empty()) return true;
  return Error::invalid_argument(std::string(name) + ": true or false");
}

json principal_json(const Principal& p) {
  json doc{{"person", p.person},
           {"organisation", p.organisation},
           {"roles", p.roles},
           {"scopes", p.scopes()},
           {"identity", std::string(to_string(p.source))}};
  if (!p.credential.empty()) doc["credential"] = p.credential;
  return doc;
}

Route waiting(Route route) {
  route.waits = true;
  return route;
}

HttpResponse needs_admin() {
  return problem_response(Error::permission_denied("this needs the admin scope"));
}

}  // namespace

Api::Api(app::Session& session, const ServerConfig& config)
    : session_(session),
      limiter_(config.rate_per_second, config.rate_burst),
      waiting_(config.acting_threads) {
  add_routes();
}

Result<Principal> Api::authenticate(const HttpRequest& request) {
  const std::string header = request.header("authorization");
  if (header.empty()) {
    return Error::unauthenticated("a credential is required: Authorization: Bearer <token>");
  }
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
  return authenticate_token(session_.store(), token, utc_now());
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
  if (!match.route->authenticated) return std::nullopt;
  auto proven = authenticate(request);
  // Without a valid credential the limit is the client address's, which slows guessing.
  const std::string key = proven ? "credential:" + proven->credential : "address:" + request.remote;
  if (int64_t wait = limiter_.take(key, RateLimiter::Clock::now()); wait > 0) {
    HttpResponse r = problem_response(429, "rate_limited", "too many requests; slow down");
    r.headers.emplace_back("Retry-After", std::to_string(wait));
    return r;
  }
  if (!proven) {
    spdlog::info("refused {} {}: {}", request.method, match.route->path, proven.error().message());
    return problem_response(proven.error());
  }
  principal = std::move(*proven);
  return std::nullopt;
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
  router_.add(
      {"GET", "/v1/me", true, [](const RouteCall& c) { return ok(principal_json(*c.principal)); }});

  // Tasks.
  router_.add(
      {"GET", "/v1/tasks", true, [&s](const RouteCall& c) {
         app::InboxQuery q;
         auto overdue = flag(c.request, "overdue");
         if (!overdue) return problem_response(overdue.error());
         auto escalated = flag(c.request, "escalated");
         if (!escalated) return problem_response(escalated.error());
         q.overdue = *overdue;
         q.escalated = *escalated;
         const auto& query = c.request.query;
         if (auto it = query.find("due_before"); it != query.end()) {
           q.due_before = parse_utc(it->second);
           if (!q.due_before) {
             return problem_response(Error::invalid_argument("due_before: an RFC 3339 instant"));
           }
         }
         if (auto it = query.find("cursor"); it != query.end()) q.after = it->second;
         if (auto it = query.find("limit"); it != query.end()) {
           const std::string& n = it->second;
           if (n.empty() || n.size() > 4 ||
               n.find_first_not_of("0123456789") != std::string::npos) {
             return problem_response(
                 Error::invalid_argument("limit: from 1 to " + std::to_string(app::kMaxPageSize)));
           }
           q.limit = std::stoul(n);
         }
         auto page = app::inbox(s, *c.principal, q);
         if (!page) return problem_response(page.error());
         return json_response(app::inbox_json(*page));
       }});
  router_.add({"GET", "/v1/tasks/{id}", true, [&s](const RouteCall& c) {
                 return answer(app::task_document(s, *c.principal, c.params.at("id")));
               }});
  router_.add(waiting({"POST", "/v1/tasks/{id}/complete", true, [&s](const RouteCall& c) {
                         auto body = body_of(c.request);
                         if (!body) return problem_response(body.error());
                         if (!body->is_object()) {
                           return problem_response(Error::invalid_data(
                               "the body is an object: {\"answer\": ...}", "/"));
                         }
                         auto role = string_member(*body, "role", false);
                         if (!role) return problem_response(role.error());
                         const json answer_doc = body->value("answer", json::object());
                         auto done = app::complete_task(s, *c.principal, c.params.at("id"),
                                                        answer_doc, *role);
                         return answer(done);
                       }}));
  router_.add(waiting(
      {"POST", "/v1/tasks/{id}/extend", true, [&s](const RouteCall& c) {
         auto body = body_of(c.request);
         if (!body) return problem_response(body.error());
         if (!body->is_object()) {
           return problem_response(Error::invalid_data(
               "the body is an object: {\"due\": ..., \"justification\": ...}", "/"));
         }
         auto due_text = string_member(*body, "due", true);
         if (!due_text) return problem_response(due_text.error());
         auto due = parse_utc(*due_text);
         if (!due) {
           return problem_response(Error::invalid_data("an RFC 3339 instant", "/due"));
         }
         auto why = string_member(*body, "justification", true);
         if (!why) return problem_response(why.error());
         auto role = string_member(*body, "role", false);
         if (!role) return problem_response(role.error());
         Status moved = app::extend_deadline(s, *c.principal, c.params.at("id"), *due, *why, *role);
         if (!moved) return problem_response(moved.error());
         return ok(json{{"task", c.params.at("id")}, {"due", format_utc(*due)}});
       }}));

  // Executions.
  router_.add(waiting(
      {"POST", "/v1/executions", true, [&s](const RouteCall& c) {
         auto body = body_of(c.request);
         if (!body) return problem_response(body.error());
         if (!body->is_object()) {
           return problem_response(
               Error::invalid_data("the body is an object: {\"workflow\": ...}", "/"));
         }
         auto workflow = string_member(*body, "workflow", true);
         if (!workflow) return problem_response(workflow.error());
         app::StartRequest request;
         request.workflow = *workflow;
         if (auto v = body->find("version"); v != body->end()) {
           if (!v->is_number_integer() || v->get<int64_t>() < 1) {
             return problem_response(Error::invalid_data("a version number from 1", "/version"));
           }
           request.version = v->get<int64_t>();
         }
         request.input = body->value("input", json::object());
         request.idempotency_key = c.request.header("idempotency-key");
         auto started = app::start_execution(s, *c.principal, request);
         if (!started) return problem_response(started.error());
         HttpResponse r = ok(json{{"id", started->id}, {"created", started->created}},
                             started->created ? 201 : 200);
         r.headers.emplace_back("Location", "/v1/executions/" + started->id);
         return r;
       }}));
  auto read_execution = [&s](const RouteCall& c, const std::string& what,
                             const std::function<Result<json>(const app::ExecutionView&)>& build) {
    auto view = app::view_execution_for(s.store(), s.catalog(), *c.principal, c.params.at("id"));
    if (!view) return problem_response(view.error());
    auto doc = build(*view);
    if (!doc) return problem_response(doc.error());
    if (auto audited = app::audit_read(s.store(), *c.principal, *view, what, utc_now()); !audited) {
      return problem_response(audited.error());
    }
    return ok(*doc);
  };
  router_.add(waiting({"GET", "/v1/executions/{id}", true, [read_execution](const RouteCall& c) {
                         return read_execution(c, "status", app::status_document);
                       }}));
  router_.add(
      waiting({"GET", "/v1/executions/{id}/history", true, [read_execution](const RouteCall& c) {
                 return read_execution(c, "history", app::history_document);
               }}));
  router_.add(waiting(
      {"GET", "/v1/executions/{id}/timeline", true, [read_execution](const RouteCall& c) {
         return read_execution(c, "timeline", [](const app::ExecutionView& v) -> Result<json> {
           auto entries = app::timeline(v);
           if (!entries) return std::move(entries).error();
           return app::timeline_document(v, *entries);
         });
       }}));
  router_.add(
      waiting({"POST", "/v1/executions/{id}/signals/{name}", true, [&s](const RouteCall& c) {
                 auto body = body_of(c.request);
                 if (!body) return problem_response(body.error());
                 Status sent = app::send_signal(s, *c.principal, c.params.at("id"),
                                                c.params.at("name"), *body);
                 if (!sent) return problem_response(sent.error());
                 return ok(json{{"execution", c.params.at("id")},
                                {"signal", c.params.at("name")},
                                {"delivered", true}});
               }}));

  // Tokens (admin).
  router_.add(waiting({"GET", "/v1/tokens", true, [&s](const RouteCall& c) {
                         return answer(app::list_tokens(s.store(), *c.principal, utc_now()));
                       }}));
  router_.add(waiting(
      {"POST", "/v1/tokens", true, [&s](const RouteCall& c) {
         auto body = body_of(c.request);
         if (!body) return problem_response(body.error());
         if (!body->is_object()) {
           return problem_response(
               Error::invalid_data("the body is an object: {\"person\": ...}", "/"));
         }
         TokenRequest request;
         for (auto [name, field] : {std::pair{"person", &request.person},
                                    std::pair{"organisation", &request.organisation}}) {
           auto value = string_member(*body, name, name == std::string("person"));
           if (!value) return problem_response(value.error());
           *field = *value;
         }
         for (auto [name, field] :
              {std::pair{"roles", &request.roles}, std::pair{"scopes", &request.scopes}}) {
           const json list = body->value(name, json::array());
           if (!list.is_array()) {
             return problem_response(
                 Error::invalid_data("a list of names", pointer_append("", name)));
           }
           for (size_t i = 0; i < list.size(); ++i) {
             if (!list[i].is_string()) {
               return problem_response(
                   Error::invalid_data("a name", pointer_append(pointer_append("", name), i)));
             }
             field->push_back(list[i].get<std::string>());
           }
         }
         auto expires = string_member(*body, "expires_at", false);
         if (!expires) return problem_response(expires.error());
         if (!expires->empty()) {
           request.expires_at = parse_utc(*expires);
           if (!request.expires_at) {
             return problem_response(Error::invalid_data("an RFC 3339 instant", "/expires_at"));
           }
         }
         const TimePoint now = utc_now();
         auto issued = app::create_token(s.store(), *c.principal, request, now);
         if (!issued) return problem_response(issued.error());
         json doc = app::token_json(issued->record, now);
         doc["token"] = issued->text;
         return ok(doc, 201);
       }}));
  router_.add(waiting(
      {"POST", "/v1/tokens/{id}/revoke", true, [&s](const RouteCall& c) {
         auto revoked = app::revoke_token(s.store(), *c.principal, c.params.at("id"), utc_now());
         if (!revoked) return problem_response(revoked.error());
         return ok(json{{"id", c.params.at("id")}, {"revoked", true}, {"already", !*revoked}});
       }}));

  // Audit (admin).
  router_.add(waiting({"GET", "/v1/audit/verify", true, [&s](const RouteCall& c) {
                         if (!c.principal->admin) return needs_admin();
                         auto v = s.store().verify_audit();
                         if (!v) return problem_response(v.error());
                         json doc{{"ok", v->ok},
                                  {"entries", v->entries},
                                  {"head_hash", v->head_hash},
                                  {"events", v->events},
                                  {"redacted", v->redacted}};
                         if (!v->ok) {
                           doc["first_bad_seq"] = v->first_bad_seq;
                           doc["kind"] = v->kind;
                           doc["problem"] = v->problem;
                         }
                         return ok(doc);
                       }}));
}

}  // namespace coalition
