#include "runtime/retry_delay.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace coalition {

Duration retry_delay(const RetryPolicy& policy, uint32_t failed_attempt, const std::string& key) {
  double ms = static_cast<double>(policy.initial_interval.count()) *
              std::pow(policy.backoff_coefficient, static_cast<double>(failed_attempt - 1));
  ms = std::min(ms, static_cast<double>(policy.max_interval.count()));
  if (policy.jitter > 0) {
    const size_t h = std::hash<std::string>{}(key + "#" + std::to_string(failed_attempt));
    const double unit = static_cast<double>(h % 20001) / 10000.0 - 1.0;  // [-1, 1]
    ms *= 1.0 + policy.jitter * unit;
  }
  return Duration(static_cast<int64_t>(std::max(0.0, ms)));
}

}  // namespace coalition
