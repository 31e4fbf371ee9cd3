// Hardening through the real CLI: no input crashes the engine or poisons its store, and one
// execution that does take the engine down is set aside after a few tries while the others
// carry on.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/subprocess.h"
#include "support/temp_dir.h"
#include "test_paths.h"

namespace coalition {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class Hardening : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = (dir_.path() / "store" / "h.db").string();
    write("approve.json", R"({"id": "approve", "version": 1, "title": "One approval",
      "steps": [{"id": "review", "kind": "task", "type": "approval",
                 "parameters": {"title": "Review"}, "assign": {"roles": ["analyst"]},
                 "result": "/review", "next": "wait"},
                {"id": "wait", "kind": "task", "type": "await_signal",
                 "parameters": {"name": "go"}}]})");
  }

  std::string write(const std::string& name, const std::string& text) {
    const auto path = dir_.path() / name;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
  }

  test::ProcessResult cli(std::vector<std::string> args, const std::string& plugins = "",
                          const std::string& stdin_path = "/dev/null") {
    args.insert(args.begin(), {test::kCoalitionBinary, "--log-level", "warn"});
    return test::run_process_with_input(args,
                                        {{"COALITION_PLUGIN_PATH", plugins},
                                         {"COALITION_CONFIG", config_},
                                         {"COALITION_STORE", store_}},
                                        stdin_path);
  }

  // Runs `coalition worker --until-idle` until one ends well, at most `most` times; how many
  // went down before it (or `most`, when none ended well).
  int workers_down_until_one_ends_well(const std::string& plugins, int most) {
    for (int down = 0; down < most; ++down) {
      if (cli({"worker", "--until-idle"}, plugins).exit_code == 0) return down;
    }
    return most;
  }

  // Starts the approval workflow; its first task is `<id>.t1`.
  void start_approval(const std::string& id) {
    auto r = cli({"run", (dir_.path() / "approve.json").string(), "--id", id, "--as", "lead.lee"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  test::TempDir dir_;
  std::string store_;
  std::string config_;  // the configuration file; empty: none
};

std::string nested(size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

TEST_F(Hardening, DeepJsonIsRefusedAtEveryDoorAndTheStoreCarriesOn) {
  start_approval("a1");
  const std::string deep = "{\"x\": " + nested(20000) + "}";
  const std::string deep_file = write("deep.json", deep);
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"complete", "a1.t1", "--as", "ana", "--role", "analyst", "--data", deep},
           {"complete", "a1.t1", "--as", "ana", "--role", "analyst", "--data", deep_file},
           {"signal", "a1", "go", "--data", deep},
           {"run", (dir_.path() / "approve.json").string(), "--input", deep_file},
           {"start", (dir_.path() / "approve.json").string(), "--input", deep_file},
           {"validate", deep_file}}) {
    auto r = cli(args);
    EXPECT_EQ(r.exit_code, 65) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find("limits.depth: nested deeper than 128 levels"), std::string::npos)
        << args[0] << ": " << r.err;
  }
  // The store was never touched: the task is still open and can be completed.
  auto done = cli({"complete", "a1.t1", "--as", "ana", "--role", "analyst", "--data",
                   R"({"decision": "approve"})"});
  EXPECT_EQ(done.exit_code, 0) << done.err;
}

TEST_F(Hardening, DuplicateKeysInADefinitionAreRefusedWithTheirPointer) {
  const std::string wf = write("dup.json", R"({"id": "dup", "version": 1, "title": "t",
    "visibility": {"roles": {}}, "steps": [{"id": "a", "kind": "succeed"}],
    "visibility": {"roles": {"visitor": "restricted"}}})");
  auto r = cli({"validate", wf});
  EXPECT_EQ(r.exit_code, 65);
  EXPECT_NE(r.err.find("/visibility: json.duplicate_key"), std::string::npos) << r.err;
  auto answer = R"({"decision": "approve", "decision": "reject"})";
  start_approval("a2");
  auto c = cli({"complete", "a2.t1", "--as", "ana", "--role", "analyst", "--data", answer});
  EXPECT_EQ(c.exit_code, 65);
  EXPECT_NE(c.err.find("/decision: --data: json.duplicate_key"), std::string::npos) << c.err;
}

