#include "history/event.h"

#include "common/utc_time.h"

namespace coalition {

std::string_view to_string(EventType type) {
  switch (type) {
    case EventType::kExecutionStarted: return "execution_started";
    case EventType::kStepScheduled: return "step_scheduled";
    case EventType::kAttemptStarted: return "attempt_started";
    case EventType::kStepSucceeded: return "step_succeeded";
    case EventType::kRetryScheduled: return "retry_scheduled";
    case EventType::kStepFailed: return "step_failed";
    case EventType::kStepSuspended: return "step_suspended";
    case EventType::kBranchTaken: return "branch_taken";
    case EventType::kCatchTaken: return "catch_taken";
    case EventType::kWaitStarted: return "wait_started";
    case EventType::kExecutionCompleted: return "execution_completed";
    case EventType::kExecutionFailed: return "execution_failed";
    case EventType::kTaskCreated: return "task_created";
    case EventType::kTaskCompleted: return "task_completed";
    case EventType::kSignalReceived: return "signal_received";
    case EventType::kReminderDue: return "reminder_due";
    case EventType::kDeadlineExtended: return "deadline_extended";
    case EventType::kEscalated: return "escalated";
    case EventType::kDeadlineExpired: return "deadline_expired";
    case EventType::kExecutionCancelled: return "execution_cancelled";
    case EventType::kExecutionRetried: return "execution_retried";
    case EventType::kTaskClaimed: return "task_claimed";
    case EventType::kTaskReleased: return "task_released";
    case EventType::kTaskReassigned: return "task_reassigned";
    case EventType::kPluginChanged: return "plugin_changed";
    case EventType::kExecutionMigrated: return "execution_migrated";
  }
  return "unknown";
}

std::optional<NotificationKind> notification_kind(EventType type) {
  switch (type) {
    case EventType::kTaskCreated: return NotificationKind::kTaskOpened;
    case EventType::kReminderDue: return NotificationKind::kReminder;
    case EventType::kEscalated: return NotificationKind::kEscalated;
    case EventType::kDeadlineExpired: return NotificationKind::kDeadlineExpired;
    default: return std::nullopt;
  }
}

std::optional<EventType> parse_event_type(std::string_view text) {
  for (int i = 0; i <= static_cast<int>(kLastEventType); ++i) {
    const auto type = static_cast<EventType>(i);
    if (to_string(type) == text) return type;
  }
  return std::nullopt;
}

nlohmann::json Event::data() const {
  nlohmann::json d = nlohmann::json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!d.is_object()) return nlohmann::json::object();
  return d;
}

nlohmann::json Event::to_json() const {
  nlohmann::json doc{{"seq", seq}, {"at", format_utc(at)}, {"type", to_string(type)}};
  if (!step.empty()) doc["step"] = step;
  if (nlohmann::json d = data(); !d.empty()) doc["data"] = std::move(d);
  return doc;
}

}  // namespace coalition
