// Executions leased to engine nodes on one PostgreSQL database (store/execution_leases.h): a
// claim is exclusive while its node is alive and raises the fence; a write under a fence that
// moved is refused whole and writes nothing; orphans go to one node each however many poll at
// once; a start under an id another node wrote is refused.
#include "store/execution_leases.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>

#include "store/postgres_leases.h"
#include "store/postgres_store.h"
#include "support/postgres_database.h"

namespace coalition::execution_leases_test {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

TimePoint at(int64_t seconds) {
  return TimePoint(std::chrono::seconds(1798675200 + seconds));
}

ExecutionRecord record(const std::string& id, ExecutionStatus status,
                       std::optional<TimePoint> next_due = std::nullopt) {
  return ExecutionRecord{id,    "review", 1,        status,         "lead.lee",
                         at(0), at(5),    next_due, json{{"n", 1}}, ExecutionResult{}};
}

class ExecutionLeasesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = test::PostgresDatabase::create();
    ASSERT_TRUE(db.ok()) << db.error().message();
    db_ = std::move(*db);
    auto store = PostgresStore::open(PostgresOptions{db_->url()});
    ASSERT_TRUE(store.ok()) << store.error().message();
    store_ = std::move(*store);
    auto leases = PostgresLeases::open(db_->url());
    ASSERT_TRUE(leases.ok()) << leases.error().message();
    leases_ = std::move(*leases);
  }
  // Executions written as a single engine writes them: no owner yet.
  void put(std::vector<ExecutionRecord> records) {
    StoreBatch batch;
    batch.executions = std::move(records);
    ASSERT_TRUE(store_->apply(batch).ok());
  }
  // Changes of `id` written under `lease`: its record, an event and an audit entry.
  Status write_as(const ExecutionFence& lease, const std::string& id, int64_t seq) {
    StoreBatch batch;
    batch.executions.push_back(record(id, ExecutionStatus::kRunning));
    batch.events.push_back(
        StoredEvent{id, Event{static_cast<uint64_t>(seq), at(seq), EventType::kStepScheduled, "s",
                              json{{"by", lease.node}}.dump()}});
    AuditDraft audit;
    audit.at = at(seq);
    audit.actor = "engine";
    audit.execution_id = id;
    audit.type = "step_scheduled";
    audit.summary = "{}";
    audit.event_seq = static_cast<uint64_t>(seq);
    batch.audit.push_back(audit);
    batch.fences.push_back(lease);
    return store_->apply(batch);
  }
  std::unique_ptr<test::PostgresDatabase> db_;
  std::unique_ptr<PostgresStore> store_;
  std::unique_ptr<PostgresLeases> leases_;
};

TEST_F(ExecutionLeasesTest, AClaimIsExclusiveWhileItsNodeLivesAndEachClaimRaisesTheFence) {
  put({record("ex-1", ExecutionStatus::kWaiting)});
  ASSERT_TRUE(leases_->heartbeat("a/1", "a", milliseconds(60000)).ok());
  ASSERT_TRUE(leases_->heartbeat("b/1", "b", milliseconds(60000)).ok());

  auto first = leases_->claim("a/1", "ex-1");
  ASSERT_TRUE(first.ok()) << first.error().message();
  ASSERT_EQ(first->outcome, LeaseClaim::Outcome::kGranted);
  EXPECT_EQ(first->lease.fence, 1u);
  auto second = leases_->claim("b/1", "ex-1");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->outcome, LeaseClaim::Outcome::kHeld);
  EXPECT_EQ(second->holder, "a") << "the holder is named as configured";
  auto unknown = leases_->claim("b/1", "ex-none");
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->outcome, LeaseClaim::Outcome::kUnknown);

  ASSERT_TRUE(leases_->release(first->lease).ok());
  auto after = leases_->claim("b/1", "ex-1");
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->outcome, LeaseClaim::Outcome::kGranted);
  EXPECT_EQ(after->lease.fence, 2u);
  // A release under the old fence is nothing: b keeps it.
  ASSERT_TRUE(leases_->release(first->lease).ok());
  auto still = leases_->claim("a/1", "ex-1");
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->outcome, LeaseClaim::Outcome::kHeld);
}

