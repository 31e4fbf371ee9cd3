#include "history/execution_status.h"

#include <nlohmann/json.hpp>
#include <string>

namespace coalition {

std::string_view to_string(ExecutionStatus status) {
  switch (status) {
    case ExecutionStatus::kRunning: return "running";
    case ExecutionStatus::kWaiting: return "waiting";
    case ExecutionStatus::kSucceeded: return "succeeded";
    case ExecutionStatus::kFailed: return "failed";
    case ExecutionStatus::kCancelled: return "cancelled";
  }
  return "unknown";
}

std::optional<ExecutionStatus> parse_execution_status(std::string_view text) {
  for (const auto status : kAllExecutionStatuses) {
    if (to_string(status) == text) return status;
  }
  return std::nullopt;
}

bool is_finished(ExecutionStatus status) {
  return status == ExecutionStatus::kSucceeded || status == ExecutionStatus::kFailed ||
         status == ExecutionStatus::kCancelled;
}

void to_json(nlohmann::json& j, ExecutionStatus status) {
  j = std::string(to_string(status));
}

// The library's own type_error, so a snapshot or document reader that already turns
// json::exception into kInvalidData names this field the same way.
void from_json(const nlohmann::json& j, ExecutionStatus& status) {
  const auto parsed =
      j.is_string() ? parse_execution_status(j.get_ref<const std::string&>()) : std::nullopt;
  if (!parsed) {
    throw nlohmann::json::type_error::create(
        302, "an execution status must be running, waiting, succeeded, failed or cancelled", &j);
  }
  status = *parsed;
}

std::ostream& operator<<(std::ostream& out, ExecutionStatus status) {
  return out << to_string(status);
}

}  // namespace coalition
