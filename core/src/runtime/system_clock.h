// SystemClock: wall-clock time for the engine in real time (the server, the worker). Calls run on
// the clock's own timer thread; the thread and its timers live in the .cc file, so a file that
// names this clock does not compile Asio.
#ifndef COALITION_RUNTIME_SYSTEM_CLOCK_H_
#define COALITION_RUNTIME_SYSTEM_CLOCK_H_

#include <memory>

#include "common/clock.h"
#include "common/utc_time.h"

namespace coalition {

class SystemClock final : public Clock {
 public:
  SystemClock();
  ~SystemClock() override;
  SystemClock(const SystemClock&) = delete;
  SystemClock& operator=(const SystemClock&) = delete;
  TimePoint now() const override { return utc_now(); }
  uint64_t call_at(TimePoint when, std::function<void()> fn) override;
  void cancel(uint64_t id) override;
  std::optional<TimePoint> next_due() const override;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace coalition

#endif  // COALITION_RUNTIME_SYSTEM_CLOCK_H_
