// The Store contract, once, against every backend: SQLite (a real file) and PostgreSQL (a real
// server the test run starts, a database per test). What one backend alone promises (SQLite's
// log and file modes, its older encodings) is tested beside it in tests/unit/store/.
//
// "Tampering" runs SQL on the database behind the store's back, as someone with access to the
// file or the server would; the backends differ only in how a digest's bytes are edited.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>
#include <tuple>

#include "audit/audit_chain.h"
#include "audit/audit_grouping.h"
#include "audit/event_digest.h"
#include "audit/purge_evidence.h"
#include "common/utc_time.h"
#include "store/postgres_store.h"
#include "store/sqlite_store.h"
#include "store/store_audit.h"
#include "store/stored_forms.h"
#include "support/postgres_database.h"
#include "support/temp_dir.h"

namespace coalition::store_conformance_test {
namespace {

using nlohmann::json;

TimePoint at(int64_t seconds) {
  return TimePoint(std::chrono::seconds(1798675200 + seconds));
}

// SQL in each backend's dialect; `postgres` empty: the same as `sqlite`.
struct Sql {
  std::string sqlite;
  std::string postgres{};
};

class SqliteBackend {
 public:
  static constexpr const char* kName = "SQLite";
  // One writer: an entry far older than the chain's head is refused (store/store_audit.h).
  static constexpr LateEntries kLate = LateEntries::kRefused;
  Result<std::unique_ptr<Store>> open() {
    auto store = SqliteStore::open(SqliteOptions{file_.string()});
    if (!store) return std::move(store).error();
    return std::unique_ptr<Store>(std::move(*store));
  }
  Status ready() const { return ok_status(); }
  void tamper(const Sql& sql) const {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file_.c_str(), &db), SQLITE_OK);
    char* message = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.sqlite.c_str(), nullptr, nullptr, &message), SQLITE_OK)
        << (message ? message : "");
    sqlite3_free(message);
    sqlite3_close(db);
  }
  int schema_version() const {
    sqlite3* db = nullptr;
    sqlite3_open(file_.c_str(), &db);
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, nullptr);
    const int version = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) : -1;
    sqlite3_finalize(q);
    sqlite3_close(db);
    return version;
  }
  static int current_version() { return SqliteStore::schema_version(); }
  void set_schema_version(int v) const {
    tamper(Sql{"PRAGMA user_version = " + std::to_string(v)});
  }

 private:
  test::TempDir dir_;
  std::filesystem::path file_ = dir_.path() / "store.db";
};

class PostgresBackend {
 public:
  static constexpr const char* kName = "PostgreSQL";
  // Several nodes: sealed at the head's time, in commit order.
  static constexpr LateEntries kLate = LateEntries::kSealedAtHead;
  PostgresBackend() {
    auto db = test::PostgresDatabase::create();
    if (db) {
      db_ = std::move(*db);
    } else {
      problem_ = db.error().message();
    }
  }
  // A test fails (it is never skipped) when no PostgreSQL server could be had.
  Status ready() const { return db_ ? ok_status() : Status(Error::io(problem_)); }
  Result<std::unique_ptr<Store>> open() {
    if (!db_) return Error::io(problem_);
    auto store = PostgresStore::open(PostgresOptions{db_->url()});
    if (!store) return std::move(store).error();
    return std::unique_ptr<Store>(std::move(*store));
  }
  void tamper(const Sql& sql) const {
    const Status s = db_->exec(sql.postgres.empty() ? sql.sqlite : sql.postgres);
    EXPECT_TRUE(s.ok()) << s.error().message();
  }
  int schema_version() const {
    auto v = db_->column("SELECT version FROM coalition_schema");
    return v && v->size() == 1 ? std::stoi(v->front()) : -1;
  }
  static int current_version() { return PostgresStore::schema_version(); }
  void set_schema_version(int v) const {
    tamper(Sql{"UPDATE coalition_schema SET version = " + std::to_string(v)});
  }

 private:
  std::unique_ptr<test::PostgresDatabase> db_;
  std::string problem_;
};

template <typename Backend>
class StoreConformance : public ::testing::Test {
 protected:
  void SetUp() override {
    const Status ready = backend_.ready();
    ASSERT_TRUE(ready.ok()) << ready.error().message();
  }
  std::unique_ptr<Store> open() { return open_on(backend_); }
  static std::unique_ptr<Store> open_on(Backend& backend) {
    auto store = backend.open();
    EXPECT_TRUE(store.ok()) << store.error().message();
    return store.ok() ? std::move(*store) : nullptr;
  }
  Backend backend_;
};

struct BackendNames {
  template <typename T>
  static std::string GetName(int) {
    return T::kName;
  }
};

using Backends = ::testing::Types<SqliteBackend, PostgresBackend>;
TYPED_TEST_SUITE(StoreConformance, Backends, BackendNames);

AuditDraft draft(int i) {
  return make_audit_draft(at(i), "officer.kim", "reviewer", "northwind", "ex-1", "review",
                          "task_completed", {{"task", "ex-1.t" + std::to_string(i)}});
}

// Entries first..first+n-1, a minute apart: audit time never moves back.
void append_audit(Store& store, int n, int first = 1) {
  StoreBatch batch;
  for (int i = first; i < first + n; ++i) batch.audit.push_back(draft(i));
  ASSERT_TRUE(store.apply(batch).ok());
}

ExecutionRecord execution(const std::string& id, ExecutionStatus status, int64_t started,
                          json state = json::object()) {
  return ExecutionRecord{id,
                         "review",
                         1,
                         status,
                         "lead.lee",
                         at(started),
                         at(started + 5),
                         std::nullopt,
                         std::move(state),
                         ExecutionResult{}};
}

TaskRecord inbox_task(const std::string& id, const std::string& org, json roles,
                      std::optional<int64_t> due_seconds, int level = 0) {
  TaskRecord t;
  t.id = id;
  t.execution_id = "ex-" + id;
  t.step = "review";
  t.status = TaskStatus::kOpen;
  if (due_seconds) t.due = at(*due_seconds);
  t.created_at = at(0);
  t.doc = {{"id", id},
           {"roles", roles},
           {"level", level},
           {"title", "T " + id},
           {"answer_schema", {{"type", "object"}}},
           {"instructions", "long text"}};
  if (!org.empty()) t.doc["organisation"] = org;
  return t;
}

std::vector<std::string> ids_of(const std::vector<InboxEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.id);
  return out;
}

template <typename Records>
std::vector<std::string> execution_ids(const Records& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(r.id);
  return out;
}

// --- Schema.

TYPED_TEST(StoreConformance, AFreshStoreIsMigratedAndOneFromANewerVersionIsRefused) {
  ASSERT_TRUE(this->open());
  EXPECT_EQ(this->backend_.schema_version(), TypeParam::current_version());
  ASSERT_TRUE(this->open()) << "opening a current store again changes nothing";
  EXPECT_EQ(this->backend_.schema_version(), TypeParam::current_version());
  this->backend_.set_schema_version(TypeParam::current_version() + 1);
  auto refused = this->backend_.open();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kConfiguration);
  EXPECT_NE(refused.error().message().find("written by a newer Coalition"), std::string::npos)
      << refused.error().message();
}

// --- Batches.

