// The engine with in-memory plugins and a manual clock: what the data-driven cases cannot show
// (a hung plugin, timeouts, many executions at once).
#include "runtime/engine.h"

#include <gtest/gtest.h>

#include <future>
#include <map>
#include <set>
#include <thread>

#include "support/in_memory_plugins.h"
#include "workflow/workflow_loader.h"

// A namespace of its own: unity builds compile several test files as one.
namespace coalition::engine_test {
namespace {

using nlohmann::json;

// A step whose attempts block until the test releases them.
class GateStep {
 public:
  static constexpr sdk::StepTypeInfo kInfo{
      .name = "test.gate",
      .description = "Blocks until released.",
      .parameters_schema = R"({"type":"object","properties":{}})",
      .capabilities = COALITION_CAP_THREAD_SAFE,
  };
  static inline std::mutex mutex;
  static inline std::condition_variable changed;
  static inline int released = 0;  // number of attempts allowed through
  static inline int entered = 0;
  static void reset() {
    std::lock_guard<std::mutex> lock(mutex);
    released = entered = 0;
  }
  static void release(int n) {
    std::lock_guard<std::mutex> lock(mutex);
    released += n;
    changed.notify_all();
  }
  static void wait_entered(int n) {
    std::unique_lock<std::mutex> lock(mutex);
    changed.wait(lock, [n] { return entered >= n; });
  }
  sdk::Outcome execute(const json&, const sdk::Context& context) {
    std::unique_lock<std::mutex> lock(mutex);
    const int ticket = entered++;
    changed.notify_all();
    changed.wait(lock, [ticket] { return released > ticket; });
    return sdk::Outcome::ok({{"attempt", context.attempt()}});
  }
};

// Records the threads its calls ran on: kInline declares itself non-blocking and thread-safe,
// kPooled only thread-safe, kSerial non-blocking but not thread-safe.
enum Where { kPooled, kInline, kSerial };
template <Where W>
class WhereStep {
 public:
  static constexpr sdk::StepTypeInfo kInfo{
      .name = W == kInline   ? "test.where_inline"
              : W == kSerial ? "test.where_serial"
                             : "test.where_pooled",
      .description = "Records its thread.",
      .parameters_schema = R"({"type":"object","properties":{}})",
      .capabilities = (W == kSerial ? 0u : COALITION_CAP_THREAD_SAFE) |
                      (W == kPooled ? 0u : COALITION_CAP_NON_BLOCKING),
  };
  static inline std::mutex mutex;
  static inline std::multiset<std::thread::id> threads;
  sdk::Outcome execute(const json&, const sdk::Context&) {
    std::lock_guard<std::mutex> lock(mutex);
    threads.insert(std::this_thread::get_id());
    return sdk::Outcome::ok();
  }
};

constexpr sdk::PluginInfo kGatePlugin{"gate", "1.0.0", "Test", sdk::PartnerType::kCoalition,
                                      "Gate."};
const coalition_plugin_descriptor_t* gate_entry(uint32_t, uint32_t) {
  return sdk::detail::describe<GateStep, test::EchoStep, WhereStep<kInline>, WhereStep<kPooled>,
                               WhereStep<kSerial>>(kGatePlugin);
}

// Waits (up to a generous safety limit, not a speed assertion) until `done` holds.
template <class Pred>
bool eventually(Pred done) {
  const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!done()) {
    if (std::chrono::steady_clock::now() > limit) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

std::shared_ptr<const Workflow> workflow(const std::string& text) {
  auto loaded = load_workflow(text, "test.json");
  EXPECT_TRUE(loaded.problems.empty()) << loaded.problems.front().format("test.json");
  return loaded.workflow;
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GateStep::reset();
    auto plugin = loader_.load_entry(&gate_entry, "libgate.so");
    ASSERT_TRUE(plugin.ok());
    ASSERT_TRUE(registry_.add(std::move(*plugin)).ok());
  }
  test::FakeLibraryLoader libraries_;
  PluginLoader loader_{libraries_, json::object()};
  PluginRegistry registry_;
  WorkflowCatalog catalog_;
  ManualClock clock_{TimePoint(std::chrono::seconds(1798675200))};
};

TEST_F(EngineTest, TimedOutAttemptIsRetriedAndItsLateResultIgnored) {
  auto wf = workflow(R"({"id": "t", "version": 1, "title": "t", "steps": [
      {"id": "slow", "kind": "task", "type": "test.gate", "timeout": "PT30S",
       "retry": {"max_attempts": 2, "initial_interval": "PT5S"}, "result": "/r"}]})");
  Engine engine(registry_, catalog_, clock_,
                EngineOptions{.scheduler_threads = 1, .plugin_threads = 2});
  auto id = engine.start(wf, json::object());
  ASSERT_TRUE(id.ok());
  GateStep::wait_entered(1);                 // attempt 1 is stuck inside the plugin
  clock_.advance(std::chrono::seconds(30));  // its deadline passes
  ASSERT_TRUE(eventually([&] {
    auto s = *engine.snapshot(*id);
    return !s.history.empty() && s.history.back().type == EventType::kRetryScheduled;
  }));
  clock_.advance(std::chrono::seconds(5));  // the retry delay passes
  GateStep::wait_entered(2);
  GateStep::release(2);  // both attempts return; only attempt 2 counts
  engine.wait_idle();
  auto s = *engine.snapshot(*id);
  ASSERT_EQ(s.status, ExecutionStatus::kSucceeded) << s.error.message;
  EXPECT_EQ(s.output["r"]["attempt"], 2);
  int retries = 0;
  for (const auto& e : s.history) {
    if (e.type == EventType::kRetryScheduled) {
      ++retries;
      EXPECT_EQ(e.data()["error"]["code"], "step.timeout");
      EXPECT_EQ(e.at, TimePoint(std::chrono::seconds(1798675200 + 30)));
    }
  }
  EXPECT_EQ(retries, 1);
}

