// Event: one state change of an execution. The history of an execution is its events in order;
// every change passes through Engine::record(), the one place a store hooks into.
#ifndef COALITION_HISTORY_EVENT_H_
#define COALITION_HISTORY_EVENT_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/notification_kind.h"
#include "common/time_point.h"

namespace coalition {

enum class EventType {
  kExecutionStarted,    // data: input
  kStepScheduled,       // data: kind
  kAttemptStarted,      // data: attempt, idempotency_key, plugin {id, version, sha256}
  kStepSucceeded,       // data: output
  kRetryScheduled,      // data: attempt (the failed one), delay, error
  kStepFailed,          // data: error
  kStepSuspended,       // data: wait, task_token
  kBranchTaken,         // choice: next, rule (index or "default")
  kCatchTaken,          // data: error, next
  kWaitStarted,         // data: until
  kExecutionCompleted,  // data: output
  kExecutionFailed,     // data: error
  kTaskCreated,         // data: task, roles, organisation, due
  kTaskCompleted,       // data: task, actor, role, votes (one completion; quorum may need more)
  kSignalReceived,      // data: name
  kReminderDue,         // data: task, due
  kDeadlineExtended,    // data: task, due, previous, actor, justification
  kEscalated,           // data: task, level, roles, due, released (the claim it ended)
  kDeadlineExpired,     // data: task, action
  kExecutionCancelled,  // data: actor, justification
  kExecutionRetried,    // data: actor, justification, error (the failure's code), steps (re-run)
  kTaskClaimed,         // data: task, assignee (who claimed it)
  kTaskReleased,        // data: task, previous (the holder it had), actor
  kTaskReassigned,      // data: task, assignee, previous (if any), actor, justification
  // A suspended step resumes under another version of its plugin (the same major) than the
  // one it started under. data: plugin, from, to, sha256
  kPluginChanged,
  // A coordinator moved the execution to another version of its workflow (Execution::migrate).
  // data: actor, justification, from, to (workflow keys), steps ([{from, to}] paths renamed),
  // changes (what changed, in words)
  kExecutionMigrated,
};
inline constexpr EventType kLastEventType = EventType::kExecutionMigrated;

std::string_view to_string(EventType type);
// The notification an event of this type owes a task's people, if any.
std::optional<NotificationKind> notification_kind(EventType type);
std::optional<EventType> parse_event_type(std::string_view text);

struct Event {
  uint64_t seq = 0;  // 1, 2, 3 ... within the execution
  TimePoint at;
  EventType type;
  std::string step;  // path of the step: "review", "fanout[bank]/check", "each[2]/notify"
  // The data as compact JSON text with its keys in order (nlohmann's dump), the very text the
  // store keeps and the event's digest covers. Kept as text, not a document: an execution records
  // a few events per step and most are never read again, so building, holding and freeing a
  // document for each was most of an in-memory step's cost (event_payload.h writes the common
  // ones straight to text).
  std::string payload = "{}";

  // The data parsed (a copy): always an object, empty when the payload is not a JSON object,
  // which only a damaged store row can hold. Parse once and keep the copy: each call parses
  // again.
  nlohmann::json data() const;
  nlohmann::json to_json() const;
};

// Receives every event right after it is recorded, on the execution's thread, in order; on a
// durable engine, before the event is committed (an execution the store refuses may have told
// the sink about events the store never held).
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void on_event(const std::string& execution_id, const Event& event) = 0;
};

}  // namespace coalition

#endif  // COALITION_HISTORY_EVENT_H_