// Node a paused past its lease; b claimed the execution and wrote. a wakes up and commits what
// it had: refused whole — not its record, not its event, not its audit entry.
TEST_F(ExecutionLeasesTest, AWriteUnderAFenceThatMovedIsRefusedAndWritesNothing) {
  put({record("ex-1", ExecutionStatus::kRunning)});
  ASSERT_TRUE(leases_->heartbeat("a/1", "a", milliseconds(200)).ok());
  auto a = leases_->claim("a/1", "ex-1");
  ASSERT_TRUE(a.ok() && a->outcome == LeaseClaim::Outcome::kGranted);
  ASSERT_TRUE(write_as(a->lease, "ex-1", 1).ok());

  ASSERT_TRUE(leases_->heartbeat("b/1", "b", milliseconds(60000)).ok());
  auto early = leases_->claim("b/1", "ex-1");
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(early->outcome, LeaseClaim::Outcome::kHeld) << "a is alive for 200 ms";
  std::this_thread::sleep_for(milliseconds(400));  // a's heartbeat lapses
  auto b = leases_->claim("b/1", "ex-1");
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->outcome, LeaseClaim::Outcome::kGranted);
  EXPECT_EQ(b->lease.fence, 2u);
  ASSERT_TRUE(write_as(b->lease, "ex-1", 2).ok());

  auto audit_before = store_->audit("ex-1");
  ASSERT_TRUE(audit_before.ok());
  const Status refused = write_as(a->lease, "ex-1", 3);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kConflict);
  EXPECT_EQ(refused.error().reason(), ErrorReason::kLeaseMoved);
  auto history = store_->history("ex-1");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u) << "a's third event is not written";
  EXPECT_EQ(history->back().data()["by"], "b/1");
  auto audit_after = store_->audit("ex-1");
  ASSERT_TRUE(audit_after.ok());
  EXPECT_EQ(audit_after->size(), audit_before->size());
  auto verified = store_->verify_audit();
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->ok) << verified->problem;

  auto moved = leases_->moved({a->lease, b->lease});
  ASSERT_TRUE(moved.ok()) << moved.error().message();
  EXPECT_EQ(*moved, std::vector<std::string>{"ex-1"}) << "a's lease moved, b's did not";

  // A writer without a lease cannot write a leased execution either.
  StoreBatch unleased;
  unleased.executions.push_back(record("ex-1", ExecutionStatus::kSucceeded));
  const Status plain = store_->apply(unleased);
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.error().reason(), ErrorReason::kLeaseMoved);
}