TEST_F(EngineTest, TimeoutAfterLastAttemptFailsTheStep) {
  auto wf = workflow(R"({"id": "t", "version": 1, "title": "t", "steps": [
      {"id": "slow", "kind": "task", "type": "test.gate", "timeout": "PT1M",
       "retry": {"max_attempts": 1}}]})");
  Engine engine(registry_, catalog_, clock_,
                EngineOptions{.scheduler_threads = 1, .plugin_threads = 2});
  auto id = engine.start(wf, json::object());
  GateStep::wait_entered(1);
  clock_.advance(std::chrono::minutes(1));
  GateStep::release(1);
  engine.wait_idle();
  auto s = *engine.snapshot(*id);
  EXPECT_EQ(s.status, ExecutionStatus::kFailed);
  EXPECT_EQ(s.error.code, "step.timeout");
}

// A branch that fails ends the execution while its siblings are still under way: one inside a
// plugin call, one on a timer. The ended execution lets go of their frames; what comes for them
// afterwards (the call's answer, the timer's instant, a signal) finds nothing and changes
// nothing, and the execution still answers as it ended.
TEST_F(EngineTest, WhatArrivesForBranchesOfAnEndedExecutionChangesNothing) {
  auto wf = workflow(R"({"id": "t", "version": 1, "title": "t", "steps": [
      {"id": "fan", "kind": "parallel", "branches": [
        {"name": "stuck", "steps": [{"id": "call", "kind": "task", "type": "test.gate"}]},
        {"name": "waits", "steps": [{"id": "pause", "kind": "wait", "for": "PT1H"}]},
        {"name": "breaks", "steps": [
          {"id": "stop", "kind": "fail", "error": "x.stopped", "message": "stopped"}]}]}]})");
  Engine engine(registry_, catalog_, clock_,
                EngineOptions{.scheduler_threads = 1, .plugin_threads = 2});
  auto id = engine.start(wf, json::object());
  ASSERT_TRUE(id.ok());
  GateStep::wait_entered(1);  // the stuck branch's call is inside the plugin
  ASSERT_TRUE(
      eventually([&] { return engine.snapshot(*id)->status != ExecutionStatus::kRunning; }));
  auto ended = *engine.snapshot(*id);
  ASSERT_EQ(ended.status, ExecutionStatus::kFailed);
  EXPECT_EQ(ended.error.code, "parallel.branch_failed");

  GateStep::release(1);                   // the call answers after the end
  clock_.advance(std::chrono::hours(2));  // the wait's instant passes
  EXPECT_FALSE(engine.signal(*id, "ack", json::object(), Actor{"ops", "coordinator", ""}).ok());
  engine.wait_idle();
  auto after = *engine.snapshot(*id);
  EXPECT_EQ(after.status, ExecutionStatus::kFailed);
  EXPECT_EQ(after.error.code, "parallel.branch_failed");
  ASSERT_EQ(after.history.size(), ended.history.size());
  EXPECT_EQ(after.history.back().type, EventType::kExecutionFailed);
}

