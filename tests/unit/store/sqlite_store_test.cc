// The SQLite store against real files: migrations, batches, workflow immutability, and an audit
// chain that detects every kind of tampering done to the file behind the store's back.
#include "store/sqlite_store.h"

#include "audit/audit_chain.h"
#include "audit/event_digest.h"
#include "common/utc_time.h"
#include "store/sqlite_migrations.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <thread>

#include "support/temp_dir.h"

namespace coalition {
namespace {

using nlohmann::json;

TimePoint at(int64_t seconds) {
  return TimePoint(std::chrono::seconds(1798675200 + seconds));
}

AuditDraft draft(int i) {
  return make_audit_draft(at(i), "officer.kim", "reviewer", "northwind", "ex-1", "review",
                          "task_completed", {{"task", "ex-1.t" + std::to_string(i)}});
}

// Runs SQL on the store file directly, as an attacker with file access would.
void tamper(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  char* message = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message), SQLITE_OK)
      << (message ? message : "");
  sqlite3_free(message);
  sqlite3_close(db);
}

// The first column of every row `sql` gives, read from the store file directly, as text.
std::vector<std::string> first_column(const std::filesystem::path& file, const std::string& sql) {
  std::vector<std::string> out;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &q, nullptr), SQLITE_OK) << sql;
  while (q != nullptr && sqlite3_step(q) == SQLITE_ROW) {
    out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(q, 0)));
  }
  sqlite3_finalize(q);
  sqlite3_close(db);
  return out;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteStore> open() {
    auto store = SqliteStore::open(SqliteOptions{file_.string()});
    EXPECT_TRUE(store.ok()) << store.error().message();
    return std::move(*store);
  }
  // Entries first..first+n-1, a minute apart: audit time never moves back.
  void append_audit(SqliteStore& store, int n, int first = 1) {
    StoreBatch batch;
    for (int i = first; i < first + n; ++i) batch.audit.push_back(draft(i));
    ASSERT_TRUE(store.apply(batch).ok());
  }
  test::TempDir dir_;
  std::filesystem::path file_ = dir_.path() / "store.db";
};

TEST_F(SqliteStoreTest, FreshStoreIsMigratedToTheCurrentSchema) {
  open();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, nullptr);
  ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(q, 0), SqliteStore::schema_version());
  sqlite3_finalize(q);
  sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &q, nullptr);
  ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(q, 0)), "wal");
  sqlite3_finalize(q);
  sqlite3_close(db);
}

// Commits never wait for a checkpoint: a thread of the store copies the log into the database
// file once it has grown past SQLite's usual threshold (1,000 pages, ~4 MB). Until that copy,
// the database file holds the schema only; afterwards, at least the first ~4 MB of the ~6 MB
// committed here (the log starts again after a complete copy, and its rest stays below the
// threshold).
TEST_F(SqliteStoreTest, TheLogIsCopiedIntoTheDatabaseFileAsItGrows) {
  auto store = open();
  const auto schema_only = std::filesystem::file_size(file_);
  const std::string filler(100000, 'x');
  for (int i = 0; i < 60; ++i) {
    StoreBatch batch;
    batch.executions.push_back(ExecutionRecord{
        "ex-" + std::to_string(i), "review", 1, ExecutionStatus::kWaiting, "lead.lee", at(0), at(i),
        std::nullopt, json{{"filler", filler}}, ExecutionResult{}});
    ASSERT_TRUE(store->apply(batch).ok());
  }
  // Waits for the copy (never asserts how fast it is).
  for (int i = 0; i < 1000 && std::filesystem::file_size(file_) < schema_only + 3000000; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GE(std::filesystem::file_size(file_), schema_only + 3000000);
  auto back = store->execution("ex-59");
  ASSERT_TRUE(back.ok() && back->has_value());
  EXPECT_EQ((**back).state["filler"].get<std::string>().size(), filler.size());
}

TEST_F(SqliteStoreTest, StoreFromANewerVersionIsRefusedWithAClearMessage) {
  open();
  tamper(file_, "PRAGMA user_version = " + std::to_string(SqliteStore::schema_version() + 1));
  auto store = SqliteStore::open(SqliteOptions{file_.string()});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code(), ErrorCode::kConfiguration);
  EXPECT_NE(store.error().message().find("written by a newer Coalition"), std::string::npos)
      << store.error().message();
}

