// What the SQLite store promises beyond the Store contract (tests/conformance/ checks that, on
// every backend), against real files: its schema version and write-ahead log, the background
// copy of the log, reads in one transaction on a file and in memory, and its encodings —
// MessagePack snapshots, 32-byte digests — beside the text older stores hold.
#include "store/sqlite_store.h"
#include "store/stored_forms.h"

#include "audit/audit_chain.h"
#include "audit/event_digest.h"
#include "common/utc_time.h"
#include "store/sqlite_event_runs.h"
#include "store/sqlite_migrations.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "support/temp_dir.h"

namespace coalition::sqlite_store_test {
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

// Schema 20 keeps a task as its summary and its form (answer_schema, instructions, items), not
// the whole document beside a summary that repeats most of it. A schema-19 store's tasks keep
// their forms, JSON true and false included, and read back whole; a task written now stores
// only its form in `doc`.
TEST_F(SqliteStoreTest, ATaskIsStoredAsItsSummaryAndItsFormAndASchema19StoreKeepsItsTasks) {
  const json old_doc = json::parse(R"({"id": "ex-1.t1", "execution": "ex-1", "title": "Review",
    "roles": ["analyst"], "status": "open", "completions": [], "instructions": "Say \"yes\".",
    "answer_schema": {"type": "object", "additionalProperties": false,
                      "properties": {"ok": {"type": "boolean", "default": true}}},
    "items": [{"id": "a", "required": false}]})");
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file_.c_str(), &db), SQLITE_OK);
    for (int v = 0; v < 19; ++v) {
      ASSERT_EQ(sqlite3_exec(db, sqlite_migrations()[v], nullptr, nullptr, nullptr), SQLITE_OK);
    }
    TaskRecord t{"ex-1.t1", "ex-1", "review", TaskStatus::kOpen, std::nullopt, at(0), old_doc};
    const std::string insert =
        "PRAGMA user_version = 19; INSERT INTO tasks (id, execution_id, step, status, due, "
        "created_at, doc, summary) VALUES ('ex-1.t1', 'ex-1', 'review', 'open', NULL, 0, '" +
        old_doc.dump() + "', '" + task_summary(t).dump() + "')";
    ASSERT_EQ(sqlite3_exec(db, insert.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    // A form member that is JSON true at the top (a schema that takes any answer).
    const std::string any =
        "INSERT INTO tasks (id, execution_id, step, status, due, created_at, doc, summary) "
        "VALUES ('ex-3.t1', 'ex-3', 'review', 'open', NULL, 0, "
        "'{\"answer_schema\":true,\"title\":\"Any\",\"status\":\"open\"}', "
        "'{\"title\":\"Any\",\"status\":\"open\"}')";
    ASSERT_EQ(sqlite3_exec(db, any.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  auto store = open();
  auto back = store->task("ex-1.t1");
  ASSERT_TRUE(back.ok() && back->has_value());
  EXPECT_EQ((*back)->doc, old_doc);
  EXPECT_EQ(first_column(file_, "SELECT doc FROM tasks WHERE id = 'ex-3.t1'").at(0),
            R"({"answer_schema":true})");
  back = store->task("ex-3.t1");
  ASSERT_TRUE(back.ok() && back->has_value());
  EXPECT_EQ((*back)->doc, json({{"answer_schema", true}, {"title", "Any"}, {"status", "open"}}));
  const json form =
      json::parse(first_column(file_, "SELECT doc FROM tasks WHERE id = 'ex-1.t1'").at(0));
  EXPECT_EQ(form, json({{"answer_schema", old_doc["answer_schema"]},
                        {"instructions", old_doc["instructions"]},
                        {"items", old_doc["items"]}}));

  json doc = old_doc;
  doc["id"] = "ex-2.t1";
  doc["execution"] = "ex-2";
  doc.erase("items");
  StoreBatch batch;
  batch.tasks.push_back(
      TaskRecord{"ex-2.t1", "ex-2", "review", TaskStatus::kOpen, std::nullopt, at(1), doc});
  ASSERT_TRUE(store->apply(batch).ok());
  back = store->task("ex-2.t1");
  ASSERT_TRUE(back.ok() && back->has_value());
  EXPECT_EQ((*back)->doc, doc);
  EXPECT_EQ(json::parse(first_column(file_, "SELECT doc FROM tasks WHERE id = 'ex-2.t1'").at(0)),
            json({{"answer_schema", doc["answer_schema"]}, {"instructions", doc["instructions"]}}));
}

// How many temporary b-trees (OpenEphemeral) the program of `sql` opens, read from the store
// file directly.
int temporary_tables(const std::filesystem::path& file, const std::string& sql) {
  int n = 0;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, ("EXPLAIN " + sql).c_str(), -1, &q, nullptr), SQLITE_OK);
  while (q != nullptr && sqlite3_step(q) == SQLITE_ROW) {
    if (std::string(reinterpret_cast<const char*>(sqlite3_column_text(q, 1))) == "OpenEphemeral") {
      ++n;
    }
  }
  sqlite3_finalize(q);
  sqlite3_close(db);
  return n;
}

// Every execution row written is tested against the partial indexes' predicates, old row and
// new; a predicate with an IN list made SQLite build a temporary b-tree of the list for each
// test (three per row written, a fifth of the writer's time under load). Schema 15 names the
// statuses with = and OR; a store of schema 14 is migrated to it.
TEST_F(SqliteStoreTest, WritingAnExecutionRowBuildsNoTemporaryTable) {
  const std::string upsert =
      "INSERT INTO executions (id, workflow_id, workflow_version, status, initiator, started_at, "
      "updated_at, next_due, state, result) VALUES ('ex-1', 'w', 1, 'running', 'engine', 1, 1, "
      "NULL, X'80', '') ON CONFLICT (id) DO UPDATE SET status = excluded.status";
  open();
  EXPECT_EQ(temporary_tables(file_, upsert), 0);
  EXPECT_EQ(temporary_tables(file_, "UPDATE executions SET status = 'succeeded'"), 0);

  // A store as schema 14 left it.
  const auto old = file_.parent_path() / "schema-14.db";
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(old.c_str(), &db), SQLITE_OK);
    for (int v = 0; v < 14; ++v) {
      ASSERT_EQ(sqlite3_exec(db, sqlite_migrations()[v], nullptr, nullptr, nullptr), SQLITE_OK);
    }
    ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 14", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  EXPECT_GT(temporary_tables(old, upsert), 0);  // what schema 14 cost
  ASSERT_TRUE(SqliteStore::open(SqliteOptions{old.string()}).ok());
  EXPECT_EQ(temporary_tables(old, upsert), 0);
  const auto indexes = first_column(old,
                                    "SELECT sql FROM sqlite_master WHERE name IN "
                                    "('executions_active', 'executions_finished')");
  ASSERT_EQ(indexes.size(), 2u);
  for (const auto& sql : indexes) EXPECT_EQ(sql.find(" IN "), std::string::npos) << sql;
}

