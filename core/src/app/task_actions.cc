#include "app/task_actions.h"

#include <algorithm>

#include "app/access.h"
#include "audit/audit_chain.h"
#include "common/utc_time.h"

namespace coalition::app {

using nlohmann::json;

namespace {

// Tasks sort by due time, those without one last, then by id; the cursor is that key.
std::string sort_key(const TaskRecord& t) {
  return (t.due ? format_utc(*t.due) : std::string("~")) + "|" + t.id;
}

json with_status(const TaskRecord& t) {
  json doc = t.doc;
  doc["status"] = t.status;
  return doc;
}

bool sees_everything(const Principal& p) {
  return p.admin || p.coordinate || p.source == IdentitySource::kAsserted;
}

// An authenticated caller's attempt on a task it may not act on: audited like the engine's own
// refusals, answered as "not found".
Error hidden_task(Session& s, const Principal& p, const TaskRecord& t, const std::string& what) {
  const Actor a = actor_of(p, p.roles.empty() ? std::string() : p.roles.front());
  StoreBatch batch;
  batch.audit.push_back(
      make_audit_draft(s.clock().now(), a.id, a.role, a.organisation, t.execution_id, "", what,
                       {{"task", t.id}, {"reason", "not_visible"}, {"identity", a.identity}}));
  if (auto written = s.store().apply(batch); !written) return written.error();
  return Error::not_found("no open task " + t.id);
}

// Who may move a deadline: the roles the workflow names for that, else the task's own.
json extension_view(json doc) {
  if (doc.contains("extend_roles")) doc["roles"] = doc["extend_roles"];
  return doc;
}

// The task as an authenticated caller may act on it (`as_seen` turns its document into what the
// access rules read): kNotFound (audited as `refusal`) when it does not exist or is not theirs.
Result<TaskRecord> task_to_act_on(Session& s, const Principal& p, const std::string& task_id,
                                  const std::string& refusal, json (*as_seen)(json)) {
  auto task = s.store().task(task_id);
  if (!task) return std::move(task).error();
  if (!*task) return Error::not_found("no open task " + task_id);
  (*task)->doc = as_seen((*task)->doc);
  if (!may_act_on(p, (*task)->doc)) return hidden_task(s, p, **task, refusal);
  return std::move(**task);
}

json as_is(json doc) {
  return doc;
}

}  // namespace

Result<json> inbox(Session& s, const Principal& p, const InboxQuery& query) {
  if (query.limit < 1 || query.limit > kMaxPageSize) {
    return Error::invalid_argument("limit: from 1 to " + std::to_string(kMaxPageSize));
  }
  auto tasks = s.store().tasks(TaskFilter{"", "", true});
  if (!tasks) return std::move(tasks).error();
  const TimePoint now = s.clock().now();
  std::vector<std::pair<std::string, const TaskRecord*>> mine;
  for (const auto& t : *tasks) {
    if (!may_act_on(p, t.doc)) continue;
    if (query.overdue && !(t.due && *t.due <= now)) continue;
    if (query.escalated && t.doc.value("level", 0) < 1) continue;
    if (query.due_before && !(t.due && *t.due < *query.due_before)) continue;
    std::string key = sort_key(t);
    if (!query.after.empty() && key <= query.after) continue;
    mine.emplace_back(std::move(key), &t);
  }
  std::sort(mine.begin(), mine.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  json list = json::array();
  for (size_t i = 0; i < mine.size() && i < query.limit; ++i) {
    list.push_back(with_status(*mine[i].second));
  }
  json doc{{"tasks", std::move(list)}};
  if (mine.size() > query.limit) doc["next"] = mine[query.limit - 1].first;
  return doc;
}

Result<json> task_document(Session& s, const Principal& p, const std::string& task_id) {
  auto task = s.store().task(task_id);
  if (!task) return std::move(task).error();
  if (!*task || (!sees_everything(p) && !may_act_on(p, (*task)->doc))) {
    return Error::not_found("no task " + task_id);
  }
  return with_status(**task);
}

Result<json> complete_task(Session& s, const Principal& p, const std::string& task_id,
                           const json& answer, const std::string& role) {
  json doc = json::object();
  if (p.source != IdentitySource::kAsserted) {
    auto task = task_to_act_on(s, p, task_id, "task_refused", as_is);
    if (!task) return std::move(task).error();
    doc = task->doc;
  }
  const std::string acting =
      p.source == IdentitySource::kAsserted ? role : acting_role(p, doc, role);
  if (p.source != IdentitySource::kAsserted && acting.empty()) {
    return Error::permission_denied("role '" + role + "' is not one of the caller's roles");
  }
  return s.engine().complete_task(task_id, actor_of(p, acting), answer);
}

Status extend_deadline(Session& s, const Principal& p, const std::string& task_id, TimePoint due,
                       const std::string& justification, const std::string& role) {
  json doc = json::object();
  if (p.source != IdentitySource::kAsserted) {
    auto task = task_to_act_on(s, p, task_id, "deadline_refused", extension_view);
    if (!task) return std::move(task).error();
    doc = task->doc;
  }
  const std::string acting =
      p.source == IdentitySource::kAsserted ? role : acting_role(p, doc, role);
  if (p.source != IdentitySource::kAsserted && acting.empty()) {
    return Error::permission_denied("role '" + role + "' is not one of the caller's roles");
  }
  return s.engine().extend_deadline(task_id, due, actor_of(p, acting), justification);
}

}  // namespace coalition::app
