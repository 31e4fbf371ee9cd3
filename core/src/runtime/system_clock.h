// SystemClock: wall-clock time for the engine in real time (the server, the worker). Calls run
// on the clock's own timer thread, one at a time, in time order (calls due together in the order
// they were made). Scheduling and cancelling cost O(log n) in the calls pending, and a crowd of
// calls falling due together costs one wake-up of the thread, not one per call.
#ifndef COALITION_RUNTIME_SYSTEM_CLOCK_H_
#define COALITION_RUNTIME_SYSTEM_CLOCK_H_

#include <memory>

#include "common/clock.h"
#include "common/utc_time.h"

namespace coalition {

class SystemClock final : public Clock {
 public:
  SystemClock();
  // Stops the timer thread (after the call it is running, if any); pending calls never run.
  ~SystemClock() override;
  SystemClock(const SystemClock&) = delete;
  SystemClock& operator=(const SystemClock&) = delete;
  TimePoint now() const override { return utc_now(); }
  uint64_t call_at(TimePoint when, std::function<void()> fn) override;
  void cancel(uint64_t id) override;
  std::optional<TimePoint> next_due() const override;
  bool real_time() const override { return true; }

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace coalition

#endif  // COALITION_RUNTIME_SYSTEM_CLOCK_H_