TEST_F(Hardening, OnlyRegularFilesAreReadAndNothingWaitsOnThem) {
  const std::string fifo = (dir_.path() / "fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string wf = (dir_.path() / "approve.json").string();
  for (const std::string& input : {std::string("/dev/zero"), fifo, dir_.path().string()}) {
    auto r = cli({"run", wf, "--input", input});
    EXPECT_EQ(r.exit_code, 74) << input << ": " << r.err;
    EXPECT_NE(r.err.find("not a regular file"), std::string::npos) << r.err;
  }
  auto missing = cli({"run", wf, "--input", (dir_.path() / "absent.json").string()});
  EXPECT_EQ(missing.exit_code, 66) << missing.err;
  // A sibling that is huge, deep or special is never opened: only named sub-workflows are.
  ASSERT_EQ(::mkfifo((dir_.path() / "zz_sibling.json").c_str(), 0600), 0);
  write("deep_sibling.json", "{\"steps\": " + nested(50000) + "}");
  EXPECT_EQ(cli({"validate", wf}).exit_code, 0);
}

TEST_F(Hardening, StartReadsStandardInputAndBoundsItsCount) {
  const std::string wf = write("input.json", R"({"id": "input", "version": 1, "title": "t",
    "input_schema": {"type": "object", "required": ["case_id"]},
    "steps": [{"id": "a", "kind": "succeed"}]})");
  const std::string input = write("in.json", R"({"case_id": "FC-1"})");
  auto r = cli({"start", wf, "--input", "-", "--json"}, "", input);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["executions"].size(), 1u);
  auto empty = cli({"start", wf, "--input", "-"});  // standard input is empty: not JSON
  EXPECT_EQ(empty.exit_code, 65) << empty.err;
  for (const char* count : {"-1", "0", "10001"}) {
    auto c = cli({"start", wf, "--input", input, "--count", count});
    EXPECT_EQ(c.exit_code, 64) << count << ": " << c.err;
    EXPECT_NE(c.err.find("--count: from 1 to 10000"), std::string::npos) << c.err;
  }
}

TEST_F(Hardening, NamesAndReasonsAreOneLineOfValidText) {
  start_approval("a3");
  for (const auto& [option, value] : std::vector<std::pair<std::string, std::string>>{
           {"--as", "ana\n2026-12-01 09:00Z  REFUSED nobody"},
           {"--as", "ana\x1b[2J"},
           {"--role", "analyst\xff"},
           {"--org", "north\xe2\x80\xaewind"}}) {
    std::vector<std::string> args{"complete", "a3.t1",   "--as",   "ana",
                                  "--role",   "analyst", "--data", R"({"decision": "approve"})"};
    for (size_t i = 0; i + 1 < args.size(); ++i) {
      if (args[i] == option) args[i + 1] = value;
    }
    if (option == "--org") args.insert(args.end(), {"--org", value});
    auto r = cli(args);
    EXPECT_EQ(r.exit_code, 65) << option << ": " << r.err;
    EXPECT_NE(r.err.find(option + ": "), std::string::npos) << r.err;
  }
  auto bad_signal = cli({"signal", "a3", "go\nforged"});
  EXPECT_EQ(bad_signal.exit_code, 65);
  EXPECT_NE(bad_signal.err.find("NAME: holds a control character"), std::string::npos);
  auto bad_id = cli({"run", (dir_.path() / "approve.json").string(), "--id", "x\xc3"});
  EXPECT_EQ(bad_id.exit_code, 65);
  EXPECT_NE(bad_id.err.find("--id: not valid UTF-8"), std::string::npos) << bad_id.err;
  // Nothing of the refused attempts reached the task.
  auto tasks = cli({"tasks", "--json"});
  EXPECT_EQ(json::parse(tasks.out)["tasks"][0]["completions"].size(), 0u);
}