TYPED_TEST(StoreConformance, ABatchRoundTripsAndARefusedOneWritesNothing) {
  auto store = this->open();
  ASSERT_TRUE(store);
  StoreBatch batch;
  batch.executions.push_back(ExecutionRecord{"ex-1", "review", 2, ExecutionStatus::kWaiting,
                                             "lead.lee", at(0), at(5), at(60), json{{"seq", 2}},
                                             ExecutionResult{}});
  batch.events.push_back({"ex-1", Event{1, at(0), EventType::kExecutionStarted, "", R"({"a":1})"}});
  batch.events.push_back(
      {"ex-1", Event{2, at(5), EventType::kTaskCreated, "review", R"({"task":"ex-1.t1"})"}});
  batch.tasks.push_back(TaskRecord{"ex-1.t1", "ex-1", "review", TaskStatus::kOpen, at(60), at(5),
                                   json{{"roles", {"reviewer"}}}});
  batch.meta.emplace_back("clock.mode", "virtual");
  ASSERT_TRUE(store->apply(batch).ok());

  auto record = store->execution("ex-1");
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->status, ExecutionStatus::kWaiting);
  EXPECT_EQ((*record)->workflow_version, 2);
  EXPECT_EQ((*record)->started_at, at(0));
  EXPECT_EQ((*record)->next_due, at(60));
  EXPECT_EQ((*record)->state["seq"], 2);
  auto history = store->history("ex-1");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[1].type, EventType::kTaskCreated);
  EXPECT_EQ((*history)[1].at, at(5));
  EXPECT_EQ((*history)[1].data()["task"], "ex-1.t1");
  EXPECT_EQ(store->event_counts("ex-1")->at(EventType::kTaskCreated), 1u);
  EXPECT_EQ(**store->meta("clock.mode"), "virtual");
  EXPECT_FALSE(store->meta("clock.now")->has_value());
  EXPECT_FALSE(store->execution("ex-404")->has_value());

  // Appending an event twice is refused and nothing of that batch is written.
  StoreBatch again;
  again.executions.push_back(execution("ex-1", ExecutionStatus::kSucceeded, 0));
  again.events.push_back({"ex-1", Event{2, at(9), EventType::kExecutionCompleted, "", "{}"}});
  again.meta.emplace_back("clock.mode", "wall");
  EXPECT_FALSE(store->apply(again).ok());
  EXPECT_EQ((*store->execution("ex-1"))->status, ExecutionStatus::kWaiting);
  EXPECT_EQ(**store->meta("clock.mode"), "virtual");
  // And the store goes on taking batches.
  StoreBatch next;
  next.events.push_back({"ex-1", Event{3, at(9), EventType::kExecutionCompleted, "", "{}"}});
  EXPECT_TRUE(store->apply(next).ok());
  EXPECT_EQ(store->history("ex-1")->size(), 3u);
}

TYPED_TEST(StoreConformance, AChangedDefinitionUnderAUsedVersionIsRefused) {
  auto store = this->open();
  ASSERT_TRUE(store);
  StoreBatch first;
  first.workflows.push_back(WorkflowRecord{"review", 1, "digest-a", "{\"a\":1}"});
  ASSERT_TRUE(store->apply(first).ok());
  ASSERT_TRUE(store->apply(first).ok());  // the same definition again is fine
  StoreBatch changed;
  changed.workflows.push_back(WorkflowRecord{"review", 1, "digest-b", "{\"a\":2}"});
  changed.workflows.push_back(WorkflowRecord{"review", 2, "digest-c", "{\"a\":3}"});
  auto s = store->apply(changed);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kConflict);
  EXPECT_NE(s.error().message().find("new version"), std::string::npos);
  EXPECT_EQ((*store->workflow("review", 1))->document, "{\"a\":1}");
  EXPECT_FALSE(store->workflow("review", 2)->has_value()) << "nothing of the batch is written";
  EXPECT_EQ(store->workflows()->size(), 1u);
}

// A status word the store never writes (an edited database, a newer engine's word) is refused
// where it is read, naming the record, and never read as another status.
TYPED_TEST(StoreConformance, AnUnknownStatusIsRefusedWhereItIsRead) {
  {
    auto store = this->open();
    ASSERT_TRUE(store);
    StoreBatch batch;
    batch.executions.push_back(execution("ex-1", ExecutionStatus::kWaiting, 0));
    batch.tasks.push_back(TaskRecord{"ex-1.t1", "ex-1", "review", TaskStatus::kOpen, at(60), at(5),
                                     json{{"roles", {"reviewer"}}}});
    ASSERT_TRUE(store->apply(batch).ok());
  }
  this->backend_.tamper(Sql{"UPDATE executions SET status = 'paused' WHERE id = 'ex-1'"});
  this->backend_.tamper(Sql{"UPDATE tasks SET status = 'closed' WHERE id = 'ex-1.t1'"});
  auto store = this->open();
  ASSERT_TRUE(store);
  auto record = store->execution("ex-1");
  ASSERT_FALSE(record.ok());
  EXPECT_EQ(record.error().code(), ErrorCode::kInvalidData);
  EXPECT_NE(record.error().message().find("execution ex-1 has the status 'paused'"),
            std::string::npos)
      << record.error().message();
  EXPECT_FALSE(store->executions(ExecutionFilter{}).ok());
  auto counts = store->counts(at(0));
  ASSERT_FALSE(counts.ok());
  EXPECT_NE(counts.error().message().find("an execution has the status 'paused'"),
            std::string::npos)
      << counts.error().message();
  auto task = store->task("ex-1.t1");
  ASSERT_FALSE(task.ok());
  EXPECT_NE(task.error().message().find("task ex-1.t1 has the status 'closed'"), std::string::npos)
      << task.error().message();
  TaskFilter any;
  any.open_only = false;
  EXPECT_FALSE(store->tasks(any).ok());
}

// A result is written and read back typed; one the engine never writes is refused naming the
// record, never shown as an output or an error nobody produced.
TYPED_TEST(StoreConformance, AResultIsReadBackTypedAndAnEditedOneIsRefused) {
  {
    auto store = this->open();
    ASSERT_TRUE(store);
    StoreBatch batch;
    batch.executions.push_back(ExecutionRecord{
        "ex-1", "review", 1, ExecutionStatus::kFailed, "lead.lee", at(0), at(5), std::nullopt,
        json::object(),
        ExecutionResult::failed({"workflow.timeout", "the workflow's timeout struck", ""})});
    batch.executions.push_back(ExecutionRecord{
        "ex-2", "review", 1, ExecutionStatus::kSucceeded, "lead.lee", at(0), at(6), std::nullopt,
        json::object(), ExecutionResult::succeeded({{"decision", "ok"}})});
    ASSERT_TRUE(store->apply(batch).ok());
    const auto failed = store->execution("ex-1");
    ASSERT_TRUE(failed.ok() && *failed);
    ASSERT_TRUE((*failed)->result.error);
    EXPECT_EQ((*failed)->result.error->code, "workflow.timeout");
    EXPECT_FALSE((*failed)->result.output);
    const auto succeeded = store->execution("ex-2");
    ASSERT_TRUE(succeeded.ok() && *succeeded);
    EXPECT_EQ((*succeeded)->result, ExecutionResult::succeeded({{"decision", "ok"}}));
  }
  this->backend_.tamper(Sql{
      R"(UPDATE executions SET result = '{"error": {"message": "no code"}}' WHERE id = 'ex-1')"});
  this->backend_.tamper(
      Sql{R"(UPDATE executions SET result = '{"outcome": 1}' WHERE id = 'ex-2')"});
  auto store = this->open();
  ASSERT_TRUE(store);
  const auto failed = store->execution("ex-1");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code(), ErrorCode::kInvalidData);
  EXPECT_EQ(failed.error().pointer(), "/error/code");
  const auto succeeded = store->execution("ex-2");
  ASSERT_FALSE(succeeded.ok());
  EXPECT_NE(succeeded.error().message().find("\"outcome\", which no engine writes"),
            std::string::npos)
      << succeeded.error().message();
}

// --- Executions: timers, lists, retry points, state parts.

