#include "app/task_actions.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "app/access.h"
#include "audit/audit_chain.h"
#include "calendar/business_calendar.h"
#include "common/text_field.h"
#include "common/utc_time.h"

namespace coalition::app {

using nlohmann::json;

namespace {

// The inbox's paging cursor: the last task's place in its order, "d<due ms>:<id>" or "n:<id>"
// for a task without a deadline. Opaque to clients.
std::string cursor_of(const InboxEntry& t) {
  if (!t.due) return "n:" + t.id;
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.due->time_since_epoch()).count();
  return "d" + std::to_string(ms) + ":" + t.id;
}

Result<std::pair<std::optional<TimePoint>, std::string>> parse_cursor(const std::string& text) {
  const Error bad = Error::invalid_argument("cursor: not one this server gave");
  const auto colon = text.find(':');
  if (colon == std::string::npos || colon + 1 >= text.size()) return bad;
  const std::string id = text.substr(colon + 1);
  if (text.compare(0, colon, "n") == 0) return std::pair{std::optional<TimePoint>(), id};
  if (text[0] != 'd' || colon < 2 || colon > 20) return bad;
  int64_t ms = 0;
  const char* first = text.data() + 1;
  const char* last = text.data() + colon;
  // Never past 9999-12-31 (nor microseconds past int64).
  if (std::from_chars(first, last, ms).ptr != last || ms < 0 || ms > 253402300799999) return bad;
  return std::pair{std::optional<TimePoint>(TimePoint(std::chrono::milliseconds(ms))), id};
}

json with_status(const TaskRecord& t) {
  json doc = t.doc;
  doc["status"] = t.status;
  return doc;
}

bool sees_everything(const Principal& p) {
  return p.admin || p.coordinate || p.source == IdentitySource::kAsserted;
}

// An authenticated caller's attempt on a task it may not act on, or that does not exist:
// audited like the engine's own refusals and answered as "not found" — the same work and the
// same answer either way, so neither the answer nor its time tells an id that exists.
Error hidden_task(Session& s, const Principal& p, const std::string& task_id,
                  const std::string& execution_id, const std::string& what) {
  const Actor a = actor_of(p, p.roles.empty() ? std::string() : p.roles.front());
  StoreBatch batch;
  batch.audit.push_back(
      make_audit_draft(s.clock().now(), a.id, a.role, a.organisation, execution_id, "", what,
                       {{"task", task_id}, {"reason", "not_visible"}, {"identity", a.identity}}));
  if (auto written = s.store().apply(batch); !written) return written.error();
  return Error::not_found("no open task " + task_id);
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
  if (!*task) return hidden_task(s, p, task_id, "", refusal);
  (*task)->doc = as_seen((*task)->doc);
  // Who sees every task (coordinate, admin) is refused by the engine's own rules, audited, with
  // 403: hiding a task they can read would only confuse them.
  if (!may_act_on(p, (*task)->doc) && !sees_everything(p)) {
    return hidden_task(s, p, task_id, (*task)->execution_id, refusal);
  }
  return std::move(**task);
}

json as_is(json doc) {
  return doc;
}

}  // namespace

Result<InboxPage> inbox(Session& s, const Principal& p, const InboxQuery& query) {
  if (query.limit < 1 || query.limit > kMaxPageSize) {
    return Error::invalid_argument("limit: from 1 to " + std::to_string(kMaxPageSize));
  }
  if (p.service()) return InboxPage{};
  InboxFilter filter;
  filter.organisation = p.organisation;
  filter.roles = p.roles;
  filter.person = p.person;
  filter.due_before = query.due_before;
  if (query.overdue) filter.due_by = s.clock().now();
  filter.escalated = query.escalated;
  if (!query.after.empty()) {
    auto cursor = parse_cursor(query.after);
    if (!cursor) return std::move(cursor).error();
    filter.after_due = cursor->first;
    filter.after_id = cursor->second;
  }
  filter.limit = query.limit + 1;  // one more says whether a next page exists
  auto tasks = s.store().inbox(filter);
  if (!tasks) return std::move(tasks).error();
  InboxPage page;
  for (size_t i = 0; i < tasks->size() && i < query.limit; ++i) {
    page.tasks.push_back(std::move((*tasks)[i].summary));
  }
  if (tasks->size() > query.limit) page.next = cursor_of((*tasks)[query.limit - 1]);
  return page;
}

