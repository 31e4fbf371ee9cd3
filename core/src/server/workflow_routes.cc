// /v1/workflows: the definitions executions start from — listed and read with their graph by
// those who coordinate; checked as `coalition validate` checks them; registered by an admin.
#include "app/workflow_actions.h"
#include "server/route_support.h"
#include "server/routes.h"

namespace coalition {

using nlohmann::json;

void add_workflow_routes(Router& router, app::Session& s) {
  router.add({"GET", "/v1/workflows", true, [&s](const RouteCall& c) {
                if (auto allowed = app::require_catalog_reader(*c.principal); !allowed) {
                  return problem_response(allowed.error());
                }
                return ok(app::workflow_list(s.catalog()));
              }});
  // Literal before the template: /v1/workflows/validate is not a workflow's id.
  router.add(
      {"POST", "/v1/workflows/validate", true, [&s](const RouteCall& c) {
         if (auto allowed = app::require_catalog_reader(*c.principal); !allowed) {
           return problem_response(allowed.error());
         }
         auto body = object_body(c.request, "a workflow definition");
         if (!body) return problem_response(body.error());
         const Problems problems = app::check_definition(c.request.body, s.engine().registry(),
                                                         s.catalog(), s.calendars());
         return ok(json{{"valid", problems.empty()}, {"problems", app::problems_json(problems)}});
       }});
  router.add(
      {"GET", "/v1/workflows/{id}", true, [&s](const RouteCall& c) {
         if (auto allowed = app::require_catalog_reader(*c.principal); !allowed) {
           return problem_response(allowed.error());
         }
         std::optional<int64_t> version;
         if (const std::string v = query_text(c.request, "version"); !v.empty()) {
           if (v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos ||
               std::stoll(v) < 1) {
             return problem_response(Error::invalid_argument("version: a version number from 1"));
           }
           version = std::stoll(v);
         }
         std::optional<GraphFormat> graph;
         if (const std::string g = query_text(c.request, "graph"); g == "mermaid") {
           graph = GraphFormat::kMermaid;
         } else if (g == "dot") {
           graph = GraphFormat::kDot;
         } else if (g == "json") {
           graph = GraphFormat::kJson;
         } else if (!g.empty()) {
           return problem_response(Error::invalid_argument("graph: json, mermaid or dot"));
         }
         return answer(app::workflow_document(s.catalog(), c.params.at("id"), version, graph));
       }});
  router.add(waiting(
      {"POST", "/v1/workflows", true, [&s](const RouteCall& c) {
         auto body = object_body(c.request, "a workflow definition");
         if (!body) return problem_response(body.error());
         Problems problems;
         auto done = app::register_workflow(s, *c.principal, c.request.body, &problems);
         if (!done) {
           return problem_response(
               done.error(),
               problems.empty() ? json(nullptr) : json{{"problems", app::problems_json(problems)}});
         }
         HttpResponse r = ok(json{{"id", done->id},
                                  {"version", done->version},
                                  {"digest", done->digest},
                                  {"created", done->created}},
                             done->created ? 201 : 200);
         r.headers.emplace_back(
             "Location", "/v1/workflows/" + done->id + "?version=" + std::to_string(done->version));
         return r;
       }}));
}

}  // namespace coalition
