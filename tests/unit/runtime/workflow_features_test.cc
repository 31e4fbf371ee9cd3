// The workflow features the coalition workflows needed (decision 0006), on a real SQLite store
// with in-memory plugins and a manual clock: first_success maps, joins of named branches, due
// instants and spans from the context, roles by reference, and media refused at every entrance.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "common/utc_time.h"
#include "human/human_steps.h"
#include "runtime/engine.h"
#include "runtime/persisted_state.h"
#include "store/sqlite_store.h"
#include "support/in_memory_plugins.h"
#include "support/temp_dir.h"
#include "unit/guard/media_samples.h"
#include "workflow/workflow_loader.h"

// A namespace of its own: unity builds compile several test files as one.
namespace coalition::workflow_features_test {
namespace {

using nlohmann::json;

class FormStep {
 public:
  static constexpr sdk::StepTypeInfo kInfo{
      .name = "test.form",
      .description = "Any answer.",
      .parameters_schema =
          R"({"type":"object","properties":{"title":{"type":"string"},"schema":{"type":"object"}}})",
      .capabilities = COALITION_CAP_MAY_SUSPEND | COALITION_CAP_THREAD_SAFE,
  };
  sdk::Outcome execute(const json& params, const sdk::Context&) {
    json task{{"title", "answer"}};
    if (params.contains("schema")) task["answer_schema"] = params["schema"];
    return sdk::Outcome::suspend(task);
  }
  sdk::Outcome resume(const json& completion, const sdk::Context&) {
    return sdk::Outcome::ok(plugins::human::form_result(completion));
  }
};

// Declares what every answer looks like (a verdict); a task may add its own schema on top.
class VerdictStep {
 public:
  static constexpr sdk::StepTypeInfo kInfo{
      .name = "test.verdict",
      .description = "A verdict, and whatever the task's own schema asks.",
      .parameters_schema =
          R"({"type":"object","properties":{"schema":{"type":"object"},"instructions":{"type":"string"}}})",
      .capabilities = COALITION_CAP_MAY_SUSPEND | COALITION_CAP_THREAD_SAFE,
      .answer_schema =
          R"({"type":"object","properties":{"verdict":{"enum":["clear","flag"]}},"required":["verdict"]})",
  };
  sdk::Outcome execute(const json& params, const sdk::Context&) {
    json task{{"title", "verdict"}};
    if (params.contains("schema")) task["answer_schema"] = params["schema"];
    if (params.contains("instructions")) task["instructions"] = params["instructions"];
    return sdk::Outcome::suspend(task);
  }
  static inline json resumed_task;  // the "task" of the last resume
  sdk::Outcome resume(const json& completion, const sdk::Context&) {
    resumed_task = completion.value("task", json());
    return sdk::Outcome::ok(plugins::human::form_result(completion));
  }
};

// Succeeds with {"value": v} when "ok" is true, else fails permanently.
class PassStep {
 public:
  static constexpr sdk::StepTypeInfo kInfo{
      .name = "test.pass",
      .description = "Succeeds or fails as told.",
      .parameters_schema =
          R"({"type":"object","properties":{"ok":{"type":"boolean"},"value":{},"emit_type":{"type":"string"}},"required":["ok"]})",
      .capabilities = COALITION_CAP_THREAD_SAFE | COALITION_CAP_IDEMPOTENT,
  };
  static inline std::atomic<int> calls{0};
  sdk::Outcome execute(const json& params, const sdk::Context&) {
    ++calls;
    if (!params.at("ok").get<bool>()) return sdk::Outcome::permanent("test.no", "told to fail");
    // A partner that fetched something it should not have: the output declares its type.
    if (params.contains("emit_type")) {
      return sdk::Outcome::ok(
          {{"content_type", params["emit_type"]}, {"ref", params.value("value", json())}});
    }
    return sdk::Outcome::ok({{"value", params.value("value", json())}});
  }
};

// Stands for a step that sends text to another organisation unless told to stay within one.
class SendStep {
 public:
  static constexpr sdk::StepTypeInfo kInfo{
      .name = "test.send",
      .description = "Sends a text.",
      .parameters_schema =
          R"({"type":"object","x-coalition-confined-by":"within","properties":{"within":{"type":"string"},"text":{"type":"string","x-coalition-outbound":true},"internal":{"type":"string"}},"required":["text"]})",
      .capabilities = COALITION_CAP_THREAD_SAFE | COALITION_CAP_IDEMPOTENT,
  };
  static inline std::atomic<int> calls{0};
  sdk::Outcome execute(const json& params, const sdk::Context&) {
    ++calls;
    return sdk::Outcome::ok({{"sent", params.at("text")}});
  }
};

constexpr sdk::PluginInfo kPlugin{"features_test", "1.0.0", "Test", sdk::PartnerType::kCoalition,
                                  "Test steps."};
const coalition_plugin_descriptor_t* entry(uint32_t, uint32_t) {
  return sdk::detail::describe<FormStep, PassStep, SendStep, VerdictStep>(kPlugin);
}

TimePoint utc(const char* text) {
  return *parse_utc(text);
}

class WorkflowFeaturesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto plugin = loader_.load_entry(&entry, "libfeatures_test.so");
    ASSERT_TRUE(plugin.ok());
    ASSERT_TRUE(registry_.add(std::move(*plugin)).ok());
    auto store = SqliteStore::open(SqliteOptions{(dir_.path() / "s.db").string()});
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    engine_ = std::make_unique<Engine>(registry_, catalog_, clock_,
                                       EngineOptions{.scheduler_threads = 1,
                                                     .plugin_threads = 2,
                                                     .store = store_.get(),
                                                     .calendars = &calendars_});
  }

