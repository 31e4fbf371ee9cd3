// LazyQueue (common/lazy_queue.h): first in, first out while items are pushed as others are
// taken; what is left can be handed elsewhere; nothing is allocated until the first push.
#include "common/lazy_queue.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace coalition {
namespace {

TEST(LazyQueue, TakesItemsInTheOrderPushedWhilePushesGoOn) {
  LazyQueue<std::unique_ptr<int>> q;  // move-only items too
  EXPECT_TRUE(q.empty());
  q.push(std::make_unique<int>(1));
  q.push(std::make_unique<int>(2));
  std::vector<int> taken;
  while (!q.empty()) {
    const int n = *q.pop();
    taken.push_back(n);
    if (n < 5) q.push(std::make_unique<int>(n + 2));  // as an outcome leads to another
  }
  EXPECT_EQ(taken, (std::vector<int>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(q.size(), 0u);
}

TEST(LazyQueue, HandsOverWhatIsLeftAndStartsAgainWhenCleared) {
  LazyQueue<std::string> q;
  q.emplace("a");
  q.emplace(3, 'b');
  q.emplace("c");
  EXPECT_EQ(q.pop(), "a");
  ASSERT_EQ(q.size(), 2u);
  std::vector<std::string> rest(q.rest().begin(), q.rest().end());
  EXPECT_EQ(rest, (std::vector<std::string>{"bbb", "c"}));
  q.clear();
  EXPECT_TRUE(q.empty());
  q.push("d");
  EXPECT_EQ(q.pop(), "d");
  EXPECT_TRUE(q.empty());
}

// What most executions never use costs them one pointer and no allocation.
TEST(LazyQueue, IsOnePointerAndAllocatesNothingUntilThePush) {
  LazyQueue<std::string> q;
  EXPECT_EQ(sizeof(q), sizeof(void*));
  EXPECT_FALSE(q.allocated());
  EXPECT_TRUE(q.empty());
  q.clear();
  EXPECT_FALSE(q.allocated()) << "clearing an unused queue makes nothing";
  q.push("x");
  EXPECT_TRUE(q.allocated());
}

}  // namespace
}  // namespace coalition