TYPED_TEST(StoreConformance, ExecutionsAreListedActiveFinishedAndRecentWithTheirTimers) {
  auto store = this->open();
  ASSERT_TRUE(store);
  StoreBatch batch;
  batch.executions = {execution("ex-b", ExecutionStatus::kWaiting, 20),
                      execution("ex-a", ExecutionStatus::kRunning, 10),
                      execution("ex-c", ExecutionStatus::kSucceeded, 5),
                      execution("ex-d", ExecutionStatus::kCancelled, 30),
                      execution("ex-e", ExecutionStatus::kFailed, 40)};
  batch.executions[0].next_due = at(3600);
  ASSERT_TRUE(store->apply(batch).ok());
  EXPECT_EQ(execution_ids(*store->active_executions()), (std::vector<std::string>{"ex-a", "ex-b"}));
  EXPECT_EQ((*store->active_executions())[1].next_due, at(3600));
  EXPECT_FALSE((*store->active_executions())[0].next_due);
  EXPECT_EQ(execution_ids(*store->finished_executions()),
            (std::vector<std::string>{"ex-c", "ex-d", "ex-e"}));
  EXPECT_EQ(execution_ids(*store->recent_executions(2)),
            (std::vector<std::string>{"ex-e", "ex-d"}));
  auto counts = store->counts(at(0));
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->executions[ExecutionStatus::kWaiting], 1u);
  EXPECT_EQ(counts->executions[ExecutionStatus::kSucceeded], 1u);

  // The timer moves with the execution; standing still clears it.
  StoreBatch fired;
  fired.executions.push_back(execution("ex-b", ExecutionStatus::kSucceeded, 20));
  ASSERT_TRUE(store->apply(fired).ok());
  EXPECT_FALSE((*store->execution("ex-b"))->next_due);
  EXPECT_EQ(execution_ids(*store->active_executions()), std::vector<std::string>{"ex-a"});
}

// Failing keeps the last snapshot taken while the execution ran (a retry goes back to it);
// anything else forgets it.
TYPED_TEST(StoreConformance, AFailedExecutionKeepsItsLastRunningSnapshotAsItsRetryPoint) {
  auto store = this->open();
  ASSERT_TRUE(store);
  const json running = {{"seq", 12},
                        {"frames", {{{"path", "review/über"}, {"due", -5}}}},
                        {"big", 18446744073709551615ULL},
                        {"share", 0.25},
                        {"none", nullptr}};
  StoreBatch batch;
  batch.executions.push_back(execution("ex-1", ExecutionStatus::kRunning, 0, running));
  ASSERT_TRUE(store->apply(batch).ok());
  EXPECT_FALSE(store->retry_point("ex-1")->has_value()) << "only a failed execution has one";
  StoreBatch failed;
  failed.executions.push_back(execution("ex-1", ExecutionStatus::kFailed, 0, {{"seq", 13}}));
  ASSERT_TRUE(store->apply(failed).ok());
  EXPECT_EQ((*store->execution("ex-1"))->state, (json{{"seq", 13}}));
  auto retry = store->retry_point("ex-1");
  ASSERT_TRUE(retry.ok() && retry->has_value());
  EXPECT_EQ(**retry, running);
  StoreBatch retried;
  retried.executions.push_back(execution("ex-1", ExecutionStatus::kRunning, 0, running));
  ASSERT_TRUE(store->apply(retried).ok());
  StoreBatch ok;
  ok.executions.push_back(execution("ex-1", ExecutionStatus::kSucceeded, 0));
  ASSERT_TRUE(store->apply(ok).ok());
  EXPECT_FALSE(store->retry_point("ex-1")->has_value());
}

// Several executions read back at once (wake-ups due together): one answer per id, in the ids'
// order, each as stored_execution gives it; an unknown id's empty among them.
TYPED_TEST(StoreConformance, StoredExecutionsAnswerEachIdInOrder) {
  auto store = this->open();
  ASSERT_TRUE(store);
  EXPECT_TRUE(store->stored_executions({}).empty());
  StoreBatch batch;
  batch.executions.push_back(execution("ex-1", ExecutionStatus::kWaiting, 0, {{"seq", 1}}));
  batch.executions.push_back(execution("ex-2", ExecutionStatus::kWaiting, 0, {{"seq", 2}}));
  batch.interruptions.emplace_back("ex-2", 3);
  batch.parts.push_back(StatePart{"ex-1", "layer/1", json{{"item", "a"}}});
  ASSERT_TRUE(store->apply(batch).ok());

  auto read = store->stored_executions({"ex-2", "ex-404", "ex-1"});
  ASSERT_EQ(read.size(), 3U);
  ASSERT_TRUE(read[0].ok() && read[1].ok() && read[2].ok());
  ASSERT_TRUE(read[0]->has_value() && read[2]->has_value());
  EXPECT_FALSE(read[1]->has_value());
  EXPECT_EQ(read[0]->value().record.id, "ex-2");
  EXPECT_EQ(stored_state(read[0]->value())["seq"], 2);
  EXPECT_EQ(read[0]->value().interruptions, 3U);
  EXPECT_TRUE(read[0]->value().parts.empty());
  EXPECT_EQ(read[2]->value().record.id, "ex-1");
  EXPECT_EQ(stored_state(read[2]->value())["seq"], 1);
  EXPECT_EQ(read[2]->value().parts.at("layer/1")["item"], "a");
}

// What reloading an execution reads as one: the record, its interruptions and state parts.
TYPED_TEST(StoreConformance, StoredExecutionReadsTheRecordItsInterruptionsAndParts) {
  auto store = this->open();
  ASSERT_TRUE(store);
  StoreBatch batch;
  batch.executions.push_back(execution("ex-1", ExecutionStatus::kWaiting, 0, {{"seq", 2}}));
  batch.interruptions.emplace_back("ex-1", 2);
  batch.parts.push_back(StatePart{"ex-1", "layer/1", json{{"item", "a"}}});
  batch.parts.push_back(StatePart{"ex-1", "layer/2", json{{"item", "b"}}});
  batch.parts.push_back(StatePart{"ex-1", "map/1", json{{"n", 1}}});
  ASSERT_TRUE(store->apply(batch).ok());

  auto stored = store->stored_execution("ex-1");
  ASSERT_TRUE(stored.ok()) << stored.error().message();
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ(stored_state(**stored)["seq"], 2);
  // The state comes as the store keeps it, for restoring to read straight (no document built).
  EXPECT_FALSE((*stored)->state_msgpack.empty());
  EXPECT_TRUE((*stored)->record.state.is_null());
  EXPECT_EQ((*stored)->interruptions, 2U);
  ASSERT_EQ((*stored)->parts.size(), 3U);
  EXPECT_EQ((*stored)->parts.at("layer/2")["item"], "b");
  EXPECT_FALSE(store->stored_execution("ex-404")->has_value());
  EXPECT_EQ(*store->interruptions("ex-1"), 2U);

  // Drops by prefix go before the parts written in the same batch; 0 forgets the count.
  StoreBatch later;
  later.executions.push_back(execution("ex-1", ExecutionStatus::kRunning, 0, {{"seq", 3}}));
  later.part_drops.push_back(StatePartDrop{"ex-1", "layer/"});
  later.parts.push_back(StatePart{"ex-1", "layer/3", json{{"item", "c"}}});
  later.interruptions.emplace_back("ex-1", 0);
  ASSERT_TRUE(store->apply(later).ok());
  stored = store->stored_execution("ex-1");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ(stored_state(**stored)["seq"], 3);
  EXPECT_EQ((*stored)->interruptions, 0U);
  std::vector<std::string> keys;
  for (const auto& [key, body] : (*stored)->parts) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"layer/3", "map/1"}));
  EXPECT_EQ(store->state_parts("ex-1")->at("map/1")["n"], 1);
}

// --- Tasks and searches.

