// The one walk over the sequences steps hold: a parallel step's branches and a map step's
// iteration (workflow/step_kinds.h says which kind holds which). A sub-workflow's sequence is
// another workflow's; callers that follow it look it up themselves.
#ifndef COALITION_WORKFLOW_STEP_WALK_H_
#define COALITION_WORKFLOW_STEP_WALK_H_

#include <cstddef>
#include <string_view>

#include "workflow/step_kinds.h"
#include "workflow/workflow.h"

namespace coalition {

// A sequence a step holds: a branch of a parallel step (by name) or a map step's iteration.
struct ChildSequence {
  const Sequence* sequence = nullptr;
  std::string_view branch;  // the branch's name; empty for an iteration
  bool iteration = false;
};

// Calls `visit(const ChildSequence&)` for each sequence `step` holds, in file order.
template <class Visit>
void for_each_child_sequence(const Step& step, Visit&& visit) {
  switch (info(step.kind).children) {
    case StepChildren::kBranches:
      for (const Branch& b : step.branches) {
        if (b.sequence) visit(ChildSequence{b.sequence.get(), b.name, false});
      }
      return;
    case StepChildren::kIteration:
      if (step.iterator) visit(ChildSequence{step.iterator.get(), {}, true});
      return;
    case StepChildren::kNone:
    case StepChildren::kSubWorkflow: return;
  }
}

// The sequence a parallel or map step's slot `slot` runs: its branch, or the iteration. Null for a
// slot past the branches and for the other kinds (a sub-workflow's sequence is another
// workflow's).
inline const Sequence* slot_sequence(const Step& step, size_t slot) {
  switch (info(step.kind).children) {
    case StepChildren::kBranches:
      return slot < step.branches.size() ? step.branches[slot].sequence.get() : nullptr;
    case StepChildren::kIteration: return step.iterator.get();
    case StepChildren::kNone:
    case StepChildren::kSubWorkflow: return nullptr;
  }
  return nullptr;
}

// Calls `visit(const Step&)` for every step of `sequence` and, depth first after each step, of
// the sequences it holds: file order.
template <class Visit>
void for_each_step(const Sequence& sequence, Visit&& visit) {
  for (const Step& step : sequence.steps) {
    visit(step);
    for_each_child_sequence(
        step, [&](const ChildSequence& child) { for_each_step(*child.sequence, visit); });
  }
}

}  // namespace coalition

#endif  // COALITION_WORKFLOW_STEP_WALK_H_
