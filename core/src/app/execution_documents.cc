#include "app/execution_documents.h"

#include <algorithm>
#include <map>

#include "common/utc_time.h"
#include "runtime/persisted_state.h"

namespace coalition::app {

using nlohmann::json;

namespace {

json view_of(const ExecutionView& view) {
  return {{"role", view.as_role}, {"clearance", to_string(view.clearance)}};
}

// The sequences still running (none once the execution ended or was purged). A state this
// engine cannot read shows none here: restoring it is what reports it, to the operator.
std::vector<PersistedFrame> live_frames(const json& state) {
  if (is_purged_state(state)) return {};
  auto read = read_persisted_state(state);
  return read ? std::move(read->frames) : std::vector<PersistedFrame>{};
}

// Every running deadline of a step the view sees, with how it was reached and the calendar it
// was computed under: a coordinator checks "3 business days (au-national)", not a bare instant.
json deadlines_of(const ExecutionView& view, const std::vector<PersistedFrame>& frames,
                  const std::vector<TaskRecord>& open_tasks) {
  json deadlines = json::array();
  for (const auto& f : frames) {
    if (!f.due) continue;
    const std::string path = f.path + f.current;
    if (view.policy->step(path).cls > view.clearance) continue;
    json d{{"step", path}, {"due", format_utc(*f.due)}, {"level", f.level}};
    if (f.cap) d["cap"] = format_utc(*f.cap);
    if (!f.basis.rule.empty()) d["rule"] = f.basis.rule;
    if (!f.basis.calendar.empty()) d["calendar"] = f.basis.calendar;
    for (const auto& t : open_tasks) {
      if (t.step == path && t.doc.contains("id")) d["task"] = t.doc["id"];
    }
    deadlines.push_back(std::move(d));
  }
  return deadlines;
}

// What is in progress: the current step of every live frame, or what a role below its class
// reads instead ("compliance review in progress"), each once.
json in_progress_of(const ExecutionView& view, const std::vector<PersistedFrame>& frames) {
  json in_progress = json::array();
  for (const auto& f : frames) {
    const std::string path = f.path + f.current;
    const auto step = view.policy->step(path);
    json label = step.cls <= view.clearance ? json(path) : json(step.shown_as);
    if (std::find(in_progress.begin(), in_progress.end(), label) == in_progress.end()) {
      in_progress.push_back(std::move(label));
    }
  }
  return in_progress;
}

// Whether `e` is a step's failure with error `code`.
bool failed_with(const Event& e, const std::string& code) {
  if (e.type != EventType::kStepFailed) return false;
  const json data = e.data();
  const auto error = data.find("error");
  return error != data.end() && error->is_object() && error->value("code", "") == code;
}

}  // namespace

json running_deadlines(const ExecutionView& view, const std::vector<TaskRecord>& open_tasks) {
  return deadlines_of(view, live_frames(view.record.state), open_tasks);
}

namespace {

// A view below full clearance does not see every timer (a hidden step's among them): its next
// due time is the earliest deadline it sees.
void add_deadlines(json& doc, json deadlines, bool full) {
  if (!full) {
    for (const auto& d : deadlines) {
      if (!doc.contains("next_due") ||
          d["due"].get<std::string>() < doc["next_due"].get<std::string>()) {
        doc["next_due"] = d["due"];
      }
    }
  }
  if (!deadlines.empty()) doc["deadlines"] = std::move(deadlines);
}

// The output as the view's clearance filters it; an error only when the view sees the step
// that failed with it.
void add_result(json& doc, const ExecutionView& view, const std::vector<Event>& events) {
  const ExecutionResult& result = view.record.result;
  if (view.full()) {
    doc.update(to_json(result));
    return;
  }
  if (result.output) {
    if (auto kept = view.policy->filter_context(*result.output, "", view.clearance)) {
      doc["output"] = std::move(*kept);
    }
  }
  if (result.error) {
    for (const auto& e : events) {
      if (failed_with(e, result.error->code)) doc["error"] = to_json(*result.error);
    }
  }
}

// What retention removed (a restricted record's removal only at restricted clearance) and a
// legal hold in force (only at restricted clearance).
void add_retention(json& doc, const ExecutionView& view, const std::vector<Tombstone>& tombstones,
                   const std::optional<LegalHold>& hold) {
  json purged = json::array();
  for (const auto& t : tombstones) {
    if (t.record_type == "restricted" && view.clearance < Visibility::kRestricted) continue;
    purged.push_back(
        {{"record_type", t.record_type}, {"purged_at", t.purged_at}, {"policy", t.policy}});
  }
  if (!purged.empty()) doc["purged"] = purged;
  if (hold && hold->released_at.empty() && view.clearance == Visibility::kRestricted) {
    doc["legal_hold"] = {
        {"placed_at", hold->placed_at}, {"placed_by", hold->placed_by}, {"reason", hold->reason}};
  }
}

}  // namespace

Result<json> status_document(const ExecutionView& view) {
  Store& store = *view.store;
  const ExecutionRecord& r = view.record;
  auto tasks = view.tasks(/*open_only=*/true);
  if (!tasks) return std::move(tasks).error();
  auto events = view.events();
  if (!events) return std::move(events).error();
  auto tombstones = store.tombstones(r.id);
  if (!tombstones) return std::move(tombstones).error();
  auto hold = store.legal_hold(r.id);
  if (!hold) return std::move(hold).error();
  const bool full = view.full();
  json open = json::array();
  for (const auto& t : *tasks) open.push_back(t.doc);
  // A view's "last change" is its last visible event: the time of a hidden step (a filing)
  // must not show through.
  std::string updated = format_utc(r.updated_at);
  if (!full) updated = events->empty() ? format_utc(r.started_at) : format_utc(events->back().at);
  json doc{{"id", r.id},
           {"workflow", r.workflow_id + "@" + std::to_string(r.workflow_version)},
           {"status", r.status},
           {"initiator", r.initiator},
           {"started_at", format_utc(r.started_at)},
           {"updated_at", updated},
           {"open_tasks", open}};
  if (!view.as_role.empty()) doc["view"] = view_of(view);
  if (r.next_due && full) doc["next_due"] = format_utc(*r.next_due);
  const std::vector<PersistedFrame> frames = live_frames(r.state);  // read once, used twice
  if (json in_progress = in_progress_of(view, frames); !in_progress.empty()) {
    doc["in_progress"] = std::move(in_progress);
  }
  add_deadlines(doc, deadlines_of(view, frames, *tasks), full);
  add_result(doc, view, *events);
  add_retention(doc, view, *tombstones, *hold);
  return doc;
}

Result<json> history_document(const ExecutionView& view) {
  auto events = view.events();
  if (!events) return std::move(events).error();
  json list = json::array();
  for (const auto& e : *events) list.push_back(e.to_json());
  json doc{{"id", view.record.id}, {"events", list}};
  if (!view.as_role.empty()) doc["view"] = view_of(view);
  return doc;
}

std::string minutes(const std::string& rfc3339) {
  if (rfc3339.size() < 16) return rfc3339;
  return rfc3339.substr(0, 10) + " " + rfc3339.substr(11, 5) + "Z";
}

namespace {

std::string roles_of(const json& data) {
  std::string out;
  for (const auto& r : data.value("roles", json::array())) {
    if (r.is_string()) out += (out.empty() ? "" : ", ") + r.get<std::string>();
  }
  return out;
}

std::string short_task(const json& data) {
  const std::string t = data.value("task", "");
  const auto dot = t.rfind('.');
  return dot == std::string::npos ? t : t.substr(dot + 1);
}

// One line for an event, or empty for the engine's bookkeeping.
std::string describe_event(const Event& e, const std::string& initiator) {
  const json d = e.data();
  const std::string step = e.step.empty() ? "" : " [" + e.step + "]";
  switch (e.type) {
    case EventType::kExecutionStarted: return "started by " + initiator;
    case EventType::kTaskCreated:
      return "task " + short_task(d) +
             (d.contains("title") ? " \"" + d.value("title", "") + "\"" : std::string()) +
             " opened for " + roles_of(d) +
             (d.contains("organisation") ? " of " + d.value("organisation", "") : std::string()) +
             (d.contains("due") ? ", due " + minutes(d.value("due", "")) : "") + step;
    case EventType::kTaskCompleted:
      return d.value("actor", "") + " (" + d.value("role", "") + ") completed task " +
             short_task(d) + step;
    case EventType::kSignalReceived: return "signal '" + d.value("name", "") + "' received" + step;
    case EventType::kReminderDue:
      return "reminder: task " + short_task(d) + " due " + minutes(d.value("due", ""));
    case EventType::kEscalated:
      return "ESCALATED task " + short_task(d) + " to " + roles_of(d) + ", now due " +
             minutes(d.value("due", "")) +
             (d.contains("released") ? "; " + d.value("released", "") + "'s claim ended"
                                     : std::string()) +
             step;
    case EventType::kDeadlineExpired:
      return "DEADLINE MISSED" + (d.contains("task") ? " task " + short_task(d) : std::string()) +
             " (due " + minutes(d.value("due", "")) + ")" +
             (d.value("action", "") == "keep_open" ? "; kept open, overdue" : std::string()) + step;
    case EventType::kDeadlineExtended:
      return "deadline of task " + short_task(d) + " extended to " + minutes(d.value("due", "")) +
             (d.contains("actor") ? " by " + d.value("actor", "") : std::string()) +
             (d.contains("justification") ? ": " + d.value("justification", "") : std::string());
    case EventType::kTaskClaimed:
      return "task " + short_task(d) + " claimed by " + d.value("assignee", "") + step;
    case EventType::kTaskReleased:
      return "task " + short_task(d) + " released by " + d.value("actor", "") + " (held by " +
             d.value("previous", "") + ")" + step;
    case EventType::kTaskReassigned:
      return "task " + short_task(d) + " handed " +
             (d.contains("previous") ? "from " + d.value("previous", "") + " " : std::string()) +
             "to " + d.value("assignee", "") + " by " + d.value("actor", "") + ": " +
             d.value("justification", "") + step;
    case EventType::kPluginChanged:
      return "resumed under " + d.value("plugin", "") + " " + d.value("to", "") +
             " (started under " + d.value("from", "") + ")" + step;
    case EventType::kExecutionMigrated: {
      std::string renamed;
      for (const auto& r : d.value("steps", json::array())) {
        renamed +=
            (renamed.empty() ? "; " : ", ") + r.value("from", "") + " is now " + r.value("to", "");
      }
      return "MIGRATED from " + d.value("from", "") + " to " + d.value("to", "") + " by " +
             d.value("actor", "") + ": " + d.value("justification", "") + renamed;
    }
    case EventType::kExecutionCancelled:
      return "CANCELLED by " + d.value("actor", "") + ": " + d.value("justification", "");
    case EventType::kExecutionRetried:
      return "retried by " + d.value("actor", "") + " after " + d.value("error", "") + ": " +
             d.value("justification", "");
    case EventType::kStepFailed:
      return "step failed: " + d.value("error", json::object()).value("code", "") + step;
    case EventType::kCatchTaken: return "handled, continuing at " + d.value("next", "") + step;
    case EventType::kWaitStarted: return "waiting" + step;
    case EventType::kExecutionCompleted: return "completed";
    case EventType::kExecutionFailed:
      return "FAILED: " + d.value("error", json::object()).value("code", "");
    default: return "";
  }
}

// An event's line: a step whose output is a computed deadline gets one of its own.
std::string event_line(const Event& e, const std::string& initiator) {
  if (e.type == EventType::kStepSucceeded) {
    const json output = e.data().value("output", json());
    if (output.is_object() && output.contains("due_at") && output.contains("rule")) {
      return "deadline computed: " + output.value("report", "") + " due " +
             minutes(output.value("due_at", "")) + " (" + output.value("rule", "") + ")";
    }
  }
  return describe_event(e, initiator);
}

// An audit entry's line — legal holds, purges and refusals — or empty for the rest (events have
// theirs).
std::string audit_line(const AuditRecord& a) {
  json summary = json::parse(a.summary, nullptr, false);
  if (!summary.is_object()) summary = json::object();  // removed by a purge
  if (a.type == "legal_hold_placed" || a.type == "legal_hold_released") {
    return std::string(a.type == "legal_hold_placed" ? "LEGAL HOLD placed by "
                                                     : "legal hold released by ") +
           a.actor + ": " + summary.value("reason", "");
  }
  if (a.type == "purged") {
    return "PURGED " + summary.value("record_type", "") + " data (retention " +
           summary.value("keep", "") + " from " + summary.value("from", "") + "); tombstone kept";
  }
  if (a.type == "purge_skipped") {
    return "purge of " + summary.value("record_type", "") + " data skipped: under legal hold";
  }
  if (a.type.size() < 8 || a.type.compare(a.type.size() - 8, 8, "_refused") != 0) return "";
  std::string why = summary.value("message", "");
  if (a.type == "media_refused") {
    why = summary.value("kind", "") + " at " + summary.value("pointer", "") + " (" +
          summary.value("detected_by", "") + "); nothing stored";
  }
  if (a.summary.empty()) why = "(details removed by a purge)";
  return "REFUSED " + a.actor + (a.role.empty() ? "" : " (" + a.role + ")") + ": " + why;
}

}  // namespace

Result<std::vector<TimelineEntry>> timeline(const ExecutionView& view) {
  auto events = view.events();
  if (!events) return std::move(events).error();
  auto audit = view.audit();
  if (!audit) return std::move(audit).error();
  std::multimap<std::string, std::string> lines;  // ordered by time, then insertion
  for (const auto& e : *events) {
    if (std::string text = event_line(e, view.record.initiator); !text.empty()) {
      lines.emplace(format_utc(e.at), std::move(text));
    }
  }
  for (const auto& a : *audit) {
    if (std::string text = audit_line(a); !text.empty()) lines.emplace(a.at, std::move(text));
  }
  std::vector<TimelineEntry> out;
  out.reserve(lines.size());
  for (auto& [at, text] : lines) out.push_back({at, std::move(text)});
  return out;
}

json timeline_document(const ExecutionView& view, const std::vector<TimelineEntry>& entries) {
  json list = json::array();
  for (const auto& e : entries) list.push_back({{"at", e.at}, {"text", e.text}});
  json doc{
      {"id", view.record.id},
      {"workflow", view.record.workflow_id + "@" + std::to_string(view.record.workflow_version)},
      {"entries", std::move(list)}};
  if (!view.as_role.empty()) doc["view"] = view_of(view);
  return doc;
}

}  // namespace coalition::app