TYPED_TEST(StoreConformance, TasksAreFilteredByExecutionRoleOrganisationHolderAndDeadline) {
  auto store = this->open();
  ASSERT_TRUE(store);
  StoreBatch batch;
  batch.tasks = {inbox_task("a", "northbank", {"reviewer"}, 300),
                 inbox_task("b", "northbank", {"deputy", "reviewer"}, 100),
                 inbox_task("c", "southbank", {"reviewer"}, std::nullopt),
                 inbox_task("d", "northbank", {"analyst"}, 50)};
  batch.tasks[3].doc["assignee"] = "ana.lyst";
  TaskRecord done = inbox_task("e", "northbank", {"reviewer"}, 5);
  done.status = TaskStatus::kCompleted;
  batch.tasks.push_back(done);
  ASSERT_TRUE(store->apply(batch).ok());
  auto ids = [&](const TaskFilter& f) {
    auto tasks = store->tasks(f);
    EXPECT_TRUE(tasks.ok());
    return tasks.ok() ? execution_ids(*tasks) : std::vector<std::string>{};
  };
  EXPECT_EQ(ids(TaskFilter{}), (std::vector<std::string>{"d", "b", "a", "c"}));
  EXPECT_EQ(ids(TaskFilter{"", "reviewer", true}), (std::vector<std::string>{"b", "a", "c"}));
  EXPECT_EQ(ids(TaskFilter{"ex-b", "", true}), std::vector<std::string>{"b"});
  EXPECT_EQ(ids(TaskFilter{"", "", false}), (std::vector<std::string>{"e", "d", "b", "a", "c"}));
  TaskFilter org;
  org.organisation = "southbank";
  EXPECT_EQ(ids(org), std::vector<std::string>{"c"});
  TaskFilter held;
  held.assignee = "ana.lyst";
  EXPECT_EQ(ids(held), std::vector<std::string>{"d"});
  TaskFilter before;
  before.due_before = at(100);
  EXPECT_EQ(ids(before), std::vector<std::string>{"d"});
  TaskFilter by;
  by.due_by = at(100);
  EXPECT_EQ(ids(by), (std::vector<std::string>{"d", "b"}));
  auto task = store->task("b");
  ASSERT_TRUE(task.ok() && task->has_value());
  EXPECT_EQ((*task)->due, at(100));
  EXPECT_EQ((*task)->doc["roles"], (json{"deputy", "reviewer"}));
  auto counts = store->counts(at(100));
  EXPECT_EQ(counts->open_tasks, 4u);
  EXPECT_EQ(counts->overdue_tasks, 2u);
}

TYPED_TEST(StoreConformance, AnInboxListsTheOrganisationsTasksForTheRolesInDueOrderByPages) {
  auto store = this->open();
  ASSERT_TRUE(store);
  StoreBatch batch;
  batch.tasks = {inbox_task("a", "northbank", {"reviewer"}, 300),
                 inbox_task("b", "northbank", {"deputy", "reviewer"}, 100, 1),
                 inbox_task("c", "southbank", {"reviewer"}, 50),
                 inbox_task("d", "", {"reviewer"}, 200),
                 inbox_task("e", "northbank", json::array(), std::nullopt),
                 inbox_task("f", "northbank", {"analyst"}, 10),
                 inbox_task("g", "northbank", {"reviewer,analyst"}, 20),
                 inbox_task("h", "northbank", {"reviewer"}, 100),
                 inbox_task("k", "", {"reviewer"}, std::nullopt),
                 inbox_task("ca", "", {"reviewer"}, std::nullopt),
                 inbox_task("ba", "", {"reviewer"}, 100)};
  TaskRecord done = inbox_task("i", "northbank", {"reviewer"}, 5);
  done.status = TaskStatus::kCompleted;
  batch.tasks.push_back(done);
  TaskRecord claimed = inbox_task("j", "northbank", {"reviewer"}, 400);
  claimed.doc["assignee"] = "someone.else";
  batch.tasks.push_back(claimed);
  ASSERT_TRUE(store->apply(batch).ok());

  InboxFilter f;
  f.organisation = "northbank";
  f.roles = {"reviewer"};
  f.person = "rev.rita";
  auto all = store->inbox(f);
  ASSERT_TRUE(all.ok()) << all.error().message();
  // Organisation or none; a role held (a role name holding a comma is not two roles); a task
  // with no roles; due order with ties by id (across both), no deadline last, by id; open only;
  // not another's claim.
  EXPECT_EQ(ids_of(*all), (std::vector<std::string>{"b", "ba", "h", "d", "a", "ca", "e", "k"}));
  const json summary = json::parse((*all)[0].summary);
  EXPECT_EQ(summary["status"], "open");
  EXPECT_EQ(summary["title"], "T b");
  EXPECT_FALSE(summary.contains("answer_schema"));
  EXPECT_FALSE(summary.contains("instructions"));

  // A page is the first of that order, whichever organisation its tasks are in.
  f.limit = 3;
  EXPECT_EQ(ids_of(*store->inbox(f)), (std::vector<std::string>{"b", "ba", "h"}));

  // Pages: each continues after the last of the previous one (pages of 2 end on a tie of
  // deadlines, on the last dated task and inside the undated ones).
  f.limit = 2;
  std::vector<std::string> paged;
  for (int page = 0; page < 6; ++page) {
    auto entries = store->inbox(f);
    ASSERT_TRUE(entries.ok());
    if (entries->empty()) break;
    for (const auto& e : *entries) paged.push_back(e.id);
    f.after_id = entries->back().id;
    f.after_due = entries->back().due;
  }
  EXPECT_EQ(paged, ids_of(*all));

  InboxFilter overdue;
  overdue.organisation = "northbank";
  overdue.roles = {"reviewer", "analyst"};
  overdue.due_by = at(100);
  EXPECT_EQ(ids_of(*store->inbox(overdue)), (std::vector<std::string>{"f", "b", "ba", "h"}));
  overdue.due_by.reset();
  overdue.due_before = at(100);
  EXPECT_EQ(ids_of(*store->inbox(overdue)), std::vector<std::string>{"f"});
  InboxFilter escalated;
  escalated.organisation = "northbank";
  escalated.roles = {"reviewer"};
  escalated.escalated = true;
  EXPECT_EQ(ids_of(*store->inbox(escalated)), std::vector<std::string>{"b"});
  InboxFilter nobody;
  nobody.organisation = "northbank";
  EXPECT_EQ(ids_of(*store->inbox(nobody)), std::vector<std::string>{"e"});
}

TYPED_TEST(StoreConformance, ExecutionsAreSearchedByWhatTheyAreAndWhoMaySeeThem) {
  auto store = this->open();
  ASSERT_TRUE(store);
  StoreBatch batch;
  for (int i = 0; i < 5; ++i) {
    batch.executions.push_back(
        execution("ex-" + std::string(1, static_cast<char>('a' + i)),
                  i == 4 ? ExecutionStatus::kSucceeded : ExecutionStatus::kWaiting, 10 * i));
  }
  batch.executions[3].workflow_id = "policy";
  batch.executions[3].workflow_version = 2;
  batch.tasks = {inbox_task("a", "northbank", {"deputy"}, 100, 1),
                 inbox_task("b", "northbank", {"reviewer"}, 100, 0),
                 inbox_task("c", "southbank", {"cco"}, 100, 2),
                 inbox_task("d", "northbank", {"member_contact"}, std::nullopt),
                 inbox_task("e", "northbank", {"cco"}, std::nullopt)};
  batch.tasks[2].status = TaskStatus::kCompleted;
  batch.tasks[4].status = TaskStatus::kCompleted;
  batch.tasks[4].doc["completions"] = json::array({{{"actor", "rev.rita"}, {"answer", "ok"}}});
  ASSERT_TRUE(store->apply(batch).ok());
  auto ids = [&](const ExecutionFilter& f) {
    auto found = store->executions(f);
    EXPECT_TRUE(found.ok()) << found.error().message();
    return found.ok() ? execution_ids(*found) : std::vector<std::string>{};
  };
  EXPECT_EQ(ids(ExecutionFilter{}),
            (std::vector<std::string>{"ex-e", "ex-d", "ex-c", "ex-b", "ex-a"}));
  ExecutionFilter escalated;
  escalated.escalated = true;
  EXPECT_EQ(ids(escalated), std::vector<std::string>{"ex-a"});
  ExecutionFilter workflow;
  workflow.workflow_id = "policy";
  EXPECT_EQ(ids(workflow), std::vector<std::string>{"ex-d"});
  ExecutionFilter statuses;
  statuses.statuses = {ExecutionStatus::kSucceeded, ExecutionStatus::kFailed};
  EXPECT_EQ(ids(statuses), std::vector<std::string>{"ex-e"});
  ExecutionFilter organisation;
  organisation.organisation = "southbank";
  EXPECT_EQ(ids(organisation), std::vector<std::string>{"ex-c"});
  ExecutionFilter started;
  started.started_from = at(10);
  started.started_until = at(30);
  EXPECT_EQ(ids(started), (std::vector<std::string>{"ex-c", "ex-b"}));
  ExecutionFilter overdue;
  overdue.overdue_at = at(100);
  EXPECT_EQ(ids(overdue), (std::vector<std::string>{"ex-b", "ex-a"}));
  ExecutionFilter paged;
  paged.limit = 2;
  paged.after_id = "ex-d";
  paged.after_started = at(30);
  EXPECT_EQ(ids(paged), (std::vector<std::string>{"ex-c", "ex-b"}));

  // A member sees executions with a task of their organisation (or none) for one of their
  // roles, or one they completed, or of a followed workflow version with a task of theirs.
  ExecutionFilter member;
  member.visible_to = ExecutionFilter::Member{"rev.rita", "northbank", {"reviewer"}, {}};
  EXPECT_EQ(ids(member), (std::vector<std::string>{"ex-e", "ex-b"}));
  member.visible_to->followed_workflows = {"policy@2"};
  EXPECT_EQ(ids(member), (std::vector<std::string>{"ex-e", "ex-d", "ex-b"}));
  member.visible_to = ExecutionFilter::Member{"dep.dan", "northbank", {"deputy"}, {"policy@1"}};
  EXPECT_EQ(ids(member), std::vector<std::string>{"ex-a"});
}

