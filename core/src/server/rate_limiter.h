// RateLimiter: a token bucket per key (a credential, or a client address without one). Each
// key may make `burst` requests at once and `rate` per second after that; beyond, the caller
// answers 429 with Retry-After.
#ifndef COALITION_SERVER_RATE_LIMITER_H_
#define COALITION_SERVER_RATE_LIMITER_H_

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace coalition {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  RateLimiter(double rate_per_second, double burst);

  // 0 when a request by `key` at `now` may go ahead (and takes its token); else the whole
  // seconds until one will be available (at least 1).
  int64_t take(const std::string& key, Clock::time_point now);

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point at;
  };
  const double rate_;
  const double burst_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  Clock::time_point last_prune_{};
};

}  // namespace coalition

#endif  // COALITION_SERVER_RATE_LIMITER_H_
