// The anchored audit trail through the real CLI, attacked as the adversarial probe did: with
// file access to the store, edit rows, then recompute every hash from the documented scheme
// (docs/architecture.md, audit/audit_chain.h: written out again here, not borrowed from the
// engine) and rewrite them. `audit verify --checkpoints` must name what is wrong each time.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "common/sha256.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"
#include "test_paths.h"

namespace coalition::audit_anchor_test {
namespace {

using nlohmann::json;

// The documented framing: "<bytes>:<value>;" per field.
std::string fields(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += std::to_string(v.size()) + ":" + v + ";";
  return out;
}

struct Row {
  int64_t seq;
  std::string at, actor, role, organisation, execution_id, step, type, summary, summary_hash,
      prev_hash, hash;
  int64_t scheme, event_seq;
  std::string event_hash;
};

void exec(sqlite3* db, const std::string& sql) {
  char* message = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message), SQLITE_OK)
      << (message ? message : "") << " in " << sql;
}

// Reads the chain, lets `edit` change it, renumbers, recomputes every summary digest, event
// digest link and hash with the documented scheme, rewrites the table and the head note.
void forge(const std::string& store, const std::function<void(std::vector<Row>&)>& edit) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(store.c_str(), &db), SQLITE_OK);
  std::vector<Row> rows;
  sqlite3_stmt* q = nullptr;
  // The store keeps each digest as its 32 bytes (a BLOB); the chain hashes their hex.
  auto hex = [](const std::string& column) {
    return "CASE typeof(" + column + ") WHEN 'blob' THEN lower(hex(" + column + ")) ELSE " +
           column + " END";
  };
  const std::string select =
      "SELECT seq, at, actor, role, organisation, execution_id, step, type, summary, " +
      hex("summary_hash") + ", " + hex("prev_hash") + ", " + hex("hash") + ", scheme, event_seq, " +
      hex("event_hash") + " FROM audit ORDER BY seq";
  sqlite3_prepare_v2(db, select.c_str(), -1, &q, nullptr);
  auto text = [&](int c) {
    return std::string(reinterpret_cast<const char*>(sqlite3_column_text(q, c)));
  };
  while (sqlite3_step(q) == SQLITE_ROW) {
    rows.push_back(Row{sqlite3_column_int64(q, 0), text(1), text(2), text(3), text(4), text(5),
                       text(6), text(7), text(8), text(9), text(10), text(11),
                       sqlite3_column_int64(q, 12), sqlite3_column_int64(q, 13), text(14)});
  }
  sqlite3_finalize(q);
  edit(rows);
  std::string prev(64, '0');
  exec(db, "BEGIN; DELETE FROM audit;");
  sqlite3_prepare_v2(db,
                     "INSERT INTO audit (seq, at, actor, role, organisation, execution_id, step, "
                     "type, summary, summary_hash, prev_hash, hash, scheme, event_seq, "
                     "event_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                     "?13, ?14, ?15)",
                     -1, &q, nullptr);
  int64_t seq = 0;
  for (auto& r : rows) {
    r.seq = ++seq;
    if (!r.summary.empty()) r.summary_hash = sha256_hex(r.summary);
    r.prev_hash = prev;
    std::string t = fields({std::to_string(r.seq), r.at, r.actor, r.role, r.organisation,
                            r.execution_id, r.step, r.type, r.summary_hash, r.prev_hash});
    if (r.scheme >= 2)
      t += fields({std::to_string(r.scheme), std::to_string(r.event_seq), r.event_hash});
    r.hash = sha256_hex(t);
    prev = r.hash;
    int i = 1;
    sqlite3_bind_int64(q, i++, r.seq);
    for (const std::string* s :
         {&r.at, &r.actor, &r.role, &r.organisation, &r.execution_id, &r.step, &r.type, &r.summary,
          &r.summary_hash, &r.prev_hash, &r.hash}) {
      sqlite3_bind_text(q, i++, s->c_str(), -1, SQLITE_TRANSIENT);
    }
    sqlite3_bind_int64(q, i++, r.scheme);
    sqlite3_bind_int64(q, i++, r.event_seq);
    sqlite3_bind_text(q, i++, r.event_hash.c_str(), -1, SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(q), SQLITE_DONE);
    sqlite3_reset(q);
  }
  sqlite3_finalize(q);
  exec(db, "INSERT OR REPLACE INTO meta (key, value) VALUES ('audit_head', '" +
               (rows.empty() ? std::string() : std::to_string(seq) + ":" + prev) + "'); COMMIT;");
  if (rows.empty()) exec(db, "DELETE FROM meta WHERE key = 'audit_head'");
  sqlite3_close(db);
}

