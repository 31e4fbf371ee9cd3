// TaskStatus: where a human task stands. Open until one of the four ends; written as its word
// (to_string) in the store, in documents and in JSON; an unknown word is refused where it is read.
#ifndef COALITION_HISTORY_TASK_STATUS_H_
#define COALITION_HISTORY_TASK_STATUS_H_

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <ostream>
#include <string_view>

namespace coalition {

enum class TaskStatus {
  kOpen,       // waiting for its people
  kCompleted,  // answered (and its quorum met)
  kFailed,     // its step failed while it was open (a refused answer, a plugin failure)
  kExpired,    // its deadline passed and its expiry action ran
  kCancelled,  // its execution or its branch was cancelled, or the step left another way
};
inline constexpr TaskStatus kAllTaskStatuses[] = {TaskStatus::kOpen, TaskStatus::kCompleted,
                                                  TaskStatus::kFailed, TaskStatus::kExpired,
                                                  TaskStatus::kCancelled};

std::string_view to_string(TaskStatus status);
std::optional<TaskStatus> parse_task_status(std::string_view text);

// As its word, in JSON and in messages; reading JSON refuses an unknown word (json::type_error).
void to_json(nlohmann::json& j, TaskStatus status);
void from_json(const nlohmann::json& j, TaskStatus& status);
std::ostream& operator<<(std::ostream& out, TaskStatus status);

}  // namespace coalition

#endif  // COALITION_HISTORY_TASK_STATUS_H_
