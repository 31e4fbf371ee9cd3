// Stored forms encoded ahead of the write (the group committer's draining thread) are the very
// bytes the store would have written itself, and the store binds them as they come.
#include "store/stored_forms.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>

#include "audit/audit_chain.h"
#include "store/sqlite_store.h"
#include "support/temp_dir.h"

namespace coalition {
namespace {

using nlohmann::json;

TimePoint at(int64_t seconds) {
  return TimePoint(std::chrono::milliseconds(1798675200000 + seconds * 1000 + 123));
}

// One execution's drain: its record, two events and an audit entry for each.
StoreBatch drain() {
  StoreBatch batch;
  batch.executions.push_back(ExecutionRecord{
      "ex-1", "review", 1, ExecutionStatus::kRunning, "officer.kim", at(0), at(2), at(60),
      json{{"version", 3}, {"frames", {{{"id", 0}, {"step", "check"}, {"n", 1.5}}}}},
      ExecutionResult{}});
  batch.events.push_back(StoredEvent{
      "ex-1", Event{1, at(1), EventType::kExecutionStarted, "", R"({"input":{"ref":"c-7"}})"}});
  batch.events.push_back(StoredEvent{
      "ex-1", Event{2, at(2), EventType::kStepScheduled, "check", R"({"kind":"task"})"}});
  for (const StoredEvent& e : batch.events) {
    AuditDraft d = make_audit_draft(e.event.at, "engine", "", "", e.execution_id, e.event.step,
                                    std::string(to_string(e.event.type)), {{"event", e.event.seq}});
    d.event_seq = e.event.seq;
    batch.audit.push_back(std::move(d));
  }
  batch.parts.push_back(StatePart{"ex-1", "layer/1", json{{"members", {{"note", "kept"}}}}});
  return batch;
}

// Every row the batch above writes, column by column, as SQLite holds them (hex for BLOBs).
std::vector<std::string> rows(const std::filesystem::path& file) {
  std::vector<std::string> out;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  for (const char* sql :
       {"SELECT state, result FROM executions", "SELECT seq, at, type, step, data FROM events",
        "SELECT seq, at, summary, summary_hash, prev_hash, hash, event_seq, event_hash FROM audit",
        "SELECT key, body FROM state_parts"}) {
    sqlite3_stmt* q = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &q, nullptr), SQLITE_OK) << sql;
    while (q != nullptr && sqlite3_step(q) == SQLITE_ROW) {
      for (int c = 0; c < sqlite3_column_count(q); ++c) {
        const auto* bytes = static_cast<const unsigned char*>(sqlite3_column_blob(q, c));
        std::string cell = std::to_string(sqlite3_column_type(q, c)) + ":";
        for (int i = 0; i < sqlite3_column_bytes(q, c); ++i) {
          cell += "0123456789abcdef"[bytes[i] >> 4U];
          cell += "0123456789abcdef"[bytes[i] & 15U];
        }
        out.push_back(std::move(cell));
      }
    }
    sqlite3_finalize(q);
  }
  sqlite3_close(db);
  return out;
}

std::unique_ptr<SqliteStore> open(const std::filesystem::path& file) {
  auto store = SqliteStore::open(SqliteOptions{file.string()});
  EXPECT_TRUE(store.ok()) << store.error().message();
  return store.ok() ? std::move(*store) : nullptr;
}

TEST(StoredForms, EncodingFillsEveryFormOnceAndLeavesFilledOnesAlone) {
  StoreBatch batch = drain();
  encode_stored_forms(batch);
  EXPECT_EQ(batch.executions[0].state_encoded, encode_snapshot(batch.executions[0].state));
  EXPECT_EQ(json::from_msgpack(batch.executions[0].state_encoded), batch.executions[0].state);
  EXPECT_EQ(json::parse(batch.executions[0].result_encoded), to_json(ExecutionResult{}));
  for (const StoredEvent& e : batch.events) {
    EXPECT_EQ(e.digest, stored_event_digest(e.execution_id, e.event, e.event.payload));
    EXPECT_EQ(e.digest.size(), 64u);
  }
  EXPECT_EQ(json::from_msgpack(batch.parts[0].body_encoded), batch.parts[0].body);
  EXPECT_NE(batch.events[0].digest, batch.events[1].digest);

  batch.events[0].digest = "kept";
  encode_stored_forms(batch);
  EXPECT_EQ(batch.events[0].digest, "kept");

  // The digest covers the payload's text: another text, another digest.
  Event changed = batch.events[0].event;
  changed.payload = R"({"input":{"ref":"c-8"}})";
  EXPECT_NE(stored_event_digest("ex-1", changed),
            stored_event_digest("ex-1", batch.events[0].event));
}

