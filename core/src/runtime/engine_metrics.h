// EngineMetrics: what the engine's events say about its health, for GET /metrics — how long
// plugin steps take (an attempt's start to its outcome) and which error codes steps fail or are
// retried with. An EventSink: it sees every event on the execution's thread, keeps no personal
// data (step paths and codes only), and stays bounded whatever runs.
#ifndef COALITION_RUNTIME_ENGINE_METRICS_H_
#define COALITION_RUNTIME_ENGINE_METRICS_H_

#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/histogram.h"
#include "history/event.h"

namespace coalition {

class EngineMetrics final : public EventSink {
 public:
  EngineMetrics();

  void on_event(const std::string& execution_id, const Event& event) override;

  // Seconds from an attempt's start to its outcome (succeeded, failed, retry, suspended).
  Histogram::Snapshot step_seconds() const { return step_seconds_.snapshot(); }
  // Failed or retried step attempts by error code. At most kMaxCodes codes are told apart; the
  // rest count under "other". Codes are made label-safe ([a-z0-9_.:-], 64 characters at most).
  std::map<std::string, uint64_t> step_errors() const;

  static constexpr size_t kMaxCodes = 64;
  // Executions whose attempts are followed at once; past it, another execution's entry makes
  // room for the new one. An execution's entries go when its attempts end or it finishes, so
  // only executions that never report here again (recovered by another process or node after a
  // crash, taken over by another node, a commit that failed) could fill it.
  static constexpr size_t kMaxOpenExecutions = 100000;

 private:
  Histogram step_seconds_;
  mutable std::mutex mutex_;
  // execution -> step path -> its attempt's start
  std::unordered_map<std::string, std::unordered_map<std::string, TimePoint>> open_;
  std::map<std::string, uint64_t> errors_;
};

}  // namespace coalition

#endif  // COALITION_RUNTIME_ENGINE_METRICS_H_