  std::string start(const char* definition, json input, const std::string& id = "ex") {
    auto loaded = load_workflow(definition, "wf.json");
    EXPECT_TRUE(loaded.problems.empty()) << loaded.problems.front().format("wf.json");
    if (!loaded.problems.empty()) return "";
    EXPECT_TRUE(catalog_.add(loaded.workflow).ok());
    auto started = engine_->start(loaded.workflow, std::move(input), id, "lead.lee");
    EXPECT_TRUE(started.ok()) << started.error().message();
    settle();
    return id;
  }
  void settle() {
    for (;;) {
      engine_->wait_idle();
      if (!clock_.fire_next(clock_.now())) break;
    }
    ASSERT_TRUE(engine_->sync().ok());
  }
  void advance_to(TimePoint until) {
    for (;;) {
      engine_->wait_idle();
      if (!clock_.fire_next(until)) break;
    }
    clock_.set_at_least(until);
    settle();
  }
  std::vector<Event> history(const std::string& id) { return *store_->history(id); }
  json last_of(const std::string& id, EventType type) {
    json found;
    for (const auto& e : history(id)) {
      if (e.type == type) found = {{"step", e.step}, {"data", e.data()}, {"at", format_utc(e.at)}};
    }
    return found;
  }
  // The task row's form column as the store wrote it, byte for byte.
  std::string stored_form(const std::string& task_id) {
    sqlite3* db = nullptr;
    std::string text;
    EXPECT_EQ(sqlite3_open_v2((dir_.path() / "s.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
              SQLITE_OK);
    sqlite3_stmt* q = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, "SELECT doc FROM tasks WHERE id = ?1", -1, &q, nullptr),
              SQLITE_OK);
    sqlite3_bind_text(q, 1, task_id.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(q) == SQLITE_ROW) {
      text.assign(reinterpret_cast<const char*>(sqlite3_column_text(q, 0)),
                  static_cast<size_t>(sqlite3_column_bytes(q, 0)));
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    return text;
  }

  json open_task(const std::string& id) {
    auto tasks = store_->tasks(TaskFilter{id, "", true});
    EXPECT_TRUE(tasks.ok());
    return tasks->empty() ? json() : tasks->front().doc;
  }

  test::TempDir dir_;
  test::FakeLibraryLoader libraries_;
  PluginLoader loader_{libraries_, json::object()};
  PluginRegistry registry_;
  WorkflowCatalog catalog_;
  CalendarSet calendars_;
  ManualClock clock_{utc("2026-12-07T10:00:00Z")};
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<Engine> engine_;
};

constexpr const char* kFallback = R"({"id": "fallback", "version": 1, "title": "t", "steps": [
  {"id": "each", "kind": "map", "items": "/input/items", "mode": "first_success",
   "steps": [{"id": "try", "kind": "task", "type": "test.pass",
              "parameters": {"ok": {"$path": "/item/ok"}, "value": {"$path": "/item/name"}},
              "result": "/r"}],
   "result": "/chosen", "next": "done"},
  {"id": "done", "kind": "succeed", "output": {"$path": "/chosen"}}]})";

TEST_F(WorkflowFeaturesTest, FirstSuccessMapTriesItemsInOrderAndStopsAtTheFirstSuccess) {
  PassStep::calls = 0;
  const json items = json::parse(R"([{"ok": false, "name": "a"}, {"ok": false, "name": "b"},
                                     {"ok": true, "name": "c"}, {"ok": true, "name": "d"}])");
  const auto id = start(kFallback, {{"items", items}});
  auto record = store_->execution(id);
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->status, ExecutionStatus::kSucceeded);
  const json done = last_of(id, EventType::kExecutionCompleted);
  EXPECT_EQ(done["data"]["output"]["index"], 2);
  EXPECT_EQ(done["data"]["output"]["item"]["name"], "c");
  EXPECT_EQ(done["data"]["output"]["output"]["r"]["value"], "c");
  EXPECT_EQ(PassStep::calls.load(), 3);  // "d" never ran
  // One at a time: each item started only after the previous one failed.
  std::vector<std::string> scheduled;
  for (const auto& e : history(id)) {
    if (e.type == EventType::kStepScheduled && e.step.find("/try") != std::string::npos)
      scheduled.push_back(e.step);
  }
  EXPECT_EQ(scheduled, (std::vector<std::string>{"each[0]/try", "each[1]/try", "each[2]/try"}));
}

TEST_F(WorkflowFeaturesTest, FirstSuccessMapFailsWithNoneSucceededWhenEveryItemFails) {
  const auto id = start(kFallback, {{"items", json::parse(R"([{"ok": false}, {"ok": false}])")}});
  const json failed = last_of(id, EventType::kExecutionFailed);
  EXPECT_EQ(failed["data"]["error"]["code"], "map.none_succeeded");
  EXPECT_NE(failed["data"]["error"]["message"].get<std::string>().find("none of the 2 items"),
            std::string::npos);
}