// What reloading an execution reads, in one read transaction: the record with its
// interruptions and state parts; nothing for an unknown id; and the connection it read on is
// left outside any transaction (a later commit is seen, and nothing holds the writer), on a
// file and in memory alike.
TEST_F(SqliteStoreTest, StoredExecutionReadsTheRecordItsInterruptionsAndPartsAsOne) {
  for (const std::string& path : {file_.string(), std::string(":memory:")}) {
    SCOPED_TRACE(path);
    auto opened = SqliteStore::open(SqliteOptions{path});
    ASSERT_TRUE(opened.ok()) << opened.error().message();
    auto& store = **opened;
    StoreBatch batch;
    batch.executions.push_back(ExecutionRecord{"ex-1", "review", 2, ExecutionStatus::kWaiting,
                                               "lead.lee", at(0), at(5), at(60), json{{"seq", 2}},
                                               ExecutionResult{}});
    batch.interruptions.emplace_back("ex-1", 2);
    batch.parts.push_back(StatePart{"ex-1", "layer/1", json{{"item", "a"}}});
    batch.parts.push_back(StatePart{"ex-1", "layer/2", json{{"item", "b"}}});
    ASSERT_TRUE(store.apply(batch).ok());

    auto stored = store.stored_execution("ex-1");
    ASSERT_TRUE(stored.ok()) << stored.error().message();
    ASSERT_TRUE(stored->has_value());
    EXPECT_EQ((*stored)->record.id, "ex-1");
    EXPECT_EQ((*stored)->record.state["seq"], 2);
    EXPECT_EQ((*stored)->interruptions, 2U);
    ASSERT_EQ((*stored)->parts.size(), 2U);
    EXPECT_EQ((*stored)->parts.at("layer/2")["item"], "b");

    auto unknown = store.stored_execution("ex-404");
    ASSERT_TRUE(unknown.ok());
    EXPECT_FALSE(unknown->has_value());

    StoreBatch later;
    later.executions.push_back(ExecutionRecord{"ex-1", "review", 2, ExecutionStatus::kRunning,
                                               "lead.lee", at(0), at(9), std::nullopt,
                                               json{{"seq", 3}}, ExecutionResult{}});
    later.part_drops.push_back(StatePartDrop{"ex-1", ""});
    ASSERT_TRUE(store.apply(later).ok()) << "no read transaction holds the writer";
    stored = store.stored_execution("ex-1");
    ASSERT_TRUE(stored.ok() && stored->has_value());
    EXPECT_EQ((*stored)->record.state["seq"], 3) << "a later commit is seen: no stale snapshot";
    EXPECT_TRUE((*stored)->parts.empty());
  }
}

