#include "runtime/clock.h"

#include <boost/asio/system_timer.hpp>
#include <vector>

namespace coalition {

struct SystemClock::Timer {
  explicit Timer(boost::asio::io_context& io) : timer(io) {}
  boost::asio::system_timer timer;
  TimePoint when;
};

SystemClock::SystemClock()
    : work_(std::make_unique<
            boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(
          io_.get_executor())),
      thread_([this] { io_.run(); }) {}

SystemClock::~SystemClock() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [id, t] : timers_) t->timer.cancel();
    timers_.clear();
  }
  work_.reset();
  io_.stop();
  thread_.join();
}

uint64_t SystemClock::call_at(TimePoint when, std::function<void()> fn) {
  auto timer = std::make_shared<Timer>(io_);
  timer->when = when;
  // The Asio timer counts in nanoseconds (it ends in 2262): a later instant waits until then,
  // which is the same as waiting for ever on any machine that runs this.
  using Ns = std::chrono::system_clock::time_point;
  const TimePoint last = std::chrono::floor<std::chrono::microseconds>(Ns::max());
  const TimePoint first = std::chrono::ceil<std::chrono::microseconds>(Ns::min());
  timer->timer.expires_at(when > last ? Ns::max() : when < first ? Ns() : Ns(when));
  uint64_t id = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    id = next_id_++;
    timers_[id] = timer;
  }
  timer->timer.async_wait([this, id, fn = std::move(fn)](const boost::system::error_code& ec) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (timers_.erase(id) == 0 || ec) return;  // cancelled
    }
    fn();
  });
  return id;
}

void SystemClock::cancel(uint64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = timers_.find(id);
  if (it == timers_.end()) return;
  it->second->timer.cancel();
  timers_.erase(it);
}

std::optional<TimePoint> SystemClock::next_due() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::optional<TimePoint> earliest;
  for (const auto& [id, t] : timers_) {
    if (!earliest || t->when < *earliest) earliest = t->when;
  }
  return earliest;
}

TimePoint ManualClock::now() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return now_;
}

uint64_t ManualClock::call_at(TimePoint when, std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(mutex_);
  const uint64_t id = next_id_++;
  pending_.emplace(when, std::make_pair(id, std::move(fn)));
  return id;
}

void ManualClock::cancel(uint64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = pending_.begin(); it != pending_.end(); ++it) {
    if (it->second.first == id) {
      pending_.erase(it);
      return;
    }
  }
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
    std::function<void()> fn;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = pending_.begin();
      if (it == pending_.end() || it->first > target) {
        set_now(target);
        return;
      }
      if (it->first > now_) set_now(it->first);
      fn = std::move(it->second.second);
      pending_.erase(it);
    }
    fn();
  }
}

bool ManualClock::fire_next(TimePoint limit) {
  std::function<void()> fn;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = pending_.begin();
    if (it == pending_.end() || it->first > limit) return false;
    if (it->first > now_) set_now(it->first);
    fn = std::move(it->second.second);
    pending_.erase(it);
  }
  fn();
  return true;
}

void ManualClock::set_at_least(TimePoint t) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (t > now_) set_now(t);
}

}  // namespace coalition
