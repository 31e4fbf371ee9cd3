// Clock: the engine's seam to time. Every delay (retry backoff, timeouts, waits, workflow
// deadlines) goes through it, so tests drive time with ManualClock instead of sleeping. The wall
// clock, which needs a timer thread, is runtime/system_clock.h; this header names no timer
// library, so the layers that only read the time do not compile one.
#ifndef COALITION_COMMON_CLOCK_H_
#define COALITION_COMMON_CLOCK_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <utility>

#include "common/time_point.h"
#include "common/timer_queue.h"

namespace coalition {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
  // Calls `fn` once, at or after `when`, on some thread; returns an id for cancel(). Thread-safe.
  // `fn` must be cheap (post work elsewhere).
  virtual uint64_t call_at(TimePoint when, std::function<void()> fn) = 0;
  // Cancels a pending call; no effect when it already ran. Thread-safe.
  virtual void cancel(uint64_t id) = 0;
  // The earliest pending call, if any. A call counts as pending until it has returned, so whatever
  // it hands on (work it posts) is begun before the clock stops showing it.
  virtual std::optional<TimePoint> next_due() const = 0;
  // Whether time moves by itself (the wall clock): a caller with work already due may then do
  // it at once instead of through call_at. False (the default) where time moves only when told
  // (ManualClock): due work waits for that, as virtual time requires.
  virtual bool real_time() const { return false; }
};

// Time that moves only when told. advance() runs every call that falls due, in time order, on
// the calling thread. Scheduling and cancelling a call cost O(log n) in the calls pending.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) : now_(start), seen_(start.time_since_epoch().count()) {}
  TimePoint now() const override;
  // The current time without taking the clock's lock: for a log line, which may be written
  // while the clock is busy (never blocks, may be a moment behind a concurrent change).
  TimePoint peek() const { return TimePoint(TimePoint::duration(seen_.load())); }
  uint64_t call_at(TimePoint when, std::function<void()> fn) override;
  void cancel(uint64_t id) override;
  std::optional<TimePoint> next_due() const override;
  // Moves time forward by `d`, running due calls as their instants pass.
  void advance(std::chrono::milliseconds d);
  // Runs the earliest call due at or before `limit`, with time moved to its instant; false when
  // there is none. Lets a caller settle the consequences of each call before the next one.
  bool fire_next(TimePoint limit);
  // Moves time forward to `t` without running anything (no effect if `t` is not later).
  void set_at_least(TimePoint t);

 private:
  void set_now(TimePoint t) {  // mutex_ held
    now_ = t;
    seen_.store(t.time_since_epoch().count());
  }

  mutable std::mutex mutex_;
  TimePoint now_;
  std::atomic<TimePoint::rep> seen_;
  TimerQueue pending_;
  int running_ = 0;  // calls taken out of pending_ that have not returned (their instants are past)
  // Takes the earliest call due at or before `limit` out of the pending ones, with time moved
  // to its instant (mutex_ held).
  std::optional<std::function<void()>> take_due(TimePoint limit);
  // Runs a call take_due returned; it stops counting as running once it has returned.
  void run_taken(std::function<void()>& fn);
};

}  // namespace coalition

#endif  // COALITION_COMMON_CLOCK_H_
