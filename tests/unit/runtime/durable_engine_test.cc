// The engine on a real SQLite store with in-memory plugins and a manual clock: what is
// persisted, what survives a restart, and every rule a human task completion must pass.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <tuple>

#include "common/utc_time.h"
#include "runtime/engine.h"
#include "runtime/engine_metrics.h"
#include "runtime/system_clock.h"
#include "store/sqlite_store.h"
#include "support/approval_step.h"
#include "support/gated_store.h"
#include "support/hand_turned_wall_clock.h"
#include "support/in_memory_plugins.h"
#include "support/temp_dir.h"
#include "workflow/visibility.h"
#include "workflow/workflow_loader.h"

// A namespace of its own: unity builds compile several test files as one.
namespace coalition::durable_engine_test {
namespace {

using nlohmann::json;

using test::ApprovalStep;

class SignalStep {
 public:
  static constexpr sdk::StepTypeInfo kInfo{
      .name = "test.await",
      .description = "Waits for signal 'ack'.",
      .parameters_schema = R"({"type":"object","properties":{}})",
      .capabilities = COALITION_CAP_MAY_SUSPEND | COALITION_CAP_THREAD_SAFE,
  };
  sdk::Outcome execute(const json&, const sdk::Context&) {
    return sdk::Outcome::suspend({{"signal", "ack"}});
  }
  sdk::Outcome resume(const json& data, const sdk::Context&) { return sdk::Outcome::ok(data); }
};

class CountStep {
 public:
  static constexpr sdk::StepTypeInfo kInfo{
      .name = "test.count",
      .description = "Counts calls.",
      .parameters_schema = R"({"type":"object","properties":{}})",
      .capabilities = COALITION_CAP_THREAD_SAFE | COALITION_CAP_IDEMPOTENT,
  };
  static inline std::atomic<int> calls{0};
  sdk::Outcome execute(const json&, const sdk::Context&) {
    ++calls;
    return sdk::Outcome::ok({{"n", 1}});
  }
};

// The approval as the human plugin declares it: non-blocking, so its resume is called at once.
class PureApprovalStep : public ApprovalStep {
 public:
  static constexpr sdk::StepTypeInfo kInfo{
      .name = "test.pure_approval",
      .description = "The human plugin's approval, declared non-blocking as the plugin does.",
      .parameters_schema = R"({"type":"object","properties":{"title":{"type":"string"}}})",
      .capabilities =
          COALITION_CAP_MAY_SUSPEND | COALITION_CAP_THREAD_SAFE | COALITION_CAP_NON_BLOCKING,
  };
};

// A step that only computes (as noop and data.set declare): non-blocking, so it is called at
// once, durable too, and its answer committed with its start.
class PureCountStep {
 public:
  static constexpr sdk::StepTypeInfo kInfo{
      .name = "test.pure_count",
      .description = "Counts its calls; declared non-blocking.",
      .parameters_schema = R"({"type":"object","properties":{}})",
      .capabilities =
          COALITION_CAP_THREAD_SAFE | COALITION_CAP_IDEMPOTENT | COALITION_CAP_NON_BLOCKING,
  };
  static inline std::atomic<int> calls{0};
  sdk::Outcome execute(const json&, const sdk::Context&) {
    ++calls;
    return sdk::Outcome::ok();
  }
};

// A non-blocking step that refuses, as a pure computation may (a value out of range).
class PureRefusalStep {
 public:
  static constexpr sdk::StepTypeInfo kInfo{
      .name = "test.pure_refusal",
      .description = "Fails for good; declared non-blocking.",
      .parameters_schema = R"({"type":"object","properties":{}})",
      .capabilities = COALITION_CAP_THREAD_SAFE | COALITION_CAP_NON_BLOCKING,
  };
  static inline std::atomic<int> calls{0};
  sdk::Outcome execute(const json&, const sdk::Context&) {
    ++calls;
    return sdk::Outcome::permanent("test.refused", "out of range");
  }
};

constexpr sdk::PluginInfo kPlugin{"durable_test", "1.0.0", "Test", sdk::PartnerType::kCoalition,
                                  "Test steps."};
const coalition_plugin_descriptor_t* entry(uint32_t, uint32_t) {
  return sdk::detail::describe<ApprovalStep, SignalStep, CountStep, PureApprovalStep, PureCountStep,
                               PureRefusalStep>(kPlugin);
}

TimePoint utc(const char* text) {
  return *parse_utc(text);
}

constexpr const char* kReview = R"({"id": "review", "version": 1, "title": "Review", "steps": [
  {"id": "draft", "kind": "task", "type": "test.approval", "parameters": {"title": "draft"},
   "assign": {"roles": ["analyst"]}, "next": "review"},
  {"id": "review", "kind": "task", "type": "test.approval", "parameters": {"title": "review"},
   "assign": {"roles": ["reviewer"], "quorum": 2, "separate_from": ["draft"],
              "not_initiator": true, "justification": true},
   "deadline": {"in": "PT48H", "cap": {"in": "PT72H"}, "extend_roles": ["chair"],
                "escalate": [{"roles": ["deputy"], "in": "PT24H"}]},
   "result": "/review", "next": "ack"},
  {"id": "ack", "kind": "task", "type": "test.await", "result": "/ack"}]})";

class DurableEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto plugin = loader_.load_entry(&entry, "libdurable_test.so");
    ASSERT_TRUE(plugin.ok());
    ASSERT_TRUE(registry_.add(std::move(*plugin)).ok());
    auto loaded = load_workflow(kReview, "review.json");
    ASSERT_TRUE(loaded.problems.empty()) << loaded.problems.front().format("review.json");
    workflow_ = loaded.workflow;
    ASSERT_TRUE(catalog_.add(workflow_).ok());
  }

  std::unique_ptr<SqliteStore> open_store() {
    auto store = SqliteStore::open(SqliteOptions{(dir_.path() / "s.db").string()});
    EXPECT_TRUE(store.ok());
    return std::move(*store);
  }
  std::unique_ptr<Engine> engine(Store& store, Clock& clock) {
    return std::make_unique<Engine>(registry_, catalog_, clock,
                                    EngineOptions{.scheduler_threads = 1,
                                                  .plugin_threads = 2,
                                                  .store = &store,
                                                  .calendars = &calendars_});
  }
  std::vector<std::string> types(Store& store, const std::string& id) {
    std::vector<std::string> out;
    const auto history = store.history(id);
    for (const auto& e : *history) out.emplace_back(to_string(e.type));
    return out;
  }
  // Fires everything due by the clock's time, letting each firing (and the reload of an
  // execution the engine had dropped from memory) settle before the next.
  static void settle(Engine& e, ManualClock& clock) {
    for (;;) {
      e.wait_idle();
      if (!clock.fire_next(clock.now())) break;
    }
    ASSERT_TRUE(e.sync().ok());
  }
  // Moves time to `until` one due timer at a time, as `coalition tick` does.
  static void advance_to(Engine& e, ManualClock& clock, TimePoint until) {
    for (;;) {
      e.wait_idle();
      if (!clock.fire_next(until)) break;
    }
    clock.set_at_least(until);
    settle(e, clock);
  }
  static size_t count(const std::vector<std::string>& v, const std::string& s) {
    return static_cast<size_t>(std::count(v.begin(), v.end(), s));
  }

  test::TempDir dir_;
  test::FakeLibraryLoader libraries_;
  PluginLoader loader_{libraries_, json::object()};
  PluginRegistry registry_;
  WorkflowCatalog catalog_;
  CalendarSet calendars_;
  std::shared_ptr<const Workflow> workflow_;
};