// Both paths write byte for byte the same rows, and the audit chain verifies either way.
TEST(StoredForms, ABatchEncodedAheadIsStoredAsTheStoreWouldHaveStoredIt) {
  test::TempDir dir;
  auto plain = open(dir.path() / "plain.db");
  auto ahead = open(dir.path() / "ahead.db");
  ASSERT_TRUE(plain && ahead);
  ASSERT_TRUE(plain->apply(drain()).ok());
  StoreBatch encoded = drain();
  encode_stored_forms(encoded);
  ahead->prepare(encoded);  // the two events of ex-1 as one row, on the first
  EXPECT_EQ(encoded.events[0].row_events, 2u);
  EXPECT_EQ(json::parse(encoded.events[0].row_text).size(), 2u);
  EXPECT_TRUE(encoded.events[1].row_text.empty());
  ASSERT_TRUE(ahead->apply(encoded).ok());
  const auto expected = rows(dir.path() / "plain.db");
  EXPECT_EQ(expected.size(), 2u + 2 * 5 + 2 * 8 + 2);
  EXPECT_EQ(rows(dir.path() / "ahead.db"), expected);
  for (auto* store : {plain.get(), ahead.get()}) {
    auto v = store->verify_audit({});
    ASSERT_TRUE(v.ok());
    EXPECT_TRUE(v->ok) << v->problem;
    EXPECT_EQ(v->events, 2u);
  }
}

// What comes encoded is bound as it is, not encoded again: the payload read back is the text
// given, and the audit entry carries the digest given — a digest that does not match the
// stored event is then exactly what verification reports.
TEST(StoredForms, TheStoreWritesTheFormsItIsGiven) {
  test::TempDir dir;
  auto store = open(dir.path() / "store.db");
  ASSERT_TRUE(store);
  StoreBatch batch = drain();
  encode_stored_forms(batch);
  batch.events[1].event.payload = R"({"kind":"wait"})";
  batch.events[1].digest = stored_event_digest("ex-1", batch.events[1].event);
  batch.executions[0].state_encoded = encode_snapshot(json{{"version", 3}, {"given", true}});
  const ExecutionResult given = ExecutionResult::succeeded(json{{"given", 1}});
  batch.executions[0].result_encoded = to_json(given).dump();
  batch.parts[0].body_encoded = encode_snapshot(json{{"members", {{"note", "given"}}}});
  // Without a digest, the store takes it over the text it writes; the entries' digests were
  // taken from the events' as encoded, so they are taken again.
  batch.events[0].digest.clear();
  for (auto& d : batch.audit) d.event_hash.clear();
  ASSERT_TRUE(store->apply(batch).ok());
  auto history = store->history("ex-1");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[1].data(), json({{"kind", "wait"}}));
  auto record = store->execution("ex-1");
  ASSERT_TRUE(record.ok() && record->has_value());
  EXPECT_EQ((*record)->state, json({{"version", 3}, {"given", true}}));
  EXPECT_EQ(to_json((*record)->result), to_json(given));
  auto stored = store->stored_execution("ex-1");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->parts.at("layer/1"), json({{"members", {{"note", "given"}}}}));
  auto v = store->verify_audit({});
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;

  StoreBatch wrong = drain();
  for (auto& e : wrong.events) e.event.seq += 2;
  for (auto& d : wrong.audit) d.event_seq += 2;
  wrong.audit[0].at = wrong.audit[1].at = at(3);
  encode_stored_forms(wrong);
  wrong.audit[0].event_hash = std::string(64, 'a');
  ASSERT_TRUE(store->apply(wrong).ok());
  auto broken = store->verify_audit({});
  ASSERT_TRUE(broken.ok());
  EXPECT_FALSE(broken->ok);
  EXPECT_EQ(broken->kind, "event_modified") << broken->problem;

  // An entry that comes without its digests carries the event's digest as given, too.
  auto looked_up = open(dir.path() / "looked_up.db");
  ASSERT_TRUE(looked_up);
  StoreBatch unsealed = drain();
  encode_stored_forms(unsealed);
  for (auto& d : unsealed.audit) d.event_hash.clear();
  unsealed.events[0].digest = std::string(64, 'a');
  ASSERT_TRUE(looked_up->apply(unsealed).ok());
  auto mismatch = looked_up->verify_audit({});
  ASSERT_TRUE(mismatch.ok());
  EXPECT_FALSE(mismatch->ok);
  EXPECT_EQ(mismatch->kind, "event_modified") << mismatch->problem;
}

