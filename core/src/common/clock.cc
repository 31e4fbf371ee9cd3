#include "common/clock.h"

namespace coalition {

TimePoint ManualClock::now() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return now_;
}

uint64_t ManualClock::call_at(TimePoint when, std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(mutex_);
  const uint64_t id = next_id_++;
  by_id_.emplace(id, pending_.emplace(when, std::make_pair(id, std::move(fn))));
  return id;
}

void ManualClock::cancel(uint64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return;
  pending_.erase(it->second);
  by_id_.erase(it);
}

std::optional<std::function<void()>> ManualClock::take_due(TimePoint limit) {
  auto it = pending_.begin();
  if (it == pending_.end() || it->first > limit) return std::nullopt;
  if (it->first > now_) set_now(it->first);
  std::function<void()> fn = std::move(it->second.second);
  by_id_.erase(it->second.first);
  pending_.erase(it);
  return fn;
}

std::optional<TimePoint> ManualClock::next_due() const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (pending_.empty()) return std::nullopt;
  return pending_.begin()->first;
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
    (*fn)();
  }
}

bool ManualClock::fire_next(TimePoint limit) {
  std::optional<std::function<void()>> fn;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    fn = take_due(limit);
    if (!fn) return false;
  }
  (*fn)();
  return true;
}

void ManualClock::set_at_least(TimePoint t) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (t > now_) set_now(t);
}

}  // namespace coalition