// Commits never wait for a checkpoint: a thread of the store copies the log into the database
// file once it has grown past its threshold (here 1,000 pages, ~4 MB). Until that copy,
// the database file holds the schema only; afterwards, at least the first ~4 MB of the ~6 MB
// committed here (the log starts again after a complete copy, and its rest stays below the
// threshold).
TEST_F(SqliteStoreTest, TheLogIsCopiedIntoTheDatabaseFileAsItGrows) {
  auto opened = SqliteStore::open(
      SqliteOptions{.path = file_.string(), .synchronous = "FULL", .checkpoint_pages = 1000});
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  auto store = std::move(*opened);
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
    EXPECT_EQ(stored_state(**stored)["seq"], 2);
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
    EXPECT_EQ(stored_state(**stored)["seq"], 3) << "a later commit is seen: no stale snapshot";
    EXPECT_TRUE((*stored)->parts.empty());
  }
}

// Several executions read back together (a storm of wake-ups): one answer per id in the ids'
// order, each what stored_execution gives for it alone, an unknown id's empty among them; the
// read transaction ends with the call (a later commit is seen), on a file and in memory alike.
TEST_F(SqliteStoreTest, StoredExecutionsReadEachAsStoredExecutionDoesInTheirOrder) {
  for (const std::string& path : {file_.string(), std::string(":memory:")}) {
    SCOPED_TRACE(path);
    auto opened = SqliteStore::open(SqliteOptions{path});
    ASSERT_TRUE(opened.ok()) << opened.error().message();
    auto& store = **opened;
    EXPECT_TRUE(store.stored_executions({}).empty());
    StoreBatch batch;
    for (int i = 1; i <= 3; ++i) {
      batch.executions.push_back(ExecutionRecord{
          "ex-" + std::to_string(i), "review", 2, ExecutionStatus::kWaiting, "lead.lee", at(0),
          at(i), at(60 + i), json{{"seq", 10 * i}}, ExecutionResult{}});
    }
    batch.interruptions.emplace_back("ex-3", 4);
    batch.parts.push_back(StatePart{"ex-2", "layer/1", json{{"item", "b"}}});
    ASSERT_TRUE(store.apply(batch).ok());

    const std::vector<std::string> ids = {"ex-3", "ex-404", "ex-1", "ex-2"};
    auto read = store.stored_executions(ids);
    ASSERT_EQ(read.size(), ids.size());
    for (size_t i = 0; i < ids.size(); ++i) {
      SCOPED_TRACE(ids[i]);
      auto alone = store.stored_execution(ids[i]);
      ASSERT_TRUE(read[i].ok() && alone.ok());
      ASSERT_EQ(read[i]->has_value(), alone->has_value());
      if (!alone->has_value()) continue;
      EXPECT_EQ((*read[i])->record.id, ids[i]);
      EXPECT_EQ((*read[i])->record.updated_at, (*alone)->record.updated_at);
      EXPECT_EQ(stored_state(**read[i]), stored_state(**alone));
      EXPECT_EQ((*read[i])->interruptions, (*alone)->interruptions);
      EXPECT_EQ((*read[i])->parts, (*alone)->parts);
    }
    EXPECT_FALSE(read[1]->has_value()) << "ex-404 was never stored";
    EXPECT_EQ(stored_state(read[0]->value())["seq"], 30);
    EXPECT_EQ(read[0]->value().interruptions, 4U);
    EXPECT_EQ(read[3]->value().parts.at("layer/1")["item"], "b");

    StoreBatch later;
    later.executions.push_back(ExecutionRecord{"ex-1", "review", 2, ExecutionStatus::kRunning,
                                               "lead.lee", at(0), at(9), std::nullopt,
                                               json{{"seq", 11}}, ExecutionResult{}});
    ASSERT_TRUE(store.apply(later).ok()) << "no read transaction holds the writer";
    read = store.stored_executions({"ex-1"});
    ASSERT_TRUE(read.size() == 1 && read[0].ok() && read[0]->has_value());
    EXPECT_EQ(stored_state(read[0]->value())["seq"], 11) << "a later commit is seen";
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
  EXPECT_EQ(store->audit("ex-1")->back().scheme, kAuditScheme);
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

// Schema 18 keeps events in the order they arrive, each commit's at the table's end (keyed by
// execution, a commit split pages all over the table); schema 19 keeps each execution's events
// of one commit as one row, a run, still in arrival order (store/sqlite_event_runs.h), read
// through a view of one row per event. A schema-17 store's events move over as they were (a run
// each, in the order they were stored), each read back in order; an event number stays an
// execution's once; a payload comes back byte for byte, whatever it holds; and an operator's edit
// of one event through the view edits its run.
TEST_F(SqliteStoreTest, EventsAreStoredAsRunsInTheOrderTheyArriveAndASchema17StoreKeepsItsOwn) {
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file_.c_str(), &db), SQLITE_OK);
    for (int v = 0; v < 17; ++v) {
      ASSERT_EQ(sqlite3_exec(db, sqlite_migrations()[v], nullptr, nullptr, nullptr), SQLITE_OK);
    }
    ASSERT_EQ(sqlite3_exec(db,
                           "PRAGMA user_version = 17;"
                           "INSERT INTO events VALUES ('ex-b', 1, 5000, 'step_scheduled', 'b1', "
                           "'{\"kind\":\"task\"}');"
                           "INSERT INTO events VALUES ('ex-a', 1, 6000, 'step_scheduled', 'a1', "
                           "'{}');"
                           "INSERT INTO events VALUES ('ex-b', 2, 7000, 'step_succeeded', 'b1', "
                           "'{\"output\":{}}');",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  auto store = open();
  const auto steps = [&](const std::string& id) {
    std::vector<std::string> out;
    auto h = store->history(id);
    EXPECT_TRUE(h.ok());
    for (const auto& e : *h) {
      out.push_back(std::to_string(e.seq) + " " + e.step + " " + std::string(to_string(e.type)) +
                    " " + e.payload);
    }
    return out;
  };
  EXPECT_EQ(steps("ex-b"), (std::vector<std::string>{"1 b1 step_scheduled {\"kind\":\"task\"}",
                                                     "2 b1 step_succeeded {\"output\":{}}"}));
  EXPECT_EQ(steps("ex-a"), (std::vector<std::string>{"1 a1 step_scheduled {}"}));

  // Quotes, a backslash, control characters and a byte that is no UTF-8 at all.
  const std::string odd = std::string("{\"note\":\"a \\\"q\\\" \\\\ \x01\t\n\"}") + '\xff';
  StoreBatch batch;
  batch.events.push_back(StoredEvent{"ex-c", Event{1, at(1), EventType::kStepScheduled, "c1"}});
  batch.events.push_back(StoredEvent{"ex-a", Event{2, at(1), EventType::kStepSucceeded, "a1"}});
  batch.events.push_back(
      StoredEvent{"ex-a", Event{3, at(2), EventType::kStepScheduled, "a\"2", odd}});
  ASSERT_TRUE(store->apply(batch).ok());
  EXPECT_EQ(steps("ex-a"),
            (std::vector<std::string>{"1 a1 step_scheduled {}", "2 a1 step_succeeded {}",
                                      "3 a\"2 step_scheduled " + odd}));
  EXPECT_EQ(store->event_counts("ex-a")->at(EventType::kStepScheduled), 2u);
  for (const auto& [id, first, last] : {std::tuple{"ex-b", 2, 2}, std::tuple{"ex-a", 3, 4},
                                        std::tuple{"ex-a", 1, 1}, std::tuple{"ex-c", 0, 1}}) {
    SCOPED_TRACE(std::string(id) + " " + std::to_string(first) + ".." + std::to_string(last));
    StoreBatch again;  // an event number is an execution's once
    for (int seq = first; seq <= last; ++seq) {
      again.events.push_back(
          StoredEvent{id, Event{static_cast<uint64_t>(seq), at(3), EventType::kStepFailed, "x"}});
    }
    const auto refused = store->apply(again);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code(), ErrorCode::kConflict) << refused.error().message();
  }
  StoreBatch later;
  later.events.push_back(StoredEvent{"ex-a", Event{4, at(3), EventType::kStepFailed, "a2"}});
  ASSERT_TRUE(store->apply(later).ok());
  store.reset();
  EXPECT_EQ(first_column(file_,
                         "SELECT execution_id || ' ' || first_seq || '..' || last_seq || ' ' || "
                         "json_array_length(events) FROM event_runs ORDER BY rowid"),
            (std::vector<std::string>{"ex-b 1..1 1", "ex-a 1..1 1", "ex-b 2..2 1", "ex-c 1..1 1",
                                      "ex-a 2..3 2", "ex-a 4..4 1"}));

  // One event rewritten, then its run's others deleted one by one: the emptied run goes.
  tamper(file_, "UPDATE events SET data = '{\"n\":9}' WHERE execution_id = 'ex-a' AND seq = 2");
  tamper(file_, "DELETE FROM events WHERE execution_id = 'ex-a' AND seq = 3");
  // Nothing goes into the gap (runs never overlap), nor onto a stored event, nor lacks a column.
  for (const char* sql : {"INSERT INTO events VALUES ('ex-a', 3, 0, 'step_failed', 'a2', '{}')",
                          "INSERT INTO events VALUES ('ex-b', 2, 0, 'step_failed', 'b1', '{}')",
                          "INSERT INTO events VALUES ('ex-e', 1, 0, 'step_failed', 'e1', NULL)",
                          "UPDATE events SET type = NULL WHERE execution_id = 'ex-b'"}) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file_.c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_CONSTRAINT) << sql;
    sqlite3_close(db);
  }
  store = open();
  EXPECT_EQ(steps("ex-a"),
            (std::vector<std::string>{"1 a1 step_scheduled {}", "2 a1 step_succeeded {\"n\":9}",
                                      "4 a2 step_failed {}"}));
  static constexpr char kNulPayload[] = "{\"a\":\"x\0y\"}";  // 11 bytes, the NUL one of them
  StoreBatch nul;  // a NUL would not come back out of the run's JSON
  nul.events.push_back(
      StoredEvent{"ex-d", Event{1, at(4), EventType::kStepScheduled, "d1",
                                std::string(kNulPayload, sizeof kNulPayload - 1)}});
  EXPECT_EQ(store->apply(nul).error().code(), ErrorCode::kInvalidData);
  store.reset();
  tamper(file_, "DELETE FROM events WHERE execution_id = 'ex-a' AND seq = 2");
  EXPECT_EQ(first_column(file_, "SELECT first_seq FROM event_runs WHERE execution_id = 'ex-a'"),
            (std::vector<std::string>{"1", "4"}));
}

