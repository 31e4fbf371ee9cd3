// coalition timeline: an execution's story for people — who acted, what was refused, which
// deadlines were set, missed and escalated — from its events and its audit refusals. Steps the
// engine ran by itself appear only when they failed; `history` has every event.
#include <map>

#include "cli/execution_commands.h"
#include "cli/exit_code.h"
#include "common/text_field.h"
#include "common/utc_time.h"

namespace coalition::cli {

using nlohmann::json;

namespace {

std::string when(const std::string& rfc3339) {
  // "2026-12-02T03:00:00.000Z" -> "2026-12-02 03:00Z": minutes are what people read.
  if (rfc3339.size() < 16) return rfc3339;
  return rfc3339.substr(0, 10) + " " + rfc3339.substr(11, 5) + "Z";
}

std::string roles_of(const json& data) {
  std::string out;
  for (const auto& r : data.value("roles", json::array())) {
    out += (out.empty() ? "" : ", ") + r.get<std::string>();
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
  const json& d = e.data;
  const std::string step = e.step.empty() ? "" : " [" + e.step + "]";
  switch (e.type) {
    case EventType::kExecutionStarted: return "started by " + initiator;
    case EventType::kTaskCreated:
      return "task " + short_task(d) + " opened for " + roles_of(d) +
             (d.contains("due") ? ", due " + when(d["due"].get<std::string>()) : "") + step;
    case EventType::kTaskCompleted:
      return d.value("actor", "") + " (" + d.value("role", "") + ") completed task " +
             short_task(d) + step;
    case EventType::kSignalReceived: return "signal '" + d.value("name", "") + "' received" + step;
    case EventType::kReminderDue:
      return "reminder: task " + short_task(d) + " due " + when(d.value("due", ""));
    case EventType::kEscalated:
      return "ESCALATED task " + short_task(d) + " to " + roles_of(d) + ", now due " +
             when(d.value("due", "")) + step;
    case EventType::kDeadlineExpired:
      return "DEADLINE MISSED" + (d.contains("task") ? " task " + short_task(d) : std::string()) +
             " (due " + when(d.value("due", "")) + ")" + step;
    case EventType::kDeadlineExtended:
      return "deadline of task " + short_task(d) + " extended to " + when(d.value("due", ""));
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

}  // namespace

int run_timeline_command(const ExecutionCommandOptions& o, const Installation& installation,
                         std::ostream& out, std::ostream& err) {
  auto view = open_execution(o, installation);
  if (!view) return fail(err, "timeline", view.error());
  const ExecutionRecord& record = view->record;
  auto events = view->events();
  if (!events) return fail(err, "timeline", events.error());
  auto audit = view->audit();
  if (!audit) return fail(err, "timeline", audit.error());

  std::multimap<std::string, std::string> lines;  // ordered by time, then insertion
  for (const auto& e : *events) {
    std::string text = describe_event(e, record.initiator);
    if (e.type == EventType::kStepSucceeded && e.data.contains("output")) {
      const json& output = e.data["output"];  // computed deadlines are worth a line
      if (output.is_object() && output.contains("due_at") && output.contains("rule")) {
        text = "deadline computed: " + output.value("report", "") + " due " +
               when(output.value("due_at", "")) + " (" + output.value("rule", "") + ")";
      }
    }
    if (!text.empty()) lines.emplace(format_utc(e.at), std::move(text));
  }
  for (const auto& a : *audit) {
    json summary = json::parse(a.summary, nullptr, false);
    if (!summary.is_object()) summary = json::object();  // removed by a purge
    if (a.type == "legal_hold_placed" || a.type == "legal_hold_released") {
      lines.emplace(a.at, std::string(a.type == "legal_hold_placed" ? "LEGAL HOLD placed by "
                                                                    : "legal hold released by ") +
                              a.actor + ": " + summary.value("reason", ""));
      continue;
    }
    if (a.type == "purged" || a.type == "purge_skipped") {
      const std::string type = summary.value("record_type", "");
      lines.emplace(a.at, a.type == "purged"
                              ? "PURGED " + type + " data (retention " + summary.value("keep", "") +
                                    " from " + summary.value("from", "") + "); tombstone kept"
                              : "purge of " + type + " data skipped: under legal hold");
      continue;
    }
    if (a.type.size() < 8 || a.type.compare(a.type.size() - 8, 8, "_refused") != 0) continue;
    std::string why = summary.value("message", "");
    if (a.type == "media_refused") {
      why = summary.value("kind", "") + " at " + summary.value("pointer", "") + " (" +
            summary.value("detected_by", "") + "); nothing stored";
    }
    if (a.summary.empty()) why = "(details removed by a purge)";
    lines.emplace(a.at,
                  "REFUSED " + a.actor + (a.role.empty() ? "" : " (" + a.role + ")") + ": " + why);
  }
  out << "timeline of " << printable(o.execution) << " (" << record.workflow_id << "@"
      << record.workflow_version << "), times in UTC\n";
  // Names, reasons and codes come from people and plugins: one escaped line each, so a name
  // holding a newline or an escape sequence cannot forge a line or repaint the terminal.
  for (const auto& [at, text] : lines) {
    out << "  " << when(at) << "  " << printable(text) << "\n";
  }
  return kExitOk;
}

}  // namespace coalition::cli
