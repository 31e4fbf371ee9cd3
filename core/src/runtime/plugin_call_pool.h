// PluginCallPool: the threads plugin calls run on, and the watch over calls that do not come
// back. A call into a plugin in this process cannot be interrupted: when one outlives its time
// limit, the pool gives up on it — the caller learns at once (`overdue` runs), and another
// thread takes the abandoned one's place, so a few hung calls never starve healthy executions.
// The abandoned ("stranded") thread ends when, if ever, its call returns; its late result is the
// caller's to ignore. At most `max_stranded` threads are abandoned at a time: past that the
// pool stops replacing them (it would only pile up threads stuck in one plugin) and says so.
//
// Isolated plugins enforce their limit themselves (the host is killed); the pool's watch then
// never fires, because it waits a grace period longer.
#ifndef COALITION_RUNTIME_PLUGIN_CALL_POOL_H_
#define COALITION_RUNTIME_PLUGIN_CALL_POOL_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <thread>

namespace coalition {

class PluginCallPool {
 public:
  using Clock = std::chrono::steady_clock;
  // The margin past a call's own limit before the pool gives up on it (by default).
  static constexpr std::chrono::milliseconds kGrace{2000};

  struct Job {
    // Runs the plugin; returns what hands its result over, which the pool runs unless it gave
    // up on the call meanwhile (a late result is dropped on the stranded thread).
    std::function<std::function<void()>()> call;
    // How long `call` may run once started (its step's timeout, else the default).
    std::chrono::milliseconds time_limit{0};
    // Runs once, on the watch thread, when `call` has not returned within time_limit + the
    // pool's grace; 0: no limit. May be empty.
    std::function<void()> overdue;
    // Runs exactly once, after `call` returned and its result was handed over, or after
    // `overdue`: the job is over for the caller. May be empty.
    std::function<void()> done;
  };

  PluginCallPool(size_t threads, size_t max_stranded, std::chrono::milliseconds grace = kGrace);
  ~PluginCallPool();  // join()
  PluginCallPool(const PluginCallPool&) = delete;
  PluginCallPool& operator=(const PluginCallPool&) = delete;

  void post(Job job);
  // Runs what is queued, waits for the calls in progress that are not overdue, and stops the
  // threads. Stranded threads are left to their calls (detached).
  void join();

  // Threads abandoned to calls that have not returned yet, in this pool / in every pool of the
  // process. A process with stranded threads should end without running static destructors
  // (quick_exit): those threads are still inside plugins, which may touch what they destroy.
  size_t stranded() const;
  static size_t stranded_in_process();

 private:
  struct State;  // shared with the threads: a stranded thread may outlive the pool
  std::shared_ptr<State> state_;
  std::thread watcher_;
};

}  // namespace coalition

#endif  // COALITION_RUNTIME_PLUGIN_CALL_POOL_H_