constexpr const char* kTogether = R"({"id": "together", "version": 1, "title": "t", "steps": [
  {"id": "page", "kind": "map", "items": "/input/items", "mode": "any_success",
   "steps": [{"id": "how", "kind": "choice",
              "choices": [{"when": {"path": "/item/fails", "eq": true}, "next": "fail_now"}],
              "default": "answer"},
             {"id": "fail_now", "kind": "task", "type": "test.pass", "parameters": {"ok": false}},
             {"id": "answer", "kind": "task", "type": "test.form",
              "assign": {"roles": {"$path": "/item/roles"}}, "result": "/ack"}],
   "result": "/first", "next": "done"},
  {"id": "done", "kind": "succeed", "output": {"$path": "/first"}}]})";

TEST_F(WorkflowFeaturesTest, AnySuccessMapRunsEveryItemAtOnceAndTheFirstSuccessWithdrawsTheRest) {
  const auto id = start(kTogether, {{"items", json::parse(R"([{"roles": ["on_call"]},
      {"roles": ["duty_officer"]}, {"roles": ["liaison"]}])")}});
  auto open = store_->tasks(TaskFilter{id, "", true});
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 3u);  // all three paged together
  std::string duty;
  for (const auto& t : *open) {
    if (t.doc["roles"] == json::array({"duty_officer"})) duty = t.doc["id"];
  }
  ASSERT_FALSE(duty.empty());
  ASSERT_TRUE(engine_->complete_task(duty, {"dora", "duty_officer", ""}, json::object()).ok());
  settle();
  EXPECT_EQ((*store_->execution(id))->status, ExecutionStatus::kSucceeded);
  const json done = last_of(id, EventType::kExecutionCompleted);
  EXPECT_EQ(done["data"]["output"]["index"], 1);
  EXPECT_EQ(done["data"]["output"]["item"]["roles"][0], "duty_officer");
  EXPECT_EQ(done["data"]["output"]["output"]["ack"]["completed_by"]["actor"], "dora");
  EXPECT_TRUE(store_->tasks(TaskFilter{id, "", true})->empty());  // the others withdrawn
  auto late = engine_->complete_task(id + ".t1", {"olu", "on_call", ""}, json::object());
  EXPECT_FALSE(late.ok());
}

TEST_F(WorkflowFeaturesTest, AnySuccessMapWaitsPastAFailureAndFailsOnlyWhenEveryItemHas) {
  const auto id = start(kTogether, {{"items", json::parse(R"([{"fails": true},
      {"roles": ["duty_officer"]}])")}});
  // The first item failed at once; the second still waits, so the step does.
  EXPECT_EQ((*store_->execution(id))->status, ExecutionStatus::kWaiting);
  const json task = open_task(id);
  ASSERT_FALSE(task.is_null());
  ASSERT_TRUE(
      engine_->complete_task(task["id"], {"dora", "duty_officer", ""}, json::object()).ok());
  settle();
  EXPECT_EQ(last_of(id, EventType::kExecutionCompleted)["data"]["output"]["index"], 1);

  const auto none = start(kTogether, {{"items", json::parse(R"([{"fails": true},
      {"fails": true}])")}},
                          "none");
  const json failed = last_of(none, EventType::kExecutionFailed);
  EXPECT_EQ(failed["data"]["error"]["code"], "map.none_succeeded");
}

TEST_F(WorkflowFeaturesTest, ARequestBodyIsRefusedForMediaButNotForLongReferences) {
  // A long opaque reference (a sealed report, hundreds of bytes of base64) is not media: over
  // the API it goes on to the route, whose schema says whether it may be a reference.
  std::string sealed;
  for (uint32_t i = 0, x = 11; i < 4096; ++i) {
    x = x * 1664525u + 1013904223u;
    sealed.push_back("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[x >> 26]);
  }
  const Actor caller{"rev.rai", "reviewer", "northbank", "token:abc"};
  EXPECT_TRUE(engine_
                  ->refuse_request_media({{"answer", {{"sealed", sealed}}}}, caller,
                                         "POST /v1/tasks/{id}/complete", "")
                  .ok());
  auto refused = engine_->refuse_request_media(
      {{"answer", json::object()}, {"attachments", {{{"mime", "image/png"}}}}}, caller,
      "POST /v1/tasks/{id}/complete", "");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().pointer(), "/attachments/0/mime");
}

constexpr const char* kWatched = R"({"id": "watched", "version": 1, "title": "t", "steps": [
  {"id": "window", "kind": "parallel", "join": {"mode": "all", "of": ["work"]},
   "branches": [
     {"name": "work", "steps": [{"id": "answer", "kind": "task", "type": "test.form",
                                 "assign": {"roles": ["officer"]}, "result": "/answer"}]},
     {"name": "watch", "steps": [{"id": "later", "kind": "wait", "until": "/input/notice_at",
                                  "next": "notice"},
                                 {"id": "notice", "kind": "task", "type": "test.pass",
                                  "parameters": {"ok": {"$path": "/input/notice_ok"}}}]}],
   "result": "/window"}]})";

TEST_F(WorkflowFeaturesTest, JoinOfNamedBranchesCancelsTheWatcherWhenTheWorkIsDone) {
  const auto id = start(kWatched, {{"notice_at", "2026-12-07T12:00:00Z"}, {"notice_ok", true}});
  const json task = open_task(id);
  ASSERT_FALSE(task.is_null());
  ASSERT_TRUE(engine_->complete_task(task["id"], {"olu", "officer", ""}, json::object()).ok());
  settle();
  EXPECT_EQ((*store_->execution(id))->status, ExecutionStatus::kSucceeded);
  for (const auto& e : history(id)) {  // the notice never ran
    EXPECT_FALSE(e.type == EventType::kStepScheduled && e.step == "window[watch]/notice");
  }
  advance_to(utc("2026-12-07T13:00:00Z"));  // its timer is gone with it
  for (const auto& e : history(id)) EXPECT_NE(e.step, "window[watch]/notice");
}

TEST_F(WorkflowFeaturesTest, JoinOfNamedBranchesIgnoresTheWatchersOutcome) {
  // The watcher fires (and fails) first; the step still waits for the work and succeeds.
  const auto id = start(kWatched, {{"notice_at", "2026-12-07T11:00:00Z"}, {"notice_ok", false}});
  advance_to(utc("2026-12-07T11:30:00Z"));
  const json failed = last_of(id, EventType::kStepFailed);
  EXPECT_EQ(failed["step"], "window[watch]/notice");
  EXPECT_EQ((*store_->execution(id))->status, ExecutionStatus::kWaiting);
  const json task = open_task(id);
  ASSERT_TRUE(engine_->complete_task(task["id"], {"olu", "officer", ""}, json::object()).ok());
  settle();
  EXPECT_EQ((*store_->execution(id))->status, ExecutionStatus::kSucceeded);
}

constexpr const char* kDue = R"({"id": "due", "version": 1, "title": "t", "steps": [
  {"id": "file", "kind": "task", "type": "test.form",
   "assign": {"roles": {"$path": "/input/role"}},
   "deadline": {"at": "/input/due_at", "cap": {"at": "/input/cap_at"},
                "escalate": [{"roles": ["cco"], "at": "/input/final_at"}]},
   "result": "/filed", "next": "ack"},
  {"id": "ack", "kind": "task", "type": "test.form", "assign": {"roles": ["officer"]},
   "deadline": {"in": {"$path": "/input/ack_within"}}}]})";

