// /v1/tasks: what member staff do — read their inbox and a task's form, complete it, move its
// deadline, claim it, release it, hand it on (app/task_actions.h).
#include <tuple>

#include "app/task_actions.h"
#include "server/route_support.h"
#include "server/routes.h"

namespace coalition {

using nlohmann::json;

void add_task_routes(Router& router, app::Session& s) {
  router.add({"GET", "/v1/tasks", true, [&s](const RouteCall& c) {
                app::InboxQuery q;
                auto overdue = query_flag(c.request, "overdue");
                if (!overdue) return problem_response(overdue.error());
                auto escalated = query_flag(c.request, "escalated");
                if (!escalated) return problem_response(escalated.error());
                auto due_before = query_time(c.request, "due_before");
                if (!due_before) return problem_response(due_before.error());
                auto limit = query_limit(c.request, q.limit, app::kMaxPageSize);
                if (!limit) return problem_response(limit.error());
                q.overdue = *overdue;
                q.escalated = *escalated;
                q.due_before = *due_before;
                q.limit = *limit;
                q.after = query_text(c.request, "cursor");
                auto page = app::inbox(s, *c.principal, q);
                if (!page) return problem_response(page.error());
                return json_response(app::inbox_json(*page));
              }});
  router.add({"GET", "/v1/tasks/{id}", true, [&s](const RouteCall& c) {
                return answer(app::task_document(s, *c.principal, c.params.at("id")));
              }});
  router.add(waiting({"POST", "/v1/tasks/{id}/complete", true, [&s](const RouteCall& c) {
                        auto body = object_body(c.request, "{\"answer\": ...}");
                        if (!body) return problem_response(body.error());
                        auto role = string_member(*body, "role", false);
                        if (!role) return problem_response(role.error());
                        const json answer_doc = body->value("answer", json::object());
                        return answer(app::complete_task(s, *c.principal, c.params.at("id"),
                                                         answer_doc, *role));
                      }}));
  router.add(waiting(
      {"POST", "/v1/tasks/{id}/extend", true, [&s](const RouteCall& c) {
         auto body = object_body(c.request, "{\"due\": ..., \"justification\": ...}");
         if (!body) return problem_response(body.error());
         auto due_text = string_member(*body, "due", true);
         if (!due_text) return problem_response(due_text.error());
         // Checked before the task is looked at: a malformed body reveals nothing about it.
         if (!parse_instant_text(*due_text, "due", DateAlone::kEndOfDay, TimeZone::utc())) {
           return problem_response(Error::invalid_data(
               "an RFC 3339 instant (2025-05-10T17:00:00Z) or a date (2025-05-10: the end of "
               "that day in the zone of the task's calendar)",
               "/due"));
         }
         auto why = string_member(*body, "justification", true);
         if (!why) return problem_response(why.error());
         auto role = string_member(*body, "role", false);
         if (!role) return problem_response(role.error());
         const std::string& id = c.params.at("id");
         auto due = app::read_new_due(s, *c.principal, id, *due_text, "due");
         if (!due) return problem_response(due.error());
         Status moved = app::extend_deadline(s, *c.principal, id, due->at, *why, *role);
         if (!moved) return problem_response(moved.error());
         json done{{"task", id}, {"due", format_utc(due->at)}};
         if (!due->reading.empty()) done["reading"] = due->reading;
         return ok(done);
       }}));
  router.add(waiting({"POST", "/v1/tasks/{id}/claim", true, [&s](const RouteCall& c) {
                        auto body = object_body(c.request, "{\"role\"?: ...}");
                        if (!body) return problem_response(body.error());
                        auto role = string_member(*body, "role", false);
                        if (!role) return problem_response(role.error());
                        const std::string& id = c.params.at("id");
                        Status claimed = app::claim_task(s, *c.principal, id, *role);
                        if (!claimed) return problem_response(claimed.error());
                        return answer(app::task_document(s, *c.principal, id));
                      }}));
  router.add(waiting({"POST", "/v1/tasks/{id}/release", true, [&s](const RouteCall& c) {
                        const std::string& id = c.params.at("id");
                        Status released = app::release_task(s, *c.principal, id);
                        if (!released) return problem_response(released.error());
                        return answer(app::task_document(s, *c.principal, id));
                      }}));
  router.add(waiting({"POST", "/v1/tasks/{id}/reassign", true, [&s](const RouteCall& c) {
                        auto body = object_body(c.request, "{\"to\": ..., \"justification\": ...}");
                        if (!body) return problem_response(body.error());
                        app::Handover h;
                        for (auto [field, target, required] :
                             {std::tuple{"to", &h.to_person, true},
                              std::tuple{"to_role", &h.to_role, false},
                              std::tuple{"justification", &h.justification, true},
                              std::tuple{"role", &h.role, false}}) {
                          auto value = string_member(*body, field, required);
                          if (!value) return problem_response(value.error());
                          *target = std::move(*value);
                        }
                        const std::string& id = c.params.at("id");
                        Status moved = app::reassign_task(s, *c.principal, id, h);
                        if (!moved) return problem_response(moved.error());
                        return answer(app::task_document(s, *c.principal, id));
                      }}));
}

}  // namespace coalition
