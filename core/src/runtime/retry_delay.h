// The delay before a retry.
#ifndef COALITION_RUNTIME_RETRY_DELAY_H_
#define COALITION_RUNTIME_RETRY_DELAY_H_

#include <string>

#include "workflow/workflow.h"

namespace coalition {

// initial_interval * backoff_coefficient^(failed_attempt - 1), capped at max_interval, then
// varied by up to ± jitter. The jitter is derived from `key` and the attempt number, not from a
// random source, so the same history replays to the same schedule.
Duration retry_delay(const RetryPolicy& policy, uint32_t failed_attempt, const std::string& key);

}  // namespace coalition

#endif  // COALITION_RUNTIME_RETRY_DELAY_H_
