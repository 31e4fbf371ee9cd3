// The group committer's pipeline against a real SQLite store whose writes and syncs the test
// holds: the next batch is drained while one is written and written while one is synced, a
// source never appears twice in one batch, nothing is acknowledged before its sync, and a failed
// transaction or sync is reported to every later flush.
#include "store/group_committer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite_store.h"
#include "support/gated_store.h"
#include "support/temp_dir.h"

// A namespace of its own: unity builds compile several test files as one.
namespace coalition::group_committer_test {
namespace {

// A source whose every drain writes its current value under its name (a meta entry).
class Counter final : public CommitSource {
 public:
  explicit Counter(std::string name) : name_(std::move(name)) {}
  void set(int value) { value_ = value; }
  int drains() const { return drains_; }
  int committed() const { return committed_; }
  void drain(StoreBatch& batch, std::vector<std::function<void()>>& after_commit) override {
    batch.meta.emplace_back(name_, std::to_string(value_.load()));
    after_commit.push_back([this] { ++committed_; });
    ++drains_;
  }

 private:
  std::string name_;
  std::atomic<int> value_{0};
  std::atomic<int> drains_{0};
  std::atomic<int> committed_{0};
};

// Polls `done` for up to ten seconds (never asserts how fast anything is).
template <class Done>
bool eventually(Done done) {
  for (int i = 0; i < 1000 && !done(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

class GroupCommitterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SqliteStore::open(SqliteOptions{(dir_.path() / "s.db").string()});
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    gate_ = std::make_unique<test::GatedStore>(*store_);
  }
  std::vector<std::string> names_in(const StoreBatch& batch) {
    std::vector<std::string> names;
    for (const auto& [key, value] : batch.meta) names.push_back(key + "=" + value);
    return names;
  }

  test::TempDir dir_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<test::GatedStore> gate_;
};

TEST_F(GroupCommitterTest, TheNextBatchIsDrainedWhileOneIsWrittenAndHoldsEachSourceOnce) {
  std::vector<Error> failures;
  GroupCommitter committer(*gate_, [&](const Error& e) { failures.push_back(e); });
  const test::OpenAtExit open_at_exit(*gate_);  // before the committer joins its writer
  auto a = std::make_shared<Counter>("a");
  auto b = std::make_shared<Counter>("b");
  gate_->hold_after(0);
  a->set(1);
  committer.submit(a);
  ASSERT_TRUE(gate_->wait_until_held(1));
  // The store is writing a=1. a changes again: drained into the next batch meanwhile.
  a->set(2);
  committer.submit(a);
  ASSERT_TRUE(eventually([&] { return a->drains() == 2; }));
  EXPECT_EQ(a->committed(), 0);
  // And again, with b behind it: a is in the next batch already, so its third drain — and b,
  // submitted after it — wait for the batch after that.
  a->set(3);
  committer.submit(a);
  committer.submit(b);
  gate_->hold_after(1);  // a=1 is written; a=2 is held
  ASSERT_TRUE(gate_->wait_until_held(2));
  // a=1 is synced (and acknowledged) by the syncer while the writer is held on a=2.
  EXPECT_TRUE(eventually([&] { return a->committed() == 1; }));
  ASSERT_TRUE(eventually([&] { return b->drains() == 1; }));
  gate_->open();
  ASSERT_TRUE(committer.flush().ok());

  const auto seen = gate_->seen();
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(names_in(seen[0]), (std::vector<std::string>{"a=1"}));
  EXPECT_EQ(names_in(seen[1]), (std::vector<std::string>{"a=2"}));
  EXPECT_EQ(names_in(seen[2]), (std::vector<std::string>{"a=3", "b=0"}));
  EXPECT_EQ(a->committed(), 3);
  EXPECT_EQ(b->committed(), 1);
  EXPECT_EQ(**store_->meta("a"), "3");
  EXPECT_TRUE(failures.empty());
  EXPECT_EQ(committer.stats().transactions, 3u);
  EXPECT_EQ(committer.stats().sources, 4u);
}

// A source that registers a different definition under a workflow id and version already
// stored: the store refuses the transaction.
class Conflicting final : public CommitSource {
 public:
  void drain(StoreBatch& batch, std::vector<std::function<void()>>& after_commit) override {
    batch.workflows.push_back(WorkflowRecord{"review", 1, "digest-" + std::to_string(++n_), "{}"});
    after_commit.push_back([this] { ++committed_; });
  }
  int committed() const { return committed_; }

 private:
  int n_ = 0;
  std::atomic<int> committed_{0};
};

TEST_F(GroupCommitterTest, AFailedTransactionIsReportedOnceAndToEveryLaterFlush) {
  std::atomic<int> reported{0};
  GroupCommitter committer(*gate_, [&](const Error&) { ++reported; });
  auto source = std::make_shared<Conflicting>();
  committer.submit(source);
  ASSERT_TRUE(committer.flush().ok());
  EXPECT_EQ(source->committed(), 1);
  committer.submit(source);  // digest-2: refused
  auto failed = committer.flush();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code(), ErrorCode::kConflict);
  auto counter = std::make_shared<Counter>("after");
  committer.submit(counter);
  EXPECT_FALSE(committer.flush().ok());  // nothing is written after a failure
  EXPECT_EQ(counter->committed(), 0);
  EXPECT_EQ(source->committed(), 1);
  EXPECT_EQ(reported.load(), 1);
  EXPECT_FALSE(*store_->meta("after"));
}

TEST_F(GroupCommitterTest, TheNextBatchIsWrittenWhileOneIsSyncedAndNothingIsReleasedBeforeItsSync) {
  std::vector<Error> failures;
  // Declared before the committer, so that they outlive what it still holds for them.
  auto a = std::make_shared<Counter>("a");
  auto b = std::make_shared<Counter>("b");
  GroupCommitter committer(*gate_, [&](const Error& e) { failures.push_back(e); });
  const test::OpenAtExit open_at_exit(*gate_);
  gate_->hold_syncs();
  a->set(1);
  committer.submit(a);
  ASSERT_TRUE(gate_->wait_until_sync_held());
  // a=1 is committed (every reader sees it) but not durable: not acknowledged.
  EXPECT_EQ(**store_->meta("a"), "1");
  EXPECT_EQ(a->committed(), 0);
  // Meanwhile the writer commits what comes next.
  a->set(2);
  committer.submit(a);
  ASSERT_TRUE(eventually([&] { return committer.stats().sources == 2; }));
  EXPECT_EQ(**store_->meta("a"), "2");
  EXPECT_EQ(a->committed(), 0);
  // But no further: it stays at most one transaction ahead of the sync, so b, drained now,
  // waits for the held sync.
  committer.submit(b);
  ASSERT_TRUE(eventually([&] { return b->drains() == 1; }));
  EXPECT_FALSE(store_->meta("b")->has_value());
  EXPECT_EQ(committer.stats().transactions, 2u);
  gate_->release_syncs();
  ASSERT_TRUE(committer.flush().ok());
  EXPECT_EQ(a->committed(), 2);
  EXPECT_EQ(b->committed(), 1);
  EXPECT_TRUE(failures.empty());
  // The first sync covered a=1; the next ones a=2 and b, together or one each.
  EXPECT_GE(committer.stats().syncs, 2u);
  EXPECT_LE(committer.stats().syncs, 3u);
  EXPECT_EQ(gate_->syncs(), static_cast<int>(committer.stats().syncs));
}

// Many callers flushing at once, as a server's acting callers do: each returns once what it
// submitted is durable (its acknowledgement has run), never before, and none is left waiting
// (each waits on its own condition, woken when the syncs reach its submissions).
TEST_F(GroupCommitterTest, EachOfManyFlushersReturnsOnceItsOwnSubmissionsAreDurable) {
  constexpr int kCallers = 32;
  constexpr int kRounds = 20;
  std::vector<std::shared_ptr<Counter>> sources;
  for (int i = 0; i < kCallers; ++i)
    sources.push_back(std::make_shared<Counter>(std::to_string(i)));
  GroupCommitter committer(*store_, nullptr);
  std::atomic<int> early{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&, i] {
      for (int round = 1; round <= kRounds; ++round) {
        sources[i]->set(round);
        committer.submit(sources[i]);
        if (!committer.flush().ok() || sources[i]->committed() != round) ++early;
      }
    });
  }
  for (auto& caller : callers) caller.join();
  EXPECT_EQ(early.load(), 0);
  for (int i = 0; i < kCallers; ++i) EXPECT_EQ(**store_->meta(std::to_string(i)), "20");
  // They shared transactions: one each would be kCallers * kRounds.
  EXPECT_LT(committer.stats().transactions, static_cast<uint64_t>(kCallers * kRounds));
}