TEST_F(DurableEngineTest, CompletionRulesRefuseAndAuditWithoutChangingAnything) {
  auto store = open_store();
  ManualClock clock(utc("2026-12-01T09:00:00Z"));
  auto e = engine(*store, clock);
  auto id = e->start(workflow_, json::object(), "ex-1", "lead.lee");
  ASSERT_TRUE(id.ok());
  e->wait_idle();
  ASSERT_TRUE(e->complete_task("ex-1.t1", {"ana", "analyst", ""}, {{"decision", "approve"}}).ok());
  e->wait_idle();
  ASSERT_TRUE(e->sync().ok());
  const size_t events_before = store->history("ex-1")->size();
  const size_t audit_before = store->audit("ex-1")->size();

  struct Refusal {
    Actor actor;
    json data;
    ErrorCode code;
    const char* says;
  };
  const json good{{"decision", "approve"}, {"justification", "facts support it"}};
  const Refusal refusals[] = {
      {{"rev.one", "analyst", ""}, good, ErrorCode::kPermissionDenied, "needs one of: reviewer"},
      {{"lead.lee", "reviewer", ""}, good, ErrorCode::kPermissionDenied, "started this execution"},
      {{"ana", "reviewer", ""}, good, ErrorCode::kPermissionDenied, "completed step 'draft'"},
      {{"rev.one", "reviewer", ""},
       {{"decision", "approve"}},
       ErrorCode::kInvalidData,
       "justification"},
      {{"rev.one", "reviewer", ""},
       {{"decision", "maybe"}, {"justification", "x"}},
       ErrorCode::kInvalidData,
       "does not fit"},
  };
  for (const auto& r : refusals) {
    auto result = e->complete_task("ex-1.t2", r.actor, r.data);
    ASSERT_FALSE(result.ok()) << r.says;
    EXPECT_EQ(result.error().code(), r.code) << result.error().message();
    EXPECT_NE(result.error().message().find(r.says), std::string::npos) << result.error().message();
  }
  ASSERT_TRUE(e->complete_task("ex-1.t2", {"rev.one", "reviewer", ""}, good).ok());
  auto duplicate = e->complete_task("ex-1.t2", {"rev.one", "reviewer", ""}, good);
  ASSERT_FALSE(duplicate.ok());
  EXPECT_NE(duplicate.error().message().find("quorum needs 2"), std::string::npos);
  // A trailing space is not a second person.
  auto spaced = e->complete_task("ex-1.t2", {"rev.one ", " reviewer", ""}, good);
  ASSERT_FALSE(spaced.ok());
  EXPECT_NE(spaced.error().message().find("rev.one already completed"), std::string::npos)
      << spaced.error().message();
  e->wait_idle();
  ASSERT_TRUE(e->sync().ok());

  // Only the one accepted vote changed the history; every refusal is in the audit log.
  EXPECT_EQ(store->history("ex-1")->size(), events_before + 1);
  size_t refused = 0;
  const auto audit = store->audit("ex-1");
  for (const auto& a : *audit) refused += a.type == "task_refused" ? 1 : 0;
  EXPECT_EQ(refused, 7u);
  EXPECT_EQ(store->audit("ex-1")->size(), audit_before + 1 + 7);
  auto task = store->task("ex-1.t2");
  ASSERT_TRUE(task.ok() && task->has_value());
  EXPECT_EQ((*task)->doc["completions"].size(), 1u);
  EXPECT_TRUE(store->verify_audit()->ok);
}

TEST_F(DurableEngineTest, SuspendedTasksAndDeadlinesSurviveARestart) {
  {
    auto store = open_store();
    ManualClock clock(utc("2026-12-01T09:00:00Z"));
    auto e = engine(*store, clock);
    ASSERT_TRUE(e->start(workflow_, json::object(), "ex-1", "lead.lee").ok());
    e->wait_idle();
    ASSERT_TRUE(
        e->complete_task("ex-1.t1", {"ana", "analyst", ""}, {{"decision", "approve"}}).ok());
    e->wait_idle();
    ASSERT_TRUE(e->complete_task("ex-1.t2", {"rev.one", "reviewer", ""},
                                 {{"decision", "approve"}, {"justification", "ok"}})
                    .ok());
    e->wait_idle();
  }  // the process goes away with the review half voted and its deadline pending

  auto store = open_store();
  // How the deadline was reached is part of the snapshot, beside the instant.
  const json saved = (*store->execution("ex-1"))->state;
  bool rule_kept = false;
  for (const auto& f : saved["frames"]) rule_kept = rule_kept || f.value("due_rule", "") == "P2D";
  EXPECT_TRUE(rule_kept) << saved.dump();
  EXPECT_EQ((*store->task("ex-1.t2"))->doc["due_rule"], "P2D");
  ManualClock clock(utc("2026-12-03T10:00:00Z"));  // past the 48 h deadline
  auto e = engine(*store, clock);
  auto report = e->recover();
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->recovered, 0u);
  EXPECT_EQ(report->parked, 1u);  // it waits for people: it stays in the store
  EXPECT_TRUE(e->execution_ids().empty());
  settle(*e, clock);  // until its overdue deadline reloads it and fires
  auto task = store->task("ex-1.t2");
  EXPECT_EQ((*task)->doc["roles"], json::array({"deputy"}));
  // 24 h from the escalation would be 10:00; the cap (72 h from the start) bounds every tier.
  EXPECT_EQ((*task)->doc["due"], "2026-12-04T09:00:00.000Z");
  EXPECT_EQ((*task)->doc["due_rule"], "the cap: P3D");  // kept across the restart

  // Separation of duties still remembers who drafted, across the restart.
  auto sod = e->complete_task("ex-1.t2", {"ana", "deputy", ""},
                              {{"decision", "approve"}, {"justification", "ok"}});
  ASSERT_FALSE(sod.ok());
  ASSERT_TRUE(e->complete_task("ex-1.t2", {"dep.uty", "deputy", ""},
                               {{"decision", "approve"}, {"justification", "concur"}})
                  .ok());
  e->wait_idle();
  ASSERT_TRUE(e->signal("ex-1", "ack", {{"reference", "FILED-1"}}, {"bank.portal", "", ""}).ok());
  e->wait_idle();
  ASSERT_TRUE(e->sync().ok());

  auto record = store->execution("ex-1");
  EXPECT_EQ((*record)->status, ExecutionStatus::kSucceeded);
  const auto t = types(*store, "ex-1");
  EXPECT_EQ(count(t, "task_created"), 2u);
  EXPECT_EQ(count(t, "escalated"), 1u);
  EXPECT_EQ(count(t, "step_succeeded"), 3u);
  EXPECT_EQ(count(t, "execution_completed"), 1u);
  EXPECT_EQ((*record)->result.output.value()["review"]["decision"], "approved");
  EXPECT_TRUE(store->verify_audit()->ok);
}

TEST_F(DurableEngineTest, DeadlineExtensionIsRefusedBeyondItsCap) {
  auto store = open_store();
  ManualClock clock(utc("2026-12-01T09:00:00Z"));
  auto e = engine(*store, clock);
  ASSERT_TRUE(e->start(workflow_, json::object(), "ex-1", "lead.lee").ok());
  e->wait_idle();
  ASSERT_TRUE(e->complete_task("ex-1.t1", {"ana", "analyst", ""}, {{"decision", "approve"}}).ok());
  e->wait_idle();
  const Actor chair{"chair.cho", "chair", "", ""};
  // Only the roles the workflow names may move it: not a stranger, not even a reviewer.
  for (const Actor& other :
       {Actor{"random.person", "nobody", "", ""}, Actor{"rev.one", "reviewer", "", ""}}) {
    auto refused = e->extend_deadline("ex-1.t2", utc("2026-12-03T10:00:00Z"), other, "why not");
    ASSERT_FALSE(refused.ok()) << other.role;
    EXPECT_EQ(refused.error().code(), ErrorCode::kPermissionDenied);
    EXPECT_NE(refused.error().message().find("needs one of: chair"), std::string::npos);
  }
  auto beyond = e->extend_deadline("ex-1.t2", utc("2026-12-04T09:00:01Z"), chair, "more time");
  ASSERT_FALSE(beyond.ok());
  EXPECT_NE(beyond.error().message().find("cap"), std::string::npos);
  ASSERT_TRUE(e->extend_deadline("ex-1.t2", utc("2026-12-04T09:00:00Z"), chair, "more time").ok());
  ASSERT_TRUE(e->sync().ok());
  EXPECT_EQ((*store->task("ex-1.t2"))->doc["due"], "2026-12-04T09:00:00.000Z");
  // The old deadline no longer fires.
  clock.advance(std::chrono::hours(60));
  settle(*e, clock);
  EXPECT_EQ(count(types(*store, "ex-1"), "escalated"), 0u);
}

