// What executions' drains hand the store, on a real SQLite store whose writes the test holds:
// an execution changed again while the store writes its previous change stays in memory until
// that change is written too, so nobody reads it back from a store that lacks it; and a count of
// process deaths is cleared where one is stored, once, and nowhere else.
#include <gtest/gtest.h>

#include <future>
#include <set>
#include <thread>

#include "runtime/engine.h"
#include "store/sqlite_store.h"
#include "support/approval_step.h"
#include "support/gated_store.h"
#include "support/hand_turned_wall_clock.h"
#include "support/in_memory_plugins.h"
#include "support/temp_dir.h"
#include "workflow/workflow_loader.h"

// A namespace of its own: unity builds compile several test files as one.
namespace coalition::execution_drain_test {
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

class ExecutionDrain : public ::testing::Test {
 protected:
  void SetUp() override {
    auto plugin = loader_.load_entry(&entry, "libpipeline_test.so");
    ASSERT_TRUE(plugin.ok());
    ASSERT_TRUE(registry_.add(std::move(*plugin)).ok());
    auto loaded = load_workflow(kReview, "review.json");
    ASSERT_TRUE(loaded.problems.empty());
    workflow_ = loaded.workflow;
    ASSERT_TRUE(catalog_.add(workflow_).ok());
    auto sqlite = SqliteStore::open(SqliteOptions{(dir_.path() / "s.db").string()});
    ASSERT_TRUE(sqlite.ok());
    sqlite_ = std::move(*sqlite);
    gate_ = std::make_unique<test::GatedStore>(*sqlite_);
    engine_ = std::make_unique<Engine>(
        registry_, catalog_, clock_,
        EngineOptions{.scheduler_threads = 1, .plugin_threads = 2, .store = gate_.get()});
  }
  // In place of engine_: an engine on `clock` (a wall clock the test turns), one scheduler
  // thread, reloading no more than `backlog` woken executions at once.
  std::unique_ptr<Engine> engine_on(Clock& clock, size_t backlog) {
    engine_.reset();
    return std::make_unique<Engine>(registry_, catalog_, clock,
                                    EngineOptions{.scheduler_threads = 1,
                                                  .plugin_threads = 2,
                                                  .store = gate_.get(),
                                                  .reload_backlog = backlog});
  }
  // Starts `id`, parked at its review task (and so evicted).
  void start_parked(const std::string& id) {
    ASSERT_TRUE(engine_->start(workflow_, json::object(), id, "coord.cora").ok());
    engine_->wait_idle();
    ASSERT_TRUE(engine_->sync().ok());
  }
  // The interruption counts written in the batches from the `from`th on.
  std::vector<std::pair<std::string, uint32_t>> counts_written(size_t from) {
    std::vector<std::pair<std::string, uint32_t>> written;
    const auto seen = gate_->seen();
    for (size_t i = from; i < seen.size(); ++i) {
      written.insert(written.end(), seen[i].interruptions.begin(), seen[i].interruptions.end());
    }
    return written;
  }

