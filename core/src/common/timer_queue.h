// TimerQueue: calls waiting for their instants, for the clocks (ManualClock here, the wall clock
// in runtime/system_clock.h). Adding a call, cancelling one and taking the earliest each cost
// O(log n) in the calls pending, so a million parked deadlines cost no more per operation than
// a dozen. Calls due at the same instant come out in the order they were added. Not
// thread-safe: the clock that owns a queue locks around it.
#ifndef COALITION_COMMON_TIMER_QUEUE_H_
#define COALITION_COMMON_TIMER_QUEUE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>

#include "common/time_point.h"

namespace coalition {

class TimerQueue {
 public:
  using Call = std::function<void()>;
  struct Due {
    TimePoint when;
    Call call;
  };

  // Returns the call's id (never 0) for cancel().
  uint64_t add(TimePoint when, Call call);
  // False when no such call is pending (it was taken, cancelled, or never added).
  bool cancel(uint64_t id);
  // The earliest call due at or before `limit`, taken out of the queue; nullopt when none is.
  std::optional<Due> take_due(TimePoint limit);
  std::optional<TimePoint> next_due() const;
  size_t size() const { return by_id_.size(); }
  // Drops every pending call (their captures are destroyed by the caller's thread).
  void clear();

 private:
  using Pending = std::multimap<TimePoint, std::pair<uint64_t, Call>>;
  uint64_t next_id_ = 1;
  Pending pending_;
  std::unordered_map<uint64_t, Pending::iterator> by_id_;
};

}  // namespace coalition

#endif  // COALITION_COMMON_TIMER_QUEUE_H_
