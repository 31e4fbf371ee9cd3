#include "runtime/system_clock.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/system_timer.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

namespace coalition {

namespace {

struct WallTimer {
  explicit WallTimer(boost::asio::io_context& io) : timer(io) {}
  boost::asio::system_timer timer;
  TimePoint when;
};

}  // namespace

// The timer thread and what it waits on. Here rather than in the header, so only this file
// compiles Asio for the wall clock.
struct SystemClock::State {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::thread thread;
  std::mutex mutex;
  uint64_t next_id = 1;
  std::map<uint64_t, std::shared_ptr<WallTimer>> timers;
};

SystemClock::SystemClock() : state_(std::make_unique<State>()) {
  state_->thread = std::thread([s = state_.get()] { s->io.run(); });
}

SystemClock::~SystemClock() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    for (auto& [id, t] : state_->timers) t->timer.cancel();
    state_->timers.clear();
  }
  state_->work.reset();
  state_->io.stop();
  state_->thread.join();
}

uint64_t SystemClock::call_at(TimePoint when, std::function<void()> fn) {
  auto timer = std::make_shared<WallTimer>(state_->io);
  timer->when = when;
  // The Asio timer counts in nanoseconds (it ends in 2262): a later instant waits until then,
  // which is the same as waiting for ever on any machine that runs this.
  using Ns = std::chrono::system_clock::time_point;
  const TimePoint last = std::chrono::floor<std::chrono::microseconds>(Ns::max());
  const TimePoint first = std::chrono::ceil<std::chrono::microseconds>(Ns::min());
  timer->timer.expires_at(when > last ? Ns::max() : when < first ? Ns() : Ns(when));
  uint64_t id = 0;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    id = state_->next_id++;
    state_->timers[id] = timer;
  }
  timer->timer.async_wait(
      [s = state_.get(), id, fn = std::move(fn)](const boost::system::error_code& ec) {
        {
          std::lock_guard<std::mutex> lock(s->mutex);
          if (s->timers.erase(id) == 0 || ec) return;  // cancelled
        }
        fn();
      });
  return id;
}

void SystemClock::cancel(uint64_t id) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  auto it = state_->timers.find(id);
  if (it == state_->timers.end()) return;
  it->second->timer.cancel();
  state_->timers.erase(it);
}

std::optional<TimePoint> SystemClock::next_due() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  std::optional<TimePoint> earliest;
  for (const auto& [id, t] : state_->timers) {
    if (!earliest || t->when < *earliest) earliest = t->when;
  }
  return earliest;
}

}  // namespace coalition
