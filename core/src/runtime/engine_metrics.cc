#include "runtime/engine_metrics.h"

#include <chrono>

namespace coalition {

namespace {

// Prometheus buckets for step latency, in seconds: a local plugin answers in microseconds, a
// partner's service in seconds.
std::vector<double> step_bounds() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

// A code as a label value: lower-case letters, digits and _.:- only, at most 64 characters.
std::string label_safe(const std::string& code) {
  std::string out;
  for (char c : code.substr(0, 64)) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
                      c == ':' || c == '-';
    if (c >= 'A' && c <= 'Z') {
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else {
      out.push_back(keep ? c : '_');
    }
  }
  return out.empty() ? std::string("unknown") : out;
}

}  // namespace

EngineMetrics::EngineMetrics() : step_seconds_(step_bounds()) {}

void EngineMetrics::on_event(const std::string& execution_id, const Event& event) {
  switch (event.type) {
    case EventType::kAttemptStarted: {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = open_.find(execution_id);
      if (it == open_.end()) {
        // Full: what another execution left open goes (an execution another node took over
        // or whose commit failed never reports its end here), not the newest measurement.
        if (open_.size() >= kMaxOpenExecutions) open_.erase(open_.begin());
        it = open_.emplace(execution_id, std::unordered_map<std::string, TimePoint>()).first;
      }
      it->second[event.step] = event.at;
      return;
    }
    case EventType::kExecutionCompleted:
    case EventType::kExecutionFailed:
    case EventType::kExecutionCancelled: {
      std::lock_guard<std::mutex> lock(mutex_);
      open_.erase(execution_id);
      return;
    }
    case EventType::kStepSucceeded:
    case EventType::kStepFailed:
    case EventType::kRetryScheduled:
    case EventType::kStepSuspended: {
      std::optional<TimePoint> started;
      std::string code;
      if (event.type == EventType::kStepFailed || event.type == EventType::kRetryScheduled) {
        const nlohmann::json data = event.data();
        const nlohmann::json& error = data.contains("error") ? data["error"] : data;
        code = error.is_object() && error.contains("code") && error["code"].is_string()
                   ? error["code"].get<std::string>()
                   : std::string("unknown");
      }
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (auto it = open_.find(execution_id); it != open_.end()) {
          if (auto step = it->second.find(event.step); step != it->second.end()) {
            started = step->second;
            it->second.erase(step);
            if (it->second.empty()) open_.erase(it);
          }
        }
        if (!code.empty()) {
          std::string label = label_safe(code);
          if (errors_.count(label) == 0 && errors_.size() >= kMaxCodes) label = "other";
          ++errors_[label];
        }
      }
      if (started) {
        step_seconds_.observe(std::chrono::duration<double>(event.at - *started).count());
      }
      return;
    }
    default: return;
  }
}

std::map<std::string, uint64_t> EngineMetrics::step_errors() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return errors_;
}

}  // namespace coalition