// --- Credentials, notifications, schedules.

TYPED_TEST(StoreConformance, TokensPeopleAndWebSessionsRoundTrip) {
  auto store = this->open();
  ASSERT_TRUE(store);
  StoreBatch batch;
  batch.tokens.push_back(TokenRecord{"tok1",
                                     std::string(64, 'a'),
                                     "coord.cora",
                                     "coalition",
                                     {"coordinator"},
                                     {"admin", "coordinate"},
                                     at(0),
                                     "setup",
                                     at(86400),
                                     std::nullopt});
  batch.tokens.push_back(TokenRecord{"tok0",
                                     std::string(64, 'b'),
                                     "rev.rita",
                                     "northbank",
                                     {"reviewer"},
                                     {"signal:review"},
                                     at(-10),
                                     "coord.cora",
                                     std::nullopt,
                                     std::nullopt});
  batch.people.push_back(
      PersonRecord{"rev.rita", "northbank", {"reviewer", "deputy"}, "oidc:abc", at(5)});
  batch.people.push_back(PersonRecord{"rev.rita", "eastbank", {"reviewer"}, "oidc:abc", at(6)});
  batch.web_sessions.push_back(WebSessionRecord{"ws1",
                                                std::string(64, 'c'),
                                                WebSessionKind::kOidc,
                                                "oidc:abc",
                                                "rev.rita",
                                                "northbank",
                                                {"reviewer"},
                                                {"member"},
                                                at(0),
                                                at(3600),
                                                std::nullopt});
  batch.web_sessions.push_back(WebSessionRecord{"ws2",
                                                std::string(64, 'd'),
                                                WebSessionKind::kToken,
                                                "tok1",
                                                "",
                                                "",
                                                {},
                                                {},
                                                at(0),
                                                at(60),
                                                std::nullopt});
  ASSERT_TRUE(store->apply(batch).ok());
  EXPECT_EQ(execution_ids(*store->tokens()), (std::vector<std::string>{"tok0", "tok1"}));
  auto token = store->token("tok1");
  ASSERT_TRUE(token.ok() && token->has_value());
  EXPECT_EQ((*token)->scopes, (std::vector<std::string>{"admin", "coordinate"}));
  EXPECT_EQ((*token)->expires_at, at(86400));
  EXPECT_FALSE((*token)->revoked_at);
  auto people = store->people("rev.rita");
  ASSERT_EQ(people->size(), 2u);
  EXPECT_EQ((*people)[0].organisation, "eastbank");
  EXPECT_EQ((*people)[1].roles, (std::vector<std::string>{"reviewer", "deputy"}));
  auto session = store->web_session("ws1");
  ASSERT_TRUE(session.ok() && session->has_value());
  EXPECT_EQ((*session)->kind, WebSessionKind::kOidc);
  EXPECT_EQ((*session)->expires_at, at(3600));

  StoreBatch later;
  TokenRecord revoked = **token;
  revoked.revoked_at = at(100);
  later.tokens.push_back(revoked);
  WebSessionRecord ended = **session;
  ended.ended_at = at(50);
  later.web_sessions.push_back(ended);
  later.web_sessions_expired_before = at(61);
  ASSERT_TRUE(store->apply(later).ok());
  EXPECT_EQ((*store->token("tok1"))->revoked_at, at(100));
  EXPECT_EQ((*store->web_session("ws1"))->ended_at, at(50));
  EXPECT_FALSE(store->web_session("ws2")->has_value()) << "expired before the instant: deleted";
}

// A notification is inserted once (the event's id keeps a replay from adding another), found
// when due, updated in place, and gone with its execution's purge.
TYPED_TEST(StoreConformance, NotificationsAreOwedOnceDueInOrderAndPurgedWithTheirExecution) {
  auto store = this->open();
  ASSERT_TRUE(store);
  const TimePoint t0 = *parse_utc("2026-12-07T10:00:00Z");
  NotificationRecord n;
  n.id = "ex-1#4";
  n.execution_id = "ex-1";
  n.kind = NotificationKind::kEscalated;
  n.task = "ex-1.t1";
  n.created_at = t0;
  n.next_at = t0;
  n.subject = {{"roles", {"chief_compliance_officer"}}, {"level", 1}};
  NotificationRecord later = n;
  later.id = "ex-1#9";
  later.next_at = t0 + std::chrono::hours(1);
  StoreBatch batch;
  batch.notifications = {later, n};
  ASSERT_TRUE(store->apply(batch).ok());
  NotificationRecord replayed = n;
  replayed.subject = json::object();
  StoreBatch again;
  again.notifications = {replayed};
  ASSERT_TRUE(store->apply(again).ok());
  auto due = store->due_notifications(t0, 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ(due->front().id, "ex-1#4");
  EXPECT_EQ(due->front().kind, NotificationKind::kEscalated);
  EXPECT_EQ(due->front().subject["level"], 1) << "the first insert is kept";
  EXPECT_EQ(store->due_notifications(t0 + std::chrono::hours(2), 10)->size(), 2u);

  NotificationRecord sent = due->front();
  sent.status = NotificationStatus::kSent;
  sent.attempts = 1;
  sent.sent_at = t0 + std::chrono::seconds(3);
  sent.delivery = {{"recipients", json::array({{{"contact", "northwind.cco"}}})}};
  StoreBatch update;
  update.notification_updates = {sent};
  ASSERT_TRUE(store->apply(update).ok());
  auto listed = store->notifications({"ex-1", NotificationStatus::kSent, 10});
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().sent_at, t0 + std::chrono::seconds(3));
  EXPECT_EQ(listed->front().delivery["recipients"][0]["contact"], "northwind.cco");
  EXPECT_EQ(store->notifications({"", std::nullopt, 10})->size(), 2u);
  EXPECT_EQ(store->due_notifications(t0 + std::chrono::hours(2), 10)->size(), 1u);

  StoreBatch purge;
  Redaction everything;
  everything.execution_id = "ex-1";
  everything.everything = true;
  purge.redactions.push_back(std::move(everything));
  ASSERT_TRUE(store->apply(purge).ok());
  EXPECT_TRUE(store->notifications({"ex-1", std::nullopt, 10})->empty());
}

