// Exec plugins: a partner's program, in any language, answering the plugin calls as JSON lines
// (plugin_host/exec_protocol.h), run by a real `coalition-plugin-host` under the same limits,
// confinement and supervision as a plugin library. Real child processes, Debian's python3.
#include <gtest/gtest.h>
#include <signal.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/sha256.h"
#include "plugin_host/host_launcher.h"
#include "plugin_host/host_sandbox.h"
#include "plugin_host/isolated_plugin.h"
#include "plugin_host/plugin_loader.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"
#include "test_paths.h"

namespace coalition::exec_plugin_test {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
namespace fs = std::filesystem;

constexpr const char* kPython = "/usr/bin/python3";

fs::path program() {
  return fs::path(test::kSourceDir) / "tests/fixtures/exec/misbehaving_exec.py";
}

// True once `pid` has ended (reaped, or a zombie its new parent has not reaped yet): a program
// is killed by its host's death signal, or with its process group, a moment after the host.
bool ended(int pid) {
  for (int i = 0; i < 500; ++i) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return true;
    const auto close = line.rfind(')');
    if (close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z') {
      return true;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  return false;
}

PluginHostLimits quick_limits() {
  PluginHostLimits limits;
  limits.address_space_mb = 1024;
  limits.restart_backoff = milliseconds(10);
  limits.restart_backoff_max = milliseconds(40);
  limits.quarantine_after = 100;
  return limits;
}

class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>(
        "coalition", std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_));
    logger->set_pattern("%n %v");
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() const { return stream_.str(); }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::ostringstream stream_;
};

class ExecPluginTest : public ::testing::Test {
 protected:
  void start(PluginHostLimits limits = quick_limits()) {
    hosts_ = std::make_unique<PluginHosts>(
        std::make_unique<SpawnHostLauncher>(test::kPluginHostBinary, limits), limits);
  }
  Result<PluginCode> code(const std::string& interpreter = kPython, json config = json::object(),
                          const std::string& sha256 = {}) {
    PluginLoader loader(libraries_, json{{"misbehaving_exec", std::move(config)}});
    loader.isolate_with(
        *hosts_, [](const std::string&, const fs::path&) { return Isolation::kIsolated; }, {});
    return loader.load_code(PluginCodeFile{program(), PluginKind::kExec, interpreter}, sha256,
                            "the test");
  }
  void load(PluginHostLimits limits = quick_limits(), const std::string& interpreter = kPython,
            json config = json::object()) {
    start(limits);
    PluginLoader loader(libraries_, json{{"misbehaving_exec", std::move(config)}});
    loader.isolate_with(
        *hosts_, [](const std::string&, const fs::path&) { return Isolation::kIsolated; }, {});
    auto plugin = loader.load(PluginCodeFile{program(), PluginKind::kExec, interpreter});
    ASSERT_TRUE(plugin) << plugin.error().to_string();
    plugin_ = std::move(*plugin);
  }
  StepOutcome run_with(const json& params, milliseconds limit = milliseconds(20000)) {
    StepContext context;
    context.execution_id = "ex-7";
    context.step_id = "misbehave";
    context.idempotency_key = "ex-7/misbehave";
    context.time_limit = limit;
    return plugin_.step_types.at(0)->execute(params, context);
  }
  StepOutcome run(const std::string& how, milliseconds limit = milliseconds(20000)) {
    return run_with({{"how", how}}, limit);
  }
  int program_pid() {
    auto outcome = run("ok");
    EXPECT_EQ(outcome.status, StepStatus::kOk) << outcome.error.message;
    return outcome.output.value("pid", -1);
  }

  DllLibraryLoader libraries_;
  std::unique_ptr<PluginHosts> hosts_;
  LoadedPlugin plugin_;
};