// A non-blocking, thread-safe step in this process runs on the engine's scheduler, never on a
// plugin thread; the others run on the plugin threads, never on the scheduler. (The first step
// of each execution is a pooled one: start() enters an execution on the caller's thread, where
// a chain of non-blocking steps would run to its end.)
TEST_F(EngineTest, NonBlockingStepsRunOnTheSchedulerAndTheOthersOnPluginThreads) {
  // pooled, inline, serial, pooled, inline, serial, ...: every non-blocking step follows one
  // that ran on a plugin thread.
  const char* types[] = {"test.where_pooled", "test.where_inline", "test.where_serial"};
  json steps = json::array();
  for (int i = 0; i < 30; ++i) {
    steps.push_back({{"id", "s" + std::to_string(i)},
                     {"kind", "task"},
                     {"type", types[i % 3]},
                     {"next", "s" + std::to_string(i + 1)}});
  }
  steps.push_back({{"id", "s30"}, {"kind", "succeed"}});
  auto wf = workflow(json{{"id", "w"}, {"version", 1}, {"title", "t"}, {"steps", steps}}.dump());
  ASSERT_TRUE(wf);
  WhereStep<kInline>::threads.clear();
  WhereStep<kPooled>::threads.clear();
  WhereStep<kSerial>::threads.clear();
  Engine engine(registry_, catalog_, clock_,
                EngineOptions{.scheduler_threads = 1, .plugin_threads = 2});
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(engine.start(wf, json::object()).ok());
  engine.wait_idle();
  const auto& inline_threads = WhereStep<kInline>::threads;
  ASSERT_EQ(inline_threads.size(), 40u);
  ASSERT_EQ(WhereStep<kPooled>::threads.size(), 40u);
  ASSERT_EQ(WhereStep<kSerial>::threads.size(), 40u);
  const std::set<std::thread::id> scheduler(inline_threads.begin(), inline_threads.end());
  EXPECT_EQ(scheduler.size(), 1u);  // the one scheduler thread
  // Not thread-safe: it could wait on the scheduler for a lock an abandoned call holds.
  for (const auto* others : {&WhereStep<kPooled>::threads, &WhereStep<kSerial>::threads}) {
    for (const auto& id : *others) EXPECT_EQ(scheduler.count(id), 0u);
  }
}