std::string inbox_json(const InboxPage& page) {
  std::string out = "{\"tasks\":[";
  for (size_t i = 0; i < page.tasks.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += page.tasks[i];
  }
  out += "]";
  if (!page.next.empty()) out += ",\"next\":" + json(page.next).dump();
  out += "}";
  return out;
}

Result<json> task_document(Session& s, const Principal& p, const std::string& task_id) {
  auto task = s.store().task(task_id);
  if (!task) return std::move(task).error();
  if (!*task || (!sees_everything(p) && !may_act_on(p, (*task)->doc))) {
    return Error::not_found("no task " + task_id);
  }
  return with_status(**task);
}

namespace {

// The engine's actor for `p` acting on `task_id` in `role`: for an authenticated caller, after
// the access check (audited as `refusal`, the task seen through `as_seen`) and with one of its
// own roles; at the terminal, as asserted.
Result<Actor> acting_on_task(Session& s, const Principal& p, const std::string& task_id,
                             const std::string& role, const std::string& refusal,
                             json (*as_seen)(json)) {
  if (p.source == IdentitySource::kAsserted) return actor_of(p, role);
  auto task = task_to_act_on(s, p, task_id, refusal, as_seen);
  if (!task) return std::move(task).error();
  const std::string acting = acting_role(p, task->doc, role);
  if (acting.empty() && !role.empty()) {
    return Error::permission_denied("role '" + role + "' is not one of the caller's roles");
  }
  return actor_of(p, acting);
}

}  // namespace

Result<json> complete_task(Session& s, const Principal& p, const std::string& task_id,
                           const json& answer, const std::string& role) {
  auto actor = acting_on_task(s, p, task_id, role, "task_refused", as_is);
  if (!actor) return std::move(actor).error();
  return s.engine().complete_task(task_id, *actor, answer);
}

Result<InstantText> read_new_due(Session& s, const Principal& p, const std::string& task_id,
                                 const std::string& text, std::string_view name) {
  // The zone is looked up only for a date: an instant needs nothing from the task.
  if (parse_utc(text)) return parse_instant_text(text, name, DateAlone::kEndOfDay, TimeZone::utc());
  // Who may move a deadline is judged as extend_deadline judges it (the workflow's
  // extend_roles, else the task's roles): for anyone else the zone is UTC, which tells nothing,
  // and extend_deadline then refuses them, audited.
  std::string calendar_id;
  auto task = s.store().task(task_id);
  if (!task) return std::move(task).error();
  if (*task) {
    const json seen = extension_view((*task)->doc);
    const auto named = seen.find("calendar");
    if ((sees_everything(p) || may_act_on(p, seen)) && named != seen.end() && named->is_string()) {
      calendar_id = named->get<std::string>();
    }
  }
  const BusinessCalendar* calendar = nullptr;
  if (!calendar_id.empty()) {
    auto found = s.calendars().find(calendar_id);
    if (!found) return std::move(found).error();
    calendar = *found;
  }
  auto read = parse_instant_text(text, name, DateAlone::kEndOfDay,
                                 calendar != nullptr ? calendar->zone() : TimeZone::utc());
  if (!read) return read;
  read->reading += calendar != nullptr ? ", the zone of the task's calendar " + calendar_id
                                       : " (the task's deadline names no calendar)";
  return read;
}

Status extend_deadline(Session& s, const Principal& p, const std::string& task_id, TimePoint due,
                       const std::string& justification, const std::string& role) {
  auto actor = acting_on_task(s, p, task_id, role, "deadline_refused", extension_view);
  if (!actor) return std::move(actor).error();
  return s.engine().extend_deadline(task_id, due, *actor, justification);
}

