// EngineMetrics: step latency from an attempt's start to its outcome, error codes as bounded,
// label-safe counts, and nothing kept for executions that have ended.
#include "runtime/engine_metrics.h"

#include <gtest/gtest.h>

#include <string>

namespace coalition {
namespace {

using nlohmann::json;

const TimePoint kT0 = TimePoint(std::chrono::seconds(1'800'000'000));

Event event(EventType type, const std::string& step, std::chrono::milliseconds after,
            json data = json::object()) {
  return Event{0, kT0 + after, type, step, data.dump()};
}

TEST(EngineMetrics, StepLatencyRunsFromTheAttemptToItsOutcome) {
  EngineMetrics m;
  m.on_event("ex-1", event(EventType::kAttemptStarted, "check", std::chrono::milliseconds(0)));
  m.on_event("ex-1", event(EventType::kStepSucceeded, "check", std::chrono::milliseconds(30)));
  // An outcome without a followed attempt (a choice, a recovered step) is not a measurement.
  m.on_event("ex-1", event(EventType::kStepSucceeded, "route", std::chrono::milliseconds(40)));
  m.on_event("ex-2", event(EventType::kAttemptStarted, "notify", std::chrono::milliseconds(0)));
  m.on_event("ex-2", event(EventType::kStepSuspended, "notify", std::chrono::milliseconds(2)));
  const auto s = m.step_seconds();
  EXPECT_EQ(s.count, 2u);
  EXPECT_NEAR(s.sum, 0.032, 1e-9);
  // 2 ms falls in the 0.0025 bucket, 30 ms in the 0.05 bucket; buckets are cumulative.
  const auto at = [&](double bound) {
    for (size_t i = 0; i < s.bounds.size(); ++i) {
      if (s.bounds[i] == bound) return s.cumulative[i];
    }
    return uint64_t{999};
  };
  EXPECT_EQ(at(0.001), 0u);
  EXPECT_EQ(at(0.0025), 1u);
  EXPECT_EQ(at(0.025), 1u);
  EXPECT_EQ(at(0.05), 2u);
  EXPECT_EQ(s.cumulative.back(), 2u);
}

TEST(EngineMetrics, ErrorCodesAreLabelSafeAndBounded) {
  EngineMetrics m;
  const json timeout{{"error", {{"code", "plugin.Timeout"}}}};
  m.on_event("ex-1",
             event(EventType::kRetryScheduled, "call", std::chrono::milliseconds(0), timeout));
  m.on_event("ex-1", event(EventType::kStepFailed, "call", std::chrono::milliseconds(1), timeout));
  m.on_event("ex-1", event(EventType::kStepFailed, "x", std::chrono::milliseconds(1),
                           {{"error", {{"code", "a\"b}\n{c"}}}}));
  m.on_event("ex-1", event(EventType::kStepFailed, "y", std::chrono::milliseconds(1),
                           {{"error", "not an object"}}));
  auto errors = m.step_errors();
  EXPECT_EQ(errors["plugin.timeout"], 2u);
  EXPECT_EQ(errors["a_b___c"], 1u);  // nothing that could break out of a label
  EXPECT_EQ(errors["unknown"], 1u);
  // A plugin inventing codes cannot grow the metric without bound.
  for (int i = 0; i < 500; ++i) {
    m.on_event("ex-1", event(EventType::kStepFailed, "z", std::chrono::milliseconds(1),
                             {{"error", {{"code", "code_" + std::to_string(i)}}}}));
  }
  errors = m.step_errors();
  EXPECT_LE(errors.size(), EngineMetrics::kMaxCodes + 1);
  EXPECT_GT(errors["other"], 0u);
}

TEST(EngineMetrics, AnEndedExecutionLeavesNothingBehind) {
  EngineMetrics m;
  m.on_event("ex-1", event(EventType::kAttemptStarted, "check", std::chrono::milliseconds(0)));
  m.on_event("ex-1", event(EventType::kExecutionFailed, "", std::chrono::milliseconds(5)));
  // The attempt's outcome after the end is not measured: its start was dropped with the execution.
  m.on_event("ex-1", event(EventType::kStepFailed, "check", std::chrono::milliseconds(9)));
  EXPECT_EQ(m.step_seconds().count, 0u);
}

// Attempts that never report their end (executions another node took over) cannot stop the
// measuring: once the table is full, another execution's entry makes room for the new one.
TEST(EngineMetrics, AttemptsThatNeverEndDoNotStopTheMeasuring) {
  EngineMetrics m;
  for (size_t i = 0; i < EngineMetrics::kMaxOpenExecutions; ++i) {
    m.on_event("lost-" + std::to_string(i),
               event(EventType::kAttemptStarted, "check", std::chrono::milliseconds(0)));
  }
  m.on_event("ex-new", event(EventType::kAttemptStarted, "check", std::chrono::milliseconds(0)));
  m.on_event("ex-new", event(EventType::kStepSucceeded, "check", std::chrono::milliseconds(7)));
  const auto s = m.step_seconds();
  EXPECT_EQ(s.count, 1u);
  EXPECT_NEAR(s.sum, 0.007, 1e-9);
}

}  // namespace
}  // namespace coalition
