// kill -9 loses no acknowledged work: 200 executions are acknowledged by `coalition start`, a
// worker is killed with SIGKILL several times while attempts are in flight (the test watches the
// store and kills once attempts have started and not yet finished, so a slow or loaded machine
// cannot move the kill outside the flight), and a last worker finishes. Every execution must
// succeed with exactly one completion per step, the store must pass PRAGMA integrity_check, and the
// audit chain must verify.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include "store/sqlite_store.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"
#include "test_paths.h"

namespace coalition {
namespace {

using nlohmann::json;

// Attempts started and steps succeeded, as committed to the store so far.
struct Progress {
  int64_t started = 0;
  int64_t succeeded = 0;
  int64_t unfinished() const { return started - succeeded; }
};

Progress progress(const std::string& store) {
  Progress p;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(store.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 1000);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db,
                           "SELECT coalesce(sum(type = 'attempt_started'), 0),"
                           " coalesce(sum(type = 'step_succeeded'), 0) FROM events",
                           -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      p.started = sqlite3_column_int64(stmt, 0);
      p.succeeded = sqlite3_column_int64(stmt, 1);
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return p;
}

TEST(CrashRecovery, SigkillDuringFlightLosesNothingAcknowledged) {
  test::TempDir dir;
  const std::string store = (dir.path() / "crash.db").string();
  const std::map<std::string, std::string> env{
      {"COALITION_PLUGIN_PATH", std::string(test::kFixtureDir) + "/slow_step"},
      {"COALITION_CONFIG", ""},
      {"COALITION_STORE", store}};
  const std::string workflow =
      std::string(test::kSourceDir) + "/tests/workflows/durable/crash_line.json";

  auto started = test::run_process(
      {test::kCoalitionBinary, "start", workflow, "--count", "200", "--json"}, env);
  ASSERT_EQ(started.exit_code, 0) << started.err;
  const auto ids = json::parse(started.out)["executions"];
  ASSERT_EQ(ids.size(), 200u);

  constexpr int64_t kSteps = 6 * 200;
  int killed = 0;
  for (int cycle = 0; cycle < 3; ++cycle) {
    // Attempts a killed worker left unfinished stay unfinished in the count; only new ones mark
    // this worker's flight. Each cycle lets the worker get further before the kill: the first
    // dies with attempts started and none finished, later ones with steps finished as well.
    const Progress before = progress(store);
    if (before.succeeded == kSteps) break;
    const int64_t attempts_wanted = 20 + 100 * cycle;
    const int64_t successes_wanted = 50 * cycle;
    auto last_look = std::chrono::steady_clock::now();
    auto in_flight = [&] {
      const auto now = std::chrono::steady_clock::now();
      if (now - last_look < std::chrono::milliseconds(20)) return false;
      last_look = now;
      const Progress p = progress(store);
      return p.succeeded == kSteps || (p.started - before.started >= attempts_wanted &&
                                       p.succeeded - before.succeeded >= successes_wanted &&
                                       p.unfinished() > before.unfinished());
    };
    auto worker =
        test::run_process_until_ready({test::kCoalitionBinary, "--log-level", "warn", "worker"},
                                      env, in_flight, std::chrono::seconds(120), SIGKILL);
    if (worker.exit_code == 128 + SIGKILL && progress(store).succeeded < kSteps) ++killed;
  }
  EXPECT_GE(killed, 1) << "no worker was killed mid-flight; the test proved nothing";
  auto last = test::run_process(
      {test::kCoalitionBinary, "--log-level", "warn", "worker", "--until-idle"}, env);
  ASSERT_EQ(last.exit_code, 0) << last.err;

  auto opened = SqliteStore::open(SqliteOptions{store});
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  auto& s = **opened;
  EXPECT_EQ(*s.integrity_check(), "ok");
  size_t reruns = 0;
  for (const auto& id : ids) {
    auto record = s.execution(id.get<std::string>());
    ASSERT_TRUE(record.ok() && record->has_value());
    EXPECT_EQ((*record)->status, ExecutionStatus::kSucceeded) << id;
    std::map<std::string, int> succeeded;
    size_t attempts = 0;
    const auto history = s.history(id.get<std::string>());
    for (const auto& e : *history) {
      if (e.type == EventType::kStepSucceeded) ++succeeded[e.step];
      if (e.type == EventType::kAttemptStarted) ++attempts;
    }
    ASSERT_EQ(succeeded.size(), 6u) << id;
    for (const auto& [step, n] : succeeded) EXPECT_EQ(n, 1) << id << " " << step;
    reruns += attempts - 6;
  }
  // Attempts in flight at a kill ran again (at least once, with the same idempotency key).
  EXPECT_GT(reruns, 0u);
  auto verify = test::run_process({test::kCoalitionBinary, "audit", "verify"}, env);
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_NE(verify.out.find("audit chain ok"), std::string::npos);
}

}  // namespace
}  // namespace coalition