Status claim_task(Session& s, const Principal& p, const std::string& task_id,
                  const std::string& role) {
  auto actor = acting_on_task(s, p, task_id, role, "task_refused", as_is);
  if (!actor) return std::move(actor).error();
  return s.engine().claim_task(task_id, *actor);
}

Status release_task(Session& s, const Principal& p, const std::string& task_id) {
  auto actor = acting_on_task(s, p, task_id, "", "task_refused", as_is);
  if (!actor) return std::move(actor).error();
  return s.engine().release_task(task_id, *actor, sees_everything(p));
}

namespace {

bool live(const TokenRecord& t, TimePoint now) {
  return !t.revoked_at && (!t.expires_at || *t.expires_at > now);
}

// The person a task goes to, as a live API token of theirs proves them: in the task's
// organisation, in one of its roles (the one asked for, if any).
Result<Actor> proven_person(Session& s, const TaskRecord& task, const Handover& h) {
  const std::string person = normal_name(h.to_person);
  const std::string organisation = task.doc.value("organisation", "");
  std::vector<std::string> roles;
  for (const auto& r : task.doc.value("roles", json::array())) {
    if (r.is_string()) roles.push_back(r.get<std::string>());
  }
  const std::string wanted = normal_name(h.to_role);
  // The role they would act in, if `held` (what a credential gave them in `org`) fits the task.
  auto fitting = [&](const std::string& org,
                     const std::vector<std::string>& held) -> std::optional<std::string> {
    if (!organisation.empty() && org != organisation) return std::nullopt;
    for (const auto& r : held) {
      const bool allowed = roles.empty() || std::find(roles.begin(), roles.end(), r) != roles.end();
      if (allowed && (wanted.empty() || wanted == r)) return r;
    }
    return std::nullopt;
  };
  auto tokens = s.store().tokens();
  if (!tokens) return std::move(tokens).error();
  const TimePoint now = s.clock().now();
  for (const auto& t : *tokens) {
    if (t.person != person || !live(t, now)) continue;
    if (auto role = fitting(t.organisation, t.roles)) {
      return Actor{person, *role, t.organisation, "token:" + t.id};
    }
  }
  // People who sign in with an identity provider: the roles it gave them last.
  auto seen = s.store().people(person);
  if (!seen) return std::move(seen).error();
  for (const auto& p : *seen) {
    if (auto role = fitting(p.organisation, p.roles)) {
      return Actor{person, *role, p.organisation, p.identity};
    }
  }
  return Error::invalid_data(
      h.to_person + " is not known to hold " +
          (h.to_role.empty() ? std::string("one of the task's roles") : "role " + h.to_role) +
          (organisation.empty() ? std::string() : " at " + organisation) +
          " (people are known from live API tokens, and from signing in with an identity "
          "provider)",
      "/to");
}

}  // namespace

Status reassign_task(Session& s, const Principal& p, const std::string& task_id,
                     const Handover& h) {
  auto actor = acting_on_task(s, p, task_id, h.role, "task_refused", as_is);
  if (!actor) return std::move(actor).error();
  if (auto ok = check_text_field("to", h.to_person); !ok) return ok;
  if (p.source == IdentitySource::kAsserted) {
    auto task = s.store().task(task_id);
    if (!task) return std::move(task).error();
    const std::string organisation = *task ? (*task)->doc.value("organisation", "") : "";
    const Actor to{normal_name(h.to_person), normal_name(h.to_role), organisation, "asserted"};
    return s.engine().reassign_task(task_id, to, *actor, h.justification, true);
  }
  auto task = s.store().task(task_id);
  if (!task) return std::move(task).error();
  if (!*task) return Error::not_found("no open task " + task_id);
  auto to = proven_person(s, **task, h);
  if (!to) return std::move(to).error();
  return s.engine().reassign_task(task_id, *to, *actor, h.justification, p.admin || p.coordinate);
}

}  // namespace coalition::app