TYPED_TEST(StoreConformance, SchedulesAreKeptAndReplacedById) {
  auto store = this->open();
  ASSERT_TRUE(store);
  ScheduleRecord s;
  s.id = "quarterly-attestation";
  s.definition = {{"workflow", "attestation"}, {"every", "P3M"}};
  s.next_at = at(1000);
  s.next_period = "2027-Q1";
  s.created_at = at(0);
  s.updated_at = at(0);
  StoreBatch batch;
  batch.schedules.push_back(s);
  ASSERT_TRUE(store->apply(batch).ok());
  s.paused = true;
  s.last_at = at(1000);
  s.last_period = "2027-Q1";
  s.last_execution = "ex-9";
  s.runs = 1;
  s.skipped = 2;
  s.last_error = "paused by coord.cora";
  s.updated_at = at(1001);
  StoreBatch replaced;
  replaced.schedules.push_back(s);
  ASSERT_TRUE(store->apply(replaced).ok());
  auto all = store->schedules();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  const ScheduleRecord& back = all->front();
  EXPECT_TRUE(back.paused);
  EXPECT_EQ(back.definition, s.definition);
  EXPECT_EQ(back.last_at, at(1000));
  EXPECT_EQ(back.last_execution, "ex-9");
  EXPECT_EQ(back.runs, 1u);
  EXPECT_EQ(back.skipped, 2u);
  EXPECT_EQ(back.last_error, "paused by coord.cora");
  EXPECT_EQ(back.updated_at, at(1001));
}

// --- Retention: tombstones, holds, notes, and purges the audit chain accounts for.

TYPED_TEST(StoreConformance, LegalHoldsAreListedInForceOrAllMostRecentFirst) {
  auto store = this->open();
  ASSERT_TRUE(store);
  StoreBatch batch;
  batch.holds = {LegalHold{"ex-1", "2026-12-01T09:00:00.000Z", "rec.rob", "records_officer",
                           "keep-open letter 1", "", ""},
                 LegalHold{"ex-2", "2026-12-02T09:00:00.000Z", "rec.rob", "records_officer",
                           "keep-open letter 2", "2026-12-03T09:00:00.000Z", "rec.rob"},
                 LegalHold{"ex-3", "2026-12-03T09:00:00.000Z", "leg.lou", "legal",
                           "keep-open letter 3", "", ""}};
  ASSERT_TRUE(store->apply(batch).ok());
  auto ids = [](const std::vector<LegalHold>& holds) {
    std::vector<std::string> out;
    for (const auto& h : holds) out.push_back(h.execution_id);
    return out;
  };
  EXPECT_EQ(ids(*store->legal_holds(false, 10)), (std::vector<std::string>{"ex-3", "ex-1"}));
  EXPECT_EQ(ids(*store->legal_holds(true, 10)), (std::vector<std::string>{"ex-3", "ex-2", "ex-1"}));
  EXPECT_EQ(ids(*store->legal_holds(true, 2)), (std::vector<std::string>{"ex-3", "ex-2"}));
  EXPECT_EQ((*store->legal_holds(true, 10))[1].released_by, "rec.rob");
  // Placed again after its release: the row is replaced.
  StoreBatch again;
  again.holds = {LegalHold{"ex-2", "2026-12-04T09:00:00.000Z", "leg.lou", "legal",
                           "keep-open letter 4", "", ""}};
  ASSERT_TRUE(store->apply(again).ok());
  EXPECT_EQ((*store->legal_hold("ex-2"))->reason, "keep-open letter 4");
  EXPECT_FALSE(store->legal_hold("ex-9")->has_value());
}

// Events deleted and rewritten by a purge verify only with the tombstone AND the `purged` entry
// that lists them; tombstones and notes are kept once.
// Also with the three events in one entry (scheme 3): each is checked against its own digest.
TYPED_TEST(StoreConformance, APurgeVerifiesOnlyWithItsTombstoneAndItsAuditEntry) {
  for (const auto& [with_tombstone, grouped] : {std::pair{true, false}, std::pair{false, false},
                                                std::pair{true, true}, std::pair{false, true}}) {
    SCOPED_TRACE(with_tombstone ? "tombstone" : "no tombstone");
    SCOPED_TRACE(grouped ? "one entry for the three events" : "an entry per event");
    TypeParam backend;
    ASSERT_TRUE(backend.ready().ok());
    auto store = this->open_on(backend);
    ASSERT_TRUE(store);
    StoreBatch batch;
    batch.executions.push_back(execution("ex-1", ExecutionStatus::kSucceeded, 0, {{"x", 1}}));
    std::vector<AuditDraft> drafts;
    for (uint64_t i = 1; i <= 3; ++i) {
      batch.events.push_back({"ex-1", Event{i, at(i), EventType::kStepSucceeded, "review",
                                            json{{"answer", i}}.dump()}});
      drafts.push_back(draft(static_cast<int>(i)));
      drafts.back().event_seq = i;
    }
    if (grouped) {
      append_grouped_audit(batch.audit, std::move(drafts));
      ASSERT_EQ(batch.audit.size(), 1u);
    } else {
      batch.audit = std::move(drafts);
    }
    ASSERT_TRUE(store->apply(batch).ok());

    const json rewritten = {{"answer", "[redacted]"}};
    const Event third{3, at(3), EventType::kStepSucceeded, "review", rewritten.dump()};
    const std::string digest = stored_event_digest("ex-1", third);
    StoreBatch purge;
    Redaction r;
    r.execution_id = "ex-1";
    r.delete_events = {2};
    r.rewrite_events = {{3, rewritten.dump()}};
    r.state = json{{"x", "[redacted]"}};
    r.result = ExecutionResult::succeeded({{"decision", "[redacted]"}});
    purge.redactions.push_back(r);
    if (with_tombstone) {
      purge.tombstones.push_back(Tombstone{
          "ex-1", "restricted", "review@1", "2027-01-01T00:00:00.000Z", {{"rule", "restricted"}}});
    }
    purge.retention_notes.push_back(
        RetentionNote{"ex-1", "restricted", "hold@x", "2027-01-01T00:00:00.000Z"});
    json summary = {{"record_type", "restricted"},
                    {"events", purge_events_summary({2}, {{3, digest}})}};
    purge.audit.push_back(
        make_audit_draft(at(10), "system", "", "", "ex-1", "", "purged", summary));
    ASSERT_TRUE(store->apply(purge).ok());
    StoreBatch twice;
    twice.tombstones = purge.tombstones;
    twice.retention_notes = purge.retention_notes;
    ASSERT_TRUE(store->apply(twice).ok());

    auto history = store->history("ex-1");
    ASSERT_EQ(history->size(), 2u);
    EXPECT_EQ((*history)[1].data(), rewritten);
    EXPECT_EQ((*store->execution("ex-1"))->state, (json{{"x", "[redacted]"}}));
    EXPECT_EQ((*store->execution("ex-1"))->result.output, (json{{"decision", "[redacted]"}}));
    EXPECT_EQ(store->tombstones("ex-1")->size(), with_tombstone ? 1u : 0u);
    EXPECT_EQ(store->tombstones("")->size(), with_tombstone ? 1u : 0u);
    EXPECT_EQ(store->retention_notes("ex-1")->size(), 1u);
    auto v = store->verify_audit();
    ASSERT_TRUE(v.ok()) << v.error().message();
    if (with_tombstone) {
      EXPECT_TRUE(v->ok) << v->problem;
      EXPECT_EQ(v->events, 2u);
    } else {
      EXPECT_FALSE(v->ok);
      EXPECT_EQ(v->kind, "event_modified") << v->problem;
    }
  }
}

