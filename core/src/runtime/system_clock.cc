#include "runtime/system_clock.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/timer_queue.h"

namespace coalition {

namespace {

// The longest the timer thread sleeps at once. An instant centuries ahead would overflow the
// nanosecond clock a wait converts to; waking hourly to look again costs nothing.
constexpr auto kLongestWait = std::chrono::hours(1);

}  // namespace

// One queue and one thread waiting on a condition variable for its earliest instant. The
// earlier design armed an Asio timer per call: each call made or run that changed the earliest
// instant re-armed the kernel's timer (a timerfd_settime system call, ~15 µs on this VM), which
// took a third of the scheduler thread's time when a crowd of parked executions fell due and
// each re-armed its already-due timers on reload.
struct SystemClock::State {
  mutable std::mutex mutex;
  std::condition_variable changed;
  TimerQueue queue;
  bool stopping = false;
  std::optional<TimePoint> running;  // the instant of the call running, which next_due shows
  std::thread thread;

  // A call is taken out of the queue only when it runs, so cancel() stops any call not yet
  // running, as the contract says; the lock is dropped while it runs, so a call may schedule
  // or cancel others.
  void run() {
    std::unique_lock<std::mutex> lock(mutex);
    while (!stopping) {
      const TimePoint now = utc_now();
      if (auto due = queue.take_due(now)) {
        running = due->when;
        lock.unlock();
        due->call();
        due->call = nullptr;  // its captures go before the lock is taken again
        lock.lock();
        running.reset();
        continue;
      }
      const auto next = queue.next_due();
      if (!next) {
        changed.wait(lock);
      } else {
        changed.wait_until(lock, std::min(*next, now + kLongestWait));
      }
    }
  }
};

SystemClock::SystemClock() : state_(std::make_unique<State>()) {
  state_->thread = std::thread([s = state_.get()] { s->run(); });
}

SystemClock::~SystemClock() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stopping = true;
  }
  state_->changed.notify_all();
  state_->thread.join();
  state_->queue.clear();
}

// Only a call that becomes the earliest wakes the thread: any other falls due after one the
// thread already waits for.
uint64_t SystemClock::call_at(TimePoint when, std::function<void()> fn) {
  uint64_t id = 0;
  bool earliest = false;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    const auto before = state_->queue.next_due();
    id = state_->queue.add(when, std::move(fn));
    earliest = !before || when < *before;
  }
  if (earliest) state_->changed.notify_one();
  return id;
}

// A cancelled earliest call leaves the thread waiting for its instant; it then finds nothing
// due and waits for the next. No wake-up is worth a system call here.
void SystemClock::cancel(uint64_t id) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->queue.cancel(id);
}

// A running call is shown until it returns: its instant is past, so it is the earliest.
std::optional<TimePoint> SystemClock::next_due() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  if (state_->running) return state_->running;
  return state_->queue.next_due();
}

}  // namespace coalition
