#include "history/task_status.h"

#include <nlohmann/json.hpp>
#include <string>

namespace coalition {

std::string_view to_string(TaskStatus status) {
  switch (status) {
    case TaskStatus::kOpen: return "open";
    case TaskStatus::kCompleted: return "completed";
    case TaskStatus::kFailed: return "failed";
    case TaskStatus::kExpired: return "expired";
    case TaskStatus::kCancelled: return "cancelled";
  }
  return "unknown";
}

std::optional<TaskStatus> parse_task_status(std::string_view text) {
  for (const auto status : kAllTaskStatuses) {
    if (to_string(status) == text) return status;
  }
  return std::nullopt;
}

void to_json(nlohmann::json& j, TaskStatus status) {
  j = std::string(to_string(status));
}

// The library's own type_error, as for ExecutionStatus.
void from_json(const nlohmann::json& j, TaskStatus& status) {
  const auto parsed =
      j.is_string() ? parse_task_status(j.get_ref<const std::string&>()) : std::nullopt;
  if (!parsed) {
    throw nlohmann::json::type_error::create(
        302, "a task status must be open, completed, failed, expired or cancelled", &j);
  }
  status = *parsed;
}

std::ostream& operator<<(std::ostream& out, TaskStatus status) {
  return out << to_string(status);
}

}  // namespace coalition