// Snapshots and state parts are written as MessagePack BLOBs and read back as the same
// documents; JSON text, which stores written before hold there, still reads.
TEST_F(SqliteStoreTest, SnapshotsAreWrittenAsMessagePackAndOldJsonTextStillReads) {
  const json state = {{"seq", 12},
                      {"frames", {{{"id", 1}, {"path", "review/über"}, {"due", -5}}}},
                      {"big", 18446744073709551615ULL},
                      {"share", 0.25},
                      {"done", true},
                      {"none", nullptr},
                      {"empty", json::object()}};
  {
    auto store = open();
    StoreBatch batch;
    batch.executions.push_back(ExecutionRecord{"ex-1", "review", 1, ExecutionStatus::kRunning,
                                               "lead.lee", at(0), at(5), std::nullopt, state,
                                               ExecutionResult{}});
    batch.parts.push_back(StatePart{"ex-1", "layer/1", json{{"item", "a"}, {"n", 3}}});
    ASSERT_TRUE(store->apply(batch).ok());
    StoreBatch failed;
    failed.executions.push_back(ExecutionRecord{"ex-1", "review", 1, ExecutionStatus::kFailed,
                                                "lead.lee", at(0), at(9), std::nullopt,
                                                json{{"seq", 13}}, ExecutionResult{}});
    ASSERT_TRUE(store->apply(failed).ok());
    auto record = store->execution("ex-1");
    ASSERT_TRUE(record.ok() && record->has_value());
    EXPECT_EQ((*record)->state, (json{{"seq", 13}}));
    auto retry = store->retry_point("ex-1");
    ASSERT_TRUE(retry.ok() && retry->has_value()) << "the running snapshot is kept on failure";
    EXPECT_EQ(**retry, state);
    auto parts = store->state_parts("ex-1");
    ASSERT_TRUE(parts.ok());
    EXPECT_EQ(parts->at("layer/1"), (json{{"item", "a"}, {"n", 3}}));
  }
  EXPECT_EQ(first_column(file_,
                         "SELECT typeof(e.state) || ' ' || typeof(e.resume_state) || ' ' || "
                         "typeof(p.body) FROM executions e JOIN state_parts p ON p.execution_id = "
                         "e.id"),
            std::vector<std::string>{"blob blob blob"});

  tamper(file_,
         "UPDATE executions SET state = '{\"seq\":7}', resume_state = '{\"seq\":6}'; "
         "UPDATE state_parts SET body = '{\"item\":\"old\"}'");
  auto store = open();
  auto record = store->execution("ex-1");
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->state, (json{{"seq", 7}}));
  auto retry = store->retry_point("ex-1");
  ASSERT_TRUE(retry.ok() && retry->has_value());
  EXPECT_EQ(**retry, (json{{"seq", 6}}));
  EXPECT_EQ(store->state_parts("ex-1")->at("layer/1"), (json{{"item", "old"}}));

  tamper(file_, "UPDATE executions SET resume_state = X'C1'");  // never valid MessagePack
  retry = store->retry_point("ex-1");
  ASSERT_FALSE(retry.ok());
  EXPECT_NE(retry.error().message().find("retry point of ex-1 is unreadable"), std::string::npos)
      << retry.error().message();
}

TEST_F(SqliteStoreTest, BatchRoundTripsExecutionsEventsAndTasks) {
  auto store = open();
  StoreBatch batch;
  batch.executions.push_back(ExecutionRecord{"ex-1", "review", 2, ExecutionStatus::kWaiting,
                                             "lead.lee", at(0), at(5), at(60), json{{"seq", 2}},
                                             ExecutionResult{}});
  batch.events.push_back({"ex-1", Event{1, at(0), EventType::kExecutionStarted, "", {{"a", 1}}}});
  batch.events.push_back(
      {"ex-1", Event{2, at(5), EventType::kTaskCreated, "review", {{"task", "ex-1.t1"}}}});
  batch.tasks.push_back(TaskRecord{"ex-1.t1", "ex-1", "review", TaskStatus::kOpen, at(60), at(5),
                                   json{{"roles", {"reviewer"}}}});
  ASSERT_TRUE(store->apply(batch).ok());

  auto record = store->execution("ex-1");
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->status, ExecutionStatus::kWaiting);
  EXPECT_EQ((*record)->workflow_version, 2);
  EXPECT_EQ((*record)->next_due, at(60));
  EXPECT_EQ((*record)->state["seq"], 2);
  auto history = store->history("ex-1");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[1].type, EventType::kTaskCreated);
  EXPECT_EQ((*history)[1].data["task"], "ex-1.t1");
  auto active = store->active_executions();
  ASSERT_TRUE(active.ok());
  EXPECT_EQ(active->size(), 1u);
  EXPECT_EQ(store->tasks(TaskFilter{"", "reviewer", true})->size(), 1u);
  EXPECT_EQ(store->tasks(TaskFilter{"", "analyst", true})->size(), 0u);

  // Appending an event twice is refused and nothing of that batch is written.
  StoreBatch again;
  again.executions.push_back(ExecutionRecord{"ex-1", "review", 2, ExecutionStatus::kSucceeded,
                                             "lead.lee", at(0), at(9), std::nullopt, json(),
                                             ExecutionResult{}});
  again.events.push_back({"ex-1", Event{2, at(9), EventType::kExecutionCompleted, "", {}}});
  EXPECT_FALSE(store->apply(again).ok());
  EXPECT_EQ((*store->execution("ex-1"))->status, ExecutionStatus::kWaiting);
}