  test::TempDir dir_;
  test::FakeLibraryLoader libraries_;
  PluginLoader loader_{libraries_, json::object()};
  PluginRegistry registry_;
  WorkflowCatalog catalog_;
  ManualClock clock_{TimePoint(std::chrono::seconds(1796115600))};
  std::shared_ptr<const Workflow> workflow_;
  std::unique_ptr<SqliteStore> sqlite_;
  std::unique_ptr<test::GatedStore> gate_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(ExecutionDrain, AnExecutionWithAChangeOnItsWayIsNotReadBackFromTheStore) {
  Engine& engine = *engine_;
  test::GatedStore& gate = *gate_;
  start_parked("ex-1");
  ASSERT_TRUE(engine.execution_ids().empty());  // parked: evicted until someone acts
  const size_t before = gate.seen().size();

  // Rai claims the task; the store is held while it writes the claim.
  Status claimed = ok_status();
  Status released = ok_status();
  Status ravi = ok_status();
  std::jthread a;
  std::jthread b;
  std::jthread c;
  const test::OpenAtExit open_at_exit(gate);  // before the threads are joined
  gate.hold_after(0);
  a = std::jthread([&] { claimed = engine.claim_task("ex-1.t1", kRai); });
  ASSERT_TRUE(gate.wait_until_held(before + 1));
  // Meanwhile Rai releases it again: drained into the next batch while the claim is written.
  // (The pause lets the drain happen first, the order that once evicted the execution; should it
  // be too short on a loaded machine, the test passes without meeting that order.)
  b = std::jthread([&] { released = engine.release_task("ex-1.t1", kRai, false); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  // The claim is written, the release held: the execution must stay in memory, released.
  gate.hold_after(1);
  ASSERT_TRUE(gate.wait_until_held(before + 2));
  EXPECT_FALSE(engine.execution_ids().empty());
  // So Ravi may claim it now (read back from the store it would still be Rai's).
  c = std::jthread([&] { ravi = engine.claim_task("ex-1.t1", kRavi); });
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

// A load reads the store with none of the engine's locks held: while one execution's read
// waits in the store, another execution is loaded, acted on and committed (before, every load
// and every commit's eviction queued behind that read). A second caller for the execution being
// read waits for that read rather than reading it again. (Should the second caller come only
// after the read on a loaded machine, it finds the execution in memory: no read either.)
TEST_F(ExecutionDrain, AnExecutionBeingReadHoldsUpNoOtherAndIsReadOnce) {
  start_parked("ex-1");
  start_parked("ex-2");
  ASSERT_TRUE(engine_->execution_ids().empty());  // both parked, evicted
  const int before = gate_->reloads();

  Status first = ok_status();
  Status second = ok_status();
  std::jthread a;
  std::jthread b;
  std::future<std::string> other;
  const test::OpenAtExit open_at_exit(*gate_);  // before the threads are joined
  gate_->hold_reads_of("ex-1");
  a = std::jthread([&] { first = engine_->claim_task("ex-1.t1", kRai); });
  ASSERT_TRUE(gate_->wait_until_reads_held(1));
  b = std::jthread([&] { second = engine_->claim_task("ex-1.t1", kRavi); });
  other = std::async(std::launch::async, [&] {
    auto claimed = engine_->claim_task("ex-2.t1", kRai);
    return claimed.ok() ? std::string() : claimed.error().message();
  });
  ASSERT_EQ(other.wait_for(std::chrono::seconds(10)), std::future_status::ready)
      << "ex-2 waited for ex-1's read";
  EXPECT_EQ(other.get(), "");
  EXPECT_EQ((*gate_->task("ex-2.t1"))->doc.value("assignee", ""), "rev.rai") << "committed";
  EXPECT_FALSE(gate_->wait_until_reads_held(2, std::chrono::milliseconds(300)))
      << "the second caller read ex-1 too";

  gate_->release_reads();
  a.join();
  b.join();
  EXPECT_NE(first.ok(), second.ok()) << "one claim wins, the other finds the task taken";
  EXPECT_EQ(gate_->reloads() - before, 2) << "ex-1 once, ex-2 once";
  engine_->wait_idle();
  ASSERT_TRUE(engine_->sync().ok());
  EXPECT_EQ((*gate_->task("ex-1.t1"))->doc.value("assignee", ""),
            first.ok() ? "rev.rai" : "rev.ravi");
}

TEST_F(ExecutionDrain, AStopCountIsClearedOnceAndOnlyWhereOneIsStored) {
  start_parked("ex-1");
  start_parked("ex-2");
  // A previous process died twice while working on ex-1.
  StoreBatch deaths;
  deaths.interruptions.emplace_back("ex-1", 2);
  ASSERT_TRUE(gate_->apply(deaths).ok());
  ASSERT_EQ(*gate_->interruptions("ex-1"), 2u);

  size_t from = gate_->seen().size();
  ASSERT_TRUE(engine_->claim_task("ex-1.t1", kRai).ok());  // loaded, parked again: cleared
  ASSERT_TRUE(engine_->claim_task("ex-2.t1", kRai).ok());  // none stored: nothing to clear
  engine_->wait_idle();
  ASSERT_TRUE(engine_->sync().ok());
  EXPECT_EQ(counts_written(from), (std::vector<std::pair<std::string, uint32_t>>{{"ex-1", 0}}));
  EXPECT_EQ(*gate_->interruptions("ex-1"), 0u);

  from = gate_->seen().size();
  ASSERT_TRUE(engine_->release_task("ex-1.t1", kRai, false).ok());
  ASSERT_TRUE(engine_->complete_task("ex-2.t1", kRai, {{"decision", "approve"}}).ok());
  engine_->wait_idle();
  ASSERT_TRUE(engine_->sync().ok());
  EXPECT_TRUE(counts_written(from).empty());
  EXPECT_EQ((*gate_->execution("ex-2"))->status, ExecutionStatus::kSucceeded);
}

// Deadlines falling due together reload their executions only as fast as commits let them go:
// with the syncs held (nothing reloaded can be let go), no more than reload_backlog executions
// are read back, and the engine is not settled while the others wait; once syncs go on, every
// one is reloaded and finishes. On the wall clock, where a reloaded execution's due timer fires
// at once (in virtual time nothing is postponed: its timer waits for time to be moved).
TEST_F(ExecutionDrain, WakeUpsReloadNoMoreExecutionsThanTheBacklogAllowsWhileCommitsWait) {
  constexpr int kExecutions = 12;
  constexpr size_t kBacklog = 3;
  auto hold = load_workflow(R"({"id": "hold", "version": 1, "title": "Hold", "steps": [
      {"id": "pause", "kind": "wait", "for": "PT1H", "next": "done"},
      {"id": "done", "kind": "succeed"}]})",
                            "hold.json");
  ASSERT_TRUE(hold.problems.empty());
  ASSERT_TRUE(catalog_.add(hold.workflow).ok());
  const TimePoint start = clock_.now();
  test::HandTurnedWallClock clock(start);  // declared before the engine that runs on it
  auto engine = engine_on(clock, kBacklog);
  for (int i = 0; i < kExecutions; ++i) {
    ASSERT_TRUE(
        engine->start(hold.workflow, json::object(), "ex-" + std::to_string(i), "coord.cora").ok());
  }
  engine->wait_idle();
  ASSERT_TRUE(engine->sync().ok());
  ASSERT_TRUE(engine->execution_ids().empty()) << "all parked: only their wake-ups are left";
  const int before = gate_->reloads();

  const test::OpenAtExit open_at_exit(*gate_);
  gate_->hold_syncs();
  const TimePoint later = start + std::chrono::hours(2);
  clock.inner.set_at_least(later);
  int fired = 0;
  while (clock.inner.fire_next(later)) ++fired;  // every wake-up, each posting its reload
  ASSERT_EQ(fired, kExecutions);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (gate_->reloads() - before < static_cast<int>(kBacklog) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(gate_->wait_until_sync_held());
  // Time for the other wake-ups to be handled (without the bound they all reload at once).
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(gate_->reloads() - before, static_cast<int>(kBacklog));
  EXPECT_FALSE(engine->settled()) << "postponed wake-ups are work still to do";

  gate_->release_syncs();
  engine->wait_idle();
  ASSERT_TRUE(engine->sync().ok());
  EXPECT_EQ(gate_->reloads() - before, kExecutions);
  for (int i = 0; i < kExecutions; ++i) {
    const std::string id = "ex-" + std::to_string(i);
    auto record = gate_->execution(id);
    ASSERT_TRUE(record.ok() && record->has_value()) << id;
    EXPECT_EQ((*record)->status, ExecutionStatus::kSucceeded) << id;
  }
  EXPECT_TRUE(engine->settled());
}

// Deadlines falling due while the scheduler is busy are read back from the store together:
// one read for each 64 of the wake-ups queued meanwhile (the first one's reload
// holds the scheduler's one thread in the store until the others are queued), each read once,
// and every execution finishes.
TEST_F(ExecutionDrain, WakeUpsQueuedTogetherAreReadFromTheStoreInBatches) {
  constexpr int kLater = 70;
  auto shorter = load_workflow(R"({"id": "short", "version": 1, "title": "Short", "steps": [
      {"id": "pause", "kind": "wait", "for": "PT30M", "next": "done"},
      {"id": "done", "kind": "succeed"}]})",
                               "short.json");
  auto longer = load_workflow(R"({"id": "long", "version": 1, "title": "Long", "steps": [
      {"id": "pause", "kind": "wait", "for": "PT1H", "next": "done"},
      {"id": "done", "kind": "succeed"}]})",
                              "long.json");
  ASSERT_TRUE(shorter.problems.empty() && longer.problems.empty());
  ASSERT_TRUE(catalog_.add(shorter.workflow).ok());
  ASSERT_TRUE(catalog_.add(longer.workflow).ok());
  const TimePoint start = clock_.now();
  test::HandTurnedWallClock clock(start);  // declared before the engine that runs on it
  auto engine = engine_on(clock, 1000);
  ASSERT_TRUE(engine->start(shorter.workflow, json::object(), "ex-first", "coord.cora").ok());
  std::set<std::string> later;
  for (int i = 0; i < kLater; ++i) {
    const std::string id = "ex-" + std::to_string(i);
    ASSERT_TRUE(engine->start(longer.workflow, json::object(), id, "coord.cora").ok());
    later.insert(id);
  }
  engine->wait_idle();
  ASSERT_TRUE(engine->sync().ok());
  ASSERT_TRUE(engine->execution_ids().empty()) << "all parked: only their wake-ups are left";

  const test::OpenAtExit open_at_exit(*gate_);
  gate_->hold_reads_of("ex-first");
  clock.inner.set_at_least(start + std::chrono::minutes(45));
  ASSERT_TRUE(clock.inner.fire_next(clock.inner.now()));  // ex-first's wake-up
  ASSERT_TRUE(gate_->wait_until_reads_held(1));
  clock.inner.set_at_least(start + std::chrono::hours(2));
  int fired = 0;
  while (clock.inner.fire_next(clock.inner.now())) ++fired;  // queued behind the held read
  ASSERT_EQ(fired, kLater);
  gate_->release_reads();
  engine->wait_idle();
  ASSERT_TRUE(engine->sync().ok());

  const auto batches = gate_->batches_read();
  ASSERT_EQ(batches.size(), 3U);
  EXPECT_EQ(batches[0], std::vector<std::string>{"ex-first"});
  EXPECT_EQ(batches[1].size(), 64U);
  EXPECT_EQ(batches[2].size(), static_cast<size_t>(kLater - 64));
  std::multiset<std::string> read;
  read.insert(batches[1].begin(), batches[1].end());
  read.insert(batches[2].begin(), batches[2].end());
  EXPECT_EQ(std::set<std::string>(read.begin(), read.end()), later);
  EXPECT_EQ(read.size(), later.size()) << "each read once";
  later.insert("ex-first");
  for (const auto& id : later) {
    auto record = gate_->execution(id);
    ASSERT_TRUE(record.ok() && record->has_value()) << id;
    EXPECT_EQ((*record)->status, ExecutionStatus::kSucceeded) << id;
  }
  EXPECT_TRUE(engine->settled());
}

}  // namespace
}  // namespace coalition::execution_drain_test
