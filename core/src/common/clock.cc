#include "common/clock.h"

namespace coalition {

TimePoint ManualClock::now() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return now_;
}

uint64_t ManualClock::call_at(TimePoint when, std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(mutex_);
  return pending_.add(when, std::move(fn));
}

void ManualClock::cancel(uint64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  pending_.cancel(id);
}

std::optional<std::function<void()>> ManualClock::take_due(TimePoint limit) {
  auto due = pending_.take_due(limit);
  if (!due) return std::nullopt;
  if (due->when > now_) set_now(due->when);
  ++running_;
  return std::move(due->call);
}

std::optional<TimePoint> ManualClock::next_due() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (running_ > 0) return now_;  // a running call's instant is past: it is due now
  return pending_.next_due();
}

void ManualClock::run_taken(std::function<void()>& fn) {
  fn();
  fn = nullptr;  // its captures go while it still counts as running
  std::lock_guard<std::mutex> lock(mutex_);
  --running_;
}

void ManualClock::advance(std::chrono::milliseconds d) {
  TimePoint target;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    target = now_ + d;
  }
  for (;;) {
    std::optional<std::function<void()>> fn;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      fn = take_due(target);
      if (!fn) {
        set_now(target);
        return;
      }
    }
    run_taken(*fn);
  }
}

bool ManualClock::fire_next(TimePoint limit) {
  std::optional<std::function<void()>> fn;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    fn = take_due(limit);
    if (!fn) return false;
  }
  run_taken(*fn);
  return true;
}

void ManualClock::set_at_least(TimePoint t) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (t > now_) set_now(t);
}

}  // namespace coalition