// A status word the store never writes (an edited file, a newer engine's word) is refused where it
// is read, naming the record, and never read as another status.
TEST_F(SqliteStoreTest, AnUnknownStatusInTheFileIsRefusedWhereItIsRead) {
  {
    auto store = open();
    StoreBatch batch;
    batch.executions.push_back(ExecutionRecord{"ex-1", "review", 1, ExecutionStatus::kWaiting,
                                               "lead.lee", at(0), at(5), at(60), json::object(),
                                               ExecutionResult{}});
    batch.tasks.push_back(TaskRecord{"ex-1.t1", "ex-1", "review", TaskStatus::kOpen, at(60), at(5),
                                     json{{"roles", {"reviewer"}}}});
    ASSERT_TRUE(store->apply(batch).ok());
  }
  tamper(file_, "UPDATE executions SET status = 'paused' WHERE id = 'ex-1'");
  tamper(file_, "UPDATE tasks SET status = 'closed' WHERE id = 'ex-1.t1'");
  auto store = open();
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

// A result is written and read back typed; one the engine never writes (an edited file) is
// refused naming the record, never shown as an output or an error nobody produced.
TEST_F(SqliteStoreTest, AResultIsReadBackTypedAndAnEditedOneIsRefused) {
  {
    auto store = open();
    StoreBatch batch;
    batch.executions.push_back(ExecutionRecord{
        "ex-1", "review", 1, ExecutionStatus::kFailed, "lead.lee", at(0), at(5), std::nullopt,
        json::object(),
        ExecutionResult::failed({"workflow.timeout", "the workflow's timeout struck", ""})});
    batch.executions.push_back(ExecutionRecord{
        "ex-2", "review", 1, ExecutionStatus::kSucceeded, "lead.lee", at(0), at(6), std::nullopt,
        json::object(), ExecutionResult::succeeded({{"decision", "ok"}})});
    ASSERT_TRUE(store->apply(batch).ok());
  }
  {
    auto store = open();
    const auto failed = store->execution("ex-1");
    ASSERT_TRUE(failed.ok() && *failed);
    ASSERT_TRUE((*failed)->result.error);
    EXPECT_EQ((*failed)->result.error->code, "workflow.timeout");
    EXPECT_FALSE((*failed)->result.output);
    const auto succeeded = store->execution("ex-2");
    ASSERT_TRUE(succeeded.ok() && *succeeded);
    EXPECT_EQ((*succeeded)->result, ExecutionResult::succeeded({{"decision", "ok"}}));
  }
  tamper(file_,
         R"(UPDATE executions SET result = '{"error": {"message": "no code"}}' WHERE id = 'ex-1')");
  tamper(file_, R"(UPDATE executions SET result = '{"outcome": 1}' WHERE id = 'ex-2')");
  auto store = open();
  const auto failed = store->execution("ex-1");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code(), ErrorCode::kInvalidData);
  EXPECT_EQ(failed.error().pointer(), "/error/code");
  EXPECT_NE(failed.error().message().find("execution ex-1 has a stored result"), std::string::npos)
      << failed.error().message();
  const auto succeeded = store->execution("ex-2");
  ASSERT_FALSE(succeeded.ok());
  EXPECT_NE(succeeded.error().message().find("\"outcome\", which no engine writes"),
            std::string::npos)
      << succeeded.error().message();
}

