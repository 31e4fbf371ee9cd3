// What the PostgreSQL store promises beyond the Store contract: one acting engine per database
// (until executions are leased), one audit chain in commit order when several stores write to
// one database, migrations that two nodes starting together run once, a store that outlives a
// lost connection, and no password in any message.
#include "store/postgres_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "audit/audit_chain.h"
#include "support/postgres_database.h"

namespace coalition::postgres_store_test {
namespace {

using nlohmann::json;

TimePoint at(int64_t seconds) {
  return TimePoint(std::chrono::seconds(1798675200 + seconds));
}

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = test::PostgresDatabase::create();
    ASSERT_TRUE(db.ok()) << db.error().message();
    db_ = std::move(*db);
  }
  std::unique_ptr<PostgresStore> open() {
    auto store = PostgresStore::open(PostgresOptions{db_->url()});
    EXPECT_TRUE(store.ok()) << store.error().message();
    return store.ok() ? std::move(*store) : nullptr;
  }
  std::unique_ptr<test::PostgresDatabase> db_;
};

TEST_F(PostgresStoreTest, OneEngineActsOnADatabaseAtATime) {
  auto first = open();
  ASSERT_TRUE(first);
  ASSERT_TRUE(first
                  ->take_acting_lock("coalition serve at http://127.0.0.1:8080",
                                     std::chrono::milliseconds(0))
                  .ok());
  auto second = open();
  ASSERT_TRUE(second);
  const Status refused = second->take_acting_lock("", std::chrono::milliseconds(300));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kConflict);
  EXPECT_NE(refused.error().message().find("owned by coalition serve at http://127.0.0.1:8080"),
            std::string::npos)
      << refused.error().message();
  EXPECT_TRUE(second->execution("ex-1").ok()) << "reading needs no lock";

  first.reset();  // its connection ends, and the lock with it
  EXPECT_TRUE(second->take_acting_lock("", std::chrono::seconds(5)).ok());
  auto third = open();
  ASSERT_TRUE(third);
  const Status busy = third->take_acting_lock("", std::chrono::milliseconds(200));
  ASSERT_FALSE(busy.ok());
  EXPECT_NE(busy.error().message().find("in use by another coalition process"), std::string::npos)
      << "a holder that named no owner is waited for, then named as a process: "
      << busy.error().message();
}

// The lock lives on a connection of its own: when the server ends that connection (a restart,
// a failover), another engine may take the database, so this one writes nothing more.
TEST_F(PostgresStoreTest, AnEngineThatLostItsActingLockWritesNothingMore) {
  auto store = open();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->take_acting_lock("", std::chrono::milliseconds(0)).ok());
  StoreBatch before;
  before.meta.emplace_back("k", "1");
  ASSERT_TRUE(store->apply(before).ok());
  ASSERT_TRUE(db_->exec("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = "
                        "'advisory' AND granted")
                  .ok());
  StoreBatch after;
  after.meta.emplace_back("k", "2");
  Status refused = ok_status();
  for (int i = 0; i < 100 && refused.ok(); ++i) {  // until the server has ended it
    refused = store->apply(after);
    if (refused.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("acting lock was lost"), std::string::npos)
      << refused.error().message();
  EXPECT_FALSE(store->apply(after).ok()) << "and it stays so";
  auto other = open();
  ASSERT_TRUE(other);
  EXPECT_TRUE(other->take_acting_lock("", std::chrono::seconds(5)).ok());
}

// Several stores on one database (the nodes of a cluster) append to one chain: every entry
// after the one committed before it, whichever store wrote it.
TEST_F(PostgresStoreTest, StoresWritingToOneDatabaseKeepOneAuditChain) {
  constexpr int kStores = 3;
  constexpr int kBatches = 40;
  std::vector<std::unique_ptr<PostgresStore>> stores;
  for (int i = 0; i < kStores; ++i) {
    stores.push_back(open());
    ASSERT_TRUE(stores.back());
  }
  std::atomic<int> failures{0};
  // One clock for the nodes: instants a millisecond apart, drawn before the write, so the
  // commits come in nearly (never more than the allowed skew out of) time order.
  std::atomic<int64_t> clock_ms{0};
  std::vector<std::thread> writers;
  for (int n = 0; n < kStores; ++n) {
    writers.emplace_back([&, n] {
      for (int b = 0; b < kBatches; ++b) {
        StoreBatch batch;
        const std::string execution = "ex-" + std::to_string(n) + "-" + std::to_string(b);
        const TimePoint now = at(0) + std::chrono::milliseconds(clock_ms++);
        batch.events.push_back({execution, Event{1, now, EventType::kExecutionStarted, "", {}}});
        AuditDraft d = make_audit_draft(now, "lead.lee", "", "northwind", execution, "",
                                        "execution_started", json::object());
        d.event_seq = 1;
        batch.audit.push_back(d);
        batch.audit.push_back(make_audit_draft(now, "lead.lee", "", "northwind", execution, "",
                                               "exported", json::object()));
        if (!stores[static_cast<size_t>(n)]->apply(batch).ok()) ++failures;
      }
    });
  }
  for (auto& w : writers) w.join();
  EXPECT_EQ(failures.load(), 0);
  auto v = stores[0]->verify_audit();
  ASSERT_TRUE(v.ok()) << v.error().message();
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->entries, static_cast<uint64_t>(2 * kStores * kBatches));
  EXPECT_EQ(v->events, static_cast<uint64_t>(kStores * kBatches));
  auto entries = stores[1]->audit("");
  ASSERT_TRUE(entries.ok());
  std::set<std::string> writers_seen;
  for (size_t i = 0; i < entries->size(); ++i) {
    EXPECT_EQ((*entries)[i].seq, i + 1);
    writers_seen.insert((*entries)[i].execution_id.substr(0, 4));
  }
  EXPECT_EQ(writers_seen.size(), static_cast<size_t>(kStores));
}

