// Moving waiting executions to another version of their workflow on a real SQLite store: what a
// dry run says and leaves alone, what applying changes (steps renamed, deadlines computed
// again, the context patched, branches carried on), what stands in the way and why, and that
// a later process carries a migrated execution on to its end on the new version.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>

#include "common/utc_time.h"
#include "runtime/engine.h"
#include "store/sqlite_store.h"
#include "support/in_memory_plugins.h"
#include "support/temp_dir.h"
#include "workflow/workflow_loader.h"

// A namespace of its own: unity builds compile several test files as one.
namespace coalition::migration_test {
namespace {

using nlohmann::json;

// A confirmation the way a challenge-response step works: the task carries a code made from
// the attempt's task token, and the answer is checked against the token the step resumes
// with. A resume under another token (a step renamed without keeping its key) fails it.
class Confirm {
 public:
  static constexpr sdk::StepTypeInfo kInfo{
      .name = "mig.confirm",
      .description = "Opens a task; resumes only under the task token it opened with.",
      .parameters_schema = R"({"type":"object","properties":{"title":{"type":"string"}}})",
      .capabilities = COALITION_CAP_MAY_SUSPEND | COALITION_CAP_THREAD_SAFE,
  };
  sdk::Outcome execute(const json& params, const sdk::Context& context) {
    return sdk::Outcome::suspend(
        {{"title", params.value("title", "Confirm")}, {"code", "c-" + context.task_token()}});
  }
  sdk::Outcome resume(const json& completion, const sdk::Context& context) {
    if (completion.at("task").value("code", "") != "c-" + context.task_token()) {
      return sdk::Outcome::permanent("confirm.token_changed", "resumed under another token");
    }
    return sdk::Outcome::ok({{"confirmed", true}});
  }
};

class Note {
 public:
  static constexpr sdk::StepTypeInfo kInfo{
      .name = "mig.note",
      .description = "Succeeds with what it was given.",
      .parameters_schema = R"({"type":"object"})",
      .capabilities = COALITION_CAP_THREAD_SAFE | COALITION_CAP_IDEMPOTENT,
  };
  sdk::Outcome execute(const json& params, const sdk::Context&) {
    return sdk::Outcome::ok({{"noted", params}});
  }
};

// A partner directory that does not answer until the test brings it back.
class Lookup {
 public:
  static constexpr sdk::StepTypeInfo kInfo{
      .name = "mig.lookup",
      .description = "Fails, retryably, while the directory is down.",
      .parameters_schema = R"({"type":"object"})",
      .capabilities = COALITION_CAP_THREAD_SAFE | COALITION_CAP_IDEMPOTENT,
  };
  static inline std::atomic<bool> up{false};
  static inline std::mutex keys_mutex;
  static inline std::vector<std::string> keys;  // of every attempt, in order
  sdk::Outcome execute(const json&, const sdk::Context& context) {
    {
      const std::lock_guard<std::mutex> lock(keys_mutex);
      keys.push_back(context.idempotency_key());
    }
    if (!up) return sdk::Outcome::retryable("directory.unavailable", "no answer");
    return sdk::Outcome::ok({{"found", true}});
  }
};

constexpr sdk::PluginInfo kPlugin{"migration_test", "1.0.0", "Test", sdk::PartnerType::kCoalition,
                                  "Test steps."};
const coalition_plugin_descriptor_t* entry(uint32_t, uint32_t) {
  return sdk::detail::describe<Confirm, Note, Lookup>(kPlugin);
}

TimePoint utc(const char* text) {
  return *parse_utc(text);
}

// A member confirms an entry within five days.
constexpr const char* kSingleV1 = R"({"id": "entry", "version": 1, "title": "Entry", "steps": [
  {"id": "confirm", "kind": "task", "type": "mig.confirm", "parameters": {"title": "Confirm"},
   "assign": {"roles": ["reviewer"], "organisation": "northbank"},
   "deadline": {"in": "P5D"}, "result": "/answer", "next": "done"},
  {"id": "done", "kind": "succeed"}]})";
