// A timer of one execution: what falls due when, for which frame. Plain data, kept in the
// execution's snapshot as it is here (less the id the clock gave it in this process).
#ifndef COALITION_RUNTIME_EXECUTION_TIMER_H_
#define COALITION_RUNTIME_EXECUTION_TIMER_H_

#include <cstdint>
#include <optional>

#include "common/time_point.h"

namespace coalition {

// Numbered as snapshots store them.
enum class TimerKind : int {
  kWorkflowTimeout = 0,
  kAttemptTimeout = 1,
  kRetry = 2,
  kWait = 3,
  kDeadline = 4,
  kReminder = 5,
};

struct ExecutionTimer {
  TimePoint due;
  TimerKind kind = TimerKind::kWait;
  int64_t frame = 0;
  uint32_t attempt = 0;   // kAttemptTimeout: the attempt it times out; kRetry: the one it starts
  uint32_t level = 0;     // kDeadline: the escalation level the deadline applies to
  uint32_t reminder = 0;  // kReminder: its index in the deadline's remind list
  uint64_t clock_id = 0;  // in this process

  // The one number a snapshot keeps beside the kind: the field above that the kind uses.
  uint32_t stored_argument() const {
    switch (kind) {
      case TimerKind::kAttemptTimeout:
      case TimerKind::kRetry: return attempt;
      case TimerKind::kDeadline: return level;
      case TimerKind::kReminder: return reminder;
      case TimerKind::kWorkflowTimeout:
      case TimerKind::kWait: return 0;
    }
    return 0;
  }
  // A timer as a snapshot kept it (stored_argument() back into its field); nullopt for a kind
  // this code never writes.
  static std::optional<ExecutionTimer> from_stored(TimePoint due, int64_t kind, int64_t frame,
                                                   uint32_t argument) {
    if (kind < static_cast<int>(TimerKind::kWorkflowTimeout) ||
        kind > static_cast<int>(TimerKind::kReminder)) {
      return std::nullopt;
    }
    ExecutionTimer t{.due = due, .kind = static_cast<TimerKind>(kind), .frame = frame};
    switch (t.kind) {
      case TimerKind::kAttemptTimeout:
      case TimerKind::kRetry: t.attempt = argument; break;
      case TimerKind::kDeadline: t.level = argument; break;
      case TimerKind::kReminder: t.reminder = argument; break;
      case TimerKind::kWorkflowTimeout:
      case TimerKind::kWait: break;
    }
    return t;
  }

  bool operator==(const ExecutionTimer&) const = default;
};

}  // namespace coalition

#endif  // COALITION_RUNTIME_EXECUTION_TIMER_H_
