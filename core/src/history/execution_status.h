// ExecutionStatus: where an execution stands, as the engine holds it and the store keeps it.
// Written as its word (to_string) in the store, in documents and in JSON; a word that is not one
// of these is refused where it is read (parse_execution_status), never guessed.
#ifndef COALITION_HISTORY_EXECUTION_STATUS_H_
#define COALITION_HISTORY_EXECUTION_STATUS_H_

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <ostream>
#include <string_view>

namespace coalition {

enum class ExecutionStatus {
  kRunning,    // steps are being run, or are due
  kWaiting,    // parked on people, a signal or a timer (stored only: in memory it is running)
  kSucceeded,  // finished with an output
  kFailed,     // finished with an error
  kCancelled,  // stopped by a person
};
inline constexpr ExecutionStatus kAllExecutionStatuses[] = {
    ExecutionStatus::kRunning, ExecutionStatus::kWaiting, ExecutionStatus::kSucceeded,
    ExecutionStatus::kFailed, ExecutionStatus::kCancelled};

std::string_view to_string(ExecutionStatus status);
std::optional<ExecutionStatus> parse_execution_status(std::string_view text);
// Succeeded, failed or cancelled: nothing will run again (unless a person retries a failure).
bool is_finished(ExecutionStatus status);

// As its word, in JSON and in messages; reading JSON refuses an unknown word (json::type_error).
void to_json(nlohmann::json& j, ExecutionStatus status);
void from_json(const nlohmann::json& j, ExecutionStatus& status);
std::ostream& operator<<(std::ostream& out, ExecutionStatus status);

}  // namespace coalition

#endif  // COALITION_HISTORY_EXECUTION_STATUS_H_