// Version 2: the step renamed, three days with a reminder the day before, a record kept after.
constexpr const char* kSingleV2 = R"({"id": "entry", "version": 2, "title": "Entry", "steps": [
  {"id": "confirm_entry", "kind": "task", "type": "mig.confirm",
   "parameters": {"title": "Confirm"},
   "assign": {"roles": ["reviewer"], "organisation": "northbank"},
   "deadline": {"in": "P3D", "remind": ["P1D"]}, "result": "/answer", "next": "record"},
  {"id": "record", "kind": "task", "type": "mig.note",
   "parameters": {"region": {"$path": "/region"}}, "result": "/record", "next": "done"},
  {"id": "done", "kind": "succeed"}]})";

// A review beside a lookup that waits an hour; the review escalates after five days.
std::string parallel_version(int version, const std::string& review_steps,
                             const std::string& lookup, const std::string& container = "both") {
  return R"({"id": "check", "version": )" + std::to_string(version) +
         R"(, "title": "Check", "steps": [
  {"id": ")" +
         container +
         R"(", "kind": "parallel", "branches": [
     {"name": "review", "steps": [)" +
         review_steps + R"(]},
     {"name": ")" +
         lookup + R"(", "steps": [
        {"id": "pause", "kind": "wait", "for": "PT1H"}]}],
   "result": "/both", "next": "done"},
  {"id": "done", "kind": "succeed"}]})";
}
const std::string kConfirmStep = R"(
  {"id": "confirm", "kind": "task", "type": "mig.confirm", "parameters": {"title": "Confirm"},
   "assign": {"roles": ["reviewer"], "organisation": "northbank"},
   "deadline": {"in": "P5D", "escalate": [{"roles": ["deputy"], "in": "P2D"}]},
   "result": "/answer")";

const Actor kCoordinator{"coord.cora", "coordinator", "secretariat"};
const Actor kRai{"rev.rai", "reviewer", "northbank"};

class MigrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto plugin = loader_.load_entry(&entry, "libmigration_test.so");
    ASSERT_TRUE(plugin.ok());
    ASSERT_TRUE(registry_.add(std::move(*plugin)).ok());
    auto store = SqliteStore::open(SqliteOptions{(dir_.path() / "m.db").string()});
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
  }
  std::shared_ptr<const Workflow> add(const std::string& text) {
    auto loaded = load_workflow(text, "wf.json");
    EXPECT_TRUE(loaded.problems.empty()) << loaded.problems.front().format("wf.json");
    if (loaded.workflow != nullptr) {
      EXPECT_TRUE(catalog_.add(loaded.workflow).ok());
    }
    return loaded.workflow;
  }
  std::unique_ptr<Engine> engine() {
    auto e = std::make_unique<Engine>(
        registry_, catalog_, clock_,
        EngineOptions{.scheduler_threads = 1, .plugin_threads = 2, .store = store_.get()});
    EXPECT_TRUE(e->recover().ok());
    return e;
  }
  static MigrationPlan plan(const json& doc) {
    auto p = parse_migration_plan(doc);
    EXPECT_TRUE(p.ok()) << p.error().to_string();
    return p.ok() ? *p : MigrationPlan{};
  }
  void settle(Engine& e) {
    e.wait_idle();
    ASSERT_TRUE(e.sync().ok());
  }
  void advance(Engine& e, TimePoint until) {
    for (;;) {
      e.wait_idle();
      if (!clock_.fire_next(until)) break;
    }
    clock_.set_at_least(until);
    settle(e);
  }
  ExecutionRecord record(const std::string& id) { return **store_->execution(id); }
  TaskRecord task(const std::string& id) { return **store_->task(id); }
  size_t events(const std::string& id) { return store_->history(id)->size(); }
  size_t audited(const std::string& id, const std::string& type) {
    const auto audit = store_->audit(id);
    size_t n = 0;
    for (const auto& a : *audit) n += a.type == type ? 1 : 0;
    return n;
  }
  // Asserts that `plan` cannot move ex-1, for exactly `why`, and that nothing changed.
  void expect_blocked(Engine& e, const MigrationPlan& p, const std::string& why) {
    const auto before = record("ex-1");
    const size_t history = events("ex-1");
    for (bool dry : {true, false}) {
      auto report = e.migrate("ex-1", p, dry, kCoordinator, "new rules");
      ASSERT_TRUE(report.ok()) << report.error().to_string();
      EXPECT_FALSE(report->applied);
      ASSERT_EQ(report->problems.size(), 1u) << json(report->problems);
      EXPECT_EQ(report->problems[0], why);
    }
    const auto after = record("ex-1");
    EXPECT_EQ(after.workflow_version, before.workflow_version);
    EXPECT_EQ(after.state, before.state);
    EXPECT_EQ(events("ex-1"), history);
  }

  test::TempDir dir_;
  test::FakeLibraryLoader libraries_;
  PluginLoader loader_{libraries_, json::object()};
  PluginRegistry registry_;
  WorkflowCatalog catalog_;
  ManualClock clock_{utc("2026-12-01T09:00:00Z")};
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(MigrationTest, ADryRunSaysWhatWouldChangeAndApplyingDoesItInALaterProcessToo) {
  auto v1 = add(kSingleV1);
  add(kSingleV2);
  const MigrationPlan p =
      plan({{"workflow", "entry"},
            {"from", 1},
            {"to", 2},
            {"steps", {{"confirm", "confirm_entry"}}},
            {"context", {{{"op", "add"}, {"path", "/region"}, {"value", "EU"}}}}});
  {
    auto e = engine();
    ASSERT_TRUE(e->start(v1, json::object(), "ex-1", "coord.cora").ok());
    settle(*e);
    ASSERT_EQ(task("ex-1.t1").step, "confirm");
    ASSERT_EQ(format_utc(*task("ex-1.t1").due), "2026-12-06T09:00:00.000Z");
    clock_.set_at_least(utc("2026-12-01T10:00:00Z"));

    const auto before = record("ex-1");
    const size_t history = events("ex-1");
    auto dry = e->migrate("ex-1", p, true, kCoordinator, "");
    ASSERT_TRUE(dry.ok()) << dry.error().to_string();
    EXPECT_FALSE(dry->applied);
    EXPECT_TRUE(dry->problems.empty()) << json(dry->problems);
    const std::vector<std::string> changes{
        "context members patched: region", "step confirm becomes confirm_entry",
        "step confirm_entry is due 2026-12-04T09:00:00.000Z (P3D), was 2026-12-06T09:00:00.000Z"};
    EXPECT_EQ(dry->changes, changes);
    EXPECT_EQ(record("ex-1").state, before.state);  // the dry run changed nothing
    EXPECT_EQ(record("ex-1").workflow_version, 1);
    EXPECT_EQ(events("ex-1"), history);

    auto unexplained = e->migrate("ex-1", p, false, kCoordinator, "");
    ASSERT_FALSE(unexplained.ok());  // applying needs a justification
    EXPECT_EQ(unexplained.error().message(), "migrating an execution needs a justification");

    auto applied = e->migrate("ex-1", p, false, kCoordinator, "three days agreed by the board");
    ASSERT_TRUE(applied.ok()) << applied.error().to_string();
    EXPECT_TRUE(applied->applied);
    EXPECT_EQ(applied->changes, changes);
    settle(*e);
    EXPECT_EQ(record("ex-1").workflow_version, 2);
    EXPECT_EQ(record("ex-1").status, ExecutionStatus::kWaiting);
    EXPECT_EQ(task("ex-1.t1").step, "confirm_entry");
    EXPECT_EQ(format_utc(*task("ex-1.t1").due), "2026-12-04T09:00:00.000Z");
    const Event last = store_->history("ex-1")->back();
    EXPECT_EQ(to_string(last.type), "execution_migrated");
    EXPECT_EQ(last.data()["from"], "entry@1");
    EXPECT_EQ(last.data()["to"], "entry@2");
    EXPECT_EQ(last.data()["justification"], "three days agreed by the board");
    EXPECT_EQ(last.data()["steps"], json::parse(R"([{"from": "confirm", "to": "confirm_entry"}])"));
    EXPECT_EQ(audited("ex-1", "execution_migrated"), 1u);
    // Moved: the same plan finds nothing of the old version here any more.
    auto again = e->migrate("ex-1", p, true, kCoordinator, "");
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->problems, std::vector<std::string>{"it runs entry@2; the plan moves entry@1"});
  }
  // A later process: the reminder of the new deadline, then the answer, resumed under the token
  // the task was opened with, and the step version 2 added after it.
  auto e = engine();
  advance(*e, utc("2026-12-03T09:30:00Z"));
  size_t reminders = 0;
  const auto history = store_->history("ex-1");
  for (const auto& ev : *history) {
    reminders += ev.type == EventType::kReminderDue ? 1 : 0;
  }
  EXPECT_EQ(reminders, 1u);
  auto done = e->complete_task("ex-1.t1", kRai, {{"decision", "approve"}});
  ASSERT_TRUE(done.ok()) << done.error().to_string();
  settle(*e);
  const auto finished = record("ex-1");
  ASSERT_EQ(finished.status, ExecutionStatus::kSucceeded) << to_json(finished.result).dump();
  EXPECT_EQ(finished.result.output.value()["answer"], json({{"confirmed", true}}));
  EXPECT_EQ(finished.result.output.value()["record"], json({{"noted", {{"region", "EU"}}}}));
}