TEST_F(WorkflowFeaturesTest, DueInstantsAndSpansAndRolesComeFromTheContext) {
  const auto id = start(kDue, {{"role", "bsa_officer"},
                               {"due_at", "2026-12-08T09:00:00Z"},
                               {"cap_at", "2026-12-09T09:00:00Z"},
                               {"final_at", "2026-12-09T09:00:00Z"},
                               {"ack_within", "PT2H"}});
  json task = open_task(id);
  EXPECT_EQ(task["roles"], json::array({"bsa_officer"}));
  EXPECT_EQ(task["due"], "2026-12-08T09:00:00.000Z");
  EXPECT_EQ(task["cap"], "2026-12-09T09:00:00.000Z");
  EXPECT_EQ(task["due_rule"], "at /input/due_at");
  EXPECT_FALSE(task.contains("calendar"));
  advance_to(utc("2026-12-08T09:00:01Z"));
  EXPECT_EQ(open_task(id)["due_rule"], "at /input/final_at");  // the tier's own rule
  const json escalated = last_of(id, EventType::kEscalated);
  EXPECT_EQ(escalated["data"]["roles"], json::array({"cco"}));
  EXPECT_EQ(escalated["data"]["due"], "2026-12-09T09:00:00.000Z");  // the tier's own instant
  ASSERT_TRUE(engine_->complete_task(task["id"], {"cee", "cco", ""}, json::object()).ok());
  settle();
  task = open_task(id);
  EXPECT_EQ(task["due"], "2026-12-08T11:00:01.000Z");  // PT2H from the reference, from the start
  EXPECT_EQ(task["due_rule"], "PT2H");
}

TEST_F(WorkflowFeaturesTest, AReferenceThatHoldsNoRoleFailsTheStepInsteadOfOpeningATask) {
  const auto id = start(kDue, {{"role", json::array()},
                               {"due_at", "2026-12-08T09:00:00Z"},
                               {"cap_at", "2026-12-09T09:00:00Z"},
                               {"final_at", "2026-12-09T09:00:00Z"},
                               {"ack_within", "PT2H"}});
  EXPECT_TRUE(open_task(id).is_null());
  EXPECT_EQ(last_of(id, EventType::kExecutionFailed)["data"]["error"]["code"], "assign.invalid");
}

TEST_F(WorkflowFeaturesTest, ADueInstantThatIsNotATimestampFailsTheStep) {
  const auto id = start(kDue, {{"role", "bsa_officer"},
                               {"due_at", "next tuesday"},
                               {"cap_at", "2026-12-09T09:00:00Z"},
                               {"final_at", "2026-12-09T09:00:00Z"},
                               {"ack_within", "PT2H"}});
  const json failed = last_of(id, EventType::kExecutionFailed);
  EXPECT_EQ(failed["data"]["error"]["code"], "deadline.invalid");
  EXPECT_NE(failed["data"]["error"]["message"].get<std::string>().find("/input/due_at"),
            std::string::npos);
}

constexpr const char* kIntake = R"({"id": "intake", "version": 1, "title": "t", "steps": [
  {"id": "intake", "kind": "task", "type": "test.form", "assign": {"roles": ["investigator"]},
   "result": "/intake", "next": "echo"},
  {"id": "echo", "kind": "task", "type": "test.pass",
   "parameters": {"ok": true, "value": {"$path": "/input/partner_data"}}}]})";