// What finds an event by its number reads the one run that may hold it, through the index,
// never every run of the execution: a purge redacting events one by one, and verification
// counting an entry's events, would otherwise cost the square of a long execution's length.
TEST_F(SqliteStoreTest, EventsAreFoundByNumberInTheOneRunThatMayHoldThem) {
  open();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file_.c_str(), &db), SQLITE_OK);
  const auto plan = [&](const std::string& sql) {
    std::string out;
    sqlite3_stmt* q = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, ("EXPLAIN QUERY PLAN " + sql).c_str(), -1, &q, nullptr),
              SQLITE_OK)
        << sql;
    while (q != nullptr && sqlite3_step(q) == SQLITE_ROW) {
      out += reinterpret_cast<const char*>(sqlite3_column_text(q, 3));
      out += '\n';
    }
    sqlite3_finalize(q);
    return out;
  };
  const std::string found = plan(stored_event_query());
  EXPECT_NE(found.find("SEARCH r USING INTEGER PRIMARY KEY (rowid=?)"), std::string::npos) << found;
  EXPECT_NE(found.find("SEARCH event_runs USING COVERING INDEX event_runs_execution "
                       "(execution_id=? AND first_seq<?)"),
            std::string::npos)
      << found;
  EXPECT_EQ(found.find("SCAN event_runs"), std::string::npos) << found;
  sqlite3_close(db);
}

