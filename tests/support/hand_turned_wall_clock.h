// HandTurnedWallClock: time turned by hand (a ManualClock inside) but saying it moves by itself
// (real_time), counting the calls made on it: what the engine does on the wall clock — timers
// already due fire at once — driven step by step by a test.
#ifndef COALITION_TESTS_SUPPORT_HAND_TURNED_WALL_CLOCK_H_
#define COALITION_TESTS_SUPPORT_HAND_TURNED_WALL_CLOCK_H_

#include <atomic>
#include <functional>
#include <optional>

#include "common/clock.h"

namespace coalition::test {

class HandTurnedWallClock final : public Clock {
 public:
  explicit HandTurnedWallClock(TimePoint start) : inner(start) {}
  TimePoint now() const override { return inner.now(); }
  uint64_t call_at(TimePoint when, std::function<void()> fn) override {
    ++calls;
    return inner.call_at(when, std::move(fn));
  }
  void cancel(uint64_t id) override { inner.cancel(id); }
  std::optional<TimePoint> next_due() const override { return inner.next_due(); }
  bool real_time() const override { return true; }

  ManualClock inner;
  std::atomic<int> calls{0};
};

}  // namespace coalition::test

#endif  // COALITION_TESTS_SUPPORT_HAND_TURNED_WALL_CLOCK_H_