// Each entry comes with the digests of its events, one after another, taken from the batch's
// own events; an entry whose events the batch does not hold (or holds out of order) comes
// without, and the store looks them up as before.
TEST(StoredForms, EachAuditEntryCarriesTheDigestsOfItsEventsFromTheBatch) {
  StoreBatch batch = drain();
  batch.events.push_back(StoredEvent{
      "ex-1", Event{3, at(3), EventType::kAttemptStarted, "check", R"({"attempt":1})"}});
  batch.events.push_back(
      StoredEvent{"ex-2", Event{7, at(3), EventType::kStepSucceeded, "send", R"({"output":{}})"}});
  AuditDraft both = batch.audit[1];  // events 2 and 3 of ex-1 in one entry
  both.event_count = 2;
  batch.audit.pop_back();
  batch.audit.push_back(both);
  AuditDraft other = batch.audit[0];
  other.execution_id = "ex-2";
  other.event_seq = 7;
  batch.audit.push_back(other);
  AuditDraft missing = other;  // event 9 of ex-2 is not in this batch
  missing.event_seq = 9;
  batch.audit.push_back(missing);
  AuditDraft none =
      make_audit_draft(at(4), "officer.kim", "coordinator", "", "ex-1", "", "read", json::object());
  batch.audit.push_back(none);
  encode_stored_forms(batch);
  ASSERT_EQ(batch.audit.size(), 5u);
  EXPECT_EQ(batch.audit[0].event_hash, batch.events[0].digest);
  EXPECT_EQ(batch.audit[1].event_hash, batch.events[1].digest + batch.events[2].digest);
  EXPECT_EQ(batch.audit[2].event_hash, batch.events[3].digest);
  EXPECT_EQ(batch.audit[3].event_hash, "");
  EXPECT_EQ(batch.audit[4].event_hash, "");

  // Sealed with the digests it came with or with those looked up, an entry is the same.
  test::TempDir dir;
  auto ahead = open(dir.path() / "ahead.db");
  auto plain = open(dir.path() / "plain.db");
  ASSERT_TRUE(ahead && plain);
  batch.audit.erase(batch.audit.begin() + 3);  // the batch does not write event 9: refused
  StoreBatch looked_up = batch;
  for (auto& d : looked_up.audit) d.event_hash.clear();
  ASSERT_TRUE(ahead->apply(batch).ok());
  ASSERT_TRUE(plain->apply(looked_up).ok());
  EXPECT_EQ(rows(dir.path() / "ahead.db"), rows(dir.path() / "plain.db"));
  auto v = ahead->verify_audit({});
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->events, 4u);
}

// A prepared row is written only where it holds the whole run the store writes; else, and for
// an event holding a NUL, which prepare() leaves alone, the store writes the events themselves.
TEST(StoredForms, APreparedRowIsWrittenOnlyWhereItHoldsTheWholeRun) {
  test::TempDir dir;
  auto plain = open(dir.path() / "plain.db");
  auto ahead = open(dir.path() / "ahead.db");
  ASSERT_TRUE(plain && ahead);
  ASSERT_TRUE(plain->apply(drain()).ok());
  StoreBatch stale = drain();
  encode_stored_forms(stale);
  stale.events[0].row_text = R"([[1,0,"execution_started","","{}"]])";  // one of the two events
  stale.events[0].row_events = 1;
  ASSERT_TRUE(ahead->apply(stale).ok());
  EXPECT_EQ(rows(dir.path() / "ahead.db"), rows(dir.path() / "plain.db"));

  auto store = open(dir.path() / "nul.db");
  ASSERT_TRUE(store);
  StoreBatch nul = drain();
  nul.events[1].event.payload = std::string(R"({"kind":"ta)") + '\0' + R"(sk"})";
  encode_stored_forms(nul);
  store->prepare(nul);
  EXPECT_TRUE(nul.events[0].row_text.empty());
  const Status refused = store->apply(nul);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("holds a NUL character"), std::string::npos);
}

}  // namespace
}  // namespace coalition