TEST_F(Hardening, TimestampsAreStrictAndYearsReach9999) {
  start_approval("a4");
  for (const char* bad : {"2026-02-30T00:00:00Z", "2026-12-01T00:00:00+99:00",
                          "2026-12-01T00:00:00+ab:cd", " 2026-12-01T00:00:00Z"}) {
    auto r = cli({"extend", "a4.t1", "--to", bad, "--justification", "j", "--as", "ana", "--role",
                  "analyst"});
    EXPECT_NE(r.exit_code, 0) << bad;
    EXPECT_NE(r.err.find("RFC 3339"), std::string::npos) << bad << ": " << r.err;
  }
  // A store in virtual time far ahead: instants after 2262 are held and printed as they are.
  const std::string wf = write("wait.json", R"({"id": "late", "version": 1, "title": "t",
    "steps": [{"id": "w", "kind": "wait", "until": "/input/at"}]})");
  const std::string input = write("at.json", R"({"at": "2400-03-01T00:00:00Z"})");
  const std::string far = (dir_.path() / "far.db").string();
  auto run = cli({"run", wf, "--id", "late", "--input", input, "--store", far, "--now",
                  "2399-12-31T00:00:00Z"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto st = cli({"status", "late", "--json", "--store", far});
  EXPECT_EQ(json::parse(st.out)["next_due"], "2400-03-01T00:00:00.000Z") << st.out;
  auto tick = cli({"tick", "--now", "2400-03-01T00:00:01Z", "--store", far});
  ASSERT_EQ(tick.exit_code, 0) << tick.err;
  EXPECT_EQ(json::parse(cli({"status", "late", "--json", "--store", far}).out)["status"],
            "succeeded");
}

TEST_F(Hardening, StoreAndExportsArePrivateAndExportsNeverFollowLinks) {
  start_approval("a5");
  struct stat st {};
  ASSERT_EQ(::stat(store_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  for (const char* beside : {"-wal", "-shm", ".journal"}) {  // SQLite removes -wal at close
    if (::stat((store_ + beside).c_str(), &st) == 0) {
      EXPECT_EQ(st.st_mode & 0777, 0600u) << beside;
    }
  }
  ASSERT_EQ(::stat((store_ + ".journal").c_str(), &st), 0);
  ASSERT_EQ(::stat(fs::path(store_).parent_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  const std::string out = (dir_.path() / "export.json").string();
  ASSERT_EQ(cli({"export", "a5", "--out", out}).exit_code, 0);
  ASSERT_EQ(::stat(out.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = cli({"export", "a5", "--out", out});
  EXPECT_EQ(again.exit_code, 73) << again.err;
  EXPECT_NE(again.err.find("--force"), std::string::npos);
  EXPECT_EQ(cli({"export", "a5", "--out", out, "--force"}).exit_code, 0);

  const std::string target = (dir_.path() / "elsewhere.txt").string();
  write("elsewhere.txt", "keep me");
  const std::string link = (dir_.path() / "link.json").string();
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  for (bool force : {false, true}) {
    std::vector<std::string> args{"export", "a5", "--out", link};
    if (force) args.push_back("--force");
    auto r = cli(args);
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find("symbolic link"), std::string::npos) << r.err;
  }
  std::ifstream kept(target);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(kept), {}), "keep me");
  // No temporary file is left beside the exports.
  for (const auto& e : fs::directory_iterator(dir_.path())) {
    EXPECT_NE(e.path().filename().string().rfind(".export.json.", 0), 0u) << e.path();
  }
}

TEST_F(Hardening, TheActingLockIsOnTheStoreFileNotItsPath) {
  start_approval("a6");
  const std::string alias = (dir_.path() / "alias.db").string();
  ASSERT_EQ(::symlink(store_.c_str(), alias.c_str()), 0);
  // A worker holds the store through one path; a command through the other waits, then says so.
  // The command starts once the worker holds the store, and the worker runs until it has ended.
  auto worker_and_command = [&] {
    std::atomic<bool> answered{false};
    auto w = std::async(std::launch::async, [&] {
      return test::run_process_until_ready(
          {test::kCoalitionBinary, "worker", "--store", store_},
          {{"COALITION_PLUGIN_PATH", ""}, {"COALITION_CONFIG", ""}},
          [&] { return answered.load(); }, std::chrono::seconds(120), SIGTERM);
    });
    for (int i = 0; i < 6000 && !test::locked_by_another_process(store_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    auto c = cli({"complete", "a6.t1", "--as", "ana", "--role", "analyst", "--data",
                  R"({"decision": "approve"})", "--store", alias});
    answered = true;
    w.wait();
    return c;
  };
  ::unlink((store_ + ".lock").c_str());  // what used to be enough to run two at once
  auto c = worker_and_command();
  EXPECT_EQ(c.exit_code, 74) << c.err;
  EXPECT_NE(c.err.find("in use by another coalition process"), std::string::npos) << c.err;
}

// One execution whose in-process plugin call takes the engine down costs that step three attempts
// (limits.interruptions), or — when the death was not seen coming (SIGKILL) — is set aside after
// three tries; a healthy execution in the same store finishes either way.
class PoisonedExecution : public Hardening, public ::testing::WithParamInterface<std::string> {
 protected:
  // Starts a healthy execution, then one whose crash step crashes `how`; their ids.
  // Started first: every acting command recovers the store, so once the poisoned execution is
  // recorded, any of them (a `start` of another workflow too) runs it.
  void start_healthy_and_poisoned(const std::string& plugins, const std::string& how,
                                  std::string& good, std::string& bad) {
    const std::string durable = std::string(test::kSourceDir) + "/tests/workflows/durable/";
    const std::string input = write("how.json", json{{"how", how}}.dump());
    auto healthy = cli({"start", durable + "healthy.json", "--json"}, plugins);
    ASSERT_EQ(healthy.exit_code, 0) << healthy.err;
    auto poisoned = cli({"start", durable + "poisoned.json", "--input", input, "--json"}, plugins);
    ASSERT_EQ(poisoned.exit_code, 0) << poisoned.err;
    bad = json::parse(poisoned.out)["executions"][0];
    good = json::parse(healthy.out)["executions"][0];
  }
};

TEST_P(PoisonedExecution, CostsItsStepOrIsSetAsideAndTheOthersCarryOn) {
  // In process, as a plugin the coalition trusts: its crash is the engine's.
  config_ = write("coalition.json",
                  R"({"plugins": {"isolation": {"plugins": {"crash_step": "in_process"}}}})");
  const std::string plugins = std::string(test::kFixtureDir) + "/crash_step";
  const std::string how = GetParam();
  std::string good;
  std::string bad;
  ASSERT_NO_FATAL_FAILURE(start_healthy_and_poisoned(plugins, how, good, bad));
  int crashes = 0;
  for (int i = 0; i < 3; ++i) {
    auto w = cli({"worker", "--until-idle"}, plugins);
    if (w.exit_code != 0) ++crashes;
  }
  EXPECT_EQ(crashes, 3) << "the crash step must take each of the first three workers down";
  auto last = cli({"worker", "--until-idle"}, plugins);
  ASSERT_EQ(last.exit_code, 0) << last.err;

  const json failed = json::parse(cli({"status", bad, "--json"}, plugins).out);
  EXPECT_EQ(failed["status"], "failed");
  const std::string message = failed["error"]["message"].get<std::string>();
  if (how == "kill") {
    // SIGKILL (what the out-of-memory killer sends) is not seen coming: the process cannot say
    // which of its threads was to blame, so the execution is set aside after three deaths.
    EXPECT_NE(last.err.find("execution " + bad + " set aside"), std::string::npos) << last.err;
    EXPECT_EQ(failed["error"]["code"], "engine.execution_set_aside") << failed.dump();
    EXPECT_NE(message.find("stopped 3 times"), std::string::npos) << message;
  } else {
    // A fault or an abort is seen on the thread that ran the plugin call: each crash is one
    // failed attempt of the step, which fails with plugin.crashed once the third crash is
    // counted (limits.interruptions) — its three attempts, never run a fourth time.
    EXPECT_EQ(failed["error"]["code"], "plugin.crashed") << failed.dump();
    const std::string signal = how == "abort" ? "SIGABRT" : "SIGSEGV";
    EXPECT_NE(message.find("died of " + signal), std::string::npos) << message;
    EXPECT_NE(message.find("crash 3 of at most 3"), std::string::npos) << message;
    const json history = json::parse(cli({"history", bad, "--json"}, plugins).out)["events"];
    size_t attempts = 0;
    size_t retries = 0;
    for (const auto& event : history) {
      attempts += event["type"] == "attempt_started" ? 1 : 0;
      if (event["type"] == "retry_scheduled") {
        ++retries;
        EXPECT_EQ(event["data"]["error"]["code"], "plugin.crashed") << event.dump();
      }
    }
    EXPECT_EQ(attempts, 3u) << history.dump();
    EXPECT_EQ(retries, 2u) << history.dump();
  }
  EXPECT_EQ(json::parse(cli({"status", good, "--json"}, plugins).out)["status"], "succeeded");
  auto verify = cli({"audit", "verify"}, plugins);
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  // Failed or set aside means done with: later workers start at once and leave it alone.
  const size_t events = json::parse(cli({"history", bad, "--json"}, plugins).out)["events"].size();
  auto after = cli({"worker", "--until-idle"}, plugins);
  EXPECT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(json::parse(cli({"history", bad, "--json"}, plugins).out)["events"].size(), events);
}

// A crashed call is failed after the execution's other attempts are on their way again: here
// the crash fails its branch, which cancels the sibling branch that was in flight too — and
// nothing is started after the execution has failed.
TEST_F(Hardening, ACrashedBranchFailsItsParallelStepAndNothingRunsAfterTheFailure) {
  config_ = write("coalition.json", R"({"plugins": {"isolation": {"plugins": {
      "crash_step": "in_process", "slow_step": "in_process"}}}})");
  const std::string plugins = std::string(test::kFixtureDir) +
                              "/crash_step:" + std::string(test::kFixtureDir) + "/slow_step";
  const std::string wf = write("branches.json", R"({
    "id": "branches", "version": 1, "title": "One branch crashes, the other takes its time",
    "steps": [{"id": "both", "kind": "parallel", "branches": [
      {"name": "bad", "steps": [{"id": "crash", "kind": "task", "type": "crash",
                                 "parameters": {"how": "segv"}, "retry": {"max_attempts": 1}}]},
      {"name": "slow", "steps": [{"id": "wait", "kind": "task", "type": "slow",
                                  "parameters": {"ms": 1500}}]}]}]})");
  auto started = cli({"start", wf, "--json"}, plugins);
  ASSERT_EQ(started.exit_code, 0) << started.err;
  const std::string id = json::parse(started.out)["executions"][0];
  auto first = cli({"worker", "--until-idle"}, plugins);
  EXPECT_NE(first.exit_code, 0) << "the crash takes the first worker down";
  auto second = cli({"worker", "--until-idle"}, plugins);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const json status = json::parse(cli({"status", id, "--json"}, plugins).out);
  EXPECT_EQ(status["status"], "failed");
  EXPECT_EQ(status["error"]["code"], "parallel.branch_failed") << status.dump();
  EXPECT_NE(status["error"]["message"].get<std::string>().find("failed with plugin.crashed"),
            std::string::npos)
      << status.dump();
  const json history = json::parse(cli({"history", id, "--json"}, plugins).out)["events"];
  bool ended = false;
  for (const auto& event : history) {
    if (event["type"] == "execution_failed") ended = true;
    if (ended) {
      EXPECT_NE(event["type"], "attempt_started") << history.dump();
    }
  }
  EXPECT_TRUE(ended) << history.dump();
  EXPECT_EQ(cli({"audit", "verify"}, plugins).exit_code, 0);
}

// A step type that declares itself non-blocking is called at once, before its attempt is
// committed, so its first crash leaves no attempt on record to count it against. The next process
// learns of the crash from the journal and calls the execution's steps only once their attempts
// are committed: from then on each crash is one of the step's three attempts, as for any step.
TEST_F(Hardening, ANonBlockingStepThatCrashedWaitsForItsCommitAndCostsItsAttempts) {
  config_ = write("coalition.json",
                  R"({"plugins": {"isolation": {"plugins": {"crash_step": "in_process"}}}})");
  const std::string plugins = std::string(test::kFixtureDir) + "/crash_step";
  const std::string wf = write("pure_crash.json", R"({
    "id": "pure_crash", "version": 1, "title": "A step declared non-blocking that crashes",
    "steps": [{"id": "crash", "kind": "task", "type": "crash_pure",
               "parameters": {"how": "segv"}}]})");
  auto started = cli({"start", wf, "--json"}, plugins);
  ASSERT_EQ(started.exit_code, 0) << started.err;
  const std::string id = json::parse(started.out)["executions"][0];
  EXPECT_EQ(workers_down_until_one_ends_well(plugins, 6), 4)
      << "one crash at once, then one for each of the three attempts";
  const json failed = json::parse(cli({"status", id, "--json"}, plugins).out);
  EXPECT_EQ(failed["status"], "failed");
  EXPECT_EQ(failed["error"]["code"], "plugin.crashed") << failed.dump();
  const std::string message = failed["error"]["message"].get<std::string>();
  EXPECT_NE(message.find("crash 3 of at most 3"), std::string::npos) << message;
  const json history = json::parse(cli({"history", id, "--json"}, plugins).out)["events"];
  size_t attempts = 0;
  for (const auto& event : history) attempts += event["type"] == "attempt_started" ? 1 : 0;
  EXPECT_EQ(attempts, 3u) << history.dump();
  EXPECT_EQ(cli({"audit", "verify"}, plugins).exit_code, 0);
}

