#include "common/timer_queue.h"

namespace coalition {

// emplace puts a key equal to others after them, which is what keeps calls due together in the
// order they were added.
uint64_t TimerQueue::add(TimePoint when, Call call) {
  const uint64_t id = next_id_++;
  by_id_.emplace(id, pending_.emplace(when, std::make_pair(id, std::move(call))));
  return id;
}

bool TimerQueue::cancel(uint64_t id) {
  const auto it = by_id_.find(id);
  if (it == by_id_.end()) return false;
  pending_.erase(it->second);
  by_id_.erase(it);
  return true;
}

std::optional<TimerQueue::Due> TimerQueue::take_due(TimePoint limit) {
  const auto it = pending_.begin();
  if (it == pending_.end() || it->first > limit) return std::nullopt;
  Due due{it->first, std::move(it->second.second)};
  by_id_.erase(it->second.first);
  pending_.erase(it);
  return due;
}

std::optional<TimePoint> TimerQueue::next_due() const {
  if (pending_.empty()) return std::nullopt;
  return pending_.begin()->first;
}

void TimerQueue::clear() {
  by_id_.clear();
  pending_.clear();
}

}  // namespace coalition
