// kill -9 loses no acknowledged work: 200 executions are acknowledged by `coalition start`, a
// worker is killed with SIGKILL several times while attempts are in flight, and a last worker
// finishes. Every execution must succeed with exactly one completion per step, the store must
// pass PRAGMA integrity_check, and the audit chain must verify.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include "store/sqlite_store.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"
#include "test_paths.h"

namespace coalition {
namespace {

using nlohmann::json;

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

  int killed = 0;
  for (int cycle = 0; cycle < 3; ++cycle) {
    auto worker =
        test::run_process_until({test::kCoalitionBinary, "--log-level", "warn", "worker"}, env,
                                std::chrono::milliseconds(600 + 250 * cycle), SIGKILL);
    if (worker.exit_code == 128 + SIGKILL) ++killed;
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