TEST_F(ExecPluginTest, AProgramAnswersInAHostOfItsOwnAsALibraryWould) {
  load(quick_limits(), kPython, json{{"region", "EU"}});
  EXPECT_EQ(plugin_.info.id, "misbehaving_exec");
  EXPECT_EQ(plugin_.info.kind, PluginKind::kExec);
  EXPECT_EQ(plugin_.info.isolation, Isolation::kIsolated);
  EXPECT_EQ(plugin_.info.abi_major, 0u);
  EXPECT_EQ(plugin_.info.publisher, "Fixture Test Org");
  ASSERT_EQ(plugin_.info.step_types, std::vector<std::string>{"misbehave_exec"});
  // The declared schema crossed two process boundaries: bad parameters never reach the program.
  StepContext context;
  EXPECT_EQ(plugin_.step_types[0]->execute(json{{"how", 7}}, context).status,
            StepStatus::kInvalidParameters);
  auto ok = run("ok");
  ASSERT_EQ(ok.status, StepStatus::kOk) << ok.error.message;
  const int pid = ok.output["pid"];
  const int host = ok.output["host_pid"];
  EXPECT_NE(pid, ::getpid());
  EXPECT_NE(host, ::getpid());
  EXPECT_NE(pid, host) << "the program is the host's child, not the host";
  EXPECT_EQ(ok.output["config"]["region"], "EU") << "the plugin's configuration reaches it";
  EXPECT_EQ(ok.output["context"]["execution_id"], "ex-7");
  EXPECT_EQ(ok.output["context"]["idempotency_key"], "ex-7/misbehave");
  EXPECT_EQ(program_pid(), pid) << "one program serves every call while it lives";

  auto error = run("error");
  EXPECT_EQ(error.status, StepStatus::kRetryableError);
  EXPECT_EQ(error.error.code, "fixture.later");
  EXPECT_EQ(error.error.message, "try again later");
  auto suspended = run("suspend");
  EXPECT_EQ(suspended.status, StepStatus::kSuspend);
  EXPECT_EQ(suspended.output["title"], "wait for a person");
  StepContext resume_context;
  resume_context.time_limit = milliseconds(20000);
  auto resumed = plugin_.step_types[0]->resume(json{{"answer", "yes"}}, resume_context);
  EXPECT_EQ(resumed.status, StepStatus::kOk) << resumed.error.message;
  EXPECT_EQ(resumed.output["resumed"]["answer"], "yes");
}

struct Fault {
  const char* how;
  const char* death;
};

class ExecFaultTest : public ExecPluginTest, public ::testing::WithParamInterface<Fault> {};

TEST_P(ExecFaultTest, FailsTheAttemptRetryablyAndTheNextCallGetsANewProgram) {
  load();
  const int before = program_pid();
  auto failed = run(GetParam().how);
  EXPECT_EQ(failed.status, StepStatus::kRetryableError);
  EXPECT_EQ(failed.error.code, "plugin.crashed");
  EXPECT_NE(failed.error.message.find(GetParam().death), std::string::npos) << failed.error.message;
  const int after = program_pid();
  EXPECT_GT(after, 0);
  EXPECT_NE(after, before);
  EXPECT_TRUE(ended(before)) << "the program died with its host";
  auto health = hosts_->health();
  ASSERT_EQ(health.size(), 1u);
  EXPECT_EQ(health[0].failures, 1u);
  EXPECT_EQ(health[0].starts, 2u);
}

INSTANTIATE_TEST_SUITE_P(Ways, ExecFaultTest,
                         ::testing::Values(Fault{"segv", "killed by signal 11 (SIGSEGV)"},
                                           Fault{"exit", "exited with status 3"},
                                           Fault{"garbage", "broke the exec protocol"},
                                           Fault{"wrong_id", "broke the exec protocol"}),
                         [](const auto& case_info) { return std::string(case_info.param.how); });

TEST_F(ExecPluginTest, AHungProgramIsStoppedAtTheCallsTimeLimit) {
  load();
  const int before = program_pid();
  const auto started = std::chrono::steady_clock::now();
  auto hung = run("hang", milliseconds(400));
  EXPECT_GE(std::chrono::steady_clock::now() - started, milliseconds(400));
  EXPECT_EQ(hung.status, StepStatus::kRetryableError);
  EXPECT_EQ(hung.error.code, "plugin.timed_out");
  EXPECT_NE(program_pid(), before);
  EXPECT_TRUE(ended(before)) << "killed with its host's process group";
}

