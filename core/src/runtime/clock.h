// Clock: the engine's seam to time. Every delay (retry backoff, timeouts, waits, workflow
// deadlines) goes through it, so tests drive time with ManualClock instead of sleeping.
#ifndef COALITION_RUNTIME_CLOCK_H_
#define COALITION_RUNTIME_CLOCK_H_

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "common/utc_time.h"

namespace coalition {

// Instants to the microsecond: every year from 0001 to 9999 fits (the library's nanosecond
// clock ends in 2262), so a timestamp anyone may write can be held and compared.
using TimePoint = UtcMicros;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
  // Calls `fn` once, at or after `when`, on some thread; returns an id for cancel(). Thread-safe.
  // `fn` must be cheap (post work elsewhere).
  virtual uint64_t call_at(TimePoint when, std::function<void()> fn) = 0;
  // Cancels a pending call; no effect when it already ran. Thread-safe.
  virtual void cancel(uint64_t id) = 0;
  // The earliest pending call, if any.
  virtual std::optional<TimePoint> next_due() const = 0;
};

// Wall-clock time; calls run on the clock's own timer thread (Asio timers).
class SystemClock final : public Clock {
 public:
  SystemClock();
  ~SystemClock() override;
  TimePoint now() const override { return utc_now(); }
  uint64_t call_at(TimePoint when, std::function<void()> fn) override;
  void cancel(uint64_t id) override;
  std::optional<TimePoint> next_due() const override;

 private:
  struct Timer;
  boost::asio::io_context io_;
  std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread thread_;
  mutable std::mutex mutex_;
  uint64_t next_id_ = 1;
  std::map<uint64_t, std::shared_ptr<Timer>> timers_;
};

// Time that moves only when told. advance() runs every call that falls due, in time order, on
// the calling thread.
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
  uint64_t next_id_ = 1;
  std::multimap<TimePoint, std::pair<uint64_t, std::function<void()>>> pending_;
};

}  // namespace coalition

#endif  // COALITION_RUNTIME_CLOCK_H_
