#include "server/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace coalition {

namespace {

// Buckets of keys that have been quiet long enough to be full again carry no information:
// forgotten when the table grows past this, so a stream of new keys cannot grow it without end.
constexpr size_t kPruneAbove = 10000;

}  // namespace

RateLimiter::RateLimiter(double rate_per_second, double burst)
    : rate_(rate_per_second), burst_(std::max(1.0, burst)) {}

int64_t RateLimiter::take(const std::string& key, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto refill = [&](Bucket& b) {
    const double elapsed = std::chrono::duration<double>(now - b.at).count();
    if (elapsed > 0) b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
    b.at = std::max(b.at, now);
  };
  // At most one sweep a second, so a flood of new keys cannot make every request scan; past
  // four times the bound everything is forgotten (each key gets a fresh burst, once).
  if (buckets_.size() > kPruneAbove && now - last_prune_ >= std::chrono::seconds(1)) {
    last_prune_ = now;
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      refill(it->second);
      it = it->second.tokens >= burst_ ? buckets_.erase(it) : std::next(it);
    }
    if (buckets_.size() > 4 * kPruneAbove) buckets_.clear();
  }
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{burst_, now});
  Bucket& b = it->second;
  if (!fresh) refill(b);
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return 0;
  }
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil((1 - b.tokens) / rate_)));
}

}  // namespace coalition