TEST_F(SqliteStoreTest, AChangedDefinitionUnderAUsedVersionIsRefused) {
  auto store = open();
  StoreBatch first;
  first.workflows.push_back(WorkflowRecord{"review", 1, "digest-a", "{\"a\":1}"});
  ASSERT_TRUE(store->apply(first).ok());
  ASSERT_TRUE(store->apply(first).ok());  // the same definition again is fine
  StoreBatch changed;
  changed.workflows.push_back(WorkflowRecord{"review", 1, "digest-b", "{\"a\":2}"});
  auto s = store->apply(changed);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kConflict);
  EXPECT_NE(s.error().message().find("new version"), std::string::npos);
  EXPECT_EQ((*store->workflow("review", 1))->document, "{\"a\":1}");
}

TEST_F(SqliteStoreTest, AuditChainVerifiesAcrossBatchesAndReopening) {
  {
    auto store = open();
    append_audit(*store, 3);
    append_audit(*store, 2, 4);
  }
  auto store = open();
  auto v = store->verify_audit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->entries, 5u);
  auto entries = store->audit("ex-1");
  ASSERT_EQ(entries->size(), 5u);
  EXPECT_EQ((*entries)[4].prev_hash, (*entries)[3].hash);
}

struct Tampering {
  const char* name;
  const char* sql;
  uint64_t first_bad;
};

class AuditTamperTest : public SqliteStoreTest, public ::testing::WithParamInterface<Tampering> {};

TEST_P(AuditTamperTest, IsDetectedAtTheFirstBadEntry) {
  {
    auto store = open();
    append_audit(*store, 6);
  }
  tamper(file_, GetParam().sql);
  auto store = open();
  auto v = store->verify_audit();
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_bad_seq, GetParam().first_bad) << v->problem;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, AuditTamperTest,
    ::testing::Values(
        Tampering{"modified_actor", "UPDATE audit SET actor = 'someone.else' WHERE seq = 3", 3},
        Tampering{"modified_summary",
                  "UPDATE audit SET summary = '{\"task\":\"ex-9.t9\"}' WHERE seq = 4", 4},
        Tampering{"deleted", "DELETE FROM audit WHERE seq = 2", 2},
        Tampering{
            "inserted",
            "UPDATE audit SET seq = seq + 100 WHERE seq >= 5; UPDATE audit SET seq = seq - 99 "
            "WHERE seq > 100; INSERT INTO audit SELECT 5, at, "
            "actor, role, organisation, execution_id, step, type, summary, summary_hash, "
            "prev_hash, hash, scheme, event_seq, event_hash FROM audit WHERE seq = 4",
            5},
        Tampering{"reordered",
                  "UPDATE audit SET seq = 100 WHERE seq = 2; UPDATE audit SET seq = 2 WHERE seq = "
                  "3; UPDATE audit SET seq = 3 WHERE seq = 100",
                  2},
        Tampering{"truncated", "DELETE FROM audit WHERE seq = 6", 6},
        Tampering{"backdated_without_rehash",
                  "UPDATE audit SET at = '2020-01-01T00:00:00.000Z' WHERE seq = 3", 3},
        Tampering{"rehashed_one_entry",
                  "UPDATE audit SET hash = CAST(X'ff' || substr(hash, 2) AS BLOB) WHERE seq = 1",
                  1}),
    [](const auto& p) { return std::string(p.param.name); });

TEST_F(SqliteStoreTest, AnEntryEarlierThanTheLastIsRefusedAndSmallDisorderIsSealedInOrder) {
  auto store = open();
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
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error().message().find("never moves back"), std::string::npos);
  EXPECT_EQ(store->audit("ex-1")->size(), 6u);  // nothing written
  EXPECT_TRUE(store->verify_audit()->ok);
}

TEST_F(SqliteStoreTest, EventPayloadsAreCoveredByTheirEntries) {
  {
    auto store = open();
    StoreBatch batch;
    for (uint64_t i = 1; i <= 3; ++i) {
      batch.events.push_back(
          {"ex-1", Event{i, at(i), EventType::kStepScheduled, "review", {{"kind", "human"}}}});
      batch.audit.push_back(draft(static_cast<int>(i)));
      batch.audit.back().event_seq = i;
    }
    ASSERT_TRUE(store->apply(batch).ok());
    auto v = store->verify_audit();
    ASSERT_TRUE(v.ok());
    EXPECT_TRUE(v->ok) << v->problem;
    EXPECT_EQ(v->events, 3u);
    // Stored as its 32 bytes, read back as the hex digest of the event's stored fields.
    EXPECT_EQ(store->audit("ex-1")->front().event_hash,
              event_digest("ex-1", 1, (1798675200 + 1) * 1000LL, "step_scheduled", "review",
                           R"({"kind":"human"})"));
  }
  tamper(file_, "UPDATE events SET data = '{\"kind\":\"plugin\"}' WHERE seq = 2");
  auto v = open()->verify_audit();
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->kind, "event_modified");
  EXPECT_EQ(v->first_bad_seq, 2u);
}