TEST_F(DurableEngineTest, GroupCommitPutsManyTransitionsInOneTransaction) {
  auto loaded = load_workflow(R"({"id": "line", "version": 1, "title": "t", "steps": [
      {"id": "a", "kind": "task", "type": "test.count", "next": "b"},
      {"id": "b", "kind": "task", "type": "test.count", "next": "c"},
      {"id": "c", "kind": "task", "type": "test.count"}]})",
                              "line.json");
  auto store = open_store();
  SystemClock clock;
  auto e = engine(*store, clock);
  CountStep::calls = 0;
  constexpr int kExecutions = 100;
  std::vector<std::string> ids;
  std::vector<std::thread> starters;
  std::mutex m;
  for (int t = 0; t < 4; ++t) {
    starters.emplace_back([&] {
      for (int i = 0; i < kExecutions / 4; ++i) {
        auto id = e->start(loaded.workflow, json::object());
        std::lock_guard<std::mutex> lock(m);
        ids.push_back(*id);
      }
    });
  }
  for (auto& t : starters) t.join();
  e->wait_idle();
  ASSERT_TRUE(e->sync().ok());
  EXPECT_EQ(CountStep::calls, kExecutions * 3);
  size_t events = 0;
  for (const auto& id : ids) {
    EXPECT_EQ((*store->execution(id))->status, ExecutionStatus::kSucceeded);
    events += store->history(id)->size();
  }
  // Each execution changes state at least 4 times (start and 3 steps); committing each alone
  // would take 400 transactions.
  EXPECT_LT(e->commit_stats().transactions, static_cast<uint64_t>(kExecutions * 4));
  EXPECT_GT(e->commit_stats().sources, e->commit_stats().transactions);
  // Every event is covered, by one audit entry per commit of each execution (members see
  // every step, so a run crosses steps): its start and the first step's schedule and attempt,
  // then each step's end and the next step's schedule and attempt (a step's call waits for the
  // commit), the last step's end and the execution's: 4 entries for 11 events.
  auto v = store->verify_audit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->events, events);
  EXPECT_EQ(v->entries, static_cast<uint64_t>(kExecutions * 4));
  EXPECT_TRUE(e->execution_ids().empty());  // finished executions leave memory
}

// The engine's sink (GET /metrics reads one) hears a durable execution's events as the store
// holds them, in order; it had heard nothing from a durable engine, so a server's step latency
// and error metrics stayed empty.
TEST_F(DurableEngineTest, TheSinkHearsEveryEventTheStoreHolds) {
  class Recording final : public EventSink {
   public:
    void on_event(const std::string& execution_id, const Event& event) override {
      metrics.on_event(execution_id, event);
      std::lock_guard<std::mutex> lock(mutex_);
      heard_[execution_id].emplace_back(event.seq, event.type);
    }
    std::vector<std::pair<uint64_t, EventType>> heard(const std::string& id) {
      std::lock_guard<std::mutex> lock(mutex_);
      return heard_[id];
    }
    EngineMetrics metrics;

   private:
    std::mutex mutex_;
    std::map<std::string, std::vector<std::pair<uint64_t, EventType>>> heard_;
  } sink;
  auto store = open_store();
  ManualClock clock(utc("2026-12-01T09:00:00Z"));
  Engine e(registry_, catalog_, clock,
           EngineOptions{.scheduler_threads = 1,
                         .plugin_threads = 2,
                         .store = store.get(),
                         .calendars = &calendars_},
           &sink);
  ASSERT_TRUE(e.start(workflow_, json::object(), "ex-1", "lead.lee").ok());
  e.wait_idle();
  clock.advance(std::chrono::seconds(3));
  ASSERT_TRUE(e.complete_task("ex-1.t1", {"ana", "analyst", ""}, {{"decision", "approve"}}).ok());
  e.wait_idle();
  ASSERT_TRUE(e.sync().ok());

  std::vector<std::pair<uint64_t, EventType>> stored;
  const auto history = store->history("ex-1");
  ASSERT_TRUE(history.ok());
  for (const auto& event : *history) stored.emplace_back(event.seq, event.type);
  ASSERT_GE(stored.size(), 6u);  // started, draft scheduled, attempt, suspended, completed, ...
  EXPECT_EQ(sink.heard("ex-1"), stored);
  // The draft's attempt ran from its start to its suspension, then its resume to its success.
  EXPECT_GE(sink.metrics.step_seconds().count, 2u);
}

// An execution's events reach the chain a run at a time: each commit's events on one step by
// one actor are one entry (audit/audit_grouping.h). The chain verifies with fewer entries than
// events, and the trail still reads one record per event, in order, each with its actor.
TEST_F(DurableEngineTest, TheAuditTrailHasARecordPerEventAndTheChainAnEntryPerRun) {
  auto store = open_store();
  ManualClock clock(utc("2026-12-01T09:00:00Z"));
  auto e = engine(*store, clock);
  ASSERT_TRUE(e->start(workflow_, json::object(), "ex-1", "lead.lee").ok());
  e->wait_idle();
  ASSERT_TRUE(e->complete_task("ex-1.t1", {"ana", "analyst", ""}, {{"decision", "approve"}}).ok());
  e->wait_idle();
  ASSERT_TRUE(e->sync().ok());

  const auto history = store->history("ex-1");
  const auto trail = store->audit("ex-1");
  ASSERT_TRUE(history.ok() && trail.ok());
  std::vector<std::pair<uint64_t, std::string>> events;
  for (const auto& event : *history) events.emplace_back(event.seq, to_string(event.type));
  std::vector<std::pair<uint64_t, std::string>> recorded;
  std::set<uint64_t> entries;
  std::map<uint64_t, json> data;
  for (const auto& event : *history) data[event.seq] = event.data();
  for (const auto& a : *trail) {
    if (a.event_seq != 0) recorded.emplace_back(a.event_seq, a.type);
    entries.insert(a.seq);
    if (a.type == "task_completed") {
      EXPECT_EQ(a.actor, "ana");
    }
    // The engine's events of every step are recorded as text; their summaries are what the
    // summary of their data always was: the attempt's number, the workflow, else nothing.
    if (a.type == "attempt_started") {
      EXPECT_EQ(a.summary, json({{"attempt", data[a.event_seq]["attempt"]}}).dump());
    } else if (a.type == "execution_started") {
      EXPECT_EQ(a.summary, json({{"workflow", data[a.event_seq]["workflow"]}}).dump());
      EXPECT_EQ(a.actor, "lead.lee");
    } else if (a.type == "step_scheduled" || a.type == "step_succeeded" ||
               a.type == "execution_completed") {
      EXPECT_EQ(a.summary, "{}") << a.type;
    }
  }
  EXPECT_EQ(recorded, events);
  EXPECT_EQ(data.begin()->second["workflow"], workflow_->key());
  auto v = store->verify_audit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->events, events.size());
  EXPECT_EQ(v->entries, entries.size());
  EXPECT_LT(v->entries, events.size()) << "runs of the engine's events share an entry";
}

// A commit's events of several steps share an entry where members see all of those steps or
// none: a retention purge empties an entry holding a restricted step's event whole, so such a
// step's events never share one with a step members see. Each record still reads back with its
// own event's step, and the chain verifies.
TEST_F(DurableEngineTest, AnEntryHoldsSeveralStepsOnlyOnOneSideOfWhatMembersSee) {
  auto loaded = load_workflow(R"({"id": "mixed", "version": 1, "title": "t",
      "visibility": {"roles": {"officer": "restricted"}}, "steps": [
      {"id": "hold", "kind": "wait", "for": "PT1S", "next": "screen"},
      {"id": "screen", "kind": "choice", "visibility": "restricted", "choices": [
        {"when": {"path": "/input/case", "exists": true}, "next": "done"}]},
      {"id": "done", "kind": "succeed"}]})",
                              "mixed.json");
  ASSERT_TRUE(loaded.problems.empty()) << loaded.problems.front().format("mixed.json");
  ASSERT_TRUE(catalog_.add(loaded.workflow).ok());
  auto store = open_store();
  ManualClock clock(utc("2026-12-01T09:00:00Z"));
  auto e = engine(*store, clock);
  ASSERT_TRUE(e->start(loaded.workflow, json{{"case", "CASE-EX-9"}}, "ex-m", "lead.lee").ok());
  settle(*e, clock);
  advance_to(*e, clock, utc("2026-12-01T09:00:02Z"));
  ASSERT_EQ((*store->execution("ex-m"))->status, ExecutionStatus::kSucceeded);

  const auto history = store->history("ex-m");
  const auto trail = store->audit("ex-m");
  ASSERT_TRUE(history.ok() && trail.ok());
  std::vector<std::tuple<uint64_t, std::string, std::string>> events;
  for (const auto& event : *history) {
    events.emplace_back(event.seq, to_string(event.type), event.step);
  }
  const VisibilityPolicy policy = VisibilityPolicy::compile(*loaded.workflow, &catalog_);
  std::vector<std::tuple<uint64_t, std::string, std::string>> recorded;
  std::map<uint64_t, std::set<std::string>> steps_of_entry;
  for (const auto& a : *trail) {
    if (a.event_seq == 0) continue;
    recorded.emplace_back(a.event_seq, a.type, a.step);
    steps_of_entry[a.seq].insert(a.step);
  }
  EXPECT_EQ(recorded, events) << "each record with its own event's step";
  bool mixed = false;
  for (const auto& [seq, steps] : steps_of_entry) {
    size_t hidden = 0;
    for (const auto& step : steps) hidden += policy.can_see_step(step, Visibility::kMember) ? 0 : 1;
    EXPECT_TRUE(hidden == 0 || hidden == steps.size()) << "entry " << seq << " mixes sides";
    mixed = mixed || steps.size() > 1;
  }
  EXPECT_TRUE(mixed) << "the start and the wait, or the last step and the end, share an entry";
  EXPECT_TRUE(steps_of_entry.size() < events.size());
  auto v = store->verify_audit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->events, events.size());
}