// Both nodes poll at once: each orphan goes to exactly one of them; what a live node holds,
// what is not due and what has finished goes to neither.
TEST_F(ExecutionLeasesTest, OrphansGoToOneNodeEachWhenNodesPollTogether) {
  std::vector<ExecutionRecord> records;
  for (int i = 0; i < 60; ++i) {
    records.push_back(record("due-" + std::to_string(i), ExecutionStatus::kWaiting, at(100 + i)));
  }
  records.push_back(record("later", ExecutionStatus::kWaiting, at(5000)));
  records.push_back(record("parked", ExecutionStatus::kWaiting));  // waits for people only
  records.push_back(record("recorded", ExecutionStatus::kRunning));
  records.push_back(record("done", ExecutionStatus::kSucceeded));
  records.push_back(record("held", ExecutionStatus::kRunning));
  records.push_back(record("dead", ExecutionStatus::kRunning));
  put(std::move(records));
  ASSERT_TRUE(leases_->heartbeat("a/1", "a", milliseconds(60000)).ok());
  ASSERT_TRUE(leases_->heartbeat("b/1", "b", milliseconds(60000)).ok());
  ASSERT_TRUE(leases_->heartbeat("live/1", "live", milliseconds(60000)).ok());
  ASSERT_TRUE(leases_->heartbeat("gone/1", "gone", milliseconds(1)).ok());
  auto held = leases_->claim("live/1", "held");
  ASSERT_TRUE(held.ok() && held->outcome == LeaseClaim::Outcome::kGranted);
  auto dead = leases_->claim("gone/1", "dead");
  ASSERT_TRUE(dead.ok() && dead->outcome == LeaseClaim::Outcome::kGranted);
  std::this_thread::sleep_for(milliseconds(20));

  auto other = PostgresLeases::open(db_->url());
  ASSERT_TRUE(other.ok());
  std::vector<std::string> got_a;
  std::vector<std::string> got_b;
  auto poll = [&](ExecutionLeases& leases, const std::string& node, std::vector<std::string>& got) {
    for (int round = 0; round < 20; ++round) {
      auto claimed = leases.claim_orphans(node, at(1000), 7);
      ASSERT_TRUE(claimed.ok()) << claimed.error().message();
      for (const auto& f : *claimed) {
        EXPECT_EQ(f.node, node);
        got.push_back(f.execution_id);
      }
    }
  };
  std::thread ta([&] { poll(*leases_, "a/1", got_a); });
  std::thread tb([&] { poll(**other, "b/1", got_b); });
  ta.join();
  tb.join();
  std::set<std::string> all(got_a.begin(), got_a.end());
  for (const auto& id : got_b) {
    EXPECT_TRUE(all.insert(id).second) << id << " went to both nodes";
  }
  EXPECT_EQ(all.size(), 62u) << "60 due, one recorded, one of a dead node";
  EXPECT_EQ(all.count("recorded"), 1u);
  EXPECT_EQ(all.count("dead"), 1u);
  for (const char* id : {"later", "parked", "done", "held"}) EXPECT_EQ(all.count(id), 0u) << id;

  auto nodes = leases_->nodes();
  ASSERT_TRUE(nodes.ok()) << nodes.error().message();
  ASSERT_EQ(nodes->size(), 4u);
  EXPECT_EQ(nodes->at(2).name, "gone");
  EXPECT_FALSE(nodes->at(2).alive);
  EXPECT_EQ(nodes->at(3).name, "live");
  EXPECT_TRUE(nodes->at(3).alive);
  EXPECT_EQ(nodes->at(3).executions, 1u);
  EXPECT_EQ(nodes->at(0).executions + nodes->at(1).executions, 62u);

  ASSERT_TRUE(leases_->leave("live/1").ok());
  auto free = leases_->claim("b/1", "held");
  ASSERT_TRUE(free.ok());
  EXPECT_EQ(free->outcome, LeaseClaim::Outcome::kGranted) << "a node that left holds nothing";
}

// Two nodes start an execution under the same chosen id at once: the second write is refused,
// never merged into the first.
TEST_F(ExecutionLeasesTest, AStartUnderAnIdAnotherNodeWroteIsRefused) {
  ASSERT_TRUE(leases_->heartbeat("a/1", "a", milliseconds(60000)).ok());
  ASSERT_TRUE(leases_->heartbeat("b/1", "b", milliseconds(60000)).ok());
  const ExecutionFence a{"ex-same", "a/1", 1, true};
  const ExecutionFence b{"ex-same", "b/1", 1, true};
  auto moved_before = leases_->moved({b});
  ASSERT_TRUE(moved_before.ok());
  EXPECT_TRUE(moved_before->empty()) << "not written yet: nothing moved";
  ASSERT_TRUE(write_as(a, "ex-same", 1).ok());
  const Status second = write_as(b, "ex-same", 1);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().reason(), ErrorReason::kLeaseMoved);
  auto moved = leases_->moved({b});
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(*moved, std::vector<std::string>{"ex-same"});
}

}  // namespace
}  // namespace coalition::execution_leases_test