// A purge of everything: events and tasks go, summaries are emptied (their digests kept) except
// the entries retention itself wrote, and the chain still verifies by the kept digests.
TYPED_TEST(StoreConformance, APurgeOfEverythingEmptiesTheSummariesAndStillVerifies) {
  auto store = this->open();
  ASSERT_TRUE(store);
  StoreBatch batch;
  batch.executions.push_back(execution("ex-1", ExecutionStatus::kSucceeded, 0));
  batch.events.push_back({"ex-1", Event{1, at(1), EventType::kStepSucceeded, "review", "{}"}});
  batch.tasks.push_back(inbox_task("t", "northbank", {"reviewer"}, 100));
  batch.tasks.back().execution_id = "ex-1";
  batch.audit.push_back(draft(1));
  batch.audit.back().event_seq = 1;
  ASSERT_TRUE(store->apply(batch).ok());
  StoreBatch purge;
  Redaction r;
  r.execution_id = "ex-1";
  r.everything = true;
  purge.redactions.push_back(r);
  purge.tombstones.push_back(
      Tombstone{"ex-1", "execution", "review@1", "2027-01-01T00:00:00.000Z", json::object()});
  purge.audit.push_back(
      make_audit_draft(at(10), "system", "", "", "ex-1", "", "purged",
                       {{"record_type", "execution"}, {"events", purge_events_summary({1}, {})}}));
  ASSERT_TRUE(store->apply(purge).ok());
  EXPECT_TRUE(store->history("ex-1")->empty());
  EXPECT_FALSE(store->task("t")->has_value());
  auto entries = store->audit("ex-1");
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].summary, "");
  EXPECT_NE((*entries)[1].summary, "") << "the purge's own entry keeps its summary";
  auto v = store->verify_audit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->redacted, 1u);
}

// --- The audit chain.

TYPED_TEST(StoreConformance, TheAuditChainVerifiesAcrossBatchesAndReopening) {
  {
    auto store = this->open();
    ASSERT_TRUE(store);
    EXPECT_TRUE(store->verify_audit()->ok) << "an empty chain verifies";
    append_audit(*store, 3);
    append_audit(*store, 2, 4);
  }
  auto store = this->open();
  ASSERT_TRUE(store);
  auto v = store->verify_audit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->entries, 5u);
  auto entries = store->audit("ex-1");
  ASSERT_EQ(entries->size(), 5u);
  EXPECT_EQ((*entries)[0].prev_hash, kAuditGenesisHash);
  EXPECT_EQ((*entries)[4].prev_hash, (*entries)[3].hash);
  EXPECT_EQ((*entries)[4].hash, audit_entry_hash((*entries)[4]));
  EXPECT_EQ(v->head_hash, (*entries)[4].hash);
  EXPECT_EQ(store->audit("")->size(), 5u);
  EXPECT_TRUE(store->audit("ex-2")->empty());
}

struct Tampering {
  const char* name;
  Sql sql;
  uint64_t first_bad;
};

TYPED_TEST(StoreConformance, TamperingWithTheAuditLogIsDetectedAtTheFirstBadEntry) {
  const Tampering cases[] = {
      {"modified_actor", {"UPDATE audit SET actor = 'someone.else' WHERE seq = 3"}, 3},
      {"modified_summary",
       {"UPDATE audit SET summary = '{\"task\":\"ex-9.t9\"}' WHERE seq = 4"},
       4},
      {"deleted", {"DELETE FROM audit WHERE seq = 2"}, 2},
      {"inserted",
       {"UPDATE audit SET seq = seq + 100 WHERE seq >= 5; UPDATE audit SET seq = seq - 99 "
        "WHERE seq > 100; INSERT INTO audit SELECT 5, at, actor, role, organisation, "
        "execution_id, step, type, summary, summary_hash, prev_hash, hash, scheme, event_seq, "
        "event_hash FROM audit WHERE seq = 4"},
       5},
      {"reordered",
       {"UPDATE audit SET seq = 100 WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = 3; "
        "UPDATE audit SET seq = 3 WHERE seq = 100"},
       2},
      {"truncated", {"DELETE FROM audit WHERE seq = 6"}, 6},
      {"backdated_without_rehash",
       {"UPDATE audit SET at = '2020-01-01T00:00:00.000Z' WHERE seq = 3"},
       3},
      {"rehashed_one_entry",
       {"UPDATE audit SET hash = CAST(X'ff' || substr(hash, 2) AS BLOB) WHERE seq = 1",
        "UPDATE audit SET hash = set_byte(hash, 0, 255) WHERE seq = 1"},
       1},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    TypeParam backend;
    ASSERT_TRUE(backend.ready().ok());
    {
      auto store = this->open_on(backend);
      ASSERT_TRUE(store);
      append_audit(*store, 6);
    }
    backend.tamper(c.sql);
    auto store = this->open_on(backend);
    ASSERT_TRUE(store);
    auto v = store->verify_audit();
    ASSERT_TRUE(v.ok());
    EXPECT_FALSE(v->ok);
    EXPECT_EQ(v->first_bad_seq, c.first_bad) << v->problem;
  }
}

// Small disorder is sealed in order everywhere; a far older entry is refused by the one-writer
// store and sealed at the head's time by the store several nodes share.
TYPED_TEST(StoreConformance, AnEntryEarlierThanTheLastIsRefusedAndSmallDisorderIsSealedInOrder) {
  auto store = this->open();
  ASSERT_TRUE(store);
  append_audit(*store, 5);
  StoreBatch racing;
  racing.audit.push_back(make_audit_draft(at(5) - std::chrono::milliseconds(300), "a", "", "",
                                          "ex-1", "", "exported", json::object()));
  ASSERT_TRUE(store->apply(racing).ok());
  EXPECT_EQ(store->audit("ex-1")->back().at, format_utc(at(5)));  // sealed at the last time
  StoreBatch backdated;
  backdated.audit.push_back(
      make_audit_draft(TimePoint{}, "a", "", "", "ex-1", "", "exported", json::object()));
  const Status refused = store->apply(backdated);
  if (TypeParam::kLate == LateEntries::kRefused) {
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(refused.error().message().find("never moves back"), std::string::npos);
    EXPECT_EQ(store->audit("ex-1")->size(), 6u);  // nothing written
  } else {
    ASSERT_TRUE(refused.ok()) << refused.error().message();
    ASSERT_EQ(store->audit("ex-1")->size(), 7u);
    EXPECT_EQ(store->audit("ex-1")->back().at, format_utc(at(5)));
  }
  EXPECT_TRUE(store->verify_audit()->ok);
  append_audit(*store, 1, 7);
  EXPECT_TRUE(store->verify_audit()->ok) << "the chain goes on after a refused batch";
}

TYPED_TEST(StoreConformance, EventPayloadsAreCoveredByTheirEntries) {
  {
    auto store = this->open();
    ASSERT_TRUE(store);
    StoreBatch batch;
    for (uint64_t i = 1; i <= 3; ++i) {
      batch.events.push_back(
          {"ex-1", Event{i, at(i), EventType::kStepScheduled, "review", R"({"kind":"human"})"}});
      batch.audit.push_back(draft(static_cast<int>(i)));
      batch.audit.back().event_seq = i;
    }
    ASSERT_TRUE(store->apply(batch).ok());
    auto v = store->verify_audit();
    ASSERT_TRUE(v.ok());
    EXPECT_TRUE(v->ok) << v->problem;
    EXPECT_EQ(v->events, 3u);
    EXPECT_EQ(store->audit("ex-1")->front().event_hash,
              event_digest("ex-1", 1, (1798675200 + 1) * 1000LL, "step_scheduled", "review",
                           R"({"kind":"human"})"));
    EXPECT_EQ(store->audit("ex-1")->front().scheme, kAuditScheme);
  }
  for (const auto& [name, sql, kind] :
       {std::tuple{"modified", "UPDATE events SET data = '{\"kind\":\"plugin\"}' WHERE seq = 2",
                   "event_modified"},
        std::tuple{"deleted", "DELETE FROM events WHERE seq = 3", "event_deleted"},
        std::tuple{"unaudited",
                   "INSERT INTO events (execution_id, seq, at, type, step, data) VALUES ('ex-1', "
                   "9, 0, 'step_scheduled', 'review', '{}')",
                   "event_unaudited"}}) {
    for (const bool grouped : {false, true}) {
      SCOPED_TRACE(name);
      SCOPED_TRACE(grouped ? "one entry for the three events" : "an entry per event");
      TypeParam backend;
      ASSERT_TRUE(backend.ready().ok());
      {
        auto store = this->open_on(backend);
        ASSERT_TRUE(store);
        StoreBatch batch;
        std::vector<AuditDraft> drafts;
        for (uint64_t i = 1; i <= 3; ++i) {
          batch.events.push_back(
              {"ex-1", Event{i, at(i), EventType::kStepScheduled, "review", "{}"}});
          drafts.push_back(draft(static_cast<int>(i)));
          drafts.back().event_seq = i;
        }
        if (grouped) {
          append_grouped_audit(batch.audit, std::move(drafts));
        } else {
          batch.audit = std::move(drafts);
        }
        ASSERT_TRUE(store->apply(batch).ok());
      }
      backend.tamper(Sql{sql});
      auto v = this->open_on(backend)->verify_audit();
      ASSERT_TRUE(v.ok());
      EXPECT_FALSE(v->ok);
      EXPECT_EQ(v->kind, kind) << v->problem;
    }
  }
}

