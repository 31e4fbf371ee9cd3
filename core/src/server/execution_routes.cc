// /v1/executions: start, list and search, read (status, history, timeline), signal, export, and
// legal holds. Reads go through the caller's view (app/access.h): what they may not see is
// "not found", and reads at restricted clearance are audited.
#include "app/access.h"
#include "app/execution_actions.h"
#include "app/execution_documents.h"
#include "app/execution_export.h"
#include "app/execution_search.h"
#include "app/migration_actions.h"
#include "app/permissions.h"
#include "app/retention_actions.h"
#include "app/task_actions.h"
#include "server/route_support.h"
#include "server/routes.h"

namespace coalition {

using nlohmann::json;

namespace {

Result<app::ExecutionQuery> search_query(const HttpRequest& r) {
  app::ExecutionQuery q;
  q.workflow = query_text(r, "workflow");
  q.statuses = query_list(r, "status");
  q.organisation = query_text(r, "organisation");
  for (auto [name, field] :
       {std::pair{"started_from", &q.started_from}, std::pair{"started_until", &q.started_until},
        std::pair{"finished_from", &q.finished_from},
        std::pair{"finished_until", &q.finished_until}}) {
    auto t = query_time(r, name);
    if (!t) return std::move(t).error();
    *field = *t;
  }
  auto overdue = query_flag(r, "overdue");
  if (!overdue) return std::move(overdue).error();
  q.overdue = *overdue;
  auto escalated = query_flag(r, "escalated");
  if (!escalated) return std::move(escalated).error();
  q.escalated = *escalated;
  auto limit = query_limit(r, q.limit, app::kMaxPageSize);
  if (!limit) return std::move(limit).error();
  q.limit = *limit;
  q.after = query_text(r, "cursor");
  return q;
}

using Build = std::function<Result<json>(const app::ExecutionView&)>;

// A read of one execution through the caller's view, audited when restricted.
HttpResponse read_execution(app::Session& s, const RouteCall& c, const std::string& what,
                            const Build& build) {
  auto view = app::view_execution_for(s.store(), s.catalog(), *c.principal, c.params.at("id"));
  if (!view) return problem_response(view.error());
  auto doc = build(*view);
  if (!doc) return problem_response(doc.error());
  if (auto audited = app::audit_read(s.store(), *c.principal, *view, what, utc_now()); !audited) {
    return problem_response(audited.error());
  }
  return ok(*doc);
}

}  // namespace

void add_execution_routes(Router& router, app::Session& s, const EngineConfig& config) {
  router.add(waiting(
      {"POST", "/v1/executions", true, [&s](const RouteCall& c) {
         auto body = object_body(c.request, "{\"workflow\": ...}");
         if (!body) return problem_response(body.error());
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
  router.add(waiting({"GET", "/v1/executions", true, [&s](const RouteCall& c) {
                        auto q = search_query(c.request);
                        if (!q) return problem_response(q.error());
                        return answer(app::search_executions(s, *c.principal, *q));
                      }}));
  router.add(waiting({"GET", "/v1/executions/{id}", true, [&s](const RouteCall& c) {
                        return read_execution(s, c, "status", app::status_document);
                      }}));
  router.add(waiting({"GET", "/v1/executions/{id}/history", true, [&s](const RouteCall& c) {
                        return read_execution(s, c, "history", app::history_document);
                      }}));
  router.add(waiting({"GET", "/v1/executions/{id}/timeline", true, [&s](const RouteCall& c) {
                        return read_execution(s, c, "timeline",
                                              [](const app::ExecutionView& v) -> Result<json> {
                                                auto entries = app::timeline(v);
                                                if (!entries) return std::move(entries).error();
                                                return app::timeline_document(v, *entries);
                                              });
                      }}));
  // An export leaves the engine: for those who follow every execution, at member clearance at
  // most, audited as it goes.
  router.add(
      waiting({"GET", "/v1/executions/{id}/export", true, [&s](const RouteCall& c) {
                 const Principal& p = *c.principal;
                 auto view = app::view_execution_for(s.store(), s.catalog(), p, c.params.at("id"));
                 if (!view) return problem_response(view.error());
                 if (!p.admin && !p.coordinate) {
                   return problem_response(
                       Error::permission_denied("an export needs the coordinate or admin scope"));
                 }
                 app::ExportRequest request{
                     app::actor_of(p, p.roles.empty() ? "" : p.roles.front()), "http", utc_now()};
                 return answer(app::export_execution(std::move(*view), request));
               }}));
  router.add(waiting({"POST", "/v1/executions/{id}/signals/{name}", true, [&s](const RouteCall& c) {
                        auto body = body_of(c.request);
                        if (!body) return problem_response(body.error());
                        Status sent = app::send_signal(s, *c.principal, c.params.at("id"),
                                                       c.params.at("name"), *body);
                        if (!sent) return problem_response(sent.error());
                        return ok(json{{"execution", c.params.at("id")},
                                       {"signal", c.params.at("name")},
                                       {"delivered", true}});
                      }}));

  // Cancel and retry: coordinators and admins, with a justification, audited.
  auto steer = [&s](const RouteCall& c, bool retry) {
    auto body = object_body(c.request, "{\"justification\": ...}");
    if (!body) return problem_response(body.error());
    auto why = string_member(*body, "justification", true);
    if (!why) return problem_response(why.error());
    const std::string& id = c.params.at("id");
    Status done = retry ? app::retry_execution(s, *c.principal, id, *why)
                        : app::cancel_execution(s, *c.principal, id, *why);
    if (!done) return problem_response(done.error());
    auto record = s.store().execution(id);  // acted on: the caller may steer it
    if (!record || !*record)
      return problem_response(Error::internal("execution " + id + " vanished"));
    return ok(json{{"execution", id}, {"status", (*record)->status}});
  };
  router.add(waiting({"POST", "/v1/executions/{id}/cancel", true,
                      [steer](const RouteCall& c) { return steer(c, false); }}));
  router.add(waiting({"POST", "/v1/executions/{id}/retry", true,
                      [steer](const RouteCall& c) { return steer(c, true); }}));

  // Migrations: a dry run says what would move; applied with a justification, each execution
  // moves in its own transaction (app/migration_actions.h).
  router.add(waiting(
      {"POST", "/v1/migrations", true, [&s](const RouteCall& c) {
         auto body = object_body(c.request, "{\"plan\": {...}, \"dry_run\"?, \"justification\"?}");
         if (!body) return problem_response(body.error());
         auto given = body->find("plan");
         if (given == body->end()) {
           return problem_response(
               Error::invalid_data("expected `plan`: the migration plan", "/plan"));
         }
         auto plan = parse_migration_plan(*given);
         // The plan's own problems name where they are inside `plan`.
         Status fits = plan ? app::check_migration(s, *plan) : Status(plan.error());
         if (!fits && fits.error().code() == ErrorCode::kInvalidData) {
           return problem_response(
               Error::invalid_data(fits.error().message(), "/plan" + fits.error().pointer()));
         }
         if (!fits) return problem_response(fits.error());
         auto dry = body->find("dry_run");
         if (dry != body->end() && !dry->is_boolean()) {
           return problem_response(Error::invalid_data("expected true or false", "/dry_run"));
         }
         const bool dry_run = dry != body->end() && dry->get<bool>();
         auto why = string_member(*body, "justification", !dry_run);
         if (!why) return problem_response(why.error());
         auto run = app::migrate_executions(s, *c.principal, *plan, dry_run, *why);
         if (!run) return problem_response(run.error());
         return ok(run->to_json());
       }}));

  // Legal holds: the roles config.permissions.legal_hold names (or admin), for any execution.
  auto hold = [&s, &config](const RouteCall& c, bool release) {
    auto body = object_body(c.request, "{\"reason\": ...}");
    if (!body) return problem_response(body.error());
    auto reason = string_member(*body, "reason", !release);
    if (!reason) return problem_response(reason.error());
    const std::string& id = c.params.at("id");
    if (auto allowed = app::require_role(*c.principal, config.permissions.legal_hold,
                                         release ? "releasing a legal hold" : "a legal hold");
        !allowed) {
      return problem_response(allowed.error());
    }
    if (auto scope = app::may_hold(s.store(), s.catalog(), config, *c.principal, id); !scope) {
      return problem_response(scope.error());
    }
    auto changed = app::change_legal_hold(s.store(), config, *c.principal,
                                          app::HoldChange{id, *reason, release}, utc_now());
    if (!changed) return problem_response(changed.error());
    return ok(
        json{{"execution", id}, {"hold", release ? "released" : "placed"}, {"changed", *changed}});
  };
  router.add(waiting({"POST", "/v1/executions/{id}/legal-hold", true,
                      [hold](const RouteCall& c) { return hold(c, false); }}));
  router.add(waiting({"POST", "/v1/executions/{id}/legal-hold/release", true,
                      [hold](const RouteCall& c) { return hold(c, true); }}));
}

}  // namespace coalition