// A non-blocking step's resume is pure: the engine calls it in the handler that accepted the
// completion and commits its outcome with it, so when complete_task answers (after its commit)
// the store already holds what the completion decided — with a blocking type that comes in a
// later transaction, after a round trip through the plugin pool.
TEST_F(DurableEngineTest, ACompletionAndTheStepItDecidesAreCommittedTogether) {
  auto loaded = load_workflow(R"({"id": "pure", "version": 1, "title": "Pure", "steps": [
    {"id": "decide", "kind": "task", "type": "test.pure_approval", "parameters": {"title": "d"},
     "assign": {"roles": ["analyst"], "quorum": 2}, "result": "/decision", "next": "after"},
    {"id": "after", "kind": "task", "type": "test.await", "result": "/ack"}]})",
                              "pure.json");
  ASSERT_TRUE(loaded.problems.empty()) << loaded.problems.front().format("pure.json");
  ASSERT_TRUE(catalog_.add(loaded.workflow).ok());
  auto store = open_store();
  ManualClock clock(utc("2026-12-01T09:00:00Z"));
  auto e = engine(*store, clock);
  ASSERT_TRUE(e->start(loaded.workflow, json::object(), "ex-p", "lead.lee").ok());
  e->wait_idle();
  ASSERT_TRUE(e->sync().ok());
  // The first vote: the resume answers "not yet" and the task stays open, in that commit.
  ASSERT_TRUE(e->complete_task("ex-p.t1", {"ana", "analyst", ""}, {{"decision", "approve"}}).ok());
  auto task = store->task("ex-p.t1");
  ASSERT_TRUE(task.ok() && task->has_value());
  EXPECT_EQ((*task)->status, TaskStatus::kOpen);
  EXPECT_EQ((*task)->doc["completions"].size(), 1u);
  EXPECT_EQ(count(types(*store, "ex-p"), "step_succeeded"), 0u);
  // The second decides: the store has the decision, the step's success and the next step's
  // start. That next step waits for a signal, so nothing it does can add to what is counted
  // here (a step that succeeds at once may commit its success before this read).
  ASSERT_TRUE(e->complete_task("ex-p.t1", {"bo", "analyst", ""}, {{"decision", "approve"}}).ok());
  const auto decided = types(*store, "ex-p");
  EXPECT_EQ(count(decided, "task_completed"), 2u);
  EXPECT_EQ(count(decided, "step_succeeded"), 1u);
  EXPECT_EQ(count(decided, "attempt_started"), 2u);
  EXPECT_NE((*store->task("ex-p.t1"))->status, TaskStatus::kOpen);
  // What follows runs as before: the blocking step after it, committed in its own time.
  e->wait_idle();
  ASSERT_TRUE(e->sync().ok());
  EXPECT_EQ(count(types(*store, "ex-p"), "step_succeeded"), 1u);
  ASSERT_TRUE(e->signal("ex-p", "ack", {{"reference", "ACK-1"}}, {"bank.portal", "", ""}).ok());
  e->wait_idle();
  ASSERT_TRUE(e->sync().ok());
  EXPECT_EQ((*store->execution("ex-p"))->status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(count(types(*store, "ex-p"), "step_succeeded"), 2u);
}

// Non-blocking steps act on nothing, so none waits for its start to be committed: a start, the
// pure step after it and the approval that parks it are one transaction, acknowledged when
// start() returns; the decision, the step it finishes and the pure step after it are the next.
// With blocking types each of those steps is a commit of its own, in the engine's own time.
TEST_F(DurableEngineTest, AStartOrADecisionAndThePureStepsAfterItAreOneTransaction) {
  auto loaded = load_workflow(R"({"id": "pure_chain", "version": 1, "title": "Pure", "steps": [
    {"id": "prepare", "kind": "task", "type": "test.pure_count", "next": "decide"},
    {"id": "decide", "kind": "task", "type": "test.pure_approval", "parameters": {"title": "d"},
     "assign": {"roles": ["analyst"]}, "result": "/decision", "next": "finish"},
    {"id": "finish", "kind": "task", "type": "test.pure_count"}]})",
                              "pure_chain.json");
  ASSERT_TRUE(loaded.problems.empty()) << loaded.problems.front().format("pure_chain.json");
  ASSERT_TRUE(catalog_.add(loaded.workflow).ok());
  auto store = open_store();
  ManualClock clock(utc("2026-12-01T09:00:00Z"));
  auto e = engine(*store, clock);
  const int calls_before = PureCountStep::calls;
  const uint64_t before = e->commit_stats().transactions;
  ASSERT_TRUE(e->start(loaded.workflow, json::object(), "ex-q", "lead.lee").ok());
  // Read before any wait: what start() acknowledged is already the parked execution.
  EXPECT_EQ(e->commit_stats().transactions - before, 1u);
  EXPECT_EQ(PureCountStep::calls - calls_before, 1);
  const auto parked = types(*store, "ex-q");
  EXPECT_EQ(parked, (std::vector<std::string>{
                        "execution_started", "step_scheduled", "attempt_started", "step_succeeded",
                        "step_scheduled", "attempt_started", "step_suspended", "task_created"}));
  auto task = store->task("ex-q.t1");
  ASSERT_TRUE(task.ok() && task->has_value());
  EXPECT_EQ((*task)->status, TaskStatus::kOpen);
  EXPECT_EQ((*store->execution("ex-q"))->status, ExecutionStatus::kWaiting);

  ASSERT_TRUE(e->complete_task("ex-q.t1", {"ana", "analyst", ""}, {{"decision", "approve"}}).ok());
  EXPECT_EQ(e->commit_stats().transactions - before, 2u);
  EXPECT_EQ(PureCountStep::calls - calls_before, 2);
  EXPECT_EQ((*store->execution("ex-q"))->status, ExecutionStatus::kSucceeded);
  const auto ended = types(*store, "ex-q");
  EXPECT_EQ(count(ended, "step_succeeded"), 3u);
  EXPECT_EQ(count(ended, "attempt_started"), 3u);
  EXPECT_EQ(ended.back(), "execution_completed");
  auto v = store->verify_audit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
  // Nothing was left to run: the engine stays idle and the store as it was.
  e->wait_idle();
  ASSERT_TRUE(e->sync().ok());
  EXPECT_EQ(types(*store, "ex-q"), ended);
}

// A failure is not committed with what led to it: a non-blocking step that fails at once is
// called again once its attempt is committed, and that answer fails the execution. So the
// snapshot a retry goes back to (the last one committed while it ran) has this step in flight,
// as for a step of any other type — not the state before the start, which has none.
TEST_F(DurableEngineTest, APureStepThatFailsIsCalledAgainAfterItsStartIsCommitted) {
  auto loaded = load_workflow(R"({"id": "pure_refusal", "version": 1, "title": "Pure", "steps": [
    {"id": "prepare", "kind": "task", "type": "test.pure_count", "next": "check"},
    {"id": "check", "kind": "task", "type": "test.pure_refusal"}]})",
                              "pure_refusal.json");
  ASSERT_TRUE(loaded.problems.empty()) << loaded.problems.front().format("pure_refusal.json");
  ASSERT_TRUE(catalog_.add(loaded.workflow).ok());
  auto store = open_store();
  ManualClock clock(utc("2026-12-01T09:00:00Z"));
  auto e = engine(*store, clock);
  const int calls_before = PureRefusalStep::calls;
  ASSERT_TRUE(e->start(loaded.workflow, json::object(), "ex-r", "lead.lee").ok());
  e->wait_idle();
  ASSERT_TRUE(e->sync().ok());
  EXPECT_EQ(PureRefusalStep::calls - calls_before, 2) << "at once, then after its commit";
  EXPECT_EQ((*store->execution("ex-r"))->status, ExecutionStatus::kFailed);
  const auto failed = types(*store, "ex-r");
  EXPECT_EQ(count(failed, "attempt_started"), 2u);  // prepare's and check's, once each
  EXPECT_EQ(count(failed, "step_failed"), 1u);
  auto point = store->retry_point("ex-r");
  ASSERT_TRUE(point.ok());
  ASSERT_TRUE(point->has_value()) << "the start, prepare and check's attempt were committed";
  ASSERT_TRUE(e->retry("ex-r", {"lead.lee", "coordinator", ""}, "the range was widened").ok());
  e->wait_idle();
  ASSERT_TRUE(e->sync().ok());
  // The retry ran check again (not prepare): the same refusal. A copy rebuilt for a retry does
  // not know whether a process died working on the execution, so until it stands still its
  // calls wait for their commit: one call, after it.
  EXPECT_EQ(PureRefusalStep::calls - calls_before, 3);
  EXPECT_EQ((*store->execution("ex-r"))->status, ExecutionStatus::kFailed);
  EXPECT_EQ(count(types(*store, "ex-r"), "step_succeeded"), 1u);
}

