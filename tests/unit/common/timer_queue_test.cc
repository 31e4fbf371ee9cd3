// The clocks' queue of pending calls: earliest first, calls due together in the order they were
// added, cancel of any one among many, and nothing taken before its instant.
#include "common/timer_queue.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/utc_time.h"

namespace coalition::timer_queue_test {
namespace {

TimePoint at(const char* text) {
  return *parse_utc(text);
}

std::vector<int> take_all(TimerQueue& queue, TimePoint limit, std::vector<int>& ran) {
  while (auto due = queue.take_due(limit)) due->call();
  return ran;
}

TEST(TimerQueue, TakesTheEarliestFirstAndNothingBeforeItsInstant) {
  TimerQueue queue;
  std::vector<int> ran;
  queue.add(at("2026-03-02T09:00:03Z"), [&] { ran.push_back(3); });
  queue.add(at("2026-03-02T09:00:01Z"), [&] { ran.push_back(1); });
  queue.add(at("2026-03-02T09:00:02Z"), [&] { ran.push_back(2); });
  EXPECT_EQ(queue.next_due(), at("2026-03-02T09:00:01Z"));
  EXPECT_FALSE(queue.take_due(at("2026-03-02T09:00:00.999Z")));
  auto first = queue.take_due(at("2026-03-02T09:00:02Z"));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->when, at("2026-03-02T09:00:01Z"));
  first->call();
  EXPECT_EQ(take_all(queue, at("2026-03-02T09:00:02Z"), ran), (std::vector<int>{1, 2}));
  EXPECT_EQ(queue.size(), 1U);
  EXPECT_EQ(take_all(queue, at("2026-03-02T10:00:00Z"), ran), (std::vector<int>{1, 2, 3}));
  EXPECT_FALSE(queue.next_due());
}

TEST(TimerQueue, CallsDueTogetherComeOutInTheOrderTheyWereAdded) {
  TimerQueue queue;
  std::vector<int> ran;
  const TimePoint due = at("2026-03-02T09:00:00Z");
  for (int i = 0; i < 100; ++i) queue.add(due, [&ran, i] { ran.push_back(i); });
  take_all(queue, due, ran);
  ASSERT_EQ(ran.size(), 100U);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(ran[i], i);
}

TEST(TimerQueue, CancelsAnyOneAmongManyAndOnlyOnce) {
  TimerQueue queue;
  std::vector<int> ran;
  std::vector<uint64_t> ids;
  const TimePoint due = at("2026-03-02T09:00:00Z");
  for (int i = 0; i < 1000; ++i) ids.push_back(queue.add(due, [&ran, i] { ran.push_back(i); }));
  EXPECT_TRUE(queue.cancel(ids[999]));
  EXPECT_TRUE(queue.cancel(ids[0]));
  EXPECT_TRUE(queue.cancel(ids[500]));
  EXPECT_FALSE(queue.cancel(ids[500])) << "a call cancelled is no longer pending";
  EXPECT_FALSE(queue.cancel(0)) << "no call has id 0";
  EXPECT_EQ(queue.size(), 997U);
  take_all(queue, due, ran);
  ASSERT_EQ(ran.size(), 997U);
  EXPECT_EQ(ran.front(), 1);
  EXPECT_EQ(ran.back(), 998);
  EXPECT_FALSE(queue.cancel(ids[1])) << "a call taken is no longer pending";
}

TEST(TimerQueue, CancellingTheEarliestMakesTheNextOneEarliest) {
  TimerQueue queue;
  const uint64_t sooner = queue.add(at("2026-03-02T09:00:00Z"), [] {});
  queue.add(at("2026-03-02T10:00:00Z"), [] {});
  queue.cancel(sooner);
  EXPECT_EQ(queue.next_due(), at("2026-03-02T10:00:00Z"));
  queue.clear();
  EXPECT_EQ(queue.size(), 0U);
  EXPECT_FALSE(queue.next_due());
}

}  // namespace
}  // namespace coalition::timer_queue_test
