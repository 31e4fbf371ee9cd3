#include "runtime/event.h"

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
  }
  return "unknown";
}

nlohmann::json Event::to_json() const {
  nlohmann::json doc{{"seq", seq}, {"at", format_utc(at)}, {"type", to_string(type)}};
  if (!step.empty()) doc["step"] = step;
  if (!data.empty()) doc["data"] = data;
  return doc;
}

}  // namespace coalition