// An entry of scheme 3 records a run of consecutive events of one execution by one actor: the
// chain holds fewer entries, every event is still covered by its own digest (the first, a
// middle and the last of a run changed or gone are each found), and the execution's trail
// reads one record per event.
TYPED_TEST(StoreConformance, AnEntryOfSeveralEventsCoversEachOfThem) {
  const EventType types[] = {EventType::kStepScheduled, EventType::kAttemptStarted,
                             EventType::kStepSuspended, EventType::kTaskCompleted,
                             EventType::kStepScheduled};
  const auto step_of = [](uint64_t i) { return std::string(i < 5 ? "review" : "filing"); };
  const auto write = [&](Store& store) {
    StoreBatch batch;
    std::vector<AuditDraft> drafts;
    for (uint64_t i = 1; i <= 5; ++i) {
      batch.events.push_back(
          {"ex-1", Event{i, at(1), types[i - 1], step_of(i), json{{"n", i}}.dump()}});
      const bool person = i == 4;  // the engine's three events, a person's, the engine's next step
      drafts.push_back(make_audit_draft(at(1), person ? "officer.kim" : "engine",
                                        person ? "reviewer" : "", "", "ex-1", step_of(i),
                                        std::string(to_string(types[i - 1])), {{"event", i}}));
      drafts.back().event_seq = i;
    }
    append_grouped_audit(batch.audit, std::move(drafts));
    EXPECT_EQ(batch.audit.size(), 3u);
    return store.apply(batch);
  };
  {
    auto store = this->open();
    ASSERT_TRUE(store);
    ASSERT_TRUE(write(*store).ok());
    auto v = store->verify_audit();
    ASSERT_TRUE(v.ok()) << v.error().message();
    EXPECT_TRUE(v->ok) << v->problem;
    EXPECT_EQ(v->entries, 3u);
    EXPECT_EQ(v->events, 5u);
    auto trail = store->audit("ex-1");
    ASSERT_TRUE(trail.ok());
    ASSERT_EQ(trail->size(), 5u);
    for (uint64_t i = 1; i <= 5; ++i) {
      SCOPED_TRACE(i);
      const AuditRecord& r = (*trail)[i - 1];
      EXPECT_EQ(r.seq, i < 4 ? 1u : i - 2);
      EXPECT_EQ(r.part, i < 4 ? i : 0u);
      EXPECT_EQ(r.event_seq, i);
      EXPECT_EQ(r.type, to_string(types[i - 1]));
      EXPECT_EQ(r.step, step_of(i));
      EXPECT_EQ(r.actor, i == 4 ? "officer.kim" : "engine");
      EXPECT_EQ(json::parse(r.summary), (json{{"event", i}}));
      const Event e{i, at(1), types[i - 1], step_of(i), json{{"n", i}}.dump()};
      EXPECT_EQ(r.event_hash, stored_event_digest("ex-1", e));
    }
    EXPECT_EQ((*trail)[0].hash, (*trail)[2].hash) << "the parts of one entry";
    EXPECT_NE((*trail)[2].hash, (*trail)[3].hash);
    EXPECT_EQ(store->audit("")->size(), 5u);
  }
  for (const auto& [name, sql, kind] :
       {std::tuple{"first_modified", "UPDATE events SET data = '{\"n\":9}' WHERE seq = 1",
                   "event_modified"},
        std::tuple{"middle_modified", "UPDATE events SET data = '{\"n\":9}' WHERE seq = 2",
                   "event_modified"},
        std::tuple{"first_deleted", "DELETE FROM events WHERE seq = 1", "event_deleted"},
        std::tuple{"last_deleted", "DELETE FROM events WHERE seq = 3", "event_deleted"},
        std::tuple{"beyond_the_last_entry",
                   "INSERT INTO events (execution_id, seq, at, type, step, data) VALUES ('ex-1', "
                   "6, 0, 'step_scheduled', 'filing', '{}')",
                   "event_unaudited"},
        std::tuple{"entry_summary_modified",
                   "UPDATE audit SET summary = replace(summary, 'attempt_started', "
                   "'step_failed') WHERE seq = 1",
                   "summary_modified"},
        std::tuple{"moved_onto_another_entry", "UPDATE audit SET event_seq = 2 WHERE seq = 3",
                   "hash_mismatch"}}) {
    SCOPED_TRACE(name);
    TypeParam backend;
    ASSERT_TRUE(backend.ready().ok());
    {
      auto store = this->open_on(backend);
      ASSERT_TRUE(store);
      ASSERT_TRUE(write(*store).ok());
    }
    backend.tamper(Sql{sql});
    auto v = this->open_on(backend)->verify_audit();
    ASSERT_TRUE(v.ok()) << v.error().message();
    EXPECT_FALSE(v->ok);
    EXPECT_EQ(v->kind, kind) << v->problem;
  }
}

TYPED_TEST(StoreConformance, AnchorsCatchARewrittenOrShortenedChain) {
  auto store = this->open();
  ASSERT_TRUE(store);
  append_audit(*store, 4);
  const std::string third = store->audit("ex-1")->at(2).hash;
  auto held = store->verify_audit({AuditAnchor{3, third, "cp"}});
  EXPECT_TRUE(held->ok);
  EXPECT_EQ(held->anchors, 1u);
  auto rewritten = store->verify_audit({AuditAnchor{3, std::string(64, 'a'), "cp"}});
  EXPECT_EQ(rewritten->kind, "checkpoint_mismatch");
  auto shortened = store->verify_audit({AuditAnchor{9, third, "cp"}});
  EXPECT_EQ(shortened->kind, "truncated");
}

// Concurrent reads see whole batches: a reader never sees an execution without the events its
// batch wrote with it.
TYPED_TEST(StoreConformance, ReadersSeeWholeBatchesWhileTheWriterWrites) {
  auto store = this->open();
  ASSERT_TRUE(store);
  std::atomic<bool> done{false};
  std::atomic<int> torn{0};
  std::atomic<int> reads{0};
  std::atomic<int> failures{0};
  std::thread reader([&] {
    while (!done.load()) {
      auto stored = store->stored_execution("ex-1");
      if (!stored.ok()) ++failures;
      if (!stored.ok() || !stored->has_value()) continue;
      const int seq = stored_state(**stored).value("seq", 0);
      if (static_cast<int>((*stored)->parts.size()) != seq) ++torn;
      ++reads;
    }
  });
  for (int i = 1; i <= 60; ++i) {
    StoreBatch batch;
    batch.executions.push_back(execution("ex-1", ExecutionStatus::kRunning, 0, {{"seq", i}}));
    batch.parts.push_back(StatePart{"ex-1", "p/" + std::to_string(i), json{{"i", i}}});
    EXPECT_TRUE(store->apply(batch).ok());
  }
  while (reads.load() < 20 && failures.load() == 0) std::this_thread::yield();
  done = true;
  reader.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GE(reads.load(), 20);
  EXPECT_EQ(torn.load(), 0);
}

}  // namespace
}  // namespace coalition::store_conformance_test
