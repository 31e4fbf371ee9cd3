// ExecutionLimits: a workflow that loops, recurses or fans out without end fails its own
// execution with a limits.* code; the engine and the stack it runs on are untouched.
#include <gtest/gtest.h>

#include "common/json_limits.h"
#include "runtime/engine.h"
#include "support/in_memory_plugins.h"
#include "workflow/workflow_loader.h"

namespace coalition {
namespace {

using nlohmann::json;

constexpr sdk::PluginInfo kPlugin{"limits_test", "1.0.0", "Test", sdk::PartnerType::kCoalition,
                                  "Echo."};
const coalition_plugin_descriptor_t* entry(uint32_t, uint32_t) {
  return sdk::detail::describe<test::EchoStep>(kPlugin);
}

class ExecutionLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto plugin = loader_.load_entry(&entry, "liblimits_test.so");
    ASSERT_TRUE(plugin.ok());
    ASSERT_TRUE(registry_.add(std::move(*plugin)).ok());
  }
  void TearDown() override { configure_json_limits(JsonLimits{}); }

  std::shared_ptr<const Workflow> workflow(const std::string& text) {
    auto loaded = load_workflow(text, "test.json");
    EXPECT_TRUE(loaded.problems.empty()) << loaded.problems.front().format("test.json");
    if (loaded.workflow) {
      EXPECT_TRUE(catalog_.add(loaded.workflow).ok());
    }
    return loaded.workflow;
  }

  // Runs `wf` to its end under `limits` and returns its final snapshot.
  ExecutionSnapshot run(const std::shared_ptr<const Workflow>& wf, const ExecutionLimits& limits,
                        json input = json::object()) {
    EngineOptions options{.scheduler_threads = 1, .plugin_threads = 2};
    options.limits = limits;
    Engine engine(registry_, catalog_, clock_, options);
    auto id = engine.start(wf, std::move(input));
    EXPECT_TRUE(id.ok()) << id.error().to_string();
    engine.wait_idle();
    return *engine.snapshot(*id);
  }

  test::FakeLibraryLoader libraries_;
  PluginLoader loader_{libraries_, json::object()};
  PluginRegistry registry_;
  WorkflowCatalog catalog_;
  ManualClock clock_{TimePoint(std::chrono::seconds(1798675200))};
};

size_t count(const ExecutionSnapshot& s, EventType type, const std::string& step) {
  size_t n = 0;
  for (const auto& e : s.history) n += e.type == type && e.step == step ? 1 : 0;
  return n;
}

TEST_F(ExecutionLimitsTest, ALoopThatNeverExitsFailsAtTheVisitLimit) {
  auto wf = workflow(R"({"id": "spin", "version": 1, "title": "t", "steps": [
      {"id": "work", "kind": "task", "type": "test.echo", "parameters": {"case_id": "FC-1"},
       "next": "check"},
      {"id": "check", "kind": "choice",
       "choices": [{"when": {"path": "/input/stop", "exists": true}, "next": "done"}],
       "default": "work"},
      {"id": "done", "kind": "succeed"}]})");
  ExecutionLimits limits;
  limits.visits_per_step = 25;
  const auto s = run(wf, limits);
  ASSERT_EQ(s.status, ExecutionStatus::kFailed);
  EXPECT_EQ(s.error.code, kLimitVisitsPerStep);
  EXPECT_NE(s.error.message.find("'work' was entered more than 25 times"), std::string::npos)
      << s.error.message;
  EXPECT_EQ(count(s, EventType::kAttemptStarted, "work"), 25u);
}

// Before the limit and the queued entries, each turn of this loop called enter() once more
// inside the last one (the parallel's branch finishes while it is being started): 20,000 turns
// overflowed the stack and took the process down.
TEST_F(ExecutionLimitsTest, ALoopOfStepsThatFinishAtOnceDoesNotGrowTheStack) {
  auto wf = workflow(R"({"id": "instant", "version": 1, "title": "t", "steps": [
      {"id": "fan", "kind": "parallel", "branches": [
         {"name": "only", "steps": [{"id": "ok", "kind": "succeed"}]}], "next": "again"},
      {"id": "again", "kind": "choice",
       "choices": [{"when": {"path": "/input/stop", "exists": true}, "next": "done"}],
       "default": "fan"},
      {"id": "done", "kind": "succeed"}]})");
  ExecutionLimits limits;
  limits.visits_per_step = 20000;
  const auto s = run(wf, limits);
  ASSERT_EQ(s.status, ExecutionStatus::kFailed);
  EXPECT_EQ(s.error.code, kLimitVisitsPerStep);
  EXPECT_EQ(count(s, EventType::kStepSucceeded, "fan"), 20000u);
}

