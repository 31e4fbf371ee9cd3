// Several engines on one PostgreSQL database, each a node with leases (runtime/engine.h
// NodeOptions, store/execution_leases.h): what one node started, another acts on; a node that
// paused past its lease while a step ran writes nothing over the node that took the execution
// up, and carries on with the rest of its work; a due timer is taken up by one node only.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/utc_time.h"
#include "runtime/engine.h"
#include "store/postgres_leases.h"
#include "store/postgres_store.h"
#include "support/approval_step.h"
#include "support/in_memory_plugins.h"
#include "support/postgres_database.h"
#include "workflow/workflow_loader.h"

namespace coalition::engine_nodes_test {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

// A step that holds its callers until the test opens the gate.
class GateStep {
 public:
  static constexpr sdk::StepTypeInfo kInfo{
      .name = "test.gate",
      .description = "Waits for the test.",
      .parameters_schema = R"({"type":"object","properties":{}})",
      .capabilities = COALITION_CAP_THREAD_SAFE | COALITION_CAP_IDEMPOTENT,
  };
  static inline std::mutex mutex;
  static inline std::condition_variable cv;
  static inline bool open = true;
  static inline std::atomic<int> calls{0};
  sdk::Outcome execute(const json&, const sdk::Context&) {
    ++calls;
    std::unique_lock<std::mutex> lock(mutex);
    cv.wait(lock, [] { return open; });
    return sdk::Outcome::ok({{"through", true}});
  }
  static void set(bool is_open) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      open = is_open;
    }
    cv.notify_all();
  }
};

constexpr sdk::PluginInfo kPlugin{"nodes_test", "1.0.0", "Test", sdk::PartnerType::kCoalition,
                                  "Test steps."};
const coalition_plugin_descriptor_t* entry(uint32_t, uint32_t) {
  return sdk::detail::describe<test::ApprovalStep, GateStep>(kPlugin);
}

constexpr const char* kFlow = R"({"id": "nodes", "version": 1, "title": "Nodes", "steps": [
  {"id": "gate", "kind": "task", "type": "test.gate", "next": "approve"},
  {"id": "approve", "kind": "task", "type": "test.approval", "parameters": {"title": "ok?"},
   "assign": {"roles": ["analyst"]},
   "deadline": {"in": "PT1H", "escalate": [{"roles": ["lead"], "in": "PT1H"}]},
   "result": "/approve"}]})";

// The real leases, with a heartbeat the test can stop: a node frozen by SIGSTOP, in-process.
class PausableLeases final : public ExecutionLeases {
 public:
  explicit PausableLeases(std::unique_ptr<ExecutionLeases> real) : real_(std::move(real)) {}
  std::atomic<bool> paused{false};
  Status heartbeat(const std::string& node, const std::string& name, milliseconds lease) override {
    return paused ? ok_status() : real_->heartbeat(node, name, lease);
  }
  Result<LeaseClaim> claim(const std::string& node, const std::string& id) override {
    return real_->claim(node, id);
  }
  Result<std::vector<ExecutionFence>> claim_orphans(const std::string& node, TimePoint now,
                                                    size_t limit) override {
    return real_->claim_orphans(node, now, limit);
  }
  Status release(const ExecutionFence& lease) override { return real_->release(lease); }
  Result<std::vector<std::string>> moved(const std::vector<ExecutionFence>& held) override {
    return real_->moved(held);
  }
  Status leave(const std::string& node) override { return real_->leave(node); }
  Result<std::vector<NodeRecord>> nodes() override { return real_->nodes(); }

 private:
  std::unique_ptr<ExecutionLeases> real_;
};

// One node: its store, its leases and its engine, on the test's clock.
struct Node {
  std::unique_ptr<PostgresStore> store;
  std::unique_ptr<PausableLeases> leases;
  std::unique_ptr<Engine> engine;
};

class EngineNodesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GateStep::set(true);
    auto plugin = loader_.load_entry(&entry, "libnodes_test.so");
    ASSERT_TRUE(plugin.ok());
    ASSERT_TRUE(registry_.add(std::move(*plugin)).ok());
    auto loaded = load_workflow(kFlow, "nodes.json");
    ASSERT_TRUE(loaded.problems.empty()) << loaded.problems.front().format("nodes.json");
    workflow_ = loaded.workflow;
    ASSERT_TRUE(catalog_.add(workflow_).ok());
    auto db = test::PostgresDatabase::create();
    ASSERT_TRUE(db.ok()) << db.error().message();
    db_ = std::move(*db);
  }
  void TearDown() override { GateStep::set(true); }

  Node node(const std::string& name, milliseconds lease = milliseconds(60000)) {
    Node n;
    auto store = PostgresStore::open(PostgresOptions{db_->url()});
    auto leases = PostgresLeases::open(db_->url());
    EXPECT_TRUE(store.ok()) << store.error().message();
    EXPECT_TRUE(leases.ok()) << leases.error().message();
    if (!store.ok() || !leases.ok()) return n;  // no engine: the caller's check stops the test
    n.store = std::move(*store);
    n.leases = std::make_unique<PausableLeases>(std::move(*leases));
    EngineOptions options{.scheduler_threads = 1, .plugin_threads = 2, .store = n.store.get()};
    options.node = NodeOptions{.leases = n.leases.get(),
                               .name = name,
                               .lease = lease,
                               .busy_wait = milliseconds(3000),
                               .adopt = false};
    n.engine = std::make_unique<Engine>(registry_, catalog_, clock_, options);
    return n;
  }
  std::vector<EventType> events(Store& store, const std::string& id) {
    std::vector<EventType> out;
    auto history = store.history(id);
    EXPECT_TRUE(history.ok()) << history.error().message();
    if (!history.ok()) return out;
    for (const auto& e : *history) out.push_back(e.type);
    return out;
  }
  static size_t count(const std::vector<EventType>& events, EventType type) {
    return static_cast<size_t>(std::count(events.begin(), events.end(), type));
  }
  // Waits (a safety limit, not a speed check) until the gate step has been called `n` times
  // since `before` calls; how many times it was.
  static int gate_calls_since(int before, int n) {
    for (int i = 0; i < 300 && GateStep::calls.load() < before + n; ++i) {
      std::this_thread::sleep_for(milliseconds(10));
    }
    return GateStep::calls.load() - before;
  }
  static void expect_audit_verifies(Store& store) {
    auto verified = store.verify_audit();
    ASSERT_TRUE(verified.ok()) << verified.error().message();
    EXPECT_TRUE(verified->ok) << verified->problem;
  }
  Result<std::vector<std::string>> owners() {
    return db_->column("SELECT coalesce(owner, '-') FROM executions ORDER BY id");
  }

  test::FakeLibraryLoader libraries_;
  PluginLoader loader_{libraries_, json::object()};
  PluginRegistry registry_;
  WorkflowCatalog catalog_;
  std::shared_ptr<const Workflow> workflow_;
  ManualClock clock_{*parse_utc("2026-12-01T09:00:00Z")};
  std::unique_ptr<test::PostgresDatabase> db_;
};

TEST_F(EngineNodesTest, WhatOneNodeStartedAnotherActsOn) {
  Node a = node("a");
  Node b = node("b");
  ASSERT_TRUE(a.engine && b.engine);
  auto id = a.engine->start(workflow_, json::object(), "ex-1", "lead.lee");
  ASSERT_TRUE(id.ok()) << id.error().message();
  a.engine->wait_idle();
  ASSERT_TRUE(a.engine->sync().ok());
  EXPECT_TRUE(a.engine->execution_ids().empty()) << "parked for people: out of a's memory";
  // a let it go (asynchronously: the keeper releases it).
  for (int i = 0; i < 100; ++i) {
    auto o = owners();
    ASSERT_TRUE(o.ok()) << o.error().message();
    ASSERT_EQ(o->size(), 1u);
    if (o->front() == "-") break;
    std::this_thread::sleep_for(milliseconds(20));
  }
  const auto let_go = owners();
  ASSERT_TRUE(let_go.ok()) << let_go.error().message();
  EXPECT_EQ(*let_go, std::vector<std::string>{"-"});

  auto done = b.engine->complete_task("ex-1.t1", {"ana", "analyst", ""}, {{"decision", "approve"}});
  ASSERT_TRUE(done.ok()) << done.error().message();
  b.engine->wait_idle();
  ASSERT_TRUE(b.engine->sync().ok());
  auto record = b.store->execution("ex-1");
  ASSERT_TRUE(record.ok() && *record);
  EXPECT_EQ((*record)->status, ExecutionStatus::kSucceeded);
  expect_audit_verifies(*a.store);
}

// a runs the gate step and freezes (its heartbeat stops) past its lease; b takes the execution
// up and finishes the step. When a wakes, its result is refused: the step succeeded once, and
// a goes on with its other work.
TEST_F(EngineNodesTest, ANodeThatPausedPastItsLeaseWritesNothingOverTheNodeThatTookItsWorkUp) {
  Node a = node("a", milliseconds(300));
  Node b = node("b");
  ASSERT_TRUE(a.engine && b.engine);
  GateStep::set(false);
  const int calls_before = GateStep::calls.load();
  auto id = a.engine->start(workflow_, json::object(), "ex-1", "lead.lee");
  ASSERT_TRUE(id.ok()) << id.error().message();
  ASSERT_EQ(gate_calls_since(calls_before, 1), 1) << "a is inside the gate step";
  a.leases->paused = true;
  std::this_thread::sleep_for(milliseconds(600));  // a's lease lapses

  auto adopted = b.engine->adopt_orphans();
  ASSERT_TRUE(adopted.ok()) << adopted.error().message();
  EXPECT_EQ(*adopted, 1u) << "b takes up the execution a was running";
  ASSERT_EQ(gate_calls_since(calls_before, 2), 2) << "b runs the step again (same key)";
  GateStep::set(true);  // both calls return; a wakes up
  a.leases->paused = false;
  b.engine->wait_idle();
  ASSERT_TRUE(b.engine->sync().ok());
  a.engine->wait_idle();
  ASSERT_TRUE(a.engine->sync().ok()) << "a's engine did not fail: only its copy was dropped";

  const auto history = events(*b.store, "ex-1");
  EXPECT_EQ(count(history, EventType::kStepSucceeded), 1u) << "the gate succeeded once";
  EXPECT_EQ(count(history, EventType::kStepSuspended), 1u) << "one approval task";
  auto tasks = b.store->tasks(TaskFilter{"ex-1", "", true});
  ASSERT_TRUE(tasks.ok());
  ASSERT_EQ(tasks->size(), 1u);

  // a works on: it starts and finishes another execution, and acts on this one (claiming it
  // back from the store, where b left it parked).
  auto other = a.engine->start(workflow_, json::object(), "ex-2", "lead.lee");
  ASSERT_TRUE(other.ok()) << other.error().message();
  auto done =
      a.engine->complete_task(tasks->front().id, {"ana", "analyst", ""}, {{"decision", "approve"}});
  ASSERT_TRUE(done.ok()) << done.error().message();
  a.engine->wait_idle();
  ASSERT_TRUE(a.engine->sync().ok());
  auto record = a.store->execution("ex-1");
  ASSERT_TRUE(record.ok() && *record);
  EXPECT_EQ((*record)->status, ExecutionStatus::kSucceeded);
  expect_audit_verifies(*b.store);
}