TEST_F(PostgresStoreTest, NodesStartingTogetherMigrateOnce) {
  std::vector<std::thread> nodes;
  std::atomic<int> opened{0};
  for (int i = 0; i < 4; ++i) {
    nodes.emplace_back([&] {
      if (PostgresStore::open(PostgresOptions{db_->url()}).ok()) ++opened;
    });
  }
  for (auto& n : nodes) n.join();
  EXPECT_EQ(opened.load(), 4);
  auto versions = db_->column("SELECT version FROM coalition_schema");
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(*versions, std::vector<std::string>{std::to_string(PostgresStore::schema_version())});
}

// The server ends the store's connections (a restart, a failover, an operator): the store finds
// them closed and connects again for its next read and its next batch.
TEST_F(PostgresStoreTest, AStoreConnectsAgainAfterTheServerEndsItsConnections) {
  auto store = open();
  ASSERT_TRUE(store);
  StoreBatch first;
  first.meta.emplace_back("k", "1");
  ASSERT_TRUE(store->apply(first).ok());
  ASSERT_TRUE(store->meta("k").ok());
  ASSERT_TRUE(db_->exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
                        "current_database() AND pid <> pg_backend_pid()")
                  .ok());
  // pg_terminate_backend only signals: waits until the ended connections are gone.
  for (int i = 0; i < 100; ++i) {
    auto others = db_->column(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> "
        "pg_backend_pid()");
    if (others.ok() && *others == std::vector<std::string>{"0"}) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto k = store->meta("k");
  ASSERT_TRUE(k.ok()) << k.error().message();
  EXPECT_EQ(**k, "1");
  StoreBatch second;
  second.meta.emplace_back("k", "2");
  const Status written = store->apply(second);
  ASSERT_TRUE(written.ok()) << written.error().message();
  EXPECT_EQ(**store->meta("k"), "2");
}

TEST(PostgresUrl, APasswordNeverReachesAMessage) {
  EXPECT_EQ(redacted_postgres_url("postgresql://coalition:s3cret@db.example:5432/coalition"),
            "postgresql://coalition@db.example:5432/coalition");
  EXPECT_EQ(redacted_postgres_url("postgres://db.example/coalition?password=s3cret"),
            "postgres://db.example/coalition");
  EXPECT_EQ(redacted_postgres_url(
                "postgresql://u@/coalition?host=/run/a&password=s3cret&sslmode=require"),
            "postgresql://u@/coalition?host=/run/a&sslmode=require");
  EXPECT_EQ(redacted_postgres_url("host=db password=s3cret"), "PostgreSQL database");
  EXPECT_TRUE(is_postgres_url("postgresql://x"));
  EXPECT_FALSE(is_postgres_url("coalition.db"));
  // libpq quotes a malformed URL back in its complaint: ours says so without it.
  auto malformed = PostgresStore::open(PostgresOptions{"postgresql://coalition:s3%zz@db/x"});
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.error().message().find("s3"), std::string::npos)
      << malformed.error().message();
  // Nothing listens on port 1: the refusal names the database without the password.
  auto refused = PostgresStore::open(
      PostgresOptions{"postgresql://coalition:s3cret@127.0.0.1:1/coalition?connect_timeout=2"});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kIo);
  EXPECT_EQ(refused.error().message().find("s3cret"), std::string::npos)
      << refused.error().message();
  EXPECT_NE(refused.error().message().find("postgresql://coalition@127.0.0.1:1/coalition"),
            std::string::npos)
      << refused.error().message();
}

}  // namespace
}  // namespace coalition::postgres_store_test