// Pure steps run at once, but not without end between two commits: what they lead to stays in
// memory until a drain takes it. A map of 5,000 pure steps, ten at a time, is committed in
// pieces of at most 1,024 calls made at once (Execution::kMostCallsAtOnceUndrained) and the
// ten calls handed over for the commit after them, however fast the steps run next to the
// store.
TEST_F(DurableEngineTest, ALongRunOfPureStepsIsCommittedInPiecesOfBoundedSize) {
  constexpr int kItems = 5000;
  auto loaded = load_workflow(R"({"id": "pure_map", "version": 1, "title": "Pure", "steps": [
    {"id": "each", "kind": "map", "items": "/input/items", "max_concurrency": 10,
     "steps": [{"id": "count", "kind": "task", "type": "test.pure_count"}]}]})",
                              "pure_map.json");
  ASSERT_TRUE(loaded.problems.empty()) << loaded.problems.front().format("pure_map.json");
  ASSERT_TRUE(catalog_.add(loaded.workflow).ok());
  auto store = open_store();
  test::GatedStore gate(*store);
  ManualClock clock(utc("2026-12-01T09:00:00Z"));
  auto e = engine(gate, clock);
  json items = json::array();
  for (int i = 0; i < kItems; ++i) items.push_back(i);
  const int calls_before = PureCountStep::calls;
  ASSERT_TRUE(e->start(loaded.workflow, {{"items", std::move(items)}}, "ex-m", "lead.lee").ok());
  e->wait_idle();
  ASSERT_TRUE(e->sync().ok());
  EXPECT_EQ(PureCountStep::calls - calls_before, kItems);
  EXPECT_EQ((*store->execution("ex-m"))->status, ExecutionStatus::kSucceeded);
  size_t most = 0;
  size_t total = 0;
  for (const StoreBatch& batch : gate.seen()) {
    size_t started = 0;
    for (const StoredEvent& stored : batch.events) {
      if (stored.execution_id == "ex-m" && stored.event.type == EventType::kAttemptStarted) {
        ++started;
      }
    }
    most = std::max(most, started);
    total += started;
  }
  EXPECT_EQ(total, static_cast<size_t>(kItems));
  EXPECT_LE(most, 1024u + 10u);
  EXPECT_GE(gate.seen().size(), static_cast<size_t>(kItems / (1024 + 10)));
}

TEST_F(DurableEngineTest, ParkedExecutionsLeaveMemoryAndComeBackWhenSomeoneActs) {
  auto store = open_store();
  ManualClock clock(utc("2026-12-01T09:00:00Z"));
  auto e = engine(*store, clock);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(e->start(workflow_, json::object(), "ex-" + std::to_string(i), "lead.lee").ok());
  }
  e->wait_idle();
  EXPECT_TRUE(e->execution_ids().empty());
  EXPECT_EQ(e->snapshot("ex-7")->suspended_steps, 1u);
  ASSERT_TRUE(e->complete_task("ex-7.t1", {"ana", "analyst", ""}, {{"decision", "approve"}}).ok());
  e->wait_idle();
  ASSERT_TRUE(e->sync().ok());
  // It came back, moved on to the review (which has a deadline) and left memory again.
  EXPECT_TRUE(e->execution_ids().empty());
  EXPECT_EQ((*store->task("ex-7.t2"))->status, TaskStatus::kOpen);
  EXPECT_EQ((*store->execution("ex-7"))->next_due, utc("2026-12-03T09:00:00Z"));
  // Its deadline brings it back once more.
  clock.advance(std::chrono::hours(49));
  settle(*e, clock);
  EXPECT_EQ((*store->task("ex-7.t2"))->doc["roles"], json::array({"deputy"}));
  EXPECT_EQ((*store->task("ex-3.t1"))->doc["roles"], json::array({"analyst"}));
}

TEST_F(DurableEngineTest, ExpiryAfterTheLastTierTakesTheDeclaredPath) {
  auto loaded = load_workflow(R"({"id": "expiry", "version": 1, "title": "t", "steps": [
      {"id": "ask", "kind": "task", "type": "test.approval", "parameters": {"title": "ask"},
       "assign": {"roles": ["liaison"]},
       "deadline": {"in": "PT1H", "from": "/input/detected_at", "remind": ["PT30M"],
                    "escalate": [{"roles": ["duty_officer"], "in": "PT1H"}],
                    "on_expiry": {"next": "fallback"}},
       "next": "done"},
      {"id": "done", "kind": "succeed"},
      {"id": "fallback", "kind": "task", "type": "test.count", "result": "/fallback"}]})",
                              "expiry.json");
  ASSERT_TRUE(loaded.problems.empty()) << loaded.problems.front().format("expiry.json");
  ASSERT_TRUE(catalog_.add(loaded.workflow).ok());
  auto store = open_store();
  ManualClock clock(utc("2026-12-01T09:00:00Z"));
  auto e = engine(*store, clock);
  // The deadline counts from the detection time in the input, not from when the step started.
  ASSERT_TRUE(e->start(loaded.workflow, {{"detected_at", "2026-12-01T08:45:00Z"}}, "ex-3").ok());
  settle(*e, clock);
  EXPECT_EQ((*store->task("ex-3.t1"))->doc["due"], "2026-12-01T09:45:00.000Z");
  advance_to(*e, clock, utc("2026-12-01T12:00:00Z"));
  std::vector<std::string> timeline;
  const auto history = store->history("ex-3");
  for (const auto& ev : *history) {
    if (ev.type == EventType::kReminderDue || ev.type == EventType::kEscalated ||
        ev.type == EventType::kDeadlineExpired) {
      timeline.push_back(std::string(to_string(ev.type)) + "@" + format_utc(ev.at));
    }
  }
  EXPECT_EQ(timeline, (std::vector<std::string>{"reminder_due@2026-12-01T09:15:00.000Z",
                                                "escalated@2026-12-01T09:45:00.000Z",
                                                "reminder_due@2026-12-01T10:15:00.000Z",
                                                "deadline_expired@2026-12-01T10:45:00.000Z"}));
  auto record = store->execution("ex-3");
  EXPECT_EQ((*record)->status, ExecutionStatus::kSucceeded);
  EXPECT_EQ((*record)->result.output.value()["fallback"]["n"], 1);
  EXPECT_EQ((*store->task("ex-3.t1"))->status, TaskStatus::kExpired);
}

