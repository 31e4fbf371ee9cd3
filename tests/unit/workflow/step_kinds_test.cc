// The step-kind table (workflow/step_kinds.h) and the one walk over the sequences steps hold
// (workflow/step_walk.h).
#include "workflow/step_kinds.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "workflow/step_walk.h"
#include "workflow/workflow_loader.h"

namespace coalition {
namespace {

TEST(StepKinds, EveryKindHasOneNameThatReadsBackAsIt) {
  std::set<std::string_view> names;
  for (const StepKindInfo& row : kStepKinds) {
    EXPECT_TRUE(names.insert(row.name).second) << row.name;
    EXPECT_EQ(to_string(row.kind), row.name);
    EXPECT_EQ(parse_step_kind(row.name), row.kind) << row.name;
  }
  EXPECT_EQ(names.size(), kStepKindCount);
  EXPECT_EQ(parse_step_kind("Task"), std::nullopt);
  EXPECT_EQ(parse_step_kind(""), std::nullopt);
  EXPECT_TRUE(info(StepKind::kSucceed).ends_sequence);
  EXPECT_TRUE(info(StepKind::kFail).ends_sequence);
  EXPECT_FALSE(info(StepKind::kTask).ends_sequence);
  EXPECT_EQ(info(StepKind::kParallel).children, StepChildren::kBranches);
  EXPECT_EQ(info(StepKind::kMap).children, StepChildren::kIteration);
  EXPECT_EQ(info(StepKind::kWorkflow).children, StepChildren::kSubWorkflow);
}

constexpr const char* kNested = R"({"id": "n", "version": 1, "title": "nested", "steps": [
  {"id": "fan", "kind": "parallel", "branches": [
    {"name": "bank", "steps": [
      {"id": "each", "kind": "map", "items": "/input/list", "steps": [
        {"id": "call", "kind": "task", "type": "noop", "next": "sub"},
        {"id": "sub", "kind": "workflow", "workflow": {"id": "child", "version": 2}}]}]},
    {"name": "ngo", "steps": [{"id": "pause", "kind": "wait", "for": "P1D"}]}],
   "next": "done"},
  {"id": "done", "kind": "succeed"}]})";

TEST(StepWalk, EveryStepDepthFirstInFileOrder) {
  auto loaded = load_workflow(kNested, "n.json");
  ASSERT_TRUE(loaded.workflow) << loaded.problems.size();
  std::vector<std::string> seen;
  for_each_step(*loaded.workflow->main, [&](const Step& s) { seen.push_back(s.id); });
  EXPECT_EQ(seen, (std::vector<std::string>{"fan", "each", "call", "sub", "pause", "done"}));
  // The loader counts the same walk: what an execution's history is sized for.
  EXPECT_EQ(loaded.workflow->step_count, seen.size());
  const auto calls = sub_workflow_calls(*loaded.workflow);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0]->workflow_id, "child");
}

TEST(StepWalk, ChildSequencesAreNamedBranchesOrTheIteration) {
  auto loaded = load_workflow(kNested, "n.json");
  ASSERT_TRUE(loaded.workflow);
  const Step& fan = loaded.workflow->main->steps[0];
  std::vector<std::string> branches;
  for_each_child_sequence(fan, [&](const ChildSequence& c) {
    EXPECT_FALSE(c.iteration);
    branches.emplace_back(c.branch);
  });
  EXPECT_EQ(branches, (std::vector<std::string>{"bank", "ngo"}));
  EXPECT_EQ(slot_sequence(fan, 1), fan.branches[1].sequence.get());
  EXPECT_EQ(slot_sequence(fan, 2), nullptr);  // past the branches

  const Step& each = fan.branches[0].sequence->steps[0];
  size_t iterations = 0;
  for_each_child_sequence(each, [&](const ChildSequence& c) {
    EXPECT_TRUE(c.iteration);
    EXPECT_EQ(c.sequence, each.iterator.get());
    ++iterations;
  });
  EXPECT_EQ(iterations, 1u);
  EXPECT_EQ(slot_sequence(each, 7), each.iterator.get());  // every item runs the iteration

  const Step& sub = each.iterator->steps[1];
  for_each_child_sequence(sub, [](const ChildSequence&) { ADD_FAILURE() << "a sub-workflow's"; });
  EXPECT_EQ(slot_sequence(sub, 0), nullptr);
}

}  // namespace
}  // namespace coalition