TEST_F(WorkflowFeaturesTest, MediaInACompletionIsRefusedAuditedAndNeverStored) {
  const auto id = start(kIntake, {{"partner_data", "CASE-EX-1"}});
  const json task = open_task(id);
  const size_t events = history(id).size();
  // A PNG, base64: refused before anything is recorded.
  const std::string png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk";
  auto refused = engine_->complete_task(task["id"], {"ivy", "investigator", ""},
                                        {{"evidence", json::array({"TXN-EX-1", png})}});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidData);
  EXPECT_EQ(refused.error().pointer(), "/evidence/1");
  ASSERT_TRUE(engine_->sync().ok());
  EXPECT_EQ(history(id).size(), events);
  bool audited = false;
  const auto audit = store_->audit(id);
  for (const auto& a : *audit) {
    if (a.type != "media_refused") continue;
    audited = true;
    const json summary = json::parse(a.summary);
    EXPECT_EQ(summary["kind"], "image/png");
    EXPECT_EQ(summary["pointer"], "/evidence/1");
    EXPECT_EQ(a.summary.find(png.substr(0, 16)), std::string::npos);
  }
  EXPECT_TRUE(audited);
  auto state = store_->execution(id);
  EXPECT_EQ((*state)->state.dump().find(png.substr(0, 16)), std::string::npos);
  // A reference-only answer is accepted.
  ASSERT_TRUE(engine_
                  ->complete_task(task["id"], {"ivy", "investigator", ""},
                                  {{"evidence", json::array({"TXN-EX-1"})}})
                  .ok());
  settle();
  EXPECT_EQ((*store_->execution(id))->status, ExecutionStatus::kSucceeded);
}

// References only: binary beyond the guard's limit is refused unless the answer schema declares
// the field a reference; the form's output echoes the declared field and is accepted too.
constexpr const char* kSealed = R"({"id": "sealed", "version": 1, "title": "t", "steps": [
  {"id": "intake", "kind": "task", "type": "test.form", "assign": {"roles": ["investigator"]},
   "parameters": {"schema": {"type": "object", "properties": {
     "sealed_report": {"type": "string", "x-coalition-reference": true},
     "note": {"type": "string"}}}},
   "result": "/intake"}]})";

TEST_F(WorkflowFeaturesTest, TheAnswerSchemaDeclaresWhichFieldsMayCarryBinary) {
  const auto id = start(kSealed, json::object());
  const json task = open_task(id);
  const std::string sealed = test::base64(test::filler(2048));  // e.g. an encrypted report
  auto refused =
      engine_->complete_task(task["id"], {"ivy", "investigator", ""}, {{"note", sealed}});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().pointer(), "/note");
  EXPECT_NE(refused.error().message().find("application/octet-stream"), std::string::npos);
  auto image = engine_->complete_task(
      task["id"], {"ivy", "investigator", ""},
      {{"sealed_report", test::base64(test::sample("jpeg").bytes + test::filler(2048))}});
  ASSERT_FALSE(image.ok());  // a declared reference is no place for an image either
  EXPECT_NE(image.error().message().find("image/jpeg"), std::string::npos);
  ASSERT_TRUE(
      engine_->complete_task(task["id"], {"ivy", "investigator", ""}, {{"sealed_report", sealed}})
          .ok());
  settle();
  EXPECT_EQ((*store_->execution(id))->status, ExecutionStatus::kSucceeded);
}

// A task that names no answer schema gets the one its step type declares; one that names its own
// is held to both.
constexpr const char* kVerdict = R"({"id": "verdict", "version": 1, "title": "t", "steps": [
  {"id": "review", "kind": "task", "type": "test.verdict", "assign": {"roles": ["analyst"]},
   "result": "/review"}]})";
constexpr const char* kVerdictAndNote = R"({"id": "verdict_note", "version": 1, "title": "t",
  "steps": [{"id": "review", "kind": "task", "type": "test.verdict",
   "assign": {"roles": ["analyst"]}, "result": "/review", "parameters": {"schema":
   {"type": "object", "properties": {"note": {"type": "string", "maxLength": 3}}}}}]})";

TEST_F(WorkflowFeaturesTest, TheStepTypesAnswerSchemaHoldsForEveryTask) {
  const Actor analyst{"ana", "analyst", ""};
  const auto plain = start(kVerdict, json::object(), "ex-plain");
  const json task = open_task(plain);
  EXPECT_EQ(task["answer_schema"]["required"], json({"verdict"}));
  auto maybe = engine_->complete_task(task["id"], analyst, {{"verdict", "maybe"}});
  ASSERT_FALSE(maybe.ok());
  EXPECT_EQ(maybe.error().code(), ErrorCode::kInvalidData);
  EXPECT_EQ(maybe.error().pointer(), "/verdict");
  ASSERT_TRUE(engine_->complete_task(task["id"], analyst, {{"verdict", "flag"}}).ok());
  settle();
  EXPECT_EQ((*store_->execution(plain))->status, ExecutionStatus::kSucceeded);

  const json own{{"type", "object"},
                 {"properties", {{"note", {{"type", "string"}, {"maxLength", 3}}}}}};
  const auto narrowed = start(kVerdictAndNote, json::object(), "ex-own");
  const json form = open_task(narrowed);
  EXPECT_EQ(form["answer_schema"], own) << "the task's own schema is what its form shows";
  auto no_verdict = engine_->complete_task(form["id"], analyst, {{"note", "ok"}});
  ASSERT_FALSE(no_verdict.ok()) << "the declared schema still holds";
  EXPECT_NE(no_verdict.error().message().find("verdict"), std::string::npos)
      << no_verdict.error().message();
  auto long_note =
      engine_->complete_task(form["id"], analyst, {{"verdict", "clear"}, {"note", "too long"}});
  ASSERT_FALSE(long_note.ok());
  EXPECT_EQ(long_note.error().pointer(), "/note");
  ASSERT_TRUE(
      engine_->complete_task(form["id"], analyst, {{"verdict", "clear"}, {"note", "ok"}}).ok());
  settle();
  EXPECT_EQ((*store_->execution(narrowed))->status, ExecutionStatus::kSucceeded);
}

