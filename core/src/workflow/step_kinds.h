// The built-in step kinds, one row each (kStepKinds): the word a workflow file uses and the
// shape of the kind — whether it ends its sequence, and where its children are. Code that treats
// kinds alike asks the row; code that does something of its own per kind has one handler per
// kind whose completeness the compiler checks: the loader's readers (a table indexed by kind,
// static_asserted in kind order: workflow_loader.cc), the validator's checks and the engine's
// entries (switches over every kind without a default, which -Wswitch checks:
// workflow_validator.cc, runtime/execution.cc's enter_kind).
//
// Adding a kind: a StepKind value and its row here; its fields in Step (workflow.h) and its part
// of the format schema; its reader, its checks and its entry in those three tables. Sequences it
// holds are walked by workflow/step_walk.h without further change when it holds them as branches
// or an iteration.
#ifndef COALITION_WORKFLOW_STEP_KINDS_H_
#define COALITION_WORKFLOW_STEP_KINDS_H_

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include "workflow/workflow.h"

namespace coalition {

// Where a step's children run.
enum class StepChildren {
  kNone,         // task, choice, wait, succeed, fail
  kBranches,     // parallel: a sequence per branch
  kIteration,    // map: one sequence, run per item
  kSubWorkflow,  // workflow: another workflow's main sequence
};

struct StepKindInfo {
  StepKind kind;
  std::string_view name;  // in a workflow file
  bool ends_sequence;     // succeed and fail: no next, the sequence ends here
  StepChildren children;
};

inline constexpr size_t kStepKindCount = 8;

inline constexpr std::array<StepKindInfo, kStepKindCount> kStepKinds = {{
    {StepKind::kTask, "task", false, StepChildren::kNone},
    {StepKind::kChoice, "choice", false, StepChildren::kNone},
    {StepKind::kParallel, "parallel", false, StepChildren::kBranches},
    {StepKind::kMap, "map", false, StepChildren::kIteration},
    {StepKind::kWorkflow, "workflow", false, StepChildren::kSubWorkflow},
    {StepKind::kWait, "wait", false, StepChildren::kNone},
    {StepKind::kSucceed, "succeed", true, StepChildren::kNone},
    {StepKind::kFail, "fail", true, StepChildren::kNone},
}};

// Whether `table` has one row per kind, in the order of StepKind: what a handler table indexed
// by kind static_asserts.
template <class Row, size_t N>
constexpr bool in_kind_order(const std::array<Row, N>& table) {
  if (N != kStepKindCount) return false;
  for (size_t i = 0; i < N; ++i) {
    if (static_cast<size_t>(table[i].kind) != i) return false;
  }
  return true;
}
static_assert(in_kind_order(kStepKinds));

inline const StepKindInfo& info(StepKind kind) {
  return kStepKinds[static_cast<size_t>(kind)];
}

// The kind a workflow file's word names; nullopt for any other word.
std::optional<StepKind> parse_step_kind(std::string_view name);

}  // namespace coalition

#endif  // COALITION_WORKFLOW_STEP_KINDS_H_