// a runs the gate step and freezes; b takes the execution up, runs the step, and dies in turn;
// a wakes and takes the execution back from the store. The copy a kept from before its pause is
// stale: it writes nothing under the new claim, and the step still succeeds once.
TEST_F(EngineNodesTest, ACopyLeftFromBeforeAPauseNeverWritesUnderANewerClaim) {
  Node a = node("a", milliseconds(300));
  Node b = node("b", milliseconds(300));
  ASSERT_TRUE(a.engine && b.engine);
  GateStep::set(false);
  const int calls_before = GateStep::calls.load();
  auto wait_calls = [&](int n) { return gate_calls_since(calls_before, n); };
  ASSERT_TRUE(a.engine->start(workflow_, json::object(), "ex-1", "lead.lee").ok());
  ASSERT_EQ(wait_calls(1), 1);
  a.leases->paused = true;
  std::this_thread::sleep_for(milliseconds(600));
  auto by_b = b.engine->adopt_orphans();
  ASSERT_TRUE(by_b.ok() && *by_b == 1u);
  ASSERT_EQ(wait_calls(2), 2) << "b runs the step";
  b.leases->paused = true;  // b dies (its call still held)
  a.leases->paused = false;
  std::this_thread::sleep_for(milliseconds(600));
  auto by_a = a.engine->adopt_orphans();
  ASSERT_TRUE(by_a.ok()) << by_a.error().message();
  EXPECT_EQ(*by_a, 1u) << "a takes it back";
  ASSERT_EQ(wait_calls(3), 3) << "a runs the step from the store's state, not its old copy";
  GateStep::set(true);
  for (Engine* e : {a.engine.get(), b.engine.get()}) {
    e->wait_idle();
    ASSERT_TRUE(e->sync().ok());
  }
  const auto history = events(*a.store, "ex-1");
  EXPECT_EQ(count(history, EventType::kStepSucceeded), 1u) << "the gate succeeded once";
  EXPECT_EQ(count(history, EventType::kTaskCreated), 1u);
  expect_audit_verifies(*a.store);
}

// An execution parked with its escalation timer due: two nodes poll at once, one takes it up,
// and the escalation happens once.
TEST_F(EngineNodesTest, ADueTimerIsTakenUpByOneNode) {
  {
    Node starter = node("starter");
    ASSERT_TRUE(starter.engine);
    ASSERT_TRUE(starter.engine->start(workflow_, json::object(), "ex-1", "lead.lee").ok());
    starter.engine->wait_idle();
    ASSERT_TRUE(starter.engine->sync().ok());
  }  // gone: its wakeup with it
  // The deadline passes (an hour): the task escalates.
  clock_.set_at_least(*parse_utc("2026-12-01T10:01:00Z"));
  Node a = node("a");
  Node b = node("b");
  ASSERT_TRUE(a.engine && b.engine);
  Result<size_t> by_a = size_t{0};
  Result<size_t> by_b = size_t{0};
  std::thread ta([&] { by_a = a.engine->adopt_orphans(); });
  std::thread tb([&] { by_b = b.engine->adopt_orphans(); });
  ta.join();
  tb.join();
  ASSERT_TRUE(by_a.ok() && by_b.ok());
  EXPECT_EQ(*by_a + *by_b, 1u);
  // The node that took it up has armed its timer, due already: fire what is due (the test's
  // clock is virtual), on whichever node armed it.
  for (;;) {
    a.engine->wait_idle();
    b.engine->wait_idle();
    if (!clock_.fire_next(clock_.now())) break;
  }
  for (Engine* e : {a.engine.get(), b.engine.get()}) {
    e->wait_idle();
    ASSERT_TRUE(e->sync().ok());
  }
  const auto history = events(*a.store, "ex-1");
  EXPECT_EQ(count(history, EventType::kEscalated), 1u);
}

}  // namespace
}  // namespace coalition::engine_nodes_test
