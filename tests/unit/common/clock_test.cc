// The time seam: ManualClock runs due calls in time order and cancels one among many; the wall
// clock runs a call that is due and never one that was cancelled, calls already due at once and
// in the order made, calls made from its own thread, and holds an instant past the year 2262.
// Both show a call as pending until it has returned.
#include "common/clock.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/utc_time.h"
#include "runtime/system_clock.h"

namespace coalition::clock_test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TimePoint at(const char* text) {
  return *parse_utc(text);
}

// Polls `clock` until `pred` holds of its next_due(); the limit only bounds a broken run.
template <class Pred>
bool next_due_becomes(const Clock& clock, Pred pred) {
  for (int i = 0; i < 30000; ++i) {
    if (pred(clock.next_due())) return true;
    std::this_thread::sleep_for(milliseconds(1));
  }
  return false;
}

// A call that holds its thread until released, saying when it has begun.
struct HeldCall {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released{release.get_future().share()};
  std::function<void()> call() {
    return [this] {
      entered.set_value();
      released.wait();
    };
  }
};

TEST(ManualClock, RunsDueCallsInTimeOrderAndMovesTimeToEach) {
  ManualClock clock(at("2026-03-02T09:00:00Z"));
  std::vector<std::string> ran;
  clock.call_at(at("2026-03-02T09:00:03Z"),
                [&] { ran.push_back("third@" + format_utc(clock.now())); });
  clock.call_at(at("2026-03-02T09:00:01Z"),
                [&] { ran.push_back("first@" + format_utc(clock.now())); });
  clock.call_at(at("2026-03-02T09:00:02Z"), [&] { ran.push_back("second"); });
  clock.call_at(at("2026-03-02T09:01:00Z"), [&] { ran.push_back("later"); });
  clock.advance(seconds(5));
  ASSERT_EQ(ran.size(), 3U);
  EXPECT_EQ(ran[0], "first@2026-03-02T09:00:01.000Z");
  EXPECT_EQ(ran[1], "second");
  EXPECT_EQ(ran[2], "third@2026-03-02T09:00:03.000Z");
  EXPECT_EQ(clock.now(), at("2026-03-02T09:00:05Z"));
  EXPECT_EQ(clock.next_due(), at("2026-03-02T09:01:00Z"));
}

TEST(ManualClock, CancelsOneCallAmongManyAtTheSameInstant) {
  ManualClock clock(at("2026-03-02T09:00:00Z"));
  const TimePoint due = at("2026-03-02T10:00:00Z");
  std::vector<int> ran;
  std::vector<uint64_t> ids;
  for (int i = 0; i < 1000; ++i) ids.push_back(clock.call_at(due, [&ran, i] { ran.push_back(i); }));
  clock.cancel(ids[500]);
  clock.cancel(ids[0]);
  clock.cancel(ids[500]);  // twice: no effect
  clock.advance(std::chrono::hours(1));
  ASSERT_EQ(ran.size(), 998U);
  EXPECT_EQ(ran.front(), 1) << "calls due together run in the order they were made";
  EXPECT_EQ(std::count(ran.begin(), ran.end(), 500), 0);
  EXPECT_FALSE(clock.next_due());
}

TEST(ManualClock, CancellingACallThatRanChangesNothing) {
  ManualClock clock(at("2026-03-02T09:00:00Z"));
  int runs = 0;
  const uint64_t first = clock.call_at(at("2026-03-02T09:00:01Z"), [&] { ++runs; });
  clock.call_at(at("2026-03-02T09:00:02Z"), [&] { ++runs; });
  ASSERT_TRUE(clock.fire_next(at("2026-03-02T09:00:01Z")));
  EXPECT_FALSE(clock.fire_next(at("2026-03-02T09:00:01Z"))) << "the second is not due yet";
  clock.cancel(first);
  EXPECT_EQ(clock.next_due(), at("2026-03-02T09:00:02Z"));
  clock.advance(seconds(5));
  EXPECT_EQ(runs, 2);
}

TEST(ManualClock, ACallMayScheduleAnotherThatFallsDueInTheSameAdvance) {
  ManualClock clock(at("2026-03-02T09:00:00Z"));
  std::vector<std::string> ran;
  clock.call_at(at("2026-03-02T09:00:01Z"), [&] {
    ran.push_back("outer");
    clock.call_at(clock.now() + seconds(1),
                  [&] { ran.push_back("inner@" + format_utc(clock.now())); });
  });
  clock.advance(seconds(3));
  ASSERT_EQ(ran.size(), 2U);
  EXPECT_EQ(ran[1], "inner@2026-03-02T09:00:02.000Z");
}

// What a call hands on (work it posts) is begun before the clock stops showing the call: a
// reader of next_due() never finds the clock empty while a call it took is still running.
TEST(ManualClock, ShowsACallAsPendingUntilItHasReturned) {
  ManualClock clock(at("2026-03-02T09:00:00Z"));
  HeldCall held;
  clock.call_at(at("2026-03-02T09:00:01Z"), held.call());
  auto entered = held.entered.get_future();
  std::thread advancing([&] { clock.advance(seconds(5)); });
  entered.wait();
  EXPECT_TRUE(clock.next_due()) << "taken out of the pending calls, but still running";
  held.release.set_value();
  advancing.join();
  EXPECT_FALSE(clock.next_due());
}