// A plugin that writes its declared answer schema out in the task, as approval does.
constexpr const char* kVerdictWrittenOut = R"({"id": "verdict_out", "version": 1, "title": "t",
  "steps": [{"id": "review", "kind": "task", "type": "test.verdict",
   "assign": {"roles": ["analyst"]}, "result": "/review", "parameters": {"schema":
   {"type": "object", "properties": {"verdict": {"enum": ["clear", "flag"]}},
    "required": ["verdict"]}}}]})";

// The declared answer schema is the step type's: a task that names none, or names exactly that
// one, carries no copy of it in its history, its snapshot or what its plugin is handed back. The
// task as shown still has it, and it still holds.
TEST_F(WorkflowFeaturesTest, TheDeclaredAnswerSchemaIsTheTypesNotCopiedIntoEachTask) {
  const json declared = json::parse(VerdictStep::kInfo.answer_schema);
  const Actor analyst{"ana", "analyst", ""};
  for (const char* definition : {kVerdict, kVerdictWrittenOut}) {
    const std::string id = definition == kVerdict ? "ex-plain" : "ex-written-out";
    SCOPED_TRACE(id);
    start(definition, json::object(), id);
    const json wait = last_of(id, EventType::kStepSuspended)["data"]["wait"];
    EXPECT_EQ(wait, json({{"title", "verdict"}})) << "the history records what the task adds";
    auto record = store_->execution(id);
    ASSERT_TRUE(record.ok() && record->has_value());
    auto state = read_persisted_state((*record)->state);
    ASSERT_TRUE(state.ok()) << state.error().message();
    ASSERT_EQ(state->attempts.size(), 1u);
    ASSERT_TRUE(state->attempts.front().task.has_value());
    EXPECT_EQ(state->attempts.front().task->spec, json({{"title", "verdict"}}));
    const json task = open_task(id);
    EXPECT_EQ(task["answer_schema"], declared) << "the task as shown has its type's schema";
    auto maybe = engine_->complete_task(task["id"], analyst, {{"verdict", "maybe"}});
    ASSERT_FALSE(maybe.ok());
    EXPECT_EQ(maybe.error().pointer(), "/verdict");
    VerdictStep::resumed_task = json();
    auto done = engine_->complete_task(task["id"], analyst, {{"verdict", "flag"}});
    ASSERT_TRUE(done.ok()) << done.error().message();
    EXPECT_EQ((*done)["answer_schema"], declared) << "what completing returns shows it too";
    settle();
    EXPECT_EQ(VerdictStep::resumed_task, json({{"title", "verdict"}}));
    EXPECT_EQ((*store_->execution(id))->status, ExecutionStatus::kSucceeded);
  }
  // The stored task's form is the declared schema beside what the task adds, open and closed.
  const auto instructed = start(R"({"id": "verdict_instructed", "version": 1, "title": "t",
    "steps": [{"id": "review", "kind": "task", "type": "test.verdict",
     "assign": {"roles": ["analyst"]}, "parameters": {"instructions": "Check the ledger"}}]})",
                                json::object(), "ex-instructed");
  const json stored = open_task(instructed);
  // Byte for byte what nlohmann prints for the whole form, the declared schema spliced in.
  EXPECT_EQ(stored_form(stored["id"]),
            json({{"answer_schema", declared}, {"instructions", "Check the ledger"}}).dump());
  EXPECT_EQ(stored["answer_schema"], declared);
  EXPECT_EQ(stored["instructions"], "Check the ledger");
  EXPECT_EQ(stored["title"], "verdict");
  ASSERT_TRUE(engine_->complete_task(stored["id"], analyst, {{"verdict", "clear"}}).ok());
  settle();
  auto closed = store_->task(stored["id"]);
  ASSERT_TRUE(closed.ok() && closed->has_value());
  EXPECT_EQ((*closed)->status, TaskStatus::kCompleted);
  EXPECT_EQ((*closed)->doc["answer_schema"], declared);
  EXPECT_EQ((*closed)->doc["instructions"], "Check the ledger");
  EXPECT_EQ((*closed)->doc["completions"].size(), 1u);
  EXPECT_EQ(stored_form(stored["id"]),
            json({{"answer_schema", declared}, {"instructions", "Check the ledger"}}).dump());

  // A schema of the task's own is the task's: recorded, kept and handed back.
  const auto own = start(kVerdictAndNote, json::object(), "ex-own");
  const json wait = last_of(own, EventType::kStepSuspended)["data"]["wait"];
  ASSERT_TRUE(wait.contains("answer_schema"));
  EXPECT_EQ(wait["answer_schema"]["properties"]["note"]["maxLength"], 3);
  const json form = open_task(own);
  EXPECT_EQ(form["answer_schema"], wait["answer_schema"]) << "the stored task has its own";
  ASSERT_TRUE(
      engine_->complete_task(form["id"], analyst, {{"verdict", "clear"}, {"note", "ok"}}).ok());
  settle();
  EXPECT_EQ(VerdictStep::resumed_task["answer_schema"], wait["answer_schema"]);
}

