#include "runtime/plugin_call_pool.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

#include "runtime/crash_journal.h"

namespace coalition {
namespace {

std::atomic<size_t> g_stranded{0};  // in every pool of the process

}  // namespace

// Everything the threads touch. Workers and the watch thread hold it by shared_ptr, so a
// stranded worker whose call returns after the pool is gone still finds its state.
struct PluginCallPool::State {
  struct Running {
    std::shared_ptr<Job> job;
    Clock::time_point give_up_at;
  };

  size_t max_stranded = 0;
  std::chrono::milliseconds grace{0};
  std::mutex mutex;
  std::condition_variable work_ready;
  std::condition_variable watch_wakes;
  std::condition_variable idle;
  std::deque<std::shared_ptr<Job>> queue;
  std::map<size_t, Running> running;      // worker -> the call it is in
  std::map<size_t, std::thread> workers;  // the workers not abandoned
  size_t live = 0;                        // workers not abandoned whose loop still runs
  size_t next_worker = 0;
  size_t stranded = 0;
  bool stopping = false;
  bool watch_stops = false;

  static void work(const std::shared_ptr<State>& self, size_t worker);
  static void watch(const std::shared_ptr<State>& self);
  static void start_worker(const std::shared_ptr<State>& self);  // mutex held
};

void PluginCallPool::State::start_worker(const std::shared_ptr<State>& self) {
  const size_t id = self->next_worker++;
  ++self->live;
  self->workers.emplace(id, std::thread([self, id] { work(self, id); }));
}

void PluginCallPool::State::work(const std::shared_ptr<State>& self, size_t worker) {
  CrashJournal::use_alternate_signal_stack();  // a stack overflow in a plugin is journalled too
  std::unique_lock<std::mutex> lock(self->mutex);
  for (;;) {
    self->work_ready.wait(lock, [&] { return self->stopping || !self->queue.empty(); });
    if (self->queue.empty()) break;  // stopping, and nothing left
    std::shared_ptr<Job> job = std::move(self->queue.front());
    self->queue.pop_front();
    const Clock::time_point give_up_at = job->time_limit.count() > 0
                                             ? Clock::now() + job->time_limit + self->grace
                                             : Clock::time_point::max();
    self->running[worker] = Running{job, give_up_at};
    self->watch_wakes.notify_one();
    lock.unlock();
    std::function<void()> deliver;
    try {
      deliver = job->call();
    } catch (const std::exception& e) {  // jobs turn failures into outcomes; this is a bug
      spdlog::error("plugin call: unexpected exception: {}", e.what());
    } catch (...) {
      spdlog::error("plugin call: unexpected exception");
    }
    lock.lock();
    if (self->running.erase(worker) == 0) {  // given up on: this thread is no longer the pool's
      --self->stranded;
      g_stranded.fetch_sub(1, std::memory_order_release);
      lock.unlock();
      return;  // `deliver` and the job go with the thread; nobody waits for them
    }
    lock.unlock();
    if (deliver) deliver();
    if (job->done) job->done();
    job.reset();
    lock.lock();
  }
  --self->live;
  self->idle.notify_all();
}

void PluginCallPool::State::watch(const std::shared_ptr<State>& self) {
  std::unique_lock<std::mutex> lock(self->mutex);
  while (!self->watch_stops) {
    Clock::time_point next = Clock::time_point::max();
    for (const auto& [worker, r] : self->running) next = std::min(next, r.give_up_at);
    if (next == Clock::time_point::max()) {
      self->watch_wakes.wait(lock);
      continue;
    }
    if (Clock::now() < next) {
      self->watch_wakes.wait_until(lock, next);
      continue;
    }
    std::vector<std::shared_ptr<Job>> overdue;
    const Clock::time_point now = Clock::now();
    for (auto it = self->running.begin(); it != self->running.end();) {
      if (it->second.give_up_at > now) {
        ++it;
        continue;
      }
      const size_t worker = it->first;
      overdue.push_back(std::move(it->second.job));
      it = self->running.erase(it);
      self->workers.at(worker).detach();
      self->workers.erase(worker);
      --self->live;
      ++self->stranded;
      g_stranded.fetch_add(1, std::memory_order_acq_rel);
      // Replace the thread, up to the bound; and always when none would be left to work.
      if (self->stranded <= self->max_stranded || self->live == 0) {
        start_worker(self);
      } else {
        spdlog::error(
            "plugin calls: {} threads are stuck in plugin calls that never returned; no more are "
            "replaced (fewer threads serve plugin calls until they come back or the engine "
            "restarts)",
            self->stranded);
      }
      self->idle.notify_all();
    }
    lock.unlock();
    for (auto& job : overdue) {
      if (job->overdue) job->overdue();
      if (job->done) job->done();
    }
    overdue.clear();
    lock.lock();
  }
}

PluginCallPool::PluginCallPool(size_t threads, size_t max_stranded, std::chrono::milliseconds grace)
    : state_(std::make_shared<State>()) {
  state_->max_stranded = max_stranded;
  state_->grace = grace;
  std::lock_guard<std::mutex> lock(state_->mutex);
  for (size_t i = 0; i < std::max<size_t>(1, threads); ++i) State::start_worker(state_);
  auto self = state_;
  watcher_ = std::thread([self] { State::watch(self); });
}

PluginCallPool::~PluginCallPool() {
  join();
}

void PluginCallPool::post(Job job) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->queue.push_back(std::make_shared<Job>(std::move(job)));
  state_->work_ready.notify_one();
}

void PluginCallPool::join() {
  std::map<size_t, std::thread> workers;
  {
    std::unique_lock<std::mutex> lock(state_->mutex);
    state_->stopping = true;
    state_->work_ready.notify_all();
    // The watch thread keeps running meanwhile: a call that hangs now is given up on too.
    state_->idle.wait(lock, [&] { return state_->live == 0; });
    workers.swap(state_->workers);
    state_->watch_stops = true;
    state_->watch_wakes.notify_all();
  }
  for (auto& [id, t] : workers) t.join();
  if (watcher_.joinable()) watcher_.join();
}

size_t PluginCallPool::stranded() const {
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->stranded;
}

size_t PluginCallPool::stranded_in_process() {
  return g_stranded.load(std::memory_order_acquire);
}

}  // namespace coalition
