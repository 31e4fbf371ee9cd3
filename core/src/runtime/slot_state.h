// Where one slot of a join (a parallel branch, a map item, a sub-workflow) stands.
#ifndef COALITION_RUNTIME_SLOT_STATE_H_
#define COALITION_RUNTIME_SLOT_STATE_H_

#include <cstdint>
#include <optional>

namespace coalition {

// The numbers are what a snapshot stores; slot_state_from() refuses any other.
enum class SlotState : uint8_t { kNotStarted = 0, kRunning = 1, kSucceeded = 2, kFailed = 3 };

inline int slot_state_number(SlotState s) {
  return static_cast<int>(s);
}
inline std::optional<SlotState> slot_state_from(int64_t n) {
  if (n < 0 || n > 3) return std::nullopt;
  return static_cast<SlotState>(n);
}

}  // namespace coalition

#endif  // COALITION_RUNTIME_SLOT_STATE_H_