// "keep_open": past the last tier the task stays open with the last tier's roles, overdue; the
// expiry is said once, survives a restart without firing again, and an extension re-arms it.
TEST_F(DurableEngineTest, KeepOpenLeavesTheTaskWithTheLastTierAndNeverFails) {
  auto loaded = load_workflow(R"({"id": "internal", "version": 1, "title": "t", "steps": [
      {"id": "ask", "kind": "task", "type": "test.approval", "parameters": {"title": "ask"},
       "assign": {"roles": ["analyst"]},
       "deadline": {"in": "PT1H", "escalate": [{"roles": ["officer"], "in": "PT1H"}],
                    "on_expiry": "keep_open"},
       "result": "/ask"}]})",
                              "internal.json");
  ASSERT_TRUE(loaded.problems.empty()) << loaded.problems.front().format("internal.json");
  ASSERT_TRUE(catalog_.add(loaded.workflow).ok());
  auto store = open_store();
  ManualClock clock(utc("2026-12-01T09:00:00Z"));
  const auto expiries = [&] {
    std::vector<std::string> actions;
    const auto history = store->history("ex-5");
    for (const auto& ev : *history) {
      if (ev.type == EventType::kDeadlineExpired) actions.push_back(ev.data().value("action", ""));
    }
    return actions;
  };
  {
    auto e = engine(*store, clock);
    ASSERT_TRUE(e->start(loaded.workflow, json::object(), "ex-5").ok());
    settle(*e, clock);
    advance_to(*e, clock, utc("2026-12-01T12:00:00Z"));
    ASSERT_TRUE(e->sync().ok());
  }
  EXPECT_EQ(expiries(), std::vector<std::string>{"keep_open"});
  EXPECT_EQ((*store->execution("ex-5"))->status, ExecutionStatus::kWaiting);
  EXPECT_EQ((*store->task("ex-5.t1"))->status, TaskStatus::kOpen);
  EXPECT_EQ((*store->task("ex-5.t1"))->doc["roles"], json::array({"officer"}));
  EXPECT_EQ((*store->task("ex-5.t1"))->doc["due"], "2026-12-01T11:00:00.000Z");
  // Another engine over the same store: nothing is left to fire for it.
  auto e = engine(*store, clock);
  advance_to(*e, clock, utc("2026-12-02T12:00:00Z"));
  EXPECT_EQ(expiries(), std::vector<std::string>{"keep_open"});
  // An extension arms it again; its expiry keeps the task open again.
  ASSERT_TRUE(e->extend_deadline("ex-5.t1", utc("2026-12-02T13:00:00Z"),
                                 {"off.icer", "officer", "", ""}, "records arrive today")
                  .ok());
  advance_to(*e, clock, utc("2026-12-02T14:00:00Z"));
  EXPECT_EQ(expiries(), (std::vector<std::string>{"keep_open", "keep_open"}));
  ASSERT_TRUE(
      e->complete_task("ex-5.t1", {"off.icer", "officer", ""}, {{"decision", "approve"}}).ok());
  settle(*e, clock);
  ASSERT_TRUE(e->sync().ok());
  EXPECT_EQ((*store->execution("ex-5"))->status, ExecutionStatus::kSucceeded);
}

// Under keep_open, a tier that cannot be reached (its span is missing) keeps the task with the
// people who hold it, and the event says why: the case does not fail.
TEST_F(DurableEngineTest, KeepOpenHoldsTheTaskWhenTheNextTierCannotBeComputed) {
  auto loaded = load_workflow(R"({"id": "unreachable", "version": 1, "title": "t", "steps": [
      {"id": "ask", "kind": "task", "type": "test.approval", "parameters": {"title": "ask"},
       "assign": {"roles": ["analyst"]},
       "deadline": {"in": "PT1H",
                    "escalate": [{"roles": ["officer"], "in": {"$path": "/input/grace"}}],
                    "on_expiry": "keep_open"},
       "result": "/ask"}]})",
                              "unreachable.json");
  ASSERT_TRUE(loaded.problems.empty()) << loaded.problems.front().format("unreachable.json");
  ASSERT_TRUE(catalog_.add(loaded.workflow).ok());
  auto store = open_store();
  ManualClock clock(utc("2026-12-01T09:00:00Z"));
  auto e = engine(*store, clock);
  ASSERT_TRUE(e->start(loaded.workflow, json::object(), "ex-6").ok());
  settle(*e, clock);
  advance_to(*e, clock, utc("2026-12-01T12:00:00Z"));
  ASSERT_TRUE(e->sync().ok());
  const auto history = store->history("ex-6");
  json expired;
  for (const auto& ev : *history) {
    if (ev.type == EventType::kDeadlineExpired) expired = ev.data();
  }
  EXPECT_EQ(expired.value("action", ""), "keep_open");
  EXPECT_NE(expired.value("error", "").find("escalation of step 'ask'"), std::string::npos)
      << expired;
  EXPECT_EQ((*store->execution("ex-6"))->status, ExecutionStatus::kWaiting);
  EXPECT_EQ((*store->task("ex-6.t1"))->status, TaskStatus::kOpen);
  EXPECT_EQ((*store->task("ex-6.t1"))->doc["roles"], json::array({"analyst"}));
}

TEST_F(DurableEngineTest, ALongWaitLeavesMemoryAndItsTimerBringsItBack) {
  auto loaded = load_workflow(R"({"id": "review_later", "version": 1, "title": "t", "steps": [
      {"id": "pause", "kind": "wait", "for": "P90D", "next": "review"},
      {"id": "review", "kind": "task", "type": "test.count", "result": "/review"}]})",
                              "review_later.json");
  ASSERT_TRUE(catalog_.add(loaded.workflow).ok());
  auto store = open_store();
  ManualClock clock(utc("2026-12-01T09:00:00Z"));
  auto e = engine(*store, clock);
  CountStep::calls = 0;
  ASSERT_TRUE(e->start(loaded.workflow, json::object(), "ex-4").ok());
  settle(*e, clock);
  EXPECT_TRUE(e->execution_ids().empty());
  EXPECT_EQ((*store->execution("ex-4"))->status, ExecutionStatus::kWaiting);
  advance_to(*e, clock, utc("2027-03-01T09:00:00Z"));  // 90 days later
  EXPECT_EQ((*store->execution("ex-4"))->status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(CountStep::calls, 1);
  const auto t = types(*store, "ex-4");
  EXPECT_EQ(count(t, "step_succeeded"), 2u);
}

// A wait whose instant passed while its execution was parked in the store: reloaded by its
// wake-up, in real time its timer fires at once (no second round through the clock); in
// virtual time it waits for time to be moved, as `coalition tick` moves it.
TEST_F(DurableEngineTest, ADueTimerOfAReloadedExecutionFiresAtOnceOnlyInRealTime) {
  auto loaded = load_workflow(R"({"id": "pause_then_done", "version": 1, "title": "t", "steps": [
      {"id": "pause", "kind": "wait", "for": "PT1H", "next": "done"},
      {"id": "done", "kind": "succeed"}]})",
                              "pause_then_done.json");
  ASSERT_TRUE(catalog_.add(loaded.workflow).ok());
  const TimePoint start = utc("2026-12-01T09:00:00Z");
  const TimePoint later = utc("2026-12-01T11:00:00Z");
  {
    auto store = open_store();
    test::HandTurnedWallClock clock(start);
    auto e = engine(*store, clock);
    ASSERT_TRUE(e->start(loaded.workflow, json::object(), "ex-real").ok());
    e->wait_idle();
    ASSERT_TRUE(e->sync().ok());
    ASSERT_TRUE(e->execution_ids().empty()) << "parked: only its wake-up is left in memory";
    const int before = clock.calls.load();
    clock.inner.set_at_least(later);
    ASSERT_TRUE(clock.inner.fire_next(later));  // the wake-up: reloads it
    e->wait_idle();
    ASSERT_TRUE(e->sync().ok());
    EXPECT_EQ((*store->execution("ex-real"))->status, ExecutionStatus::kSucceeded);
    EXPECT_EQ(clock.calls.load(), before) << "the due wait fired without a call on the clock";
  }
  auto store = open_store();  // the same store: its audit time goes on from where it was
  ManualClock clock(later);
  auto e = engine(*store, clock);
  ASSERT_TRUE(e->start(loaded.workflow, json::object(), "ex-virtual").ok());
  settle(*e, clock);
  const TimePoint after = later + std::chrono::hours(2);
  clock.set_at_least(after);
  ASSERT_TRUE(clock.fire_next(after));  // the wake-up: reloads it
  e->wait_idle();
  ASSERT_TRUE(e->sync().ok());
  EXPECT_EQ((*store->execution("ex-virtual"))->status, ExecutionStatus::kWaiting)
      << "virtual time: the due wait waits for time to be moved";
  settle(*e, clock);
  EXPECT_EQ((*store->execution("ex-virtual"))->status, ExecutionStatus::kSucceeded);
}