TEST_F(ExecPluginTest, AProgramThatDiesBetweenCallsTakesItsHostAlongAtOnce) {
  LogCapture log;
  load();
  auto answered = run("die_later");
  ASSERT_EQ(answered.status, StepStatus::kOk);
  bool down = false;
  for (int i = 0; i < 500 && !down; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
    down = !hosts_->health()[0].running;
  }
  EXPECT_TRUE(down) << "no call was in flight; its host went down with it all the same";
  // The death counts against the plugin when its next call finds it, as a library host's does.
  auto next = run("ok");
  EXPECT_EQ(next.status, StepStatus::kOk) << next.error.message;
  EXPECT_NE(next.output.value("pid", -1), answered.output.value("pid", -1));
  const auto health = hosts_->health()[0];
  EXPECT_EQ(health.failures, 1u);
  EXPECT_NE(health.last_failure.find("killed by signal 6 (SIGABRT)"), std::string::npos)
      << health.last_failure;
  hosts_.reset();
  EXPECT_NE(log.text().find("the program misbehaving_exec.py was killed by signal 6 (SIGABRT)"),
            std::string::npos)
      << log.text();
}

TEST_F(ExecPluginTest, AnswersOfTheWrongShapeFailTheirAttemptAndTheProgramGoesOn) {
  load();
  const int pid = program_pid();
  auto no_status = run("no_status");
  EXPECT_EQ(no_status.status, StepStatus::kPermanentError);
  EXPECT_EQ(no_status.error.code, "plugin.exec_protocol");
  EXPECT_NE(no_status.error.message.find("\"status\""), std::string::npos);
  auto no_output = run("no_output");
  EXPECT_EQ(no_output.status, StepStatus::kPermanentError);
  EXPECT_EQ(no_output.error.code, "plugin.null_output");
  // 1 MiB of text in a string: a document just over what an output may be (1 MiB).
  auto large = run_with({{"how", "huge"}, {"bytes", (1 << 20) - 10}});
  EXPECT_EQ(large.status, StepStatus::kPermanentError);
  EXPECT_EQ(large.error.code, "plugin.output_too_large");
  EXPECT_NE(large.error.message.find("limit is 1048576 bytes"), std::string::npos)
      << large.error.message;
  // 3 MiB: a line longer than any answer may be is dropped unread.
  auto huge = run_with({{"how", "huge"}, {"bytes", 3 << 20}});
  EXPECT_EQ(huge.status, StepStatus::kPermanentError);
  EXPECT_EQ(huge.error.code, "plugin.output_too_large");
  EXPECT_NE(huge.error.message.find("a line of more than"), std::string::npos)
      << huge.error.message;
  EXPECT_EQ(program_pid(), pid);
  EXPECT_EQ(hosts_->health()[0].failures, 0u) << "a refused answer is not a crash";
}

TEST_F(ExecPluginTest, WhatTheProgramSaysGoesToTheEngineLogUnderItsName) {
  LogCapture log;
  load();
  auto logged = run("log");
  EXPECT_EQ(logged.status, StepStatus::kOk) << logged.error.message;
  EXPECT_EQ(logged.output["logged"], true);
  hosts_.reset();  // every host stopped: nothing logs into the capture after it ends
  const std::string text = log.text();
  EXPECT_NE(text.find("plugin.misbehaving_exec a warning from the program"), std::string::npos)
      << text;
  EXPECT_NE(text.find("plugin.misbehaving_exec printed: a line on standard error"),
            std::string::npos)
      << text;
}

TEST_F(ExecPluginTest, TheProgramIsConfinedWithItsHostWhereTheKernelAllows) {
  test::TempDir dir;
  const fs::path outside = dir.write("outside.txt", "a file no plugin was granted");
  const fs::path granted = dir.write("granted.txt", "granted");
  PluginHostLimits limits = quick_limits();
  limits.paths["misbehaving_exec"] = {{granted.string()}, {}};
  load(limits);
  std::string why;
  const bool confined = landlock_abi(&why) > 0;
  SCOPED_TRACE(confined ? "Landlock" : "no Landlock: " + why);
  auto readable = [&](const fs::path& path) {
    auto r = run_with({{"how", "read"}, {"path", path.string()}});
    EXPECT_EQ(r.status, StepStatus::kOk) << r.error.message;
    return r.output["readable"];
  };
  EXPECT_EQ(readable(granted), true);
  EXPECT_EQ(readable(program()), true) << "its own directory";
  EXPECT_EQ(readable(outside), !confined);
}