TEST_F(MigrationTest, RunningBranchesCarryOnInTheNewVersion) {
  auto v1 = add(parallel_version(1, kConfirmStep + "}", "lookup"));
  // Version 2: the review branch records a note once the member has confirmed.
  add(parallel_version(2, kConfirmStep + R"(, "next": "note"},
    {"id": "note", "kind": "task", "type": "mig.note", "parameters": {"seen": true},
     "result": "/note"})",
                       "lookup"));
  {
    auto e = engine();
    ASSERT_TRUE(e->start(v1, json::object(), "ex-1", "coord.cora").ok());
    settle(*e);
    auto report =
        e->migrate("ex-1",
                   plan({{"workflow", "check"},
                         {"from", 1},
                         {"to", 2},
                         {"context", {{{"op", "add"}, {"path", "/region"}, {"value", "EU"}}}}}),
                   false, kCoordinator, "keep a note of each review");
    ASSERT_TRUE(report.ok()) << report.error().to_string();
    ASSERT_TRUE(report->applied) << json(report->problems);
    // Nothing active changed but the context.
    EXPECT_EQ(report->changes, std::vector<std::string>{"context members patched: region"});
    settle(*e);
  }
  // A later process restores the patched context over the layers the branches share.
  auto e = engine();
  advance(*e, utc("2026-12-01T10:00:00Z"));  // the lookup's wait ends
  ASSERT_TRUE(e->complete_task("ex-1.t1", kRai, {{"decision", "approve"}}).ok());
  settle(*e);
  const auto finished = record("ex-1");
  ASSERT_EQ(finished.status, ExecutionStatus::kSucceeded) << to_json(finished.result).dump();
  EXPECT_EQ(finished.workflow_version, 2);
  // The branch went on to the step only version 2 has.
  EXPECT_EQ(finished.result.output.value()["both"]["review"]["note"],
            json({{"noted", {{"seen", true}}}}))
      << to_json(finished.result).dump();
  EXPECT_EQ(finished.result.output.value()["region"], "EU") << to_json(finished.result).dump();
}

