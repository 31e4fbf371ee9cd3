// What a power cut leaves of a store the group committer writes to (synchronous=FULL): the test
// cuts power again and again while changes are committed and not yet synced, each time keeping
// the synced content of the database and its log plus none, or a random prefix, of the writes
// made since the last fsync. Every image must open, pass PRAGMA integrity_check, and hold every
// change whose after-commit action (an acknowledgement) had run before the cut. The same run on a
// store configured synchronous=NORMAL (commits acknowledged before any fsync) fails the check: the
// model can tell.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <mutex>
#include <random>

#include "store/group_committer.h"
#include "store/sqlite_store.h"
#include "support/gated_store.h"
#include "support/power_cut_vfs.h"
#include "support/temp_dir.h"

// A namespace of its own: unity builds compile several test files as one.
namespace coalition::power_cut_test {
namespace {

std::string key_of(int n) {
  return "change-" + std::to_string(n);
}
std::string value_of(int n) {
  return std::string(1500, static_cast<char>('a' + n % 26));
}

// Acknowledged changes, in the order their acknowledgements ran.
class Acknowledged {
 public:
  void add(int n) {
    std::lock_guard<std::mutex> lock(mutex_);
    seen_.push_back(n);
  }
  std::vector<int> so_far() {
    std::lock_guard<std::mutex> lock(mutex_);
    return seen_;
  }

 private:
  std::mutex mutex_;
  std::vector<int> seen_;
};

// One change: a meta entry of 1.5 KB (enough for the log to pass its checkpoint threshold and
// start again from its beginning during the run), acknowledged once durable.
class Change final : public CommitSource {
 public:
  Change(int n, Acknowledged& acknowledged) : n_(n), acknowledged_(acknowledged) {}
  void drain(StoreBatch& batch, std::vector<std::function<void()>>& after_commit) override {
    batch.meta.emplace_back(key_of(n_), value_of(n_));
    // The committer lets go of a source once drained: the action holds what it needs.
    after_commit.push_back([n = n_, &acknowledged = acknowledged_] { acknowledged.add(n); });
  }

 private:
  int n_;
  Acknowledged& acknowledged_;
};

// What one image holds: whether it opened and passed the integrity check, and its changes.
struct Image {
  bool sound = false;
  std::string problem;
  std::map<std::string, std::string> meta;
};

Image read_image(const std::filesystem::path& file) {
  Image image;
  {
    auto opened = SqliteStore::open(SqliteOptions{file.string()});
    if (!opened.ok()) {
      image.problem = opened.error().message();
      return image;
    }
    auto check = (*opened)->integrity_check();
    if (!check.ok() || *check != "ok") {
      image.problem = check.ok() ? *check : check.error().message();
      return image;
    }
  }
  sqlite3* db = nullptr;
  sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT key, value FROM meta", -1, &stmt, nullptr);
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    image.meta[reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))] =
        reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  image.sound = true;
  return image;
}

struct Outcome {
  int cuts = 0;
  int cuts_with_unsynced = 0;  // the log had writes no fsync covered yet, and the cut lost some
  int lost = 0;                // acknowledged changes missing from an image, over all cuts
  size_t acknowledged = 0;
  size_t rewinds = 0;  // times the log started again from its beginning
  std::vector<std::string> problems;
};

constexpr int kRounds = 16;
constexpr int kRound = 300;  // changes per round: ~450 KB, a checkpoint every few rounds
// The log's checkpoint threshold the store is opened with (SQLite's own, ~4 MB): small enough for
// the log to start again from its beginning by itself during the run.
constexpr int kCheckpointPages = 1000;