// In memory, a chain of non-blocking steps runs on the thread that started it, with no hand-off
// between threads: the execution has ended when start() returns. A long chain stops taking
// turns there after a bounded run (kMaxInlineOutcomes) and finishes on the scheduler.
TEST_F(EngineTest, AChainOfNonBlockingStepsRunsOnTheThreadThatStartedIt) {
  auto chain = [](int n) {
    json steps = json::array();
    for (int i = 0; i < n; ++i) {
      steps.push_back({{"id", "s" + std::to_string(i)},
                       {"kind", "task"},
                       {"type", "test.where_inline"},
                       {"next", "s" + std::to_string(i + 1)}});
    }
    steps.push_back({{"id", "s" + std::to_string(n)}, {"kind", "succeed"}});
    return workflow(
        json{{"id", "chain" + std::to_string(n)}, {"version", 1}, {"title", "t"}, {"steps", steps}}
            .dump());
  };
  Engine engine(registry_, catalog_, clock_,
                EngineOptions{.scheduler_threads = 1, .plugin_threads = 2});
  const auto here = std::this_thread::get_id();
  WhereStep<kInline>::threads.clear();
  auto id = engine.start(chain(10), json::object());
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(engine.snapshot(*id)->status, ExecutionStatus::kSucceeded);  // no wait_idle
  EXPECT_EQ(WhereStep<kInline>::threads.count(here), 10u);

  WhereStep<kInline>::threads.clear();
  id = engine.start(chain(300), json::object());
  ASSERT_TRUE(id.ok());
  engine.wait_idle();
  EXPECT_EQ(engine.snapshot(*id)->status, ExecutionStatus::kSucceeded);
  const auto& threads = WhereStep<kInline>::threads;
  EXPECT_EQ(threads.size(), 300u);
  EXPECT_GE(threads.count(here), 256u);
  EXPECT_LT(threads.count(here), 300u);  // the rest were handed to the scheduler
}

TEST_F(EngineTest, ABlockedPluginCallDoesNotHoldUpOtherExecutions) {
  auto blocked = workflow(R"({"id": "blocked", "version": 1, "title": "t", "steps": [
      {"id": "slow", "kind": "task", "type": "test.gate"}]})");
  auto quick = workflow(R"({"id": "quick", "version": 1, "title": "t", "steps": [
      {"id": "a", "kind": "task", "type": "test.echo", "parameters": {"case_id": "FC-1"}, "next": "b"},
      {"id": "b", "kind": "wait", "for": "PT1S", "next": "c"},
      {"id": "c", "kind": "task", "type": "test.echo", "parameters": {"case_id": "FC-2"}}]})");
  // One scheduler thread, two plugin threads: the gate occupies one plugin thread.
  Engine engine(registry_, catalog_, clock_,
                EngineOptions{.scheduler_threads = 1, .plugin_threads = 2});
  auto slow = engine.start(blocked, json::object());
  GateStep::wait_entered(1);
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) ids.push_back(*engine.start(quick, json::object()));
  // Everything but the gate settles: every quick execution reaches its wait step.
  ASSERT_TRUE(eventually([&] {
    for (const auto& id : ids) {
      auto s = *engine.snapshot(id);
      if (s.history.empty() || s.history.back().type != EventType::kWaitStarted) return false;
    }
    return true;
  }));
  clock_.advance(std::chrono::seconds(1));
  ASSERT_TRUE(eventually([&] {
    for (const auto& id : ids) {
      if (engine.snapshot(id)->status == ExecutionStatus::kRunning) return false;
    }
    return true;
  }));
  for (const auto& id : ids) {
    EXPECT_EQ(engine.snapshot(id)->status, ExecutionStatus::kSucceeded) << id;
  }
  EXPECT_EQ(engine.snapshot(*slow)->status, ExecutionStatus::kRunning);
  GateStep::release(1);
  engine.wait_idle();
  EXPECT_EQ(engine.snapshot(*slow)->status, ExecutionStatus::kSucceeded);
}

// Time moved by hand whose calls, once taken out to run, wait at a gate before doing anything:
// the moment a timer has left the clock's queue and not yet handed its work to the scheduler.
class GatedClock final : public Clock {
 public:
  explicit GatedClock(TimePoint start) : inner(start) {}
  TimePoint now() const override { return inner.now(); }
  uint64_t call_at(TimePoint when, std::function<void()> fn) override {
    return inner.call_at(when, [this, fn = std::move(fn)] {
      held.set_value();
      released.wait();
      fn();
    });
  }
  void cancel(uint64_t id) override { inner.cancel(id); }
  std::optional<TimePoint> next_due() const override { return inner.next_due(); }
  ManualClock inner;
  std::promise<void> held;
  std::promise<void> release;
  std::shared_future<void> released{release.get_future().share()};
};