TEST_F(SqliteStoreTest, AnchorsCatchARewrittenOrShortenedChain) {
  auto store = open();
  append_audit(*store, 4);
  const std::string third = store->audit("ex-1")->at(2).hash;
  EXPECT_TRUE(store->verify_audit({AuditAnchor{3, third, "cp"}})->ok);
  auto rewritten = store->verify_audit({AuditAnchor{3, std::string(64, 'a'), "cp"}});
  EXPECT_EQ(rewritten->kind, "checkpoint_mismatch");
  auto shortened = store->verify_audit({AuditAnchor{9, third, "cp"}});
  EXPECT_EQ(shortened->kind, "truncated");
}

// A store written before event digests (schema 2) opens, upgrades, keeps verifying its old
// entries by their old scheme and appends new ones under the new one.
TEST_F(SqliteStoreTest, ASchemaTwoStoreIsUpgradedAndStillVerifies) {
  std::string old_hash;
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file_.c_str(), &db), SQLITE_OK);
    for (int v = 0; v < 2; ++v) {
      ASSERT_EQ(sqlite3_exec(db, sqlite_migrations()[v], nullptr, nullptr, nullptr), SQLITE_OK);
    }
    AuditRecord old = seal_audit_entry(draft(1), 1, kAuditGenesisHash, at(1));
    old.scheme = 1;
    old.hash = audit_entry_hash(old);
    old_hash = old.hash;
    const std::string sql =
        "PRAGMA user_version = 2; INSERT INTO audit VALUES (1, '" + old.at +
        "', 'officer.kim', 'reviewer', 'northwind', 'ex-1', 'review', 'task_completed', '" +
        old.summary + "', '" + old.summary_hash + "', '" + old.prev_hash + "', '" + old.hash +
        "'); INSERT INTO events VALUES ('ex-1', 1, 0, 'step_scheduled', 'review', '{}');"
        "INSERT INTO meta VALUES ('audit_head', '1:" +
        old.hash + "');";
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  auto store = open();
  append_audit(*store, 2);
  auto v = store->verify_audit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->entries, 3u);
  EXPECT_EQ(v->unanchored_events, 1u);
  EXPECT_EQ(store->audit("ex-1")->front().scheme, 1);
  EXPECT_EQ(store->audit("ex-1")->back().scheme, 2);
  EXPECT_EQ(store->audit("ex-1")->at(1).prev_hash, old_hash) << "read as the hex it was written";
  store.reset();
  // The entries written since keep each digest as its 32 bytes; the old one's stay its text. An
  // entry without an event has no event digest: its empty text.
  EXPECT_EQ(
      first_column(file_,
                   "SELECT typeof(summary_hash) || typeof(prev_hash) || typeof(hash) || "
                   "length(hash) || typeof(event_hash) FROM audit ORDER BY seq"),
      (std::vector<std::string>{"texttexttext64text", "blobblobblob32text", "blobblobblob32text"}));
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

