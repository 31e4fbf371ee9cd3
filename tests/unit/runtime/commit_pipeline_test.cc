// Executions under the pipelined group committer, on a real SQLite store whose writes the test
// holds: an execution changed again while the store writes its previous change stays in memory
// until that change is written too, so nobody reads it back from a store that lacks it.
#include <gtest/gtest.h>

#include <thread>

#include "runtime/engine.h"
#include "store/sqlite_store.h"
#include "support/approval_step.h"
#include "support/gated_store.h"
#include "support/in_memory_plugins.h"
#include "support/temp_dir.h"
#include "workflow/workflow_loader.h"

namespace coalition {
namespace {

using nlohmann::json;

constexpr sdk::PluginInfo kPlugin{"pipeline_test", "1.0.0", "Test", sdk::PartnerType::kCoalition,
                                  "Test steps."};
const coalition_plugin_descriptor_t* entry(uint32_t, uint32_t) {
  return sdk::detail::describe<test::ApprovalStep>(kPlugin);
}

constexpr const char* kReview = R"({"id": "review", "version": 1, "title": "Review", "steps": [
  {"id": "approve", "kind": "task", "type": "test.approval", "parameters": {"title": "Approve"},
   "assign": {"roles": ["reviewer"], "organisation": "northbank"}}]})";

const Actor kRai{"rev.rai", "reviewer", "northbank"};
const Actor kRavi{"rev.ravi", "reviewer", "northbank"};

TEST(CommitPipeline, AnExecutionWithAChangeOnItsWayIsNotReadBackFromTheStore) {
  test::TempDir dir;
  test::FakeLibraryLoader libraries;
  PluginLoader loader{libraries, json::object()};
  PluginRegistry registry;
  WorkflowCatalog catalog;
  ManualClock clock{TimePoint(std::chrono::seconds(1796115600))};
  auto plugin = loader.load_entry(&entry, "libpipeline_test.so");
  ASSERT_TRUE(plugin.ok());
  ASSERT_TRUE(registry.add(std::move(*plugin)).ok());
  auto loaded = load_workflow(kReview, "review.json");
  ASSERT_TRUE(loaded.problems.empty());
  ASSERT_TRUE(catalog.add(loaded.workflow).ok());
  auto sqlite = SqliteStore::open(SqliteOptions{(dir.path() / "s.db").string()});
  ASSERT_TRUE(sqlite.ok());
  test::GatedStore gate(**sqlite);
  Engine engine(registry, catalog, clock,
                EngineOptions{.scheduler_threads = 1, .plugin_threads = 2, .store = &gate});
  ASSERT_TRUE(engine.start(loaded.workflow, json::object(), "ex-1", "coord.cora").ok());
  engine.wait_idle();
  ASSERT_TRUE(engine.sync().ok());
  ASSERT_TRUE(engine.execution_ids().empty());  // parked: evicted until someone acts
  const size_t before = gate.seen().size();

  // Rai claims the task; the store is held while it writes the claim.
  gate.hold_after(0);
  Status claimed = ok_status();
  std::thread a([&] { claimed = engine.claim_task("ex-1.t1", kRai); });
  ASSERT_TRUE(gate.wait_until_held(before + 1));
  // Meanwhile Rai releases it again: drained into the next batch while the claim is written.
  // (The pause lets the drain happen first, the order that once evicted the execution.)
  Status released = ok_status();
  std::thread b([&] { released = engine.release_task("ex-1.t1", kRai, false); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  // The claim is written, the release held: the execution must stay in memory, released.
  gate.hold_after(1);
  ASSERT_TRUE(gate.wait_until_held(before + 2));
  EXPECT_FALSE(engine.execution_ids().empty());
  // So Ravi may claim it now (read back from the store it would still be Rai's).
  Status ravi = ok_status();
  std::thread c([&] { ravi = engine.claim_task("ex-1.t1", kRavi); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  gate.open();
  a.join();
  b.join();
  c.join();
  EXPECT_TRUE(claimed.ok()) << claimed.error().message();
  EXPECT_TRUE(released.ok()) << released.error().message();
  EXPECT_TRUE(ravi.ok()) << ravi.error().message();
  auto task = gate.task("ex-1.t1");
  ASSERT_TRUE(task.ok() && task->has_value());
  EXPECT_EQ((*task)->doc.value("assignee", ""), "rev.ravi");
}

}  // namespace
}  // namespace coalition
