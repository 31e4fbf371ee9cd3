// ExecutionLimits: how much one execution may do, so that a workflow that loops, recurses or
// fans out without end fails its own execution with a code instead of exhausting the engine.
#ifndef COALITION_COMMON_EXECUTION_LIMITS_H_
#define COALITION_COMMON_EXECUTION_LIMITS_H_

#include <chrono>
#include <cstddef>

namespace coalition {

struct ExecutionLimits {
  size_t map_items = 100000;       // map iterations started over the execution's life
  size_t map_concurrency = 1000;   // iterations of one map running at once, whatever it asks
  size_t visits_per_step = 10000;  // entries into one step (loops through a choice)
  size_t workflow_depth = 16;      // sub-workflows nested inside each other
  // Deaths of the engine while it worked on the execution (the crash journal) before it is set
  // aside as failed with kExecutionSetAside.
  size_t interruptions = 3;
  // How long one plugin call may take in real time unless its step sets a `timeout`
  // ("plugins.step_timeout"): an isolated host is then killed and the attempt fails.
  std::chrono::milliseconds step_timeout{std::chrono::minutes(5)};
};

// The codes an execution fails with when it reaches one.
inline constexpr const char* kLimitMapItems = "limits.map_items";
inline constexpr const char* kLimitVisitsPerStep = "limits.visits_per_step";
inline constexpr const char* kLimitWorkflowDepth = "limits.workflow_depth";
inline constexpr const char* kLimitValue = "limits.value";
inline constexpr const char* kExecutionSetAside = "engine.execution_set_aside";

}  // namespace coalition

#endif  // COALITION_COMMON_EXECUTION_LIMITS_H_
