// The plugin call pool gives up on calls that outlive their limit, keeps its capacity for the
// others, and never waits for an abandoned call — real threads, short limits.
#include "runtime/plugin_call_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>

// A namespace of its own: unity builds compile several test files as one.
namespace coalition::plugin_call_pool_test {
namespace {

using namespace std::chrono_literals;

// A gate a hung "plugin" waits at until the test opens it.
struct Gate {
  std::mutex mutex;
  std::condition_variable cv;
  bool open = false;
  void wait() {
    std::unique_lock<std::mutex> lock(mutex);
    cv.wait(lock, [&] { return open; });
  }
  void release() {
    std::lock_guard<std::mutex> lock(mutex);
    open = true;
    cv.notify_all();
  }
};

// Waits (bounded) until `done` holds; the bound only keeps a broken pool from hanging the test.
template <class Pred>
bool eventually(Pred done) {
  for (int i = 0; i < 1000 && !done(); ++i) std::this_thread::sleep_for(10ms);
  return done();
}

// A call that waits at `gate`, with a 10 ms limit; counts in `overdue` when given up on.
PluginCallPool::Job hung_call(const std::shared_ptr<Gate>& gate, std::atomic<int>& overdue) {
  PluginCallPool::Job hung;
  hung.time_limit = 10ms;
  hung.call = [gate] {
    gate->wait();
    return std::function<void()>();
  };
  hung.overdue = [&overdue] { ++overdue; };
  return hung;
}

TEST(PluginCallPool, AHungCallIsGivenUpOnAndAnotherThreadTakesItsPlace) {
  PluginCallPool pool(1, 4, 20ms);
  auto gate = std::make_shared<Gate>();
  std::atomic<int> overdue{0};
  std::atomic<int> done{0};
  std::atomic<int> delivered{0};
  PluginCallPool::Job hung;
  hung.time_limit = 30ms;
  hung.call = [gate, &delivered] {
    gate->wait();
    return std::function<void()>([&delivered] { ++delivered; });
  };
  hung.overdue = [&overdue] { ++overdue; };
  hung.done = [&done] { ++done; };
  pool.post(std::move(hung));

  // With one thread, this call runs only because the hung one's thread was replaced.
  std::promise<void> healthy_ran;
  PluginCallPool::Job healthy;
  healthy.time_limit = 10s;
  healthy.call = [&healthy_ran] {
    healthy_ran.set_value();
    return std::function<void()>();
  };
  pool.post(std::move(healthy));
  EXPECT_EQ(healthy_ran.get_future().wait_for(10s), std::future_status::ready);
  // The watch thread reports the overdue call after handing its place on: it may come second.
  EXPECT_TRUE(eventually([&] { return overdue.load() == 1 && done.load() == 1; }));
  EXPECT_EQ(overdue.load(), 1);
  EXPECT_EQ(done.load(), 1);
  EXPECT_EQ(pool.stranded(), 1u);
  EXPECT_GE(PluginCallPool::stranded_in_process(), 1u);

  // The hung call comes back at last: its result is dropped, `done` does not run again, and
  // the thread it held ends.
  gate->release();
  EXPECT_TRUE(eventually([&] { return pool.stranded() == 0; }));
  EXPECT_EQ(delivered.load(), 0);
  EXPECT_EQ(done.load(), 1);
}

TEST(PluginCallPool, CallsWithinTheirLimitAreDeliveredOnceAndJoinWaitsForThem) {
  std::atomic<int> delivered{0};
  std::atomic<int> done{0};
  std::atomic<int> overdue{0};
  {
    PluginCallPool pool(2, 4, 20ms);
    for (int i = 0; i < 50; ++i) {
      PluginCallPool::Job job;
      job.time_limit = i % 2 == 0 ? 10s : 0ms;  // 0: no limit
      job.call = [&delivered] {
        std::this_thread::sleep_for(1ms);
        return std::function<void()>([&delivered] { ++delivered; });
      };
      job.overdue = [&overdue] { ++overdue; };
      job.done = [&done] { ++done; };
      pool.post(std::move(job));
    }
    pool.join();
    EXPECT_EQ(pool.stranded(), 0u);
  }
  EXPECT_EQ(delivered.load(), 50);
  EXPECT_EQ(done.load(), 50);
  EXPECT_EQ(overdue.load(), 0);
}

TEST(PluginCallPool, JoinDoesNotWaitForAnAbandonedCall) {
  auto gate = std::make_shared<Gate>();
  std::atomic<int> overdue{0};
  {
    PluginCallPool pool(1, 4, 10ms);
    pool.post(hung_call(gate, overdue));
    pool.join();  // returns once the call is given up on: the pool is gone before it returns
  }
  EXPECT_EQ(overdue.load(), 1);
  gate->release();  // the stranded thread finishes on state it shares, not the pool's
  EXPECT_TRUE(eventually([] { return PluginCallPool::stranded_in_process() == 0; }));
}

TEST(PluginCallPool, PastItsBoundThePoolStopsReplacingThreadsButKeepsOne) {
  PluginCallPool pool(2, 1, 10ms);
  auto gate = std::make_shared<Gate>();
  std::atomic<int> overdue{0};
  for (int i = 0; i < 3; ++i) {
    pool.post(hung_call(gate, overdue));
    // One at a time: each is taken by a live thread and given up on before the next is posted.
    ASSERT_TRUE(eventually([&] { return overdue.load() == i + 1; }));
  }
  EXPECT_EQ(pool.stranded(), 3u);
  // Two threads were live; the first abandonment was replaced (bound 1), the second was not
  // (bound passed, one thread still live), the third was (none would be left): a call still runs.
  std::promise<void> ran;
  PluginCallPool::Job healthy;
  healthy.call = [&ran] {
    ran.set_value();
    return std::function<void()>();
  };
  pool.post(std::move(healthy));
  EXPECT_EQ(ran.get_future().wait_for(10s), std::future_status::ready);
  gate->release();
  EXPECT_TRUE(eventually([&] { return pool.stranded() == 0; }));
}

}  // namespace
}  // namespace coalition::plugin_call_pool_test