// Several timers overdue when a parked execution comes back in real time fire in due order, as
// the clock would have run them: the reminder before the deadline it reminds of (the deadline's
// timer was made first).
TEST_F(DurableEngineTest, OverdueTimersOfAReloadedExecutionFireInDueOrder) {
  auto loaded = load_workflow(R"({"id": "late", "version": 1, "title": "t", "steps": [
      {"id": "ask", "kind": "task", "type": "test.approval", "parameters": {"title": "ask"},
       "assign": {"roles": ["liaison"]},
       "deadline": {"in": "PT1H", "remind": ["PT30M"], "on_expiry": {"next": "done"}},
       "next": "done"},
      {"id": "done", "kind": "succeed"}]})",
                              "late.json");
  ASSERT_TRUE(loaded.problems.empty()) << loaded.problems.front().format("late.json");
  ASSERT_TRUE(catalog_.add(loaded.workflow).ok());
  auto store = open_store();
  test::HandTurnedWallClock clock(utc("2026-12-01T09:00:00Z"));
  auto e = engine(*store, clock);
  ASSERT_TRUE(e->start(loaded.workflow, json::object(), "ex-late").ok());
  e->wait_idle();
  ASSERT_TRUE(e->sync().ok());
  ASSERT_TRUE(e->execution_ids().empty());
  clock.inner.set_at_least(utc("2026-12-01T11:00:00Z"));  // both the reminder and the deadline
  ASSERT_TRUE(clock.inner.fire_next(clock.now()));        // the wake-up: reloads it
  e->wait_idle();
  ASSERT_TRUE(e->sync().ok());
  std::vector<std::string> timeline;
  const auto history = store->history("ex-late");
  ASSERT_TRUE(history.ok());
  for (const auto& ev : *history) {
    if (ev.type == EventType::kReminderDue || ev.type == EventType::kDeadlineExpired) {
      timeline.emplace_back(to_string(ev.type));
    }
  }
  EXPECT_EQ(timeline, (std::vector<std::string>{"reminder_due", "deadline_expired"}));
  EXPECT_EQ((*store->execution("ex-late"))->status, ExecutionStatus::kSucceeded);
}

TEST_F(DurableEngineTest, UnknownCalendarFailsTheStepWithAConfigurationError) {
  auto loaded = load_workflow(R"({"id": "cal", "version": 1, "title": "t", "steps": [
      {"id": "a", "kind": "task", "type": "test.count",
       "deadline": {"in": {"business_days": 3, "calendar": "nowhere"}}}]})",
                              "cal.json");
  auto store = open_store();
  ManualClock clock(utc("2026-12-01T09:00:00Z"));
  auto e = engine(*store, clock);
  ASSERT_TRUE(e->start(loaded.workflow, json::object(), "ex-2").ok());
  e->wait_idle();
  ASSERT_TRUE(e->sync().ok());
  auto record = store->execution("ex-2");
  EXPECT_EQ((*record)->status, ExecutionStatus::kFailed);
  EXPECT_EQ((*record)->result.error.value().code, "config.calendar");
  EXPECT_NE((*record)->result.error.value().message.find("nowhere"), std::string::npos);
}

// Issue 12: a map's iterations share the context instead of copying it. Before, every live
// iteration held the whole context (here a 16 KB note and the 400-item list itself) and every
// commit rewrote all of them: ~2 MB per snapshot at 100 iterations in flight.
TEST_F(DurableEngineTest, MapIterationsShareTheContextAndTheirOutputsAreWrittenOnce) {
  auto loaded = load_workflow(R"({"id": "fanout", "version": 1, "title": "t", "steps": [
      {"id": "each", "kind": "map", "items": "/input/members", "steps": [
        {"id": "pause", "kind": "wait", "for": "PT1H", "next": "ack"},
        {"id": "ack", "kind": "task", "type": "test.count", "result": "/ack"}],
       "result": "/acks", "next": "done"},
      {"id": "done", "kind": "succeed", "output": {"$path": "/acks"}}]})",
                              "fanout.json");
  ASSERT_TRUE(loaded.problems.empty()) << loaded.problems.front().format("fanout.json");
  ASSERT_TRUE(catalog_.add(loaded.workflow).ok());
  constexpr size_t kItems = 400;
  json members = json::array();
  for (size_t i = 0; i < kItems; ++i) members.push_back("member-" + std::to_string(i));
  const json input{{"note", std::string(16 * 1024, 'n')}, {"members", members}};
  const size_t context_bytes = input.dump().size();
  const TimePoint t0 = utc("2026-12-01T09:00:00Z");
  ManualClock clock(t0);
  auto options = [this](Store& store) {
    return EngineOptions{.scheduler_threads = 1,
                         .plugin_threads = 2,
                         .store = &store,
                         .calendars = &calendars_,
                         .limits = ExecutionLimits{.map_concurrency = 100}};
  };
  CountStep::calls = 0;
  {
    auto store = open_store();
    Engine e(registry_, catalog_, clock, options(*store));
    ASSERT_TRUE(e.start(loaded.workflow, input, "ex-map", "lead.lee").ok());
    e.wait_idle();
    ASSERT_TRUE(e.sync().ok());
    // 100 iterations wait: the snapshot holds each one's own layer (item, index), and the
    // context they share is one state part, written once.
    const auto record = store->execution("ex-map");
    ASSERT_TRUE(record.ok() && record->has_value());
    EXPECT_LT((*record)->state.dump().size(), 64u * 1024) << "the snapshot copies the context";
    const auto parts = store->state_parts("ex-map");
    ASSERT_TRUE(parts.ok());
    size_t layer_bytes = 0;
    for (const auto& [key, body] : *parts) {
      if (key.rfind("layer/", 0) == 0) layer_bytes += body.dump().size();
    }
    EXPECT_GE(layer_bytes, context_bytes);
    EXPECT_LT(layer_bytes, context_bytes + 1024);
    advance_to(e, clock, t0 + std::chrono::hours(1));
    advance_to(e, clock, t0 + std::chrono::hours(2));
    ASSERT_TRUE(e.sync().ok());
    // 200 iterations done: their outputs are parts, one each, not in the snapshot.
    const auto done = store->state_parts("ex-map");
    ASSERT_TRUE(done.ok());
    size_t outputs = 0;
    for (const auto& [key, body] : *done) outputs += key.rfind("out/", 0) == 0 ? 1 : 0;
    EXPECT_EQ(outputs, 200u);
    EXPECT_LT((*store->execution("ex-map"))->state.dump().size(), 64u * 1024);
  }  // the process goes away in the middle of the map

  auto store = open_store();
  Engine e(registry_, catalog_, clock, options(*store));
  ASSERT_TRUE(e.recover().ok());
  for (int hour = 3; hour <= 5; ++hour) advance_to(e, clock, t0 + std::chrono::hours(hour));
  ASSERT_TRUE(e.sync().ok());
  const auto record = store->execution("ex-map");
  ASSERT_EQ((*record)->status, ExecutionStatus::kSucceeded) << to_json((*record)->result).dump();
  const json& out = (*record)->result.output.value();
  ASSERT_EQ(out.size(), kItems);
  for (size_t i = 0; i < kItems; i += 37) {
    // What the iteration added — not a copy of the context it started from.
    EXPECT_EQ(out[i], (json{{"item", members[i]}, {"index", i}, {"ack", {{"n", 1}}}})) << i;
  }
  EXPECT_EQ(CountStep::calls.load(), static_cast<int>(kItems));  // none lost, none repeated
  EXPECT_TRUE(store->state_parts("ex-map")->empty());            // nothing left to resume from
  EXPECT_TRUE(store->verify_audit()->ok);
}