// A backup taken while batches go on committing is one consistent snapshot: it opens, passes
// its integrity check and its audit chain verifies; restored over another store, that store
// reads as the backup did.
TEST_F(SqliteStoreTest, ABackupTakenWhileCommitsGoOnIsConsistentAndRestores) {
  auto store = open();
  std::atomic<bool> stop{false};
  std::atomic<int> committed{0};
  std::atomic<bool> ended{false};
  std::thread writer([&] {
    for (int i = 1; !stop.load() && i < 100000; ++i) {
      StoreBatch batch;
      const std::string id = "ex-" + std::to_string(i);
      batch.executions.push_back(ExecutionRecord{id, "review", 1, ExecutionStatus::kRunning,
                                                 "lead.lee", at(i), at(i), std::nullopt,
                                                 json{{"seq", i}}, ExecutionResult{}});
      batch.events.push_back({id, Event{1, at(i), EventType::kExecutionStarted, "", "{}"}});
      AuditDraft d = draft(i);
      d.execution_id = id;
      d.event_seq = 1;
      batch.audit.push_back(d);
      if (!store->apply(batch).ok()) break;
      ++committed;
    }
    ended = true;
  });
  while (committed.load() < 50 && !ended.load()) std::this_thread::yield();
  const auto backup = dir_.path() / "backup.db";
  const Status written = SqliteStore::backup(file_.string(), backup.string());
  const int before_end = committed.load();
  while (committed.load() < before_end + 20 && !ended.load()) std::this_thread::yield();
  stop = true;
  writer.join();
  ASSERT_TRUE(written.ok()) << written.error().message();
  EXPECT_EQ(std::filesystem::status(backup).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_EQ(SqliteStore::backup(file_.string(), backup.string()).error().code(),
            ErrorCode::kConflict)
      << "an existing file is never overwritten";
  ASSERT_TRUE(SqliteStore::check_backup(backup.string()).ok());

  const auto restored_file = dir_.path() / "restored.db";
  {
    auto other = SqliteStore::open(SqliteOptions{restored_file.string()});
    ASSERT_TRUE(other.ok());
    append_audit(**other, 3);
  }
  ASSERT_TRUE(SqliteStore::restore(backup.string(), restored_file.string()).ok());
  auto restored = SqliteStore::open(SqliteOptions{restored_file.string()});
  ASSERT_TRUE(restored.ok());
  auto v = (*restored)->verify_audit();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
  const auto copied = (*restored)->recent_executions(1000000);
  ASSERT_TRUE(copied.ok());
  // Everything committed before the backup began, nothing after it ended, and no gap.
  EXPECT_GE(copied->size(), 50u);
  EXPECT_LE(copied->size(), static_cast<size_t>(before_end));
  EXPECT_EQ(v->entries, copied->size()) << "one entry per execution: the copy is one snapshot";
  EXPECT_EQ((*restored)->audit("ex-1")->size(), 1u) << "the other store's chain is gone";
}

TEST_F(SqliteStoreTest, ADamagedOrNewerBackupIsRefusedBeforeAnythingIsReplaced) {
  open();
  const auto garbage = dir_.write("garbage.db", std::string(8192, 'x'));
  EXPECT_FALSE(SqliteStore::check_backup(garbage.string()).ok());
  const auto backup = dir_.path() / "backup.db";
  ASSERT_TRUE(SqliteStore::backup(file_.string(), backup.string()).ok());
  tamper(backup, "PRAGMA user_version = " + std::to_string(SqliteStore::schema_version() + 1));
  const Status newer = SqliteStore::check_backup(backup.string());
  ASSERT_FALSE(newer.ok());
  EXPECT_EQ(newer.error().code(), ErrorCode::kConfiguration);
  EXPECT_NE(newer.error().message().find("newer Coalition"), std::string::npos);
}

}  // namespace
}  // namespace coalition::sqlite_store_test