// Two such steps in parallel branches: whichever crashes, the next process calls every step of
// the execution only once its attempt is committed, so each crash after the first is one
// counted attempt of one branch — not a crash at once that takes turns between the branches
// until the execution is set aside for stopping the engine too often.
TEST_F(Hardening, NonBlockingStepsThatCrashInParallelBranchesAreCountedNotSetAside) {
  config_ = write("coalition.json",
                  R"({"plugins": {"isolation": {"plugins": {"crash_step": "in_process"}}}})");
  const std::string plugins = std::string(test::kFixtureDir) + "/crash_step";
  const std::string wf = write("pure_crash_branches.json", R"({
    "id": "pure_crash_branches", "version": 1, "title": "Two branches whose steps crash",
    "steps": [{"id": "both", "kind": "parallel", "branches": [
      {"name": "a", "steps": [{"id": "crash", "kind": "task", "type": "crash_pure",
                               "parameters": {"how": "segv"}}]},
      {"name": "b", "steps": [{"id": "crash", "kind": "task", "type": "crash_pure",
                               "parameters": {"how": "abort"}}]}]}]})");
  auto started = cli({"start", wf, "--json"}, plugins);
  ASSERT_EQ(started.exit_code, 0) << started.err;
  const std::string id = json::parse(started.out)["executions"][0];
  const int crashes = workers_down_until_one_ends_well(plugins, 10);
  // One at once, then counted attempts until one branch has crashed three times: at most two
  // of the other's come between. The worker that counts the third and fails the execution
  // restored the other branch's attempt in flight too, and that call may still be made and
  // crash it before the failure cancels the branch (seen under AddressSanitizer, about one run
  // in three there): one more.
  EXPECT_GE(crashes, 4);
  EXPECT_LE(crashes, 7);
  const json failed = json::parse(cli({"status", id, "--json"}, plugins).out);
  EXPECT_EQ(failed["status"], "failed");
  EXPECT_EQ(failed["error"]["code"], "parallel.branch_failed") << failed.dump();
  EXPECT_NE(failed["error"]["message"].get<std::string>().find("failed with plugin.crashed"),
            std::string::npos)
      << failed.dump();
  EXPECT_EQ(cli({"audit", "verify"}, plugins).exit_code, 0);
}