TEST_F(GroupCommitterTest, AFailedSyncReleasesNothingAndStopsTheWriter) {
  std::atomic<int> reported{0};
  GroupCommitter committer(*gate_, [&](const Error&) { ++reported; });
  auto a = std::make_shared<Counter>("a");
  committer.submit(a);
  ASSERT_TRUE(committer.flush().ok());
  EXPECT_EQ(a->committed(), 1);
  gate_->fail_next_sync();
  a->set(2);
  committer.submit(a);
  auto failed = committer.flush();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code(), ErrorCode::kIo);
  EXPECT_EQ(a->committed(), 1);  // a=2 is committed, but never acknowledged
  auto after = std::make_shared<Counter>("after");
  committer.submit(after);
  EXPECT_FALSE(committer.flush().ok());
  EXPECT_EQ(after->committed(), 0);
  EXPECT_FALSE(*store_->meta("after"));  // nothing is written after a failed sync
  EXPECT_EQ(reported.load(), 1);
}

TEST_F(GroupCommitterTest, StoppingWritesWhatWasSubmitted) {
  auto a = std::make_shared<Counter>("a");
  {
    GroupCommitter committer(*gate_, nullptr);
    for (int i = 1; i <= 50; ++i) {
      a->set(i);
      committer.submit(a);
    }
  }
  EXPECT_EQ(a->committed(), a->drains());
  EXPECT_EQ(**store_->meta("a"), "50");
}

}  // namespace
}  // namespace coalition::group_committer_test
