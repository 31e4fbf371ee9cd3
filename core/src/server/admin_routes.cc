// Administration: API tokens (app/token_admin.h), the audit chain's verification, and the
// retention purge. Tokens and verification need the admin scope; a purge, the roles the
// configuration names (config "permissions.purge") or admin.
#include "app/audit_report.h"
#include "app/permissions.h"
#include "app/retention_actions.h"
#include "app/task_actions.h"
#include "app/token_admin.h"
#include "common/json_text.h"
#include "server/route_support.h"
#include "server/routes.h"

namespace coalition {

using nlohmann::json;

void add_admin_routes(Router& router, app::Session& s, const EngineConfig& config) {
  // Tokens (admin).
  router.add(waiting({"GET", "/v1/tokens", true, [&s](const RouteCall& c) {
                        return answer(app::list_tokens(s.store(), *c.principal, utc_now()));
                      }}));
  router.add(waiting(
      {"POST", "/v1/tokens", true, [&s](const RouteCall& c) {
         auto body = object_body(c.request, "{\"person\": ...}");
         if (!body) return problem_response(body.error());
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
  router.add(waiting(
      {"POST", "/v1/tokens/{id}/revoke", true, [&s](const RouteCall& c) {
         auto revoked = app::revoke_token(s.store(), *c.principal, c.params.at("id"), utc_now());
         if (!revoked) return problem_response(revoked.error());
         return ok(json{{"id", c.params.at("id")}, {"revoked", true}, {"already", !*revoked}});
       }}));

  // Audit (admin).
  router.add(waiting({"GET", "/v1/audit/verify", true, [&s](const RouteCall& c) {
                        if (!c.principal->admin) {
                          return problem_response(
                              Error::permission_denied("this needs the admin scope"));
                        }
                        auto v = s.store().verify_audit();
                        if (!v) return problem_response(v.error());
                        const json doc = app::audit_verification_json(*v, false);
                        return ok(doc);
                      }}));

  // The retention policy of every workflow version, and the legal holds: what the retention
  // page shows to those who may purge and place holds.
  router.add(waiting({"GET", "/v1/retention", true, [&s, &config](const RouteCall& c) {
                        return answer(app::retention_document(s.catalog(), config, *c.principal));
                      }}));
  router.add(waiting({"GET", "/v1/legal-holds", true, [&s, &config](const RouteCall& c) {
                        auto released = query_flag(c.request, "released");
                        if (!released) return problem_response(released.error());
                        auto limit = query_limit(c.request, 200, app::kMaxPageSize);
                        if (!limit) return problem_response(limit.error());
                        return answer(app::legal_holds_document(s.store(), s.catalog(), config,
                                                                *c.principal, *released, *limit));
                      }}));

  // A purge applies the retention policy now; {"dry_run": true} reports what would go. Both
  // need the purge roles: a dry run names what expires.
  router.add(waiting(
      {"POST", "/v1/purge", true, [&s, &config](const RouteCall& c) {
         auto body = object_body(c.request, "{\"dry_run\": false}");
         if (!body) return problem_response(body.error());
         bool dry_run = false;
         if (auto d = body->find("dry_run"); d != body->end()) {
           if (!d->is_boolean()) {
             return problem_response(Error::invalid_data("true or false", "/dry_run"));
           }
           dry_run = d->get<bool>();
         }
         if (auto allowed = app::require_role(*c.principal, config.permissions.purge, "a purge");
             !allowed) {
           return problem_response(allowed.error());
         }
         const TimePoint now = utc_now();
         auto report = app::purge(s.store(), s.catalog(), config, *c.principal, now, dry_run);
         if (!report) return problem_response(report.error());
         return ok(app::purge_report_json(*report, now, dry_run));
       }}));
}

}  // namespace coalition