// Stands for partner data fetched during the run: a plugin that returns a video.
constexpr const char* kPartner = R"({"id": "partner", "version": 1, "title": "t", "steps": [
  {"id": "fetch", "kind": "task", "type": "test.pass",
   "parameters": {"ok": true, "value": {"$path": "/input/parts"}}}]})";

TEST_F(WorkflowFeaturesTest, MediaInAPluginOutputFailsItsStepAndIsNotStored) {
  const auto id = start(kPartner, {{"parts", json::array({"CLIP-EX-1", "TXN-EX-2"})}});
  EXPECT_EQ((*store_->execution(id))->status, ExecutionStatus::kSucceeded);  // references pass

  const auto bad = start(
      R"({"id": "partner2", "version": 1, "title": "t", "steps": [
        {"id": "fetch", "kind": "task", "type": "test.pass",
         "parameters": {"ok": true, "emit_type": "video/mp4", "value": {"$path": "/input/ref"}}}]})",
      {{"ref", "CLIP-EX-1"}}, "ex2");
  const json failed = last_of(bad, EventType::kExecutionFailed);
  EXPECT_EQ(failed["data"]["error"]["code"], "media.refused");
  for (const auto& e : history(bad)) {
    EXPECT_NE(e.type, EventType::kStepSucceeded) << e.step;
  }
}

// Iterations that finish at once (a choice straight to succeed) and iterations that wait for a
// plugin call, mixed: the map waits for every one of them and keeps each output in its place.
TEST_F(WorkflowFeaturesTest, AMapWaitsForEveryIterationWhenSomeFinishAtOnce) {
  const auto id = start(R"({"id": "mixed", "version": 1, "title": "t", "steps": [
      {"id": "each", "kind": "map", "items": "/input/items", "result": "/out", "steps": [
        {"id": "which", "kind": "choice",
         "choices": [{"when": {"path": "/item/call", "eq": true}, "next": "call"}], "default": "at_once"},
        {"id": "call", "kind": "task", "type": "test.pass",
         "parameters": {"ok": true, "value": {"$path": "/item/name"}}, "result": "/r", "next": "called"},
        {"id": "called", "kind": "succeed", "output": {"name": {"$path": "/item/name"}, "called": true}},
        {"id": "at_once", "kind": "succeed", "output": {"name": {"$path": "/item/name"}, "called": false}}]}]})",
                        json::parse(R"({"items": [{"name": "a", "call": true}, {"name": "b"},
                                                  {"name": "c"}, {"name": "d", "call": true}]})"));
  const auto record = **store_->execution(id);
  ASSERT_EQ(record.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(record.result.output.value()["out"],
            json::parse(R"([{"name": "a", "called": true}, {"name": "b", "called": false},
                            {"name": "c", "called": false}, {"name": "d", "called": true}])"));
}

// A branch that finishes at once settles an "any" join while the others are still being
// started: none of them runs, and the next container step of the frame is not confused with it.
TEST_F(WorkflowFeaturesTest, AnAnyJoinSettledWhileStartingStartsNothingMore) {
  PassStep::calls = 0;
  const auto id = start(R"({"id": "quick", "version": 1, "title": "t", "steps": [
      {"id": "race", "kind": "parallel", "join": {"mode": "any"}, "result": "/race", "next": "after",
       "branches": [
         {"name": "fast", "steps": [{"id": "done", "kind": "succeed", "output": {"won": true}}]},
         {"name": "slow", "steps": [{"id": "call", "kind": "task", "type": "test.pass", "parameters": {"ok": true}}]}]},
      {"id": "after", "kind": "map", "items": "/input/items", "result": "/after", "steps": [
         {"id": "each", "kind": "succeed", "output": {"$path": "/item"}}]}]})",
                        json::parse(R"({"items": [1, 2]})"));
  const auto record = **store_->execution(id);
  ASSERT_EQ(record.status, ExecutionStatus::kSucceeded) << to_json(record.result).dump();
  EXPECT_EQ(record.result.output.value()["race"], json::parse(R"({"fast": {"won": true}})"));
  EXPECT_EQ(record.result.output.value()["after"], json::parse("[1, 2]"));
  EXPECT_EQ(PassStep::calls, 0);
}

TEST_F(WorkflowFeaturesTest, MediaInTheInputIsRefusedBeforeTheExecutionExists) {
  auto loaded = load_workflow(kPartner, "wf.json");
  ASSERT_TRUE(catalog_.add(loaded.workflow).ok());
  auto started = engine_->start(loaded.workflow, {{"parts", json::array({"R0lGODlhAQABAIAAAP"})}},
                                "ex-gif", "ivy");
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().pointer(), "/parts/0");
  EXPECT_FALSE(store_->execution("ex-gif")->has_value());
  const auto audit = store_->audit("ex-gif");
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].type, "media_refused");
  EXPECT_EQ(json::parse((*audit)[0].summary)["kind"], "image/gif");
  EXPECT_TRUE(store_->verify_audit()->ok);
}