void tamper(const std::string& store, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(store.c_str(), &db), SQLITE_OK);
  exec(db, sql);
  sqlite3_close(db);
}

class AuditAnchor : public ::testing::Test {
 protected:
  void SetUp() override {
    // filing_review counts business days under the Australian calendar.
    config_ = dir_.write(
        "coalition.json",
        json{{"calendars", {{"directory", std::string(test::kSourceDir) + "/config/calendars"}}},
             {"audit",
              {{"signing_key", (dir_.path() / "keys" / "audit.key").string()},
               {"checkpoints", checkpoints_}}}}
            .dump());
  }
  test::ProcessResult coalition(std::vector<std::string> args) {
    args.insert(args.begin(),
                {test::kCoalitionBinary, "--config", config_.string(), "--log-level", "warn"});
    args.insert(args.end(), {"--store", store_});
    return test::run_process(args, {{"COALITION_PLUGIN_PATH", ""}, {"COALITION_STORE", ""}});
  }
  // A review waiting for people, with a refused completion in its log.
  std::string start_review() {
    const auto input = dir_.write("in.json", R"({"case_id": "CASE-7", "member": "northwind"})");
    auto run = coalition({"run", std::string(test::kSourceDir) + "/workflows/filing_review.json",
                          "--input", input.string(), "--as", "lead.lee", "--json", "--now",
                          "2026-12-03T23:00:00Z"});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    const std::string id = json::parse(run.out)["id"];
    EXPECT_EQ(
        coalition({"complete", id + ".t1", "--as", "ana", "--role", "analyst", "--org", "southwind",
                   "--data", R"({"narrative_ref": "NAR-1"})", "--now", "2026-12-03T23:10:00Z"})
            .exit_code,
        77);
    return id;
  }
  void complete_draft(const std::string& id) {
    ASSERT_EQ(
        coalition({"complete", id + ".t1", "--as", "ana", "--role", "analyst", "--org", "northwind",
                   "--data", R"({"narrative_ref": "NAR-1"})", "--now", "2026-12-03T23:20:00Z"})
            .exit_code,
        0);
  }
  void checkpoint() {
    auto c = coalition({"audit", "checkpoint", "--json"});
    ASSERT_EQ(c.exit_code, 0) << c.err;
  }
  // verify --checkpoints --public-key, as JSON; `exit` the expected code.
  json verify(int exit, bool with_checkpoints = true) {
    std::vector<std::string> args{"audit", "verify", "--json"};
    if (with_checkpoints) {
      args.insert(args.end(), {"--checkpoints", checkpoints_, "--public-key", public_key()});
    }
    auto r = coalition(args);
    EXPECT_EQ(r.exit_code, exit) << r.out << r.err;
    return json::parse(r.out);
  }
  std::string public_key() { return (dir_.path() / "keys" / "audit.key.pub").string(); }

  test::TempDir dir_;
  std::filesystem::path config_;
  std::string store_ = (dir_.path() / "review.db").string();
  std::string checkpoints_ = (dir_.path() / "shipped" / "checkpoints.jsonl").string();
};

