#include "runtime/retry_delay.h"

#include <gtest/gtest.h>

namespace coalition {
namespace {

using std::chrono::milliseconds;

TEST(RetryDelay, BacksOffExponentiallyUpToTheCap) {
  RetryPolicy p;
  p.initial_interval = milliseconds(1000);
  p.backoff_coefficient = 2.0;
  p.max_interval = milliseconds(5000);
  EXPECT_EQ(retry_delay(p, 1, "k"), milliseconds(1000));
  EXPECT_EQ(retry_delay(p, 2, "k"), milliseconds(2000));
  EXPECT_EQ(retry_delay(p, 3, "k"), milliseconds(4000));
  EXPECT_EQ(retry_delay(p, 4, "k"), milliseconds(5000));
  EXPECT_EQ(retry_delay(p, 30, "k"), milliseconds(5000));
}

TEST(RetryDelay, JitterStaysWithinBoundsAndReplaysIdentically) {
  RetryPolicy p;
  p.initial_interval = milliseconds(10000);
  p.backoff_coefficient = 1.0;
  p.max_interval = milliseconds(10000);
  p.jitter = 0.2;
  bool varied = false;
  for (int i = 0; i < 200; ++i) {
    const std::string key = "ex-1/step#" + std::to_string(i);
    auto d = retry_delay(p, 1, key);
    EXPECT_GE(d, milliseconds(8000));
    EXPECT_LE(d, milliseconds(12000));
    EXPECT_EQ(d, retry_delay(p, 1, key));
    varied = varied || d != milliseconds(10000);
  }
  EXPECT_TRUE(varied);
}

}  // namespace
}  // namespace coalition