TEST_F(SqliteStoreTest, AnInboxListsTheOrganisationsTasksForTheRolesInDueOrderByPages) {
  auto store = open();
  StoreBatch batch;
  batch.tasks = {inbox_task("a", "northbank", {"reviewer"}, 300),
                 inbox_task("b", "northbank", {"deputy", "reviewer"}, 100, 1),
                 inbox_task("c", "southbank", {"reviewer"}, 50),
                 inbox_task("d", "", {"reviewer"}, 200),
                 inbox_task("e", "northbank", json::array(), std::nullopt),
                 inbox_task("f", "northbank", {"analyst"}, 10),
                 inbox_task("g", "northbank", {"reviewer,analyst"}, 20),
                 inbox_task("h", "northbank", {"reviewer"}, 100)};
  TaskRecord done = inbox_task("i", "northbank", {"reviewer"}, 5);
  done.status = TaskStatus::kCompleted;
  batch.tasks.push_back(done);
  ASSERT_TRUE(store->apply(batch).ok());

  InboxFilter f;
  f.organisation = "northbank";
  f.roles = {"reviewer"};
  auto all = store->inbox(f);
  ASSERT_TRUE(all.ok());
  // Organisation or none; a role held (a role name holding a comma is not two roles); a task
  // with no roles; due order with ties by id, no deadline last; open only.
  EXPECT_EQ(ids_of(*all), (std::vector<std::string>{"b", "h", "d", "a", "e"}));
  const json summary = json::parse((*all)[0].summary);
  EXPECT_EQ(summary["status"], "open");
  EXPECT_EQ(summary["title"], "T b");
  EXPECT_FALSE(summary.contains("answer_schema"));
  EXPECT_FALSE(summary.contains("instructions"));

  // Pages: each continues after the last of the previous one.
  f.limit = 2;
  std::vector<std::string> paged;
  for (int page = 0; page < 5; ++page) {
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
  EXPECT_EQ(ids_of(*store->inbox(overdue)), (std::vector<std::string>{"f", "b", "h"}));
  InboxFilter escalated = f;
  escalated.after_id.clear();
  escalated.after_due.reset();
  escalated.escalated = true;
  EXPECT_EQ(ids_of(*store->inbox(escalated)), std::vector<std::string>{"b"});
  InboxFilter nobody;
  nobody.organisation = "northbank";
  EXPECT_EQ(ids_of(*store->inbox(nobody)), std::vector<std::string>{"e"});
}

// Coordinators look across members for executions whose deadline escalated: an open task at a
// tier above the first, not one that escalated and was then completed.
TEST_F(SqliteStoreTest, ExecutionsWithAnEscalatedOpenTaskAreFound) {
  auto store = open();
  StoreBatch batch;
  for (const char* id : {"ex-a", "ex-b", "ex-c"}) {
    batch.executions.push_back(ExecutionRecord{id, "review", 1, ExecutionStatus::kWaiting,
                                               "lead.lee", at(0), at(5), std::nullopt,
                                               json::object(), ExecutionResult{}});
  }
  batch.tasks = {inbox_task("a", "northbank", {"deputy"}, 100, 1),
                 inbox_task("b", "northbank", {"reviewer"}, 100, 0),
                 inbox_task("c", "southbank", {"cco"}, 100, 2)};
  batch.tasks[2].status = TaskStatus::kCompleted;
  ASSERT_TRUE(store->apply(batch).ok());
  ExecutionFilter f;
  f.escalated = true;
  auto found = store->executions(f);
  ASSERT_TRUE(found.ok()) << found.error().message();
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].id, "ex-a");
  f.escalated = false;
  EXPECT_EQ(store->executions(f)->size(), 3u);
}

TEST_F(SqliteStoreTest, LegalHoldsAreListedInForceOrAllMostRecentFirst) {
  auto store = open();
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
}

}  // namespace
// A notification is inserted once (the event's id keeps a replay from adding another), found
// when due, updated in place, and gone with its execution's purge.
TEST_F(SqliteStoreTest, NotificationsAreOwedOnceDueInOrderAndPurgedWithTheirExecution) {
  auto store = open();
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
  EXPECT_EQ(store->due_notifications(t0 + std::chrono::hours(2), 10)->size(), 1u);

  StoreBatch purge;
  Redaction everything;
  everything.execution_id = "ex-1";
  everything.everything = true;
  purge.redactions.push_back(std::move(everything));
  ASSERT_TRUE(store->apply(purge).ok());
  EXPECT_TRUE(store->notifications({"ex-1", std::nullopt, 10})->empty());
}

}  // namespace coalition