TEST_F(ExecPluginTest, AProgramWithAnInterpreterLineRunsWithoutOneNamed) {
  // The sealed copy is executed itself; the kernel reads its "#!" line.
  load(quick_limits(), "");
  auto ok = run("ok");
  ASSERT_EQ(ok.status, StepStatus::kOk) << ok.error.message;
  EXPECT_GT(ok.output.value("pid", -1), 0);
}

TEST_F(ExecPluginTest, AProgramThatCannotStartOrDescribeItselfIsRefusedWithOneSentence) {
  start();
  auto missing = code("/usr/bin/no-such-interpreter");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message().find(
                "cannot execute its interpreter /usr/bin/no-such-interpreter: No such file"),
            std::string::npos)
      << missing.error().message();
  auto garbage = code(kPython, json{{"describe", "garbage"}});
  ASSERT_FALSE(garbage);
  EXPECT_NE(garbage.error().message().find("its answer to describe is not JSON"), std::string::npos)
      << garbage.error().message();
  auto other = code(kPython, json{{"describe", "other_id"}});
  ASSERT_FALSE(other);
  EXPECT_NE(other.error().message().find("the program declares plugin id 'other'"),
            std::string::npos)
      << other.error().message();
  auto tampered = code(kPython, json::object(), std::string(64, 'a'));
  ASSERT_FALSE(tampered);
  EXPECT_NE(tampered.error().message().find(std::string(64, 'a')), std::string::npos)
      << tampered.error().message();
  EXPECT_NE(tampered.error().message().find(sha256_hex(test::read_file(program()))),
            std::string::npos)
      << tampered.error().message();
  auto digest = code(kPython, json::object(), sha256_hex(test::read_file(program())));
  EXPECT_TRUE(digest) << digest.error().to_string();
}

TEST_F(ExecPluginTest, AnExecPluginNeverRunsInProcess) {
  start();
  PluginLoader loader(libraries_, json::object());
  loader.isolate_with(
      *hosts_, [](const std::string&, const fs::path&) { return Isolation::kInProcess; }, {});
  auto refused = loader.load(PluginCodeFile{program(), PluginKind::kExec, kPython});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("runs in a plugin host only"), std::string::npos)
      << refused.error().message();
  PluginLoader without_hosts(libraries_, json::object());
  auto no_host = without_hosts.load(PluginCodeFile{program(), PluginKind::kExec, kPython});
  ASSERT_FALSE(no_host);
  EXPECT_NE(no_host.error().message().find("runs in a plugin host"), std::string::npos);
}

// The Python example as an operator installs it: its program and the manifest the build wrote,
// in a folder of their own; then listed, run in a workflow, pinned by the lock, and refused
// once its program changes.
class ExecPluginCli : public ::testing::Test {
 protected:
  fs::path install() {
    const fs::path to = dir_.path() / "plugins" / "merchant_screen-1.0.0";
    fs::create_directories(to);
    const fs::path from = fs::path(test::kFixtureDir) / "merchant_screen";
    for (const char* file : {"merchant_screen.py", "merchant_screen.plugin.json"}) {
      fs::copy_file(from / file, to / file);
    }
    return to / "merchant_screen.py";
  }
  test::ProcessResult coalition(std::vector<std::string> args, const json& plugins = {}) {
    json section = plugins.is_null() ? json::object() : plugins;
    section["directories"] = {(dir_.path() / "plugins").string()};
    const auto config = dir_.write("coalition.json", json{{"plugins", section}}.dump());
    args.insert(args.begin(), {test::kCoalitionBinary, "--config", config.string()});
    return test::run_process(args, {{"COALITION_PLUGIN_PATH", ""},
                                    {"COALITION_CONFIG", ""},
                                    {"COALITION_STORE", (dir_.path() / "store.db").string()}});
  }
  json run_assessment(const json& plugins = {}) {
    const json workflow{{"id", "merchant_check"},
                        {"version", 1},
                        {"title", "Merchant check"},
                        {"steps",
                         {{{"id", "assess"},
                           {"kind", "task"},
                           {"type", "merchant_screen.assess"},
                           {"parameters",
                            {{"merchant_ref", "MER-0042117"},
                             {"mcc", "5967"},
                             {"acquirer_country", "NL"},
                             {"indicators", {"hotline_hash_match"}}}},
                           {"result", "/assessment"}}}}};
    const auto file = dir_.write("merchant_check.json", workflow.dump());
    auto r = coalition({"run", file.string(), "--json", "--as", "lead.lee"}, plugins);
    EXPECT_FALSE(r.out.empty()) << r.err;
    return r.out.empty() ? json() : json::parse(r.out);
  }