// What leaves the member never says that a suspicious-activity report exists: an input field,
// a step's parameter and a task's answer the schemas declare outbound are read for its status,
// BSA identifier and filing date, and refused with the field's pointer; a step confined to the
// member's organisation carries them (its own compliance officer is told of its filing).
TEST_F(WorkflowFeaturesTest, OutboundTextSayingAReportExistsIsRefusedWithItsPointer) {
  auto signal = load_workflow(R"({"id": "outbound_input", "version": 1, "title": "t",
    "input_schema": {"type": "object", "properties": {
      "context": {"type": "string", "x-coalition-outbound": true}, "memo": {"type": "string"}}},
    "steps": [{"id": "end", "kind": "succeed"}]})",
                              "wf.json");
  ASSERT_TRUE(signal.problems.empty()) << signal.problems.front().format("wf.json");
  ASSERT_TRUE(catalog_.add(signal.workflow).ok());
  auto refused =
      engine_->start(signal.workflow, {{"context", "merchant seen; SAR filed"}}, "ex-in", "ivy");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidData);
  EXPECT_EQ(refused.error().pointer(), "/context");
  EXPECT_NE(refused.error().message().find("report status"), std::string::npos);
  EXPECT_EQ(refused.error().message().find("merchant seen"), std::string::npos)
      << "the refusal never repeats the text";
  EXPECT_FALSE(store_->execution("ex-in")->has_value());
  ASSERT_TRUE(engine_
                  ->start(signal.workflow,
                          {{"context", "merchant seen 2026-12-01"}, {"memo", "SAR filed"}},
                          "ex-in-ok", "ivy")
                  .ok())
      << "a field that is not outbound is not read";
  // Started as a sub-workflow, the child's outbound input is screened the same way.
  const auto parent = start(R"({"id": "outbound_parent", "version": 1, "title": "t", "steps": [
    {"id": "child", "kind": "workflow", "workflow": {"id": "outbound_input", "version": 1},
     "input": {"context": {"$path": "/input/context"}}}]})",
                            {{"context", "BSA ID 31000012345678"}}, "ex-parent");
  const json child_failed = last_of(parent, EventType::kStepFailed);
  EXPECT_EQ(child_failed["data"]["error"]["code"], "disclosure.refused") << child_failed.dump();
  EXPECT_NE(child_failed["data"]["error"]["message"].get<std::string>().find("'/context'"),
            std::string::npos);

  constexpr const char* kSend = R"({"id": "send", "version": 1, "title": "t", "steps": [
    {"id": "tell", "kind": "task", "type": "test.send", "result": "/told",
     "parameters": {"text": {"$path": "/input/text"}, "internal": "SAR 2026-12-30"}}]})";
  SendStep::calls = 0;
  const auto leaked = start(kSend, {{"text", "Account closed; filed 30/12/2026"}}, "ex-send");
  const json failed = last_of(leaked, EventType::kStepFailed);
  EXPECT_EQ(failed["data"]["error"]["code"], "disclosure.refused");
  const std::string message = failed["data"]["error"]["message"];
  EXPECT_NE(message.find("/text"), std::string::npos) << message;
  EXPECT_NE(message.find("filing date"), std::string::npos) << message;
  EXPECT_EQ(SendStep::calls, 0) << "nothing was sent";
  EXPECT_EQ((*store_->execution(leaked))->status, ExecutionStatus::kFailed);
  const auto plain = start(kSend, {{"text", "Account closed"}}, "ex-send-ok");
  EXPECT_EQ((*store_->execution(plain))->status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(SendStep::calls, 1);

  const auto within = start(R"({"id": "send_within", "version": 1, "title": "t", "steps": [
    {"id": "tell", "kind": "task", "type": "test.send",
     "parameters": {"text": {"$path": "/input/text"}, "within": "northwind"}}]})",
                            {{"text", "SAR filed 2026-12-30"}}, "ex-within");
  EXPECT_EQ((*store_->execution(within))->status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(SendStep::calls, 2);

  const Actor officer{"bo.bell", "bsa_officer", ""};
  const auto shared = start(R"({"id": "shared", "version": 1, "title": "t", "steps": [
    {"id": "record", "kind": "task", "type": "test.form", "assign": {"roles": ["bsa_officer"]},
     "result": "/shared", "parameters": {"schema": {"type": "object", "properties": {
       "shared_ref": {"type": "string", "x-coalition-outbound": true}, "notes": {"type": "string"}},
       "required": ["shared_ref"]}}}]})",
                            json::object(), "ex-form");
  const json task = open_task(shared);
  auto bsa = engine_->complete_task(task["id"], officer,
                                    {{"shared_ref", "MEMO-7, BSA ID 31000012345678"}});
  ASSERT_FALSE(bsa.ok());
  EXPECT_EQ(bsa.error().code(), ErrorCode::kInvalidData);
  EXPECT_EQ(bsa.error().pointer(), "/shared_ref");
  EXPECT_NE(bsa.error().message().find("BSA identifier"), std::string::npos);
  EXPECT_EQ(open_task(shared)["id"], task["id"]) << "the task stays open for a corrected answer";
  ASSERT_TRUE(engine_
                  ->complete_task(task["id"], officer,
                                  {{"shared_ref", "MEMO-7"}, {"notes", "our SAR is separate"}})
                  .ok());
  settle();
  EXPECT_EQ((*store_->execution(shared))->status, ExecutionStatus::kSucceeded);
  bool refusal_audited = false;
  const auto audit = store_->audit(shared);
  ASSERT_TRUE(audit.ok());
  for (const auto& entry : *audit) {
    refusal_audited = refusal_audited || entry.type == "task_refused";
  }
  EXPECT_TRUE(refusal_audited);
}

}  // namespace
}  // namespace coalition::workflow_features_test