// Rounds of kRound changes. In each, the store's syncs are held (a gate in front of it): the
// writer commits, the log holds the round unsynced, and the test cuts power — once right after
// submitting (commits under way) and twice once a sync waits (keeping none, then a random
// prefix, of the unsynced writes). Then the syncs go on and the round is acknowledged. Midway,
// a truncating checkpoint makes the log start again from its beginning.
Outcome run(SqliteStore& store, const std::filesystem::path& db, const std::filesystem::path& dir) {
  auto& vfs = test::PowerCutVfs::instance();
  const auto log = std::filesystem::path(db.string() + "-wal");
  test::GatedStore gate(store);
  Acknowledged acknowledged;
  Outcome outcome;
  std::mt19937 random(20261205);
  auto cut = [&](bool keep_some) {
    const std::vector<int> before = acknowledged.so_far();
    const size_t unsynced = vfs.unsynced_writes(log);
    const size_t kept = keep_some ? std::uniform_int_distribution<size_t>(0, unsynced)(random) : 0;
    const auto image_path = dir / ("cut-" + std::to_string(outcome.cuts++) + ".db");
    if (!vfs.cut(db, image_path, kept)) {
      outcome.problems.push_back("the VFS has no file " + db.string());
      return;
    }
    if (kept < unsynced) ++outcome.cuts_with_unsynced;
    const Image image = read_image(image_path);
    if (!image.sound) outcome.problems.push_back(image_path.string() + ": " + image.problem);
    for (int n : before) {
      const auto it = image.meta.find(key_of(n));
      if (it == image.meta.end() || it->second != value_of(n)) ++outcome.lost;
    }
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(image_path.string() + suffix);
    }
  };
  {
    GroupCommitter committer(gate, [](const Error&) {});
    const test::OpenAtExit open_at_exit(gate);  // before the committer joins its threads
    int n = 0;
    for (int round = 0; round < kRounds; ++round) {
      gate.hold_syncs();
      for (int i = 0; i < kRound; ++i) {
        committer.submit(std::make_shared<Change>(n++, acknowledged));
      }
      cut(true);
      if (!gate.wait_until_sync_held()) {
        outcome.problems.push_back("no sync came in round " + std::to_string(round));
        break;
      }
      cut(false);
      cut(true);
      gate.release_syncs();
      EXPECT_TRUE(committer.flush().ok());
      if (round == kRounds / 2) {
        EXPECT_TRUE(store.checkpoint().ok());
      }
    }
  }
  outcome.acknowledged = acknowledged.so_far().size();
  outcome.rewinds = vfs.rewinds(log);
  return outcome;
}

TEST(PowerCut, EveryAcknowledgedChangeIsInEveryImage) {
  test::TempDir dir;
  const auto db = dir.path() / "store.db";
  auto store = SqliteStore::open(
      SqliteOptions{db.string(), "FULL", test::PowerCutVfs::instance().name(), kCheckpointPages});
  ASSERT_TRUE(store.ok()) << store.error().message();
  const Outcome outcome = run(**store, db, dir.path());
  EXPECT_EQ(outcome.acknowledged, static_cast<size_t>(kRounds * kRound));
  EXPECT_TRUE(outcome.problems.empty()) << outcome.problems.front();
  EXPECT_EQ(outcome.lost, 0) << "acknowledged changes missing over " << outcome.cuts << " cuts";
  // The cuts fell while the log held writes no fsync covered (the case the test is about), and
  // the log started again from its beginning at least once meanwhile.
  EXPECT_GE(outcome.cuts_with_unsynced, kRounds) << outcome.cuts << " cuts";
  EXPECT_GE(outcome.rewinds, 1u);
}

TEST(PowerCut, ACommitAcknowledgedBeforeAnySyncIsLost) {
  test::TempDir dir;
  const auto db = dir.path() / "store.db";
  auto store = SqliteStore::open(
      SqliteOptions{db.string(), "NORMAL", test::PowerCutVfs::instance().name(), kCheckpointPages});
  ASSERT_TRUE(store.ok()) << store.error().message();
  const Outcome outcome = run(**store, db, dir.path());
  // Still sound (SQLite recovers from every prefix), but acknowledged changes are gone.
  EXPECT_TRUE(outcome.problems.empty()) << outcome.problems.front();
  EXPECT_GT(outcome.lost, 0) << outcome.cuts << " cuts";
}

// A failed fsync sticks: the transaction it should have covered is committed, a later fsync
// could succeed without covering it, and a log with its frames unsynced in the middle loses
// everything after them at a power cut. So every later sync and commit fails too.
TEST(PowerCut, AFailedSyncFailsEveryLaterSyncAndCommit) {
  test::TempDir dir;
  const auto db = dir.path() / "store.db";
  auto& vfs = test::PowerCutVfs::instance();
  auto opened = SqliteStore::open(SqliteOptions{db.string(), "FULL", vfs.name(), kCheckpointPages});
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  auto& store = **opened;
  auto batch = [](const std::string& key) {
    StoreBatch b;
    b.meta.emplace_back(key, "1");
    return b;
  };
  ASSERT_TRUE(store.apply(batch("before")).ok());
  vfs.fail_next_sync(db.string() + "-wal");
  auto failed = store.apply(batch("unsynced"));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code(), ErrorCode::kIo);
  EXPECT_NE(failed.error().message().find("cannot sync its write-ahead log"), std::string::npos)
      << failed.error().message();
  EXPECT_FALSE(store.sync().ok());  // the disk would say yes now; the store does not ask it
  EXPECT_FALSE(store.commit(batch("after")).ok());
  EXPECT_FALSE(store.meta("after")->has_value());
  EXPECT_TRUE(store.meta("before")->has_value());  // reads go on
}

}  // namespace
}  // namespace coalition::power_cut_test