// A store written before contexts were layered (snapshot v1: every frame with its whole
// context, a join with its items, outputs and per-slot states) carries on after the upgrade:
// an iteration started after the restore still reads the context, the output finished before
// it survives the next restart, and so does the list.
TEST_F(DurableEngineTest, ASnapshotFromBeforeLayeredContextsIsRestored) {
  auto loaded = load_workflow(R"({"id": "legacy", "version": 1, "title": "t", "steps": [
      {"id": "each", "kind": "map", "items": "/input/members", "max_concurrency": 1, "steps": [
        {"id": "check", "kind": "choice", "choices": [
          {"when": {"path": "/input/members", "exists": true}, "next": "ack"}]},
        {"id": "ack", "kind": "task", "type": "test.await", "result": "/ack"}],
       "result": "/acks", "next": "done"},
      {"id": "done", "kind": "succeed"}]})",
                              "legacy.json");
  ASSERT_TRUE(loaded.problems.empty()) << loaded.problems.front().format("legacy.json");
  ASSERT_TRUE(catalog_.add(loaded.workflow).ok());
  const TimePoint t0 = utc("2026-12-01T09:00:00Z");
  const int64_t at =
      std::chrono::duration_cast<std::chrono::milliseconds>(t0.time_since_epoch()).count();
  const json input{{"members", {"bank-a", "psp-b", "ngo-c"}}};
  const json v1{
      {"v", 1},
      {"workflow", "legacy@1"},
      {"initiator", "lead.lee"},
      {"status", "running"},
      {"started_at", at},
      {"seq", 0},
      {"next", {3, 1, 1}},
      {"map_items", 3},
      {"frames",
       {{{"id", 0},
         {"wf", "legacy@1"},
         {"parent", -1},
         {"slot", 0},
         {"path", ""},
         {"current", "each"},
         {"visits", {{"each", 1}}},
         {"entered_at", at},
         {"context", {{"input", input}}}},
        {{"id", 2},
         {"wf", "legacy@1"},
         {"parent", 0},
         {"slot", 1},
         {"path", "each[1]/"},
         {"current", "ack"},
         {"visits", {{"check", 1}, {"ack", 1}}},
         {"entered_at", at},
         {"context", {{"input", input}, {"item", "psp-b"}, {"index", 1}}}}}},
      {"joins",
       {{{"frame", 0},
         {"items", input["members"]},
         {"outputs",
          {{{"input", input}, {"item", "bank-a"}, {"index", 0}, {"ack", {{"r", 1}}}},
           nullptr,
           nullptr}},
         {"state", {2, 1, 0}},
         {"children", {1, 2, -1}},
         {"counts", {1, 0, 1, 2}}}}},
      {"attempts", {{{"frame", 2}, {"number", 1}, {"suspended", true}, {"signal", "ack"}}}},
      {"waiting", json::array()},
      {"timers", json::array()}};
  {
    auto store = open_store();
    StoreBatch batch;
    batch.executions.push_back(ExecutionRecord{
        "ex-v1", "legacy", 1, ExecutionStatus::kWaiting, "lead.lee", t0, t0, std::nullopt, v1, {}});
    ASSERT_TRUE(store->apply(batch).ok());
  }
  ManualClock clock(t0);
  {
    auto store = open_store();
    auto e = engine(*store, clock);
    auto report = e->recover();
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report->failed.empty()) << report->failed.front().message();
    ASSERT_TRUE(e->signal("ex-v1", "ack", {{"r", 2}}, {"bank.portal", "", ""}).ok());
    e->wait_idle();
    ASSERT_TRUE(e->sync().ok());
    // The third iteration started after the restore, read the context, and waits.
    EXPECT_EQ((*store->execution("ex-v1"))->status, ExecutionStatus::kWaiting);
  }  // and the process goes away again, now with a v2 snapshot
  auto store = open_store();
  auto e = engine(*store, clock);
  auto report = e->recover();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->failed.empty()) << report->failed.front().message();
  ASSERT_TRUE(e->signal("ex-v1", "ack", {{"r", 3}}, {"bank.portal", "", ""}).ok());
  e->wait_idle();
  ASSERT_TRUE(e->sync().ok());
  const auto record = store->execution("ex-v1");
  ASSERT_EQ((*record)->status, ExecutionStatus::kSucceeded) << to_json((*record)->result).dump();
  const json& acks = (*record)->result.output.value()["acks"];
  ASSERT_EQ(acks.size(), 3u);
  EXPECT_EQ(acks[0]["ack"], (json{{"r", 1}}));  // finished before the upgrade
  // The waiting iteration held a whole copy then; it finishes with it, its answer added.
  EXPECT_EQ(acks[1]["ack"], (json{{"r", 2}}));
  EXPECT_EQ(acks[1]["item"], "psp-b");
  EXPECT_EQ(acks[2], (json{{"item", "ngo-c"}, {"index", 2}, {"ack", {{"r", 3}}}}));
  EXPECT_EQ((*record)->result.output.value()["input"], input);
  EXPECT_TRUE(store->state_parts("ex-v1")->empty());
}

// A stored state that does not fit (edited, or corrupted on disk) is reported and left alone:
// restoring it never allocates what a count says, reads past a list, or crashes.
TEST_F(DurableEngineTest, ACorruptLayeredSnapshotIsRefusedNotTrusted) {
  auto loaded = load_workflow(R"({"id": "corrupt", "version": 1, "title": "t", "steps": [
      {"id": "each", "kind": "map", "items": "/input/members", "steps": [
        {"id": "ack", "kind": "task", "type": "test.await", "result": "/ack"}]}]})",
                              "corrupt.json");
  ASSERT_TRUE(loaded.problems.empty());
  ASSERT_TRUE(catalog_.add(loaded.workflow).ok());
  const TimePoint t0 = utc("2026-12-01T09:00:00Z");
  const int64_t at =
      std::chrono::duration_cast<std::chrono::milliseconds>(t0.time_since_epoch()).count();
  auto state = [&](json frozen, json runs, json running) {
    return json{{"v", 2},
                {"workflow", "corrupt@1"},
                {"initiator", "lead.lee"},
                {"status", "running"},
                {"started_at", at},
                {"seq", 0},
                {"next", {1, 1, 1}},
                {"next_layer", 2},
                {"frames",
                 {{{"id", 0},
                   {"wf", "corrupt@1"},
                   {"parent", -1},
                   {"slot", 0},
                   {"path", ""},
                   {"current", "each"},
                   {"visits", {{"each", 1}}},
                   {"entered_at", at},
                   {"own", json::object()},
                   {"frozen", std::move(frozen)},
                   {"inherited", nullptr}}}},
                {"joins",
                 {{{"frame", 0},
                   {"items_from", 1},
                   {"runs", std::move(runs)},
                   {"running", std::move(running)},
                   {"counts", {0, 0, 0, 0}}}}},
                {"attempts", json::array()},
                {"waiting", json::array()},
                {"timers", json::array()}};
  };
  const json ok_runs = json::array({json::array({0, 2})});
  // A sound snapshot with `key` set to `value` (null: without it).
  auto sound_but = [&](const char* key, json value) {
    json s = state(1, ok_runs, json::array());
    if (value.is_null()) {
      s.erase(key);
    } else {
      s[key] = std::move(value);
    }
    return s;
  };
  const std::vector<std::pair<std::string, json>> cases = {
      {"ex-huge-count", state(1, json::array({json::array({0, 4000000000u})}), json::array())},
      {"ex-slot-past-list", state(1, ok_runs, json::array({json::array({9, 3})}))},
      {"ex-missing-layer", state(7, ok_runs, json::array())},
      {"ex-runs-short", state(1, json::array({json::array({0, 1})}), json::array())},
      {"ex-slot-state-7", state(1, json::array({json::array({7, 2})}), json::array())},
      // Sound in every field but one: a newer engine's version, which this one would misread;
      // no version; a timer of a kind this code never writes.
      {"ex-version-3", sound_but("v", 3)},
      {"ex-no-version", sound_but("v", nullptr)},
      {"ex-timer-kind-9",
       sound_but("timers", json::array({json::array({1, at + 60000, 9, 0, 0})}))},
  };
  {
    auto store = open_store();
    StoreBatch batch;
    for (const auto& [id, s] : cases) {
      batch.executions.push_back(ExecutionRecord{
          id, "corrupt", 1, ExecutionStatus::kRunning, "lead.lee", t0, t0, std::nullopt, s, {}});
      batch.parts.push_back(
          {id,
           "layer/00000000000000000001",
           {{"below", nullptr}, {"members", {{"input", {{"members", {"bank-a", "psp-b"}}}}}}}});
    }
    ASSERT_TRUE(store->apply(batch).ok());
  }
  auto store = open_store();
  ManualClock clock(t0);
  auto e = engine(*store, clock);
  auto report = e->recover();
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->failed.size(), cases.size());
  bool named_the_slot_state = false;
  for (const auto& error : report->failed) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidData) << error.message();
    EXPECT_NE(error.message().find("cannot be restored"), std::string::npos) << error.message();
    named_the_slot_state = named_the_slot_state ||
                           error.message().find("slot state other than 0-3") != std::string::npos;
  }
  EXPECT_TRUE(named_the_slot_state);
  auto refusal_of = [&](const std::string& id) {
    for (const auto& error : report->failed) {
      if (error.message().find("execution " + id + " ") != std::string::npos)
        return error.message();
    }
    return std::string();
  };
  EXPECT_NE(refusal_of("ex-version-3")
                .find("its snapshot is version 3, and this engine reads "
                      "versions 1 to 2"),
            std::string::npos)
      << refusal_of("ex-version-3");
  EXPECT_NE(refusal_of("ex-no-version").find("it names no snapshot version"), std::string::npos)
      << refusal_of("ex-no-version");
  EXPECT_NE(refusal_of("ex-timer-kind-9").find("a timer kind other than 0-5"), std::string::npos)
      << refusal_of("ex-timer-kind-9");
  for (const auto& [id, s] : cases) {
    EXPECT_EQ((*store->execution(id))->state, s) << id;  // left as it was
  }
}

}  // namespace
}  // namespace coalition::durable_engine_test