TEST_F(MigrationTest, WhatStandsInTheWayIsSaidAndNothingMoves) {
  auto v1 = add(parallel_version(1, kConfirmStep + "}", "lookup"));
  add(parallel_version(2, kConfirmStep + "}", "check"));
  add(parallel_version(3, R"({"id": "confirm", "kind": "task", "type": "mig.note"})", "lookup"));
  add(parallel_version(4, kConfirmStep + "}", "lookup", "all"));
  add(parallel_version(5, kConfirmStep + "}", "lookup"));
  add(parallel_version(6, kConfirmStep.substr(0, kConfirmStep.find("P5D")) + R"(P4D"}})",
                       "lookup"));
  add(parallel_version(7, R"({"id": "approve", "kind": "task", "type": "mig.confirm"})", "lookup"));
  json timed = json::parse(parallel_version(8, kConfirmStep + "}", "lookup"));
  timed["timeout"] = "P3D";
  add(timed.dump());
  auto e = engine();
  ASSERT_TRUE(e->start(v1, json::object(), "ex-1", "coord.cora").ok());
  settle(*e);
  auto to = [](int version) { return json{{"workflow", "check"}, {"from", 1}, {"to", version}}; };

  expect_blocked(*e, plan(to(2)),
                 "parallel step both is running branches review, lookup; in check@2 its "
                 "branches are review, check");
  expect_blocked(*e, plan(to(3)),
                 "step both[review]/confirm waits as step type 'mig.confirm' (task ex-1.t1); "
                 "both[review]/confirm in check@3 has type 'mig.note': what the plugin asked "
                 "cannot be answered to another type");
  json renamed = to(4);
  renamed["steps"] = {{"both", "all"}};
  expect_blocked(*e, plan(renamed),
                 "step both has running branches and cannot be renamed: their step paths and "
                 "idempotency keys are made from its id");
  expect_blocked(*e, plan(to(7)),
                 "step both[review]/confirm is active and check@7 has no step 'confirm' in its "
                 "place (rename it in the plan's steps)");
  json patched = to(5);
  patched["context"] = {{{"op", "remove"}, {"path", "/approval"}}};
  expect_blocked(*e, plan(patched), "the context patch does not apply: key 'approval' not found");

  // Five days on the task escalates; a changed deadline cannot be computed again for it.
  advance(*e, utc("2026-12-06T09:00:01Z"));
  ASSERT_EQ(task("ex-1.t1").status, TaskStatus::kOpen);
  expect_blocked(*e, plan(to(6)),
                 "the deadline of step both[review]/confirm changed, and its task has escalated "
                 "1 time(s) under the old one: extend it instead, or migrate once it is answered");
  expect_blocked(*e, plan(to(8)),
                 "the timeout of check@8 (P3D) has passed already for an execution started "
                 "2026-12-01T09:00:00.000Z: it would fail at once");
  // The plan itself is checked against both versions first.
  json unknown = to(5);
  unknown["steps"] = {{"review_step", "confirm"}};
  auto refused = e->migrate("ex-1", plan(unknown), true, kCoordinator, "");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().pointer(), "/steps/review_step");
  EXPECT_EQ(refused.error().message(), "migration plan: check@1 has no step 'review_step'");
  json merged = to(5);
  merged["steps"] = {{"pause", "confirm"}};
  auto shared = e->migrate("ex-1", plan(merged), true, kCoordinator, "");
  ASSERT_FALSE(shared.ok());
  EXPECT_EQ(shared.error().pointer(), "/steps/pause");
  EXPECT_EQ(shared.error().message(),
            "migration plan: 'confirm' is a step of check@1 too, which the plan does not rename: "
            "two steps would share one id");
  // And the execution still works where it stood: the escalated task is answered.
  ASSERT_TRUE(
      e->complete_task("ex-1.t1", {"dep.dana", "deputy", "northbank"}, {{"decision", "approve"}})
          .ok());
  settle(*e);
  EXPECT_EQ(record("ex-1").status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(record("ex-1").workflow_version, 1);
  auto ended = e->migrate("ex-1", plan(to(5)), true, kCoordinator, "");
  ASSERT_TRUE(ended.ok());
  EXPECT_EQ(ended->problems, std::vector<std::string>{"it has succeeded"});
}

// One confirmation per member, two at a time.
std::string map_version(int version, const std::string& items, const std::string& step) {
  return R"({"id": "members", "version": )" + std::to_string(version) +
         R"(, "title": "Members", "steps": [
  {"id": "each", "kind": "map", "items": ")" +
         items + R"(", "max_concurrency": 2, "steps": [
     {"id": ")" +
         step + R"(", "kind": "task", "type": "mig.confirm",
      "parameters": {"title": "Confirm"}, "assign": {"roles": ["reviewer"]}}],
   "result": "/answers", "next": "done"},
  {"id": "done", "kind": "succeed"}]})";
}