  test::TempDir dir_;
};

TEST_F(ExecPluginCli, ThePythonExampleIsListedRunsInAWorkflowAndIsPinnedLikeALibrary) {
  const fs::path program = install();
  const std::string digest = sha256_hex(test::read_file(program));
  auto listed = coalition({"plugins", "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const json listing = json::parse(listed.out);
  json plugin;
  for (const auto& p : listing["plugins"]) {
    if (p["id"] == "merchant_screen") plugin = p;
  }
  ASSERT_FALSE(plugin.is_null()) << listed.out;
  EXPECT_EQ(plugin["kind"], "exec");
  EXPECT_EQ(plugin["isolation"], "isolated");
  EXPECT_TRUE(plugin["abi"].is_null());
  EXPECT_EQ(plugin["sha256"], digest);
  EXPECT_EQ(plugin["source"], program.string());

  const json run = run_assessment();
  ASSERT_EQ(run["status"], "succeeded") << run.dump();
  EXPECT_EQ(run["output"]["assessment"]["risk"], "high");
  EXPECT_EQ(run["output"]["assessment"]["action"], "sar_review");
  auto history = coalition({"history", run["id"].get<std::string>(), "--json"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  const json events = json::parse(history.out)["events"];
  json started;
  for (const auto& e : events) {
    if (e["type"] == "attempt_started") started = e;
  }
  EXPECT_EQ(started["data"]["plugin"]["id"], "merchant_screen") << history.out;
  EXPECT_EQ(started["data"]["plugin"]["version"], "1.0.0");
  EXPECT_EQ(started["data"]["plugin"]["sha256"], digest);

  const fs::path lock = dir_.path() / "plugins.lock";
  auto pinned = coalition({"plugin", "lock"}, json{{"lock", lock.string()}});
  ASSERT_EQ(pinned.exit_code, 0) << pinned.err;
  EXPECT_NE(pinned.out.find("pinned merchant_screen 1.0.0  program " + digest), std::string::npos)
      << pinned.out;
  EXPECT_EQ(run_assessment(json{{"lock", lock.string()}})["status"], "succeeded");

  // One line nobody reviewed: the manifest still reads, the program never runs.
  {
    std::ofstream patch(program, std::ios::app);
    patch << "import os; os.system('true')\n";
  }
  const json refused = run_assessment();
  EXPECT_EQ(refused["status"], "failed") << refused.dump();
  EXPECT_EQ(refused["error"]["code"], "plugin.refused");
  const std::string message = refused["error"]["message"].get<std::string>();
  EXPECT_NE(message.find(program.string() + " was refused: its manifest"), std::string::npos)
      << message;
  EXPECT_NE(message.find("expects SHA-256 " + digest), std::string::npos) << message;
}

TEST_F(ExecPluginCli, TheManifestCommandDescribesAProgramAsTheBuildDid) {
  const fs::path built = fs::path(test::kFixtureDir) / "merchant_screen";
  auto r = coalition({"plugin", "manifest", "--interpreter", kPython,
                      (built / "merchant_screen.py").string(), "--out", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, test::read_file(built / "merchant_screen.plugin.json"));
  const json doc = json::parse(r.out);
  EXPECT_EQ(doc["exec"], (json{{"program", "merchant_screen.py"}, {"interpreter", kPython}}));
  EXPECT_FALSE(doc.contains("library"));
  EXPECT_EQ(doc["step_types"][1]["capabilities"], (json{"idempotent", "may_suspend"}));
}

}  // namespace
}  // namespace coalition::exec_plugin_test