TEST_F(ExecutionLimitsTest, MapItemsAreCountedOverTheExecution) {
  auto wf = workflow(R"({"id": "fanout", "version": 1, "title": "t", "steps": [
      {"id": "first", "kind": "map", "items": "/input/members",
       "steps": [{"id": "each", "kind": "succeed"}], "next": "second"},
      {"id": "second", "kind": "map", "items": "/input/members",
       "steps": [{"id": "each", "kind": "succeed"}]}]})");
  const json input{{"members", json::array({"a", "b", "c"})}};
  ExecutionLimits limits;
  limits.map_items = 6;
  EXPECT_EQ(run(wf, limits, input).status, ExecutionStatus::kSucceeded);
  limits.map_items = 5;
  const auto s = run(wf, limits, input);
  ASSERT_EQ(s.status, ExecutionStatus::kFailed);
  EXPECT_EQ(s.error.code, kLimitMapItems);
  EXPECT_EQ(count(s, EventType::kStepSucceeded, "first"), 1u);  // the second map is refused
}

TEST_F(ExecutionLimitsTest, ASubWorkflowThatStartsItselfStopsAtTheDepthLimit) {
  // `validate` refuses this cycle; the engine must hold even for a definition it never saw.
  auto wf = workflow(R"({"id": "again", "version": 1, "title": "t", "steps": [
      {"id": "inner", "kind": "workflow", "workflow": {"id": "again", "version": 1},
       "input": {}}]})");
  ExecutionLimits limits;
  limits.workflow_depth = 4;
  const auto s = run(wf, limits);
  ASSERT_EQ(s.status, ExecutionStatus::kFailed);
  EXPECT_EQ(s.error.code, kLimitWorkflowDepth);
  size_t nested = 0;
  for (const auto& e : s.history) {
    if (e.type == EventType::kStepScheduled) {
      nested = std::max<size_t>(nested, std::count(e.step.begin(), e.step.end(), '('));
    }
  }
  EXPECT_EQ(nested, 4u);  // inner( x4: the fifth level was refused before it started
}

TEST_F(ExecutionLimitsTest, AnOutputTooDeepForWhereItIsWrittenFailsTheStep) {
  JsonLimits json_limits;
  json_limits.max_depth = 8;
  configure_json_limits(json_limits);
  // The echo's output {"params": {...}, "context": {...}} is two levels deep; written seven
  // levels below the context's root it would make the context nine deep.
  auto wf = workflow(R"({"id": "deep", "version": 1, "title": "t", "steps": [
      {"id": "work", "kind": "task", "type": "test.echo", "parameters": {"case_id": "FC-1"},
       "result": "/a/b/c/d/e/f/g"}]})");
  const auto s = run(wf, ExecutionLimits{});
  ASSERT_EQ(s.status, ExecutionStatus::kFailed);
  EXPECT_EQ(s.error.code, kLimitValue);
  EXPECT_NE(s.error.message.find("limits.depth"), std::string::npos) << s.error.message;
}

TEST_F(ExecutionLimitsTest, AnInputTooDeepIsRefusedBeforeAnythingRuns) {
  auto wf = workflow(R"({"id": "in", "version": 1, "title": "t", "steps": [
      {"id": "done", "kind": "succeed"}]})");
  json deep = json::object();
  for (int i = 0; i < 200; ++i) deep = json{{"x", std::move(deep)}};
  Engine engine(registry_, catalog_, clock_,
                EngineOptions{.scheduler_threads = 1, .plugin_threads = 2});
  auto id = engine.start(wf, deep);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().code(), ErrorCode::kInvalidData);
  EXPECT_NE(id.error().message().find("limits.depth"), std::string::npos);
  EXPECT_EQ(id.error().pointer().rfind("/x/x/x", 0), 0u);
}

}  // namespace
}  // namespace coalition