TEST_F(AuditAnchor, ValidStoreWithCheckpointsVerifiesAndTheKeyStaysPrivate) {
  const std::string id = start_review();
  checkpoint();
  complete_draft(id);
  checkpoint();
  const json v = verify(0);
  EXPECT_EQ(v["checkpoints"], 2);
  EXPECT_GT(v["events"].get<int>(), 5);
  const auto key = dir_.path() / "keys" / "audit.key";
  using std::filesystem::perms;
  EXPECT_EQ(std::filesystem::status(key).permissions() & perms::all,
            perms::owner_read | perms::owner_write);
  EXPECT_EQ(std::filesystem::status(key.parent_path()).permissions() & perms::all,
            perms::owner_all);
}

// audit.checkpoint_every: the long-running engine signs checkpoints itself, on its period and
// once more when it stops, and a rewrite after them is caught.
TEST_F(AuditAnchor, TheWorkerWritesCheckpointsPeriodicallyAndWhenItStops) {
  const std::string id = start_review();
  complete_draft(id);
  json config = json::parse(std::ifstream(config_));
  config["audit"]["checkpoint_every"] = "PT1S";
  const auto periodic = dir_.write("periodic.json", config.dump());
  auto worker = test::run_process_until({test::kCoalitionBinary, "--config", periodic.string(),
                                         "--log-level", "warn", "worker", "--store", store_},
                                        {{"COALITION_PLUGIN_PATH", ""}, {"COALITION_STORE", ""}},
                                        std::chrono::milliseconds(6000), SIGTERM);
  ASSERT_EQ(worker.exit_code, 0) << worker.err;
  size_t written = 0;
  for (size_t at = 0; (at = worker.err.find("audit checkpoint,", at)) != std::string::npos; ++at) {
    ++written;
  }
  EXPECT_GE(written, 2u) << worker.err;  // at least one on the period, and one on the way out
  std::ifstream lines(checkpoints_);
  size_t in_file = 0;
  for (std::string line; std::getline(lines, line);) in_file += line.empty() ? 0 : 1;
  EXPECT_EQ(in_file, written);
  EXPECT_EQ(verify(0)["checkpoints"], static_cast<int>(written));
  // Dropping the last entry and recomputing the chain contradicts the worker's last checkpoint.
  forge(store_, [](std::vector<Row>& rows) { rows.pop_back(); });
  EXPECT_FALSE(verify(65)["ok"].get<bool>());
}

TEST_F(AuditAnchor, AFullRewriteWithTheDocumentedSchemeIsCaughtByACheckpoint) {
  const std::string id = start_review();
  complete_draft(id);
  checkpoint();
  // Rename an actor and recompute the whole chain: as long as before, self-consistent.
  forge(store_, [](std::vector<Row>& rows) {
    for (auto& r : rows) {
      if (r.actor == "ana") r.actor = "someone.else";
    }
  });
  EXPECT_TRUE(verify(0, false)["ok"]);  // only an anchor outside can tell
  const json renamed = verify(65);
  EXPECT_EQ(renamed["kind"], "checkpoint_mismatch") << renamed;
  // The probe's rewrite: the refusals deleted too, the chain recomputed again.
  forge(store_, [](std::vector<Row>& rows) {
    std::erase_if(rows, [](const Row& r) { return r.type.find("refused") != std::string::npos; });
  });
  EXPECT_TRUE(verify(0, false)["ok"]);
  const json shorter = verify(65);
  EXPECT_EQ(shorter["kind"], "truncated") << shorter;  // fewer entries than the checkpoint saw
}

TEST_F(AuditAnchor, TruncationIsCaught) {
  const std::string id = start_review();
  complete_draft(id);
  checkpoint();
  forge(store_, [](std::vector<Row>& rows) { rows.resize(rows.size() - 3); });
  const json v = verify(65);
  EXPECT_EQ(v["kind"], "truncated") << v;
}

TEST_F(AuditAnchor, AZeroByteStoreIsCaught) {
  start_review();
  checkpoint();
  std::filesystem::resize_file(store_, 0);
  std::filesystem::remove(store_ + "-wal");
  std::filesystem::remove(store_ + "-shm");
  EXPECT_TRUE(verify(0, false)["ok"]);  // an empty store is a valid empty chain on its own
  const json v = verify(65);
  EXPECT_EQ(v["kind"], "truncated") << v;
}

