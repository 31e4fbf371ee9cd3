// Restoring a backup puts it in the store's place only under the store's acting lock, only over
// an empty store unless told to replace, and never for a PostgreSQL store (its own tools do it).
#include "app/store_backup.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "app/session.h"
#include "store/sqlite_store.h"
#include "support/temp_dir.h"

namespace coalition::app {
namespace {

class StoreBackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SqliteStore::open(SqliteOptions{store_.string()});
    ASSERT_TRUE(store.ok());
    StoreBatch batch;
    batch.meta.emplace_back("marker", "original");
    ASSERT_TRUE((*store)->apply(batch).ok());
  }
  std::string marker() {
    auto store = SqliteStore::open(SqliteOptions{store_.string()});
    EXPECT_TRUE(store.ok());
    auto m = (*store)->meta("marker");
    return m.ok() && *m ? **m : "";
  }
  void set_marker(const std::string& value) {
    auto store = SqliteStore::open(SqliteOptions{store_.string()});
    ASSERT_TRUE(store.ok());
    StoreBatch batch;
    batch.meta.emplace_back("marker", value);
    ASSERT_TRUE((*store)->apply(batch).ok());
  }
  test::TempDir dir_;
  std::filesystem::path store_ = dir_.path() / "coalition.db";
  std::filesystem::path backup_ = dir_.path() / "backup.db";
  EngineConfig config_;
};

TEST_F(StoreBackupTest, ABackupIsRestoredOverTheStoreOnlyWhenAskedAndWhenNothingActsOnIt) {
  ASSERT_TRUE(backup_store(config_, store_.string(), backup_.string()).ok());
  set_marker("changed after the backup");
  ::close(::open((store_.string() + ".journal").c_str(), O_CREAT | O_WRONLY, 0600));

  const Status kept = restore_store(config_, store_.string(), backup_.string(), false);
  ASSERT_FALSE(kept.ok());
  EXPECT_EQ(kept.error().code(), ErrorCode::kConflict);
  EXPECT_NE(kept.error().message().find("--replace"), std::string::npos);
  EXPECT_EQ(marker(), "changed after the backup");

  auto held = lock_store_file(store_.string());  // a worker owns the store
  ASSERT_TRUE(held.ok());
  const Status busy = restore_store(config_, store_.string(), backup_.string(), true);
  EXPECT_FALSE(busy.ok());
  EXPECT_EQ(marker(), "changed after the backup");
  ::close(*held);

  ASSERT_TRUE(restore_store(config_, store_.string(), backup_.string(), true).ok());
  EXPECT_EQ(marker(), "original");
  EXPECT_FALSE(std::filesystem::exists(store_.string() + ".journal"))
      << "the replaced store's crash journal goes with it";
  // Into a place with no store yet, no --replace is needed.
  const auto fresh = dir_.path() / "fresh.db";
  ASSERT_TRUE(restore_store(config_, fresh.string(), backup_.string(), false).ok());
}

TEST_F(StoreBackupTest, APostgresStoreIsPointedToItsOwnTools) {
  const std::string url = "postgresql://coalition:s3cret@db.example/coalition";
  const Status backup = backup_store(config_, url, backup_.string());
  ASSERT_FALSE(backup.ok());
  EXPECT_NE(backup.error().message().find("pg_dump"), std::string::npos);
  EXPECT_EQ(backup.error().message().find("s3cret"), std::string::npos);
  const Status restore = restore_store(config_, url, backup_.string(), true);
  ASSERT_FALSE(restore.ok());
  EXPECT_NE(restore.error().message().find("pg_restore"), std::string::npos);
}

}  // namespace
}  // namespace coalition::app