TEST_F(MigrationTest, IterationsMoveTogetherAndOnesNotStartedYetStartOnTheNewVersion) {
  auto v1 = add(map_version(1, "/input/members", "confirm"));
  add(map_version(2, "/input/partners", "confirm"));
  add(map_version(3, "/input/members", "confirm_member"));
  auto e = engine();
  ASSERT_TRUE(
      e->start(v1, {{"members", {"northbank", "eastpay", "southcard"}}}, "ex-1", "coord.cora")
          .ok());
  settle(*e);
  expect_blocked(*e, plan({{"workflow", "members"}, {"from", 1}, {"to", 2}}),
                 "map step each is iterating over /input/members; in members@2 it iterates over "
                 "/input/partners");
  auto report = e->migrate("ex-1",
                           plan({{"workflow", "members"},
                                 {"from", 1},
                                 {"to", 3},
                                 {"steps", {{"confirm", "confirm_member"}}}}),
                           false, kCoordinator, "clearer step names");
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  ASSERT_TRUE(report->applied) << json(report->problems);
  EXPECT_EQ(report->changes, (std::vector<std::string>{"step each[0]/confirm becomes "
                                                       "each[0]/confirm_member",
                                                       "step each[1]/confirm becomes "
                                                       "each[1]/confirm_member"}));
  settle(*e);
  // (The two iterations open their tasks in either order.)
  EXPECT_EQ((std::set<std::string>{task("ex-1.t1").step, task("ex-1.t2").step}),
            (std::set<std::string>{"each[0]/confirm_member", "each[1]/confirm_member"}));
  // Both waiting iterations resume under the tokens they opened with; the third starts on
  // version 3.
  for (const char* t : {"ex-1.t1", "ex-1.t2"}) {
    ASSERT_TRUE(e->complete_task(t, kRai, {{"decision", "approve"}}).ok()) << t;
    settle(*e);
  }
  EXPECT_EQ(task("ex-1.t3").step, "each[2]/confirm_member");
  ASSERT_TRUE(e->complete_task("ex-1.t3", kRai, {{"decision", "approve"}}).ok());
  settle(*e);
  const auto finished = record("ex-1");
  ASSERT_EQ(finished.status, ExecutionStatus::kSucceeded) << to_json(finished.result).dump();
  EXPECT_EQ(finished.result.output.value()["answers"].size(), 3u);
}

// A lookup that retries hourly; version 2 names it differently.
constexpr const char* kLookupV1 = R"({"id": "lookup", "version": 1, "title": "Lookup", "steps": [
  {"id": "find", "kind": "task", "type": "mig.lookup",
   "retry": {"max_attempts": 5, "initial_interval": "PT1H", "max_interval": "PT1H",
             "backoff_coefficient": 1},
   "result": "/entry"}]})";

TEST_F(MigrationTest, AStepWaitingToRetryKeepsItsIdSoItsKeyStaysTheSame) {
  Lookup::up = false;
  Lookup::keys.clear();
  auto v1 = add(kLookupV1);
  json renamed = json::parse(kLookupV1);
  renamed["version"] = 2;
  renamed["steps"][0]["id"] = "find_member";
  add(renamed.dump());
  json kept = json::parse(kLookupV1);
  kept["version"] = 3;
  kept["steps"][0]["parameters"] = {{"source", "registry"}};
  add(kept.dump());
  auto e = engine();
  ASSERT_TRUE(e->start(v1, json::object(), "ex-1", "coord.cora").ok());
  settle(*e);
  ASSERT_EQ(record("ex-1").status, ExecutionStatus::kWaiting);  // the retry in an hour
  expect_blocked(
      *e,
      plan({{"workflow", "lookup"}, {"from", 1}, {"to", 2}, {"steps", {{"find", "find_member"}}}}),
      "step find is waiting to retry: renamed, its next attempt would get another "
      "idempotency key; migrate once it has run, or keep its id");
  auto report = e->migrate("ex-1", plan({{"workflow", "lookup"}, {"from", 1}, {"to", 3}}), false,
                           kCoordinator, "the registry is the source");
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  ASSERT_TRUE(report->applied) << json(report->problems);
  EXPECT_EQ(report->changes,
            std::vector<std::string>{"step find has new parameters: the next attempt uses them"});
  Lookup::up = true;
  advance(*e, utc("2026-12-01T10:00:00Z"));
  EXPECT_EQ(record("ex-1").status, ExecutionStatus::kSucceeded);
  const std::lock_guard<std::mutex> lock(Lookup::keys_mutex);
  ASSERT_EQ(Lookup::keys.size(), 2u);
  EXPECT_EQ(Lookup::keys[0], Lookup::keys[1]);  // one step visit, one key
}