// Waits for the wall clock's thread to run calls; the limit only bounds a broken run.
TEST(SystemClock, RunsADueCallAndNeverACancelledOne) {
  SystemClock clock;
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> ran;
  const uint64_t cancelled = clock.call_at(clock.now() + milliseconds(20), [&] {
    std::lock_guard<std::mutex> lock(mutex);
    ran.push_back("cancelled");
    changed.notify_all();
  });
  clock.cancel(cancelled);
  clock.call_at(clock.now() + milliseconds(40), [&] {
    std::lock_guard<std::mutex> lock(mutex);
    ran.push_back("due");
    changed.notify_all();
  });
  std::unique_lock<std::mutex> lock(mutex);
  ASSERT_TRUE(changed.wait_for(lock, seconds(30), [&] { return !ran.empty(); }));
  EXPECT_EQ(ran, std::vector<std::string>{"due"});
  lock.unlock();  // the call may still be returning: it counts as pending until it has
  EXPECT_TRUE(next_due_becomes(clock, [](auto due) { return !due; }));
}

TEST(SystemClock, ShowsACallAsPendingUntilItHasReturned) {
  SystemClock clock;
  HeldCall held;
  const TimePoint due = clock.now();
  clock.call_at(due, held.call());
  held.entered.get_future().wait();
  EXPECT_EQ(clock.next_due(), due) << "taken out of the pending calls, but still running";
  held.release.set_value();
  EXPECT_TRUE(next_due_becomes(clock, [](auto d) { return !d; }));
}

// Collects what the wall clock's thread runs, for a test to wait on.
struct Runs {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<int> ran;
  std::function<void()> add(int n) {
    return [this, n] {
      std::lock_guard<std::mutex> lock(mutex);
      ran.push_back(n);
      changed.notify_all();
    };
  }
  bool wait_for(size_t count) {
    std::unique_lock<std::mutex> lock(mutex);
    return changed.wait_for(lock, seconds(30), [&] { return ran.size() >= count; });
  }
};

TEST(SystemClock, RunsCallsAlreadyDueAtOnceInTheOrderMade) {
  SystemClock clock;
  Runs runs;
  const TimePoint past = clock.now() - seconds(5);
  clock.call_at(clock.now() + std::chrono::hours(1), runs.add(-1));
  for (int i = 0; i < 50; ++i) clock.call_at(past, runs.add(i));
  ASSERT_TRUE(runs.wait_for(50));
  std::lock_guard<std::mutex> lock(runs.mutex);
  ASSERT_EQ(runs.ran.size(), 50U) << "the call an hour ahead has not run";
  for (int i = 0; i < 50; ++i) EXPECT_EQ(runs.ran[i], i);
  EXPECT_TRUE(clock.next_due());
}

TEST(SystemClock, ACallMayScheduleAndCancelOthersFromTheClocksOwnThread) {
  SystemClock clock;
  Runs runs;
  clock.call_at(clock.now() + milliseconds(10), [&] {
    const uint64_t dropped = clock.call_at(clock.now() + milliseconds(20), runs.add(0));
    clock.call_at(clock.now() + milliseconds(30), runs.add(2));
    clock.call_at(clock.now(), runs.add(1));
    clock.cancel(dropped);
  });
  ASSERT_TRUE(runs.wait_for(2));
  std::lock_guard<std::mutex> lock(runs.mutex);
  EXPECT_EQ(runs.ran, (std::vector<int>{1, 2}));
}

TEST(SystemClock, HoldsAnInstantBeyondWhatItsWaitCanCountAndStopsWithItPending) {
  auto clock = std::make_unique<SystemClock>();
  Runs runs;
  const TimePoint far = at("9999-12-31T23:59:59Z");
  clock->call_at(far, runs.add(0));
  clock->call_at(clock->now() + milliseconds(5), runs.add(1));
  ASSERT_TRUE(runs.wait_for(1));
  EXPECT_TRUE(next_due_becomes(*clock, [&](auto due) { return due == far; }));
  clock.reset();  // returns: the thread is not stuck waiting for the year 9999
  EXPECT_EQ(runs.ran, std::vector<int>{1});
}

TEST(SystemClock, NamesItsEarliestPendingCall) {
  SystemClock clock;
  const TimePoint later = clock.now() + std::chrono::hours(2);
  const TimePoint sooner = clock.now() + std::chrono::hours(1);
  clock.call_at(later, [] {});
  const uint64_t id = clock.call_at(sooner, [] {});
  EXPECT_EQ(clock.next_due(), sooner);
  clock.cancel(id);
  EXPECT_EQ(clock.next_due(), later);
}

}  // namespace
}  // namespace coalition::clock_test