// What `coalition worker --until-idle` stops on: no work in flight and no timer pending — nor
// one running that has not yet handed its work over (a retry the worker would otherwise leave
// behind, to run in the next process).
TEST_F(EngineTest, IsNotSettledWhileATimerIsPendingOrHandingItsWorkOver) {
  auto wf = workflow(R"({"id": "pause", "version": 1, "title": "t", "steps": [
      {"id": "b", "kind": "wait", "for": "PT1S", "next": "c"},
      {"id": "c", "kind": "task", "type": "test.echo", "parameters": {"case_id": "FC-1"}}]})");
  GatedClock clock(TimePoint(std::chrono::seconds(1798675200)));
  Engine engine(registry_, catalog_, clock,
                EngineOptions{.scheduler_threads = 1, .plugin_threads = 1});
  EXPECT_TRUE(engine.settled()) << "nothing started";
  auto id = engine.start(wf, json::object());
  ASSERT_TRUE(id.ok()) << id.error().to_string();
  engine.wait_idle();
  EXPECT_FALSE(engine.settled()) << "the wait's timer is pending";
  auto held = clock.held.get_future();
  std::thread advancing([&] { clock.inner.advance(std::chrono::seconds(1)); });
  held.wait();
  EXPECT_FALSE(engine.settled()) << "the timer left the queue but has not handed its work over";
  clock.release.set_value();
  advancing.join();
  engine.wait_idle();
  EXPECT_TRUE(engine.settled());
  EXPECT_EQ(engine.snapshot(*id)->status, ExecutionStatus::kSucceeded);
}

TEST_F(EngineTest, ManyExecutionsAdvanceConcurrentlyWithOrderedHistories) {
  auto wf = workflow(R"({"id": "many", "version": 1, "title": "t", "steps": [
      {"id": "fan", "kind": "parallel", "branches": [
        {"name": "a", "steps": [{"id": "x", "kind": "task", "type": "test.echo", "parameters": {"case_id": "FC-1"}}]},
        {"name": "b", "steps": [{"id": "x", "kind": "task", "type": "test.echo", "parameters": {"case_id": "FC-2"}}]}]}]})");
  Engine engine(registry_, catalog_, clock_,
                EngineOptions{.scheduler_threads = 2, .plugin_threads = 4});
  std::vector<std::string> ids;
  for (int i = 0; i < 200; ++i) ids.push_back(*engine.start(wf, json::object()));
  engine.wait_idle();
  for (const auto& id : ids) {
    auto s = *engine.snapshot(id);
    ASSERT_EQ(s.status, ExecutionStatus::kSucceeded);
    for (size_t i = 0; i < s.history.size(); ++i) EXPECT_EQ(s.history[i].seq, i + 1);
    EXPECT_EQ(s.history.front().type, EventType::kExecutionStarted);
    EXPECT_EQ(s.history.back().type, EventType::kExecutionCompleted);
  }
}