INSTANTIATE_TEST_SUITE_P(Crashes, PoisonedExecution,
                         ::testing::Values("segv", "abort", "stack", "kill"));

// The same plugin isolated (the default for a plugin outside the engine's own directory): no
// worker goes down; each crash is one failed attempt, and the step fails with plugin.crashed
// once its attempts are spent.
class IsolatedPoisonedExecution : public PoisonedExecution {};

TEST_P(IsolatedPoisonedExecution, FailsItsStepAndNoWorkerGoesDown) {
  config_ = write("coalition.json", R"({"plugins": {"host": {"restart_backoff": "PT0.01S"}}})");
  const std::string plugins = std::string(test::kFixtureDir) + "/crash_step";
  std::string good;
  std::string bad;
  ASSERT_NO_FATAL_FAILURE(start_healthy_and_poisoned(plugins, GetParam(), good, bad));
  auto worker = cli({"worker", "--until-idle"}, plugins);
  ASSERT_EQ(worker.exit_code, 0) << worker.err;
  const json failed = json::parse(cli({"status", bad, "--json"}, plugins).out);
  EXPECT_EQ(failed["status"], "failed");
  EXPECT_EQ(failed["error"]["code"], "plugin.crashed") << failed.dump();
  EXPECT_EQ(json::parse(cli({"status", good, "--json"}, plugins).out)["status"], "succeeded");
  const json history = json::parse(cli({"history", bad, "--json"}, plugins).out)["events"];
  size_t attempts = 0;
  for (const auto& event : history) attempts += event["type"] == "attempt_started" ? 1 : 0;
  EXPECT_EQ(attempts, 3u) << "each crash is one of the step's three attempts";
  EXPECT_EQ(cli({"audit", "verify"}, plugins).exit_code, 0);
}

INSTANTIATE_TEST_SUITE_P(Crashes, IsolatedPoisonedExecution,
                         ::testing::Values("segv", "abort", "stack", "kill"));

}  // namespace
}  // namespace coalition
