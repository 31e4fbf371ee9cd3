#include "app/execution_search.h"

#include <algorithm>
#include <charconv>

#include "app/access.h"
#include "app/execution_documents.h"
#include "app/task_actions.h"
#include "common/utc_time.h"

namespace coalition::app {

using nlohmann::json;

namespace {

// 9999-12-31T23:59:59.999Z: a cursor's instant is never past it (nor its microseconds past int64).
constexpr int64_t kLastMs = 253402300799999;

int64_t ms_of(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// The paging cursor: the last execution's place in the order, "<started ms>:<id>". Opaque to
// clients.
std::string cursor_of(const ExecutionSummary& e) {
  return std::to_string(ms_of(e.started_at)) + ":" + e.id;
}

Status parse_cursor(const std::string& text, ExecutionFilter& filter) {
  const Error bad = Error::invalid_argument("cursor: not one this server gave");
  const auto colon = text.find(':');
  if (colon == std::string::npos || colon == 0 || colon > 19 || colon + 1 >= text.size()) {
    return bad;
  }
  int64_t ms = 0;
  const char* last = text.data() + colon;
  if (std::from_chars(text.data(), last, ms).ptr != last || ms < 0 || ms > kLastMs) return bad;
  filter.after_started = TimePoint(std::chrono::milliseconds(ms));
  filter.after_id = text.substr(colon + 1);
  return ok_status();
}

// The statuses asked for, each once (at most the five there are).
Status add_statuses(const std::vector<std::string>& given, ExecutionFilter& filter) {
  for (const auto& text : given) {
    const auto status = parse_execution_status(text);
    if (!status) {
      return Error::invalid_argument("status: '" + text +
                                     "' is none of running, waiting, succeeded, failed, cancelled");
    }
    if (std::find(filter.statuses.begin(), filter.statuses.end(), *status) ==
        filter.statuses.end()) {
      filter.statuses.push_back(*status);
    }
  }
  return ok_status();
}

// The workflow versions ("<id>@<version>") whose visibility policy lists one of the person's
// roles among its followers (app/access.h).
std::vector<std::string> followed_workflows(const WorkflowCatalog& catalog, const Principal& p) {
  std::vector<std::string> followed;
  for (const auto& w : catalog.all()) {
    const auto& followers =
        w->document.value("visibility", json::object()).value("followers", json::array());
    const bool follows = std::any_of(followers.begin(), followers.end(), [&](const json& r) {
      return r.is_string() && p.has_role(r.get<std::string>());
    });
    if (follows) followed.push_back(w->id + "@" + std::to_string(w->version));
  }
  return followed;
}

// What the store is asked: the query's terms, what the caller may see, and one more than a page
// (it tells whether a next page exists).
Result<ExecutionFilter> filter_of(Session& s, const Principal& p, const ExecutionQuery& query) {
  ExecutionFilter filter;
  filter.workflow_id = query.workflow;
  if (auto added = add_statuses(query.statuses, filter); !added) return added.error();
  filter.organisation = query.organisation;
  filter.started_from = query.started_from;
  filter.started_until = query.started_until;
  filter.finished_from = query.finished_from;
  filter.finished_until = query.finished_until;
  if (query.overdue) filter.overdue_at = s.clock().now();
  filter.escalated = query.escalated;
  if (!p.admin && !p.coordinate) {
    filter.visible_to = ExecutionFilter::Member{p.person, p.organisation, p.roles,
                                                followed_workflows(s.catalog(), p)};
  }
  if (!query.after.empty()) {
    if (auto parsed = parse_cursor(query.after, filter); !parsed) return parsed.error();
  }
  filter.limit = query.limit + 1;
  return filter;
}

// An execution's line as the caller sees it: its last change and next due time.
struct Listed {
  std::string updated;
  std::optional<std::string> next_due;
};

// The store judged lateness and escalation on every task, and its next due time on every timer;
// below full clearance they are judged again on what the caller's view sees, so that a hidden
// step (a report's narrative escalating) neither lists an execution as escalated nor shows its
// timer. Nothing when the caller does not see it, or it no longer matches the query so judged.
Result<std::optional<Listed>> listed_for(Session& s, const Principal& p,
                                         const ExecutionQuery& query, const ExecutionSummary& e,
                                         TimePoint now) {
  Listed line{format_utc(e.updated_at), std::nullopt};
  if (e.next_due) line.next_due = format_utc(*e.next_due);
  if (p.admin) return std::optional<Listed>(std::move(line));
  auto view = view_execution_for(s.store(), s.catalog(), p, e.id);
  if (!view) {
    if (view.error().code() == ErrorCode::kNotFound) return std::optional<Listed>();
    return std::move(view).error();
  }
  if (view->full()) return std::optional<Listed>(std::move(line));
  auto tasks = view->tasks(/*open_only=*/true);
  if (!tasks) return std::move(tasks).error();
  line.next_due.reset();
  bool overdue = false;
  bool escalated = false;
  for (const auto& d : running_deadlines(*view, *tasks)) {
    const std::string due = d["due"];
    if (!line.next_due || due < *line.next_due) line.next_due = due;
    overdue = overdue || (d.contains("task") && *parse_utc(due) <= now);
    escalated = escalated || (d.contains("task") && d.value("level", 0u) > 0);
  }
  if ((query.overdue && !overdue) || (query.escalated && !escalated)) {
    return std::optional<Listed>();
  }
  // Its last change is its last visible event, as in the status document: the time of a hidden
  // step's work must not show through.
  auto events = view->events();
  if (!events) return std::move(events).error();
  line.updated = events->empty() ? format_utc(e.started_at) : format_utc(events->back().at);
  return std::optional<Listed>(std::move(line));
}

}  // namespace

// A page may hold fewer than `limit` executions (some judged again below full clearance drop
// out): `next` goes on from the last one the store gave.
Result<json> search_executions(Session& s, const Principal& p, const ExecutionQuery& query) {
  if (p.service()) {
    return Error::permission_denied("a partner system's credential sends signals only");
  }
  if (query.limit < 1 || query.limit > kMaxPageSize) {
    return Error::invalid_argument("limit: from 1 to " + std::to_string(kMaxPageSize));
  }
  auto filter = filter_of(s, p, query);
  if (!filter) return std::move(filter).error();
  auto found = s.store().executions(*filter);
  if (!found) return std::move(found).error();
  const bool everything = p.admin || p.coordinate;
  json list = json::array();
  const size_t shown = std::min(found->size(), query.limit);
  const TimePoint now = s.clock().now();
  for (size_t i = 0; i < shown; ++i) {
    const ExecutionSummary& e = (*found)[i];
    auto line = listed_for(s, p, query, e, now);
    if (!line) return std::move(line).error();
    if (!*line) continue;
    json doc{{"id", e.id},
             {"workflow", e.workflow_id},
             {"version", e.workflow_version},
             {"status", e.status},
             {"started_at", format_utc(e.started_at)},
             {"updated_at", (*line)->updated}};
    if (is_finished(e.status)) doc["finished_at"] = (*line)->updated;
    if ((*line)->next_due) doc["next_due"] = *(*line)->next_due;
    if (everything) doc["initiator"] = e.initiator;
    list.push_back(std::move(doc));
  }
  json page{{"executions", std::move(list)}};
  if (found->size() > query.limit) page["next"] = cursor_of((*found)[query.limit - 1]);
  return page;
}

}  // namespace coalition::app