// A parallel step's output names each branch's output (what its steps added to the context) by
// the branch's name, whatever order the branches are declared in (the join writes them in name
// order).
TEST_F(EngineTest, AParallelStepsOutputNamesEachBranchsOwnOutput) {
  auto wf = workflow(R"({"id": "names", "version": 1, "title": "t", "steps": [
      {"id": "fan", "kind": "parallel", "branches": [
        {"name": "zeta", "steps": [{"id": "x", "kind": "task", "type": "test.echo", "parameters": {"case_id": "FC-26"}, "result": "/echo"}]},
        {"name": "b10", "steps": [{"id": "x", "kind": "task", "type": "test.echo", "parameters": {"case_id": "FC-10"}, "result": "/echo"}]},
        {"name": "alpha", "steps": [{"id": "x", "kind": "task", "type": "test.echo", "parameters": {"case_id": "FC-1"}, "result": "/echo"}]},
        {"name": "b9", "steps": [{"id": "x", "kind": "task", "type": "test.echo", "parameters": {"case_id": "FC-9"}, "result": "/echo"}]}]}]})");
  ASSERT_EQ(wf->main->steps[0].branches_by_name, (std::vector<size_t>{2, 1, 3, 0}));
  Engine engine(registry_, catalog_, clock_);
  auto id = engine.start(wf, json::object());
  ASSERT_TRUE(id.ok());
  engine.wait_idle();
  auto s = *engine.snapshot(*id);
  ASSERT_EQ(s.status, ExecutionStatus::kSucceeded);
  json output;
  for (const auto& e : s.history) {
    if (e.type == EventType::kStepSucceeded && e.step == "fan") output = e.data()["output"];
  }
  ASSERT_TRUE(output.is_object()) << output;
  EXPECT_EQ(output.size(), 4u) << output;
  for (const auto& [name, case_id] : std::map<std::string, std::string>{
           {"zeta", "FC-26"}, {"b10", "FC-10"}, {"alpha", "FC-1"}, {"b9", "FC-9"}}) {
    EXPECT_EQ(output.value(json::json_pointer("/" + name + "/echo/params/case_id"), ""), case_id)
        << name << " in " << output;
  }
}

// Engines of one process (nodes of one database, as the W4 node benchmark runs them) never draw
// the same execution id: the ids' counter is the process's, not each engine's.
TEST_F(EngineTest, EnginesOfOneProcessNeverDrawTheSameExecutionId) {
  auto wf = workflow(R"({"id": "ids", "version": 1, "title": "t", "steps": [
      {"id": "a", "kind": "task", "type": "test.echo", "parameters": {"case_id": "FC-1"}}]})");
  Engine first(registry_, catalog_, clock_);
  Engine second(registry_, catalog_, clock_);
  std::set<std::string> ids;
  for (int i = 0; i < 50; ++i) {
    ids.insert(*first.start(wf, json::object()));
    ids.insert(*second.start(wf, json::object()));
  }
  EXPECT_EQ(ids.size(), 100u);
}

TEST_F(EngineTest, InputIsCheckedBeforeAnythingRuns) {
  auto wf = workflow(R"({"id": "in", "version": 1, "title": "t",
      "input_schema": {"type": "object", "properties": {"tier": {"type": "integer"}}, "required": ["tier"]},
      "steps": [{"id": "a", "kind": "task", "type": "test.echo", "parameters": {"case_id": "FC-1"}}]})");
  Engine engine(registry_, catalog_, clock_);
  const int calls = test::EchoStep::calls;
  auto id = engine.start(wf, json{{"tier", "one"}, {"extra", 1}});
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().code(), ErrorCode::kInvalidData);
  engine.wait_idle();
  EXPECT_TRUE(engine.execution_ids().empty());
  EXPECT_EQ(test::EchoStep::calls, calls);
}

class RecordingSink : public EventSink {
 public:
  void on_event(const std::string& id, const Event& e) override {
    std::lock_guard<std::mutex> lock(mutex);
    events[id].push_back(e.seq);
  }
  std::mutex mutex;
  std::map<std::string, std::vector<uint64_t>> events;
};

TEST_F(EngineTest, EveryEventPassesThroughTheSinkInOrder) {
  auto wf = workflow(R"({"id": "s", "version": 1, "title": "t", "steps": [
      {"id": "a", "kind": "task", "type": "test.echo", "parameters": {"case_id": "FC-1"}}]})");
  RecordingSink sink;
  Engine engine(registry_, catalog_, clock_,
                EngineOptions{.scheduler_threads = 2, .plugin_threads = 2}, &sink);
  auto id = engine.start(wf, json::object());
  engine.wait_idle();
  auto s = *engine.snapshot(*id);
  ASSERT_EQ(sink.events[*id].size(), s.history.size());
  for (size_t i = 0; i < s.history.size(); ++i) EXPECT_EQ(sink.events[*id][i], i + 1);
}

}  // namespace
}  // namespace coalition::engine_test