TEST(MigrationPlanTest, APlanIsCheckedWithThePointerOfWhatIsWrong) {
  struct Case {
    const char* doc;
    const char* pointer;
    const char* message;
  };
  const Case cases[] = {
      {R"([])", "", "migration plan: expected an object"},
      {R"({"workflow": "w", "from": 1, "to": 2, "step": {}})", "/step",
       "migration plan: unknown member `step` (a plan has workflow, from, to, steps, context, "
       "executions)"},
      {R"({"from": 1, "to": 2})", "",
       "migration plan: expected `workflow`: the id of the workflow whose executions move"},
      {R"({"workflow": "w", "to": 2})", "", "migration plan: `from` (a version) is missing"},
      {R"({"workflow": "w", "from": "1", "to": 2})", "/from",
       "migration plan: expected a version: a whole number from 1"},
      {R"({"workflow": "w", "from": 2, "to": 2})", "/to",
       "migration plan: `from` and `to` name the same version"},
      {R"({"workflow": "w", "from": 1, "to": 2, "steps": {"a": 3}})", "/steps/a",
       "migration plan: expected the step's id in the new version"},
      {R"({"workflow": "w", "from": 1, "to": 2, "steps": {"a": "c", "b": "c"}})", "/steps/b",
       "migration plan: two steps are renamed to 'c'"},
      {R"({"workflow": "w", "from": 1, "to": 2, "context": [{"op": "put", "path": "/a"}]})",
       "/context/0/op",
       "migration plan: `op` must be one of add, remove, replace, move, copy, test"},
      {R"({"workflow": "w", "from": 1, "to": 2, "context": [{"op": "add", "path": "/a"}]})",
       "/context/0", "migration plan: `add` needs a `value`"},
      {R"({"workflow": "w", "from": 1, "to": 2, "context": [{"op": "remove", "path": "a"}]})",
       "/context/0/path",
       "migration plan: expected a JSON Pointer into the context, starting with '/'"},
      {R"({"workflow": "w", "from": 1, "to": 2, "executions": []})", "/executions",
       "migration plan: expected a non-empty list of execution ids (leave it out for all)"},
      {R"({"workflow": "w", "from": 1, "to": 2, "context": [{"op": "add", "path": "/scan",
           "value": "data:image/png;base64,iVBORw0KGgo="}]})",
       "/context/0/value", nullptr},
  };
  for (const auto& c : cases) {
    auto parsed = parse_migration_plan(json::parse(c.doc));
    ASSERT_FALSE(parsed.ok()) << c.doc;
    EXPECT_EQ(parsed.error().code(), ErrorCode::kInvalidData) << c.doc;
    EXPECT_EQ(parsed.error().pointer(), c.pointer) << c.doc;
    if (c.message != nullptr) {
      EXPECT_EQ(parsed.error().message(), c.message) << c.doc;
    } else {
      EXPECT_NE(parsed.error().message().find("images and video are never stored: image/png"),
                std::string::npos)
          << parsed.error().message();
    }
  }
  auto good = parse_migration_plan(json::parse(
      R"({"workflow": "w", "from": 1, "to": 3, "steps": {"a": "b"},
          "executions": ["ex-1", "ex-1", "ex-2"]})"));
  ASSERT_TRUE(good.ok()) << good.error().to_string();
  EXPECT_EQ(good->renamed("a"), "b");
  EXPECT_EQ(good->renamed("z"), "z");
  EXPECT_EQ(good->executions, (std::vector<std::string>{"ex-1", "ex-2"}));
  EXPECT_EQ(good->to_key(), "w@3");
}

}  // namespace
}  // namespace coalition::migration_test