// A write-ahead log cut short loses the frames after the cut: the store goes back to an
// earlier, internally valid state. Restoring an earlier copy of the files does the same.
TEST_F(AuditAnchor, RolledBackAcknowledgedWorkIsCaught) {
  const std::string id = start_review();
  const auto saved = dir_.path() / "saved.db";
  std::filesystem::copy_file(store_, saved);
  complete_draft(id);
  checkpoint();
  std::filesystem::copy_file(saved, store_, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::remove(store_ + "-wal");
  const json v = verify(65);
  EXPECT_EQ(v["kind"], "truncated") << v;
}

TEST_F(AuditAnchor, ABackdatedEntryIsRefusedAtWriteTime) {
  const std::string id = start_review();
  auto r = coalition({"export", id, "--now", "1970-01-01T00:00:00Z", "--out",
                      (dir_.path() / "out.json").string()});
  EXPECT_EQ(r.exit_code, 64) << r.err;
  EXPECT_NE(r.err.find("audit time never moves back"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "out.json"));
  EXPECT_TRUE(verify(0, false)["ok"]);
}

TEST_F(AuditAnchor, ABackdatedEntryIsCaughtWithoutCheckpoints) {
  start_review();
  size_t forged = 0;  // an entry inside the chain, dated before the one it follows
  forge(store_, [&forged](std::vector<Row>& rows) {
    if (rows.size() < 3) return;
    forged = rows.size() / 2;
    rows[forged].at = "2020-01-01T00:00:00.000Z";
  });
  ASSERT_GE(forged, 1u) << "the review's chain has fewer than three entries";
  const json v = verify(65, false);
  EXPECT_EQ(v["kind"], "backdated") << v;
  EXPECT_EQ(v["first_bad_seq"], forged + 1);  // numbered from 1
}

TEST_F(AuditAnchor, AnEditedEventPayloadIsCaught) {
  const std::string id = start_review();
  tamper(store_,
         "UPDATE events SET data = '{\"input\":{\"case_id\":\"CASE-8\"}}' WHERE "
         "execution_id = '" +
             id + "' AND seq = 1");
  EXPECT_EQ(verify(65, false)["kind"], "event_modified");
}

TEST_F(AuditAnchor, ADeletedEventIsCaught) {
  const std::string id = start_review();
  tamper(store_, "DELETE FROM events WHERE execution_id = '" + id + "' AND seq = 2");
  EXPECT_EQ(verify(65, false)["kind"], "event_deleted");
}

TEST_F(AuditAnchor, AnInsertedEventIsCaught) {
  start_review();
  tamper(store_,
         "INSERT INTO events SELECT 'ex-forged', seq, at, type, step, data FROM events "
         "WHERE seq = 1");
  EXPECT_EQ(verify(65, false)["kind"], "event_unaudited");
}

TEST_F(AuditAnchor, AnEmptiedSummaryNeedsThatExecutionsTombstoneAndPurgedEntry) {
  const std::string id = start_review();
  // A tombstone alone (one row, easy to add) no longer covers an emptied summary.
  tamper(store_,
         "INSERT INTO tombstones VALUES ('" + id +
             "', 'restricted', 'filing_review@1', '2027-01-01T00:00:00Z', '{}'); UPDATE audit SET "
             "summary = '' WHERE seq = 2");
  const json v = verify(65, false);
  EXPECT_EQ(v["kind"], "summary_removed") << v;
}

TEST_F(AuditAnchor, AnAlteredCheckpointIsReported) {
  start_review();
  checkpoint();
  std::string line;
  std::getline(std::ifstream(checkpoints_), line);
  json c = json::parse(line);
  c["seq"] = c["seq"].get<int>() - 1;
  std::ofstream(checkpoints_, std::ios::trunc) << c.dump() << "\n";
  EXPECT_EQ(verify(65)["kind"], "bad_signature");
}

}  // namespace
}  // namespace coalition::audit_anchor_test
