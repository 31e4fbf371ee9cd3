// Partner plugins in `coalition-plugin-host` child processes: whatever a plugin does — crash,
// hang, flood, leak, exhaust memory, break the protocol — costs one attempt and a restart of
// its host, never the engine. Real child processes, the real host program, real libraries.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>

#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "plugin_host/host_launcher.h"
#include "plugin_host/host_sandbox.h"
#include "plugin_host/isolated_plugin.h"
#include "plugin_host/plugin_loader.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"
#include "test_paths.h"

namespace coalition {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
namespace fs = std::filesystem;

fs::path fixture(const std::string& name) {
  return fs::path(test::kFixtureDir) / name / ("lib" + name + ".so");
}

size_t open_descriptors() {
  size_t count = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator("/proc/self/fd")) ++count;
  return count;
}

PluginHostLimits quick_limits() {
  PluginHostLimits limits;
  limits.address_space_mb = 1024;
  limits.restart_backoff = milliseconds(10);
  limits.restart_backoff_max = milliseconds(40);
  limits.quarantine_after = 100;
  return limits;
}

// Captures what the engine logs (the plugin's log lines and output among it).
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

class IsolatedPluginTest : public ::testing::Test {
 protected:
  void start(PluginHostLimits limits = quick_limits()) {
    hosts_ = std::make_unique<PluginHosts>(
        std::make_unique<SpawnHostLauncher>(test::kPluginHostBinary, limits), limits);
  }
  Result<LoadedPlugin> load(const fs::path& library) {
    PluginLoader loader(libraries_, json::object());
    loader.isolate_with(
        *hosts_, [](const std::string&, const fs::path&) { return Isolation::kIsolated; }, {});
    return loader.load(library);
  }
  void load_misbehaving(PluginHostLimits limits = quick_limits()) {
    start(limits);
    auto plugin = load(fixture("misbehaving_step"));
    ASSERT_TRUE(plugin) << plugin.error().to_string();
    plugin_ = std::move(*plugin);
  }
  StepOutcome run(const std::string& how, milliseconds limit = milliseconds(20000)) {
    return run_with({{"how", how}}, limit);
  }
  StepOutcome run_with(const json& params, milliseconds limit = milliseconds(20000)) {
    StepContext context;
    context.execution_id = "ex-1";
    context.step_id = "misbehave";
    context.idempotency_key = "ex-1/misbehave";
    context.time_limit = limit;
    return plugin_.step_types.at(0)->execute(params, context);
  }
  int host_pid() {
    auto outcome = run("ok");
    EXPECT_EQ(outcome.status, StepStatus::kOk) << outcome.error.message;
    return outcome.output.value("pid", -1);
  }

  DllLibraryLoader libraries_;
  std::unique_ptr<PluginHosts> hosts_;
  LoadedPlugin plugin_;
};

TEST_F(IsolatedPluginTest, RunsThePluginInAProcessOfItsOwn) {
  load_misbehaving();
  EXPECT_EQ(plugin_.info.id, "misbehaving_step");
  EXPECT_EQ(plugin_.info.isolation, Isolation::kIsolated);
  EXPECT_EQ(plugin_.info.publisher, "Fixture Test Org");
  ASSERT_EQ(plugin_.info.step_types, (std::vector<std::string>{"misbehave", "misbehave_serial"}));
  // The schemas crossed the process boundary: a parameter error is caught before any call.
  StepContext context;
  auto invalid = plugin_.step_types[0]->execute(json::object(), context);
  EXPECT_EQ(invalid.status, StepStatus::kInvalidParameters);
  const int pid = host_pid();
  EXPECT_GT(pid, 0);
  EXPECT_NE(pid, ::getpid());
  EXPECT_EQ(host_pid(), pid);  // one host serves every call while it lives
}

struct Crash {
  const char* how;
  const char* death;  // what the failure says happened to the host
};

class HostCrashTest : public IsolatedPluginTest, public ::testing::WithParamInterface<Crash> {};

TEST_P(HostCrashTest, FailsTheAttemptRetryablyAndTheNextCallGetsANewHost) {
  load_misbehaving();
  const int before = host_pid();
  auto crashed = run(GetParam().how);
  EXPECT_EQ(crashed.status, StepStatus::kRetryableError);
  EXPECT_EQ(crashed.error.code, "plugin.crashed");
  EXPECT_NE(crashed.error.message.find(GetParam().death), std::string::npos)
      << crashed.error.message;
  EXPECT_NE(crashed.error.message.find("misbehaving_step"), std::string::npos);
  const int after = host_pid();
  EXPECT_NE(after, before);
  EXPECT_NE(::kill(before, 0), 0) << "the dead host was reaped";
  auto health = hosts_->health();
  ASSERT_EQ(health.size(), 1u);
  EXPECT_EQ(health[0].starts, 2u);
  EXPECT_EQ(health[0].failures, 1u);
  EXPECT_TRUE(health[0].running);
}

INSTANTIATE_TEST_SUITE_P(Ways, HostCrashTest,
                         ::testing::Values(Crash{"segv", "killed by signal 11 (SIGSEGV)"},
                                           Crash{"abort", "killed by signal 6 (SIGABRT)"},
                                           Crash{"exit", "exited with status 3"},
                                           Crash{"garbage", "sent a broken frame"}),
                         [](const auto& case_info) { return std::string(case_info.param.how); });

TEST_F(IsolatedPluginTest, AHungCallIsStoppedAtItsTimeLimitAndItsThreadComesBack) {
  load_misbehaving();
  const int before = host_pid();
  const auto started = std::chrono::steady_clock::now();
  auto hung = run("hang", milliseconds(300));
  EXPECT_GE(std::chrono::steady_clock::now() - started, milliseconds(300));
  EXPECT_EQ(hung.status, StepStatus::kRetryableError);
  EXPECT_EQ(hung.error.code, "plugin.timed_out");
  EXPECT_NE(hung.error.message.find("did not answer a call within 300 ms"), std::string::npos)
      << hung.error.message;
  EXPECT_NE(host_pid(), before);
}

TEST_F(IsolatedPluginTest, CallsInFlightOnACrashedHostFailWithItNotAtTheirTimeLimit) {
  load_misbehaving();
  host_pid();
  auto waiting =
      std::async(std::launch::async, [this] { return run("hang", milliseconds(60000)); });
  std::this_thread::sleep_for(milliseconds(1000));  // let the hang reach the host
  auto crashed = run("segv");
  EXPECT_EQ(crashed.error.code, "plugin.crashed");
  // Had it waited for its own limit, this would block for a minute; it fails with the host.
  auto other = waiting.get();
  EXPECT_EQ(other.status, StepStatus::kRetryableError);
  EXPECT_EQ(other.error.code, "plugin.crashed");
  EXPECT_NE(other.error.message.find("during this call"), std::string::npos);
  EXPECT_EQ(hosts_->health()[0].failures, 1u) << "one death counts once";
}

TEST_F(IsolatedPluginTest, WhatThePluginStartedDiesWithItsHost) {
  load_misbehaving();
  const int before = host_pid();
  auto crashed = run("fork_flood", milliseconds(20000));
  EXPECT_EQ(crashed.error.code, "plugin.crashed") << crashed.error.message;
  EXPECT_NE(crashed.error.message.find("SIGSEGV"), std::string::npos) << crashed.error.message;
  // The child kept the host's output and socket open and wrote for ever: had it survived, or had
  // the engine drained its output to the end, nothing would answer here.
  const int after = host_pid();
  EXPECT_GT(after, 0);
  EXPECT_NE(after, before);
  // The child was killed with the host's process group: at most a zombie waits for its reaper.
  bool running = true;
  for (int i = 0; i < 200 && running; ++i) {
    running = false;
    for (const auto& entry : fs::directory_iterator("/proc")) {
      std::ifstream stat(entry.path() / "stat");
      std::string line;
      if (!std::getline(stat, line)) continue;
      const auto close = line.rfind(')');
      if (close == std::string::npos) continue;
      std::istringstream fields(line.substr(close + 2));
      char state = 0;
      long parent = 0;
      long group = 0;
      fields >> state >> parent >> group;
      if (group == before && state != 'Z') running = true;
    }
    if (running) std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_FALSE(running) << "a process of the dead host's group still runs";
}

TEST_F(IsolatedPluginTest, OutputBeyondTheLimitAndAMissingOutputAreProtocolErrors) {
  load_misbehaving();
  auto huge = run("huge");
  EXPECT_EQ(huge.status, StepStatus::kPermanentError);
  EXPECT_EQ(huge.error.code, "plugin.output_too_large");
  EXPECT_NE(huge.error.message.find("2097154 bytes"), std::string::npos) << huge.error.message;
  auto null = run("null");
  EXPECT_EQ(null.status, StepStatus::kPermanentError);
  EXPECT_EQ(null.error.code, "plugin.null_output");
  EXPECT_EQ(hosts_->health()[0].failures, 0u) << "a refused answer is not a crash";
}

TEST_F(IsolatedPluginTest, WhatAPluginPrintsGoesToTheEngineLogCappedNeverToItsOutput) {
  LogCapture log;
  load_misbehaving();
  // Its log line first: output and log share one budget a second, which the flood spends.
  auto logged = run("log");
  EXPECT_EQ(logged.status, StepStatus::kOk);
  auto flood = run("flood");
  EXPECT_EQ(flood.status, StepStatus::kOk) << flood.error.message;
  host_pid();
  hosts_.reset();  // every host stopped: nothing logs into the capture after it ends
  const std::string text = log.text();
  size_t printed = 0;
  for (size_t at = 0;
       (at = text.find("plugin.misbehaving_step printed: ", at)) != std::string::npos; ++at) {
    ++printed;
  }
  EXPECT_GT(printed, 0u);
  EXPECT_LE(printed, 200u) << "200,000 lines printed; the log takes at most 50 a second";
  EXPECT_NE(text.find("plugin.misbehaving_step could not reach"), std::string::npos)
      << "the plugin's own log line arrives under its name";
}

TEST_F(IsolatedPluginTest, TheHostInheritsNoDescriptorsNoEnvironmentAndRunsUnderLimits) {
  ::setenv("COALITION_TOKEN", "ctk_not_for_plugins", 1);
  const int stray = ::open("/dev/null", O_RDONLY);  // not close-on-exec: must not reach the host
  ASSERT_GE(stray, 0);
  PluginHostLimits limits = quick_limits();
  limits.open_files = 200;
  limits.cpu_seconds = 1234;
  load_misbehaving(limits);
  auto fds = run("fds");
  ::close(stray);
  ::unsetenv("COALITION_TOKEN");
  ASSERT_EQ(fds.status, StepStatus::kOk) << fds.error.message;
  EXPECT_EQ(fds.output["fds"], json::parse("[0,1,2,3]"));
  auto env = run("env");
  std::set<std::string> names(env.output["names"].begin(), env.output["names"].end());
  EXPECT_EQ(names.count("COALITION_TOKEN"), 0u);
  EXPECT_EQ(names.count("HOME"), 0u);
  EXPECT_EQ(names.count(kHostCookieVariable), 0u) << "the host clears its own markers";
  auto rlimits = run("limits");
  EXPECT_EQ(rlimits.output["nofile"], 200);
  EXPECT_EQ(rlimits.output["cpu"], 1234);
  EXPECT_EQ(rlimits.output["core"], 0);
#if defined(__SANITIZE_ADDRESS__)
  EXPECT_EQ(rlimits.output["as"], -1) << "sanitizer builds bound resident memory instead";
#else
  EXPECT_EQ(rlimits.output["as"], int64_t{1024} << 20);
#endif
}

// Where the kernel has Landlock (coalition doctor says whether it has), a host reads only system
// files, its plugin's directory and what plugins.host.paths grants, and writes only what it
// grants; with ABI 6 it cannot even ask to signal the engine. Without Landlock it runs
// unconfined, and the same calls succeed: what is asserted follows what the kernel offers.
TEST_F(IsolatedPluginTest, AHostReadsAndWritesOnlyWhatItIsGrantedWhereTheKernelAllows) {
  test::TempDir dir;
  const fs::path outside = dir.write("outside.txt", "a file no plugin was granted");
  fs::create_directories(dir.path() / "granted");
  fs::create_directories(dir.path() / "state");
  const fs::path granted = dir.write("granted/settings.json", "{}");
  PluginHostLimits limits = quick_limits();
  limits.paths["misbehaving_step"] = {{(dir.path() / "granted").string()},
                                      {(dir.path() / "state").string()}};
  load_misbehaving(limits);
  std::string why;
  const int abi = landlock_abi(&why);
  const bool confined = abi > 0;
  SCOPED_TRACE(confined ? "Landlock ABI " + std::to_string(abi) : "no Landlock: " + why);

  auto opened = [&](const fs::path& path) {
    auto r = run_with({{"how", "open"}, {"path", path.string()}});
    EXPECT_EQ(r.status, StepStatus::kOk) << r.error.message;
    return r.output;
  };
  auto written = [&](const fs::path& path) {
    auto r = run_with({{"how", "write"}, {"path", path.string()}});
    EXPECT_EQ(r.status, StepStatus::kOk) << r.error.message;
    return r.output;
  };
  EXPECT_EQ(opened(granted)["opened"], true);
  EXPECT_EQ(opened(fixture("misbehaving_step"))["opened"], true) << "its own directory";
  // Of /etc, what the C library and name resolution read — not the rest, where an engine
  // installed under /etc would keep its own configuration.
  if (fs::exists("/etc/hosts")) {
    EXPECT_EQ(opened("/etc/hosts")["opened"], true);
  }
  if (fs::exists("/etc/hostname")) {
    EXPECT_EQ(opened("/etc/hostname")["opened"], !confined);
  }
  const json secret = opened(outside);
  EXPECT_EQ(secret["opened"], !confined) << secret.dump();
  if (confined) {
    EXPECT_EQ(secret["errno"], EACCES);
  }
  EXPECT_EQ(written(dir.path() / "state" / "progress.json")["written"], true);
  EXPECT_TRUE(fs::exists(dir.path() / "state" / "progress.json"));
  const json planted = written(dir.path() / "planted.txt");
  EXPECT_EQ(planted["written"], !confined) << planted.dump();
  EXPECT_EQ(fs::exists(dir.path() / "planted.txt"), !confined);
  const json written_granted = written(granted);
  EXPECT_EQ(written_granted["written"], !confined) << "granted to read, not to write";
  const json signal = run_with({{"how", "signal_parent"}}).output;
  EXPECT_EQ(signal["allowed"], abi < 6) << signal.dump();
  if (abi >= 6) {
    EXPECT_EQ(signal["errno"], EPERM);
  }
  // Everything else a host does still works confined: output, descriptors, limits.
  EXPECT_EQ(run("fds").output["fds"], json::parse("[0,1,2,3]"));

  // Turned off, the same host reads what it likes.
  limits.sandbox = false;
  load_misbehaving(limits);
  EXPECT_EQ(opened(outside)["opened"], true);
}

TEST_F(IsolatedPluginTest, LeaksAndExhaustedMemoryStayInTheHost) {
  PluginHostLimits limits = quick_limits();
  limits.address_space_mb = 256;
  load_misbehaving(limits);
  host_pid();
  const size_t before = open_descriptors();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(run("fdleak").status, StepStatus::kOk);
  EXPECT_EQ(open_descriptors(), before);
  auto oom = run("oom");
  EXPECT_EQ(oom.status, StepStatus::kRetryableError);
  EXPECT_EQ(oom.error.code, "plugin.crashed") << oom.error.message;
  EXPECT_GT(host_pid(), 0);
  EXPECT_EQ(open_descriptors(), before);
}

TEST_F(IsolatedPluginTest, APluginThatKeepsFailingIsQuarantined) {
  PluginHostLimits limits = quick_limits();
  limits.quarantine_after = 2;
  load_misbehaving(limits);
  EXPECT_EQ(run("segv").error.code, "plugin.crashed");
  EXPECT_EQ(run("abort").error.code, "plugin.crashed");
  auto refused = run("ok");
  EXPECT_EQ(refused.status, StepStatus::kRetryableError);
  EXPECT_EQ(refused.error.code, "plugin.quarantined");
  EXPECT_NE(refused.error.message.find("SIGABRT"), std::string::npos) << "names the last failure";
  auto health = hosts_->health();
  EXPECT_TRUE(health[0].quarantined);
  EXPECT_EQ(health[0].failures, 2u);
}

TEST_F(IsolatedPluginTest, ALibraryThatCrashesWhenLoadedIsRefusedAndTheEngineCarriesOn) {
  start();
  auto refused = load(fixture("crash_on_load"));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("SIGSEGV"), std::string::npos)
      << refused.error().to_string();
  EXPECT_NE(refused.error().message().find("crash_on_load"), std::string::npos);
  auto other = load(fixture("misbehaving_step"));
  ASSERT_TRUE(other) << other.error().to_string();
}

TEST_F(IsolatedPluginTest, APluginsIdMustBeItsLibrarysName) {
  test::TempDir dir;
  const fs::path renamed = dir.path() / "libfabrikam_pay.so";
  fs::copy_file(fixture("misbehaving_step"), renamed);
  start();
  auto isolated = load(renamed);
  ASSERT_FALSE(isolated);
  EXPECT_NE(isolated.error().message().find("declares plugin id 'misbehaving_step'"),
            std::string::npos)
      << isolated.error().to_string();
  EXPECT_NE(isolated.error().message().find("'fabrikam_pay'"), std::string::npos);
  PluginLoader in_process(libraries_, json::object());
  auto loaded = in_process.load(renamed);
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message().find("its file name says 'fabrikam_pay'"), std::string::npos);
}

// Through the coalition command, as a coordinator runs a workflow with a partner's step: a plugin
// found in a configured directory runs isolated by default.
TEST(IsolatedPluginCli, ACrashingPartnerStepFailsItsExecutionAndNothingElse) {
  test::TempDir dir;
  const json config{
      {"plugins",
       {{"directories", {(fs::path(test::kFixtureDir) / "misbehaving_step").string()}},
        {"host", {{"restart_backoff", "PT0.01S"}}}}}};
  const auto config_file = dir.write("coalition.json", config.dump());
  const json workflow{{"id", "partner_steps"},
                      {"version", 1},
                      {"title", "A partner's steps misbehave"},
                      {"steps",
                       {{{"id", "log"},
                         {"kind", "task"},
                         {"type", "misbehave"},
                         {"parameters", {{"how", "log"}}},
                         {"next", "flood"}},
                        {{"id", "flood"},
                         {"kind", "task"},
                         {"type", "misbehave"},
                         {"parameters", {{"how", "flood"}}},
                         {"next", "crash"}},
                        {{"id", "crash"},
                         {"kind", "task"},
                         {"type", "misbehave"},
                         {"parameters", {{"how", "segv"}}},
                         {"retry", {{"max_attempts", 2}, {"initial_interval", "PT0.01S"}}}}}}};
  const auto workflow_file = dir.write("partner_steps.json", workflow.dump());
  auto r = test::run_process({test::kCoalitionBinary, "--config", config_file.string(), "run",
                              workflow_file.string(), "--json"},
                             {{"COALITION_STORE", ":memory:"}, {"COALITION_PLUGIN_PATH", ""}});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const auto doc = json::parse(r.out);  // 200,000 lines printed, none of them on stdout
  EXPECT_EQ(doc["status"], "failed");
  EXPECT_EQ(doc["error"]["code"], "plugin.crashed") << doc.dump();
  size_t crash_attempts = 0;
  for (const auto& event : doc["history"]) {
    if (event["type"] == "attempt_started" && event.value("step", "") == "crash") ++crash_attempts;
  }
  EXPECT_EQ(crash_attempts, 2u) << "a crash counts against max_attempts";
  EXPECT_NE(r.err.find("printed: flood"), std::string::npos);
  EXPECT_NE(r.err.find("could not reach"), std::string::npos);
  EXPECT_EQ(r.err.find("liaison.officer@fabrikam.example"), std::string::npos)
      << "a plugin's log line is masked like every other";
}

// In process, a step type that is not thread-safe runs one call at a time on its instance. When
// that call never returns, the next one must not queue behind it for ever (and strand another
// pool thread): at its own time limit it fails with plugin.timed_out, the plugin never entered.
TEST(InProcessPlugin, ACallBehindAHungCallOfASerialStepTypeFailsAtItsOwnLimit) {
  // Leaked: a thread stays inside the plugin for the life of the test process.
  static auto* libraries = new DllLibraryLoader();
  static auto* loader = new PluginLoader(*libraries, json::object());
  auto loaded = loader->load(fixture("misbehaving_step"));
  ASSERT_TRUE(loaded) << loaded.error().to_string();
  static auto* plugin = new LoadedPlugin(std::move(*loaded));
  ASSERT_EQ(plugin->step_types.size(), 2u);
  const StepType* serial = plugin->step_types[1].get();
  ASSERT_EQ(serial->info().name, "misbehave_serial");
  StepContext context;
  context.time_limit = milliseconds(60000);
  std::thread([serial, context] { (void)serial->execute({{"how", "hang"}}, context); }).detach();
  // Until the hang holds the instance, a call may still get in first and answer.
  context.time_limit = milliseconds(300);
  StepOutcome queued;
  for (int i = 0; i < 100; ++i) {
    queued = serial->execute({{"how", "ok"}}, context);
    if (queued.status != StepStatus::kOk) break;
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_EQ(queued.status, StepStatus::kRetryableError);
  EXPECT_EQ(queued.error.code, "plugin.timed_out");
  EXPECT_NE(queued.error.message.find("still busy with an earlier call"), std::string::npos)
      << queued.error.message;
  // The thread-safe step type of the same plugin is not held up.
  EXPECT_EQ(plugin->step_types[0]->execute({{"how", "ok"}}, context).status, StepStatus::kOk);
}

// The same partner step trusted in process: a call that never returns cannot be interrupted,
// but it is given up on at its time limit (plugins.step_timeout, plus a grace of 2 s): the
// attempt fails with plugin.timed_out, another thread takes the stuck one's place — with one
// plugin thread configured, the next step runs only because of that — and `run` returns.
TEST(InProcessPluginCli, AHungCallFailsItsAttemptAndTheEngineCarriesOn) {
  test::TempDir dir;
  const json config{
      {"engine", {{"plugin_threads", 1}}},
      {"plugins",
       {{"directories", {(fs::path(test::kFixtureDir) / "misbehaving_step").string()}},
        {"isolation", {{"plugins", {{"misbehaving_step", "in_process"}}}}},
        {"step_timeout", "PT0.3S"}}}};
  const auto config_file = dir.write("coalition.json", config.dump());
  const json workflow{{"id", "trusted_steps"},
                      {"version", 1},
                      {"title", "A trusted partner's step hangs"},
                      {"steps",
                       {{{"id", "hang"},
                         {"kind", "task"},
                         {"type", "misbehave"},
                         {"parameters", {{"how", "hang"}}},
                         {"retry", {{"max_attempts", 1}}},
                         {"catch", {{{"errors", {"plugin.timed_out"}}, {"next", "after"}}}},
                         {"next", "after"}},
                        {{"id", "after"},
                         {"kind", "task"},
                         {"type", "misbehave"},
                         {"parameters", {{"how", "ok"}}}}}}};
  const auto workflow_file = dir.write("trusted_steps.json", workflow.dump());
  auto r = test::run_process_until(
      {test::kCoalitionBinary, "--config", config_file.string(), "run", workflow_file.string(),
       "--json"},
      {{"COALITION_STORE", (dir.path() / "s.db").string()}, {"COALITION_PLUGIN_PATH", ""}},
      std::chrono::seconds(60), SIGKILL);
  ASSERT_EQ(r.exit_code, 0) << "run must return by itself, and succeed: " << r.err;
  const auto doc = json::parse(r.out);
  EXPECT_EQ(doc["status"], "succeeded") << doc.dump();
  bool timed_out = false;
  for (const auto& event : doc["history"]) {
    if (event["type"] == "step_failed" && event.value("step", "") == "hang") {
      EXPECT_EQ(event["data"]["error"]["code"], "plugin.timed_out") << event.dump();
      timed_out = true;
    }
  }
  EXPECT_TRUE(timed_out) << doc["history"].dump();
}

// coalition doctor says what confines plugin hosts on this machine — the same Landlock ABI the
// hosts use — and finds what would keep isolated plugins from running.
TEST(Doctor, SaysHowPluginHostsAreConfinedAndWhatIsBroken) {
  test::TempDir dir;
  const std::map<std::string, std::string> env{{"COALITION_STORE", (dir.path() / "s.db").string()},
                                               {"COALITION_PLUGIN_PATH", ""}};
  auto doctor = [&](const json& config, bool as_json) {
    const auto file = dir.write("coalition.json", config.dump());
    std::vector<std::string> argv{test::kCoalitionBinary, "--config", file.string(), "doctor"};
    if (as_json) argv.push_back("--json");
    return test::run_process(argv, env);
  };
  std::string why;
  const int abi = landlock_abi(&why);
  const json plugins_dir{
      {"directories", {(fs::path(test::kFixtureDir) / "misbehaving_step").string()}}};
  auto healthy = doctor({{"plugins", plugins_dir}}, true);
  ASSERT_EQ(healthy.exit_code, 0) << healthy.out << healthy.err;
  const json report = json::parse(healthy.out);
  EXPECT_EQ(report["landlock_abi"], abi);
  EXPECT_EQ(report["sandbox"], true);
  std::map<std::string, std::string> text;
  for (const auto& f : report["findings"]) {
    text[f["name"].get<std::string>()] += f["text"].get<std::string>();
  }
  if (abi > 0) {
    EXPECT_NE(text["landlock"].find("ABI " + std::to_string(abi)), std::string::npos)
        << text["landlock"];
  } else {
    EXPECT_NE(text["landlock"].find("unconfined"), std::string::npos) << text["landlock"];
  }
  EXPECT_NE(text["installed"].find("1 isolated"), std::string::npos) << text["installed"];
  EXPECT_NE(text["host program"].find("coalition-plugin-host"), std::string::npos);

  auto off = doctor({{"plugins", {{"host", {{"sandbox", false}}}}}}, false);
  EXPECT_EQ(off.exit_code, 0) << off.err;
  EXPECT_NE(off.out.find("turned off by plugins.host.sandbox"), std::string::npos) << off.out;
  EXPECT_NE(off.out.find("No problems found."), std::string::npos) << off.out;

  auto broken =
      doctor({{"plugins", {{"host", {{"program", (dir.path() / "nowhere").string()}}}}}}, false);
  EXPECT_EQ(broken.exit_code, 78) << broken.out << broken.err;
  EXPECT_NE(broken.out.find("PROBLEM: " + (dir.path() / "nowhere").string()), std::string::npos)
      << broken.out;

  // A calendar whose coverage has ended is a problem: every business-day deadline under it
  // would fail. One that covers this year is reported with its years.
  const fs::path calendars = dir.path() / "calendars";
  fs::create_directories(calendars);
  dir.write("calendars/old.json", R"({"id": "old", "time_zone": "UTC",
      "coverage": {"from": 2000, "until": 2001}})");
  dir.write("calendars/long.json", R"({"id": "long", "time_zone": "UTC",
      "coverage": {"from": 2000, "until": 2399}})");
  auto stale = doctor({{"calendars", {{"directory", calendars.string()}}}}, false);
  EXPECT_EQ(stale.exit_code, 78) << stale.out << stale.err;
  EXPECT_NE(stale.out.find("PROBLEM: old: covers 2000 to 2001, not this year"), std::string::npos)
      << stale.out;
  EXPECT_NE(stale.out.find("long: covers 2000 to 2399\n"), std::string::npos) << stale.out;
}

TEST(PluginDirectories, APluginAnyoneMayWriteIsNeverLoaded) {
  test::TempDir dir;
  const fs::path open_dir = dir.path() / "shared";
  fs::create_directories(open_dir);
  fs::copy_file(fixture("misbehaving_step"), open_dir / "libmisbehaving_step.so");
  fs::copy_file(fixture("misbehaving_step").parent_path() / "misbehaving_step.plugin.json",
                open_dir / "misbehaving_step.plugin.json");
  fs::permissions(open_dir, fs::perms::others_write, fs::perm_options::add);
  const auto config_file =
      dir.write("coalition.json", json{{"plugins", {{"directories", {open_dir.string()}}}}}.dump());
  auto r = test::run_process(
      {test::kCoalitionBinary, "--config", config_file.string(), "plugins", "--json"},
      {{"COALITION_PLUGIN_PATH", ""}});
  EXPECT_EQ(r.exit_code, 78) << r.err;
  const auto doc = json::parse(r.out);
  for (const auto& plugin : doc["plugins"]) EXPECT_NE(plugin["id"], "misbehaving_step");
  ASSERT_EQ(doc["errors"].size(), 1u);
  EXPECT_NE(doc["errors"][0].get<std::string>().find("anyone on this machine may write to " +
                                                     open_dir.string()),
            std::string::npos)
      << doc.dump();
}

// The plugin test harness a partner's project runs (`coalition plugin test`): cases against a
// library in a plugin host, with the engine's checks; a suspending step resumed with answers
// checked against the answer schema it declared (approval's task names none of its own).
TEST(PluginTestHarness, RunsCasesAgainstALibraryAndSaysWhichFail) {
  test::TempDir dir;
  const json approval_cases = json::array(
      {{{"name", "a quorum of two approves"},
        {"step_type", "approval"},
        {"parameters", {{"title", "Review FC-2026-0042"}}},
        {"expect",
         {{"status", "suspend"}, {"output_includes", {{"title", "Review FC-2026-0042"}}}}},
        {"resume",
         {{{"completion",
            {{"quorum", 2},
             {"completions",
              {{{"actor", "ana.lima"},
                {"role", "analyst"},
                {"data", {{"decision", "approve"}}}}}}}},
           {"expect", {{"status", "suspend"}}}},
          {{"completion",
            {{"quorum", 2},
             {"completions",
              {{{"actor", "ana.lima"}, {"role", "analyst"}, {"data", {{"decision", "approve"}}}},
               {{"actor", "ben.okafor"}, {"role", "lead"}, {"data", {{"decision", "approve"}}}}}}}},
           {"expect", {{"status", "ok"}, {"output_includes", {{"decision", "approved"}}}}}}}}},
       {{"name", "an answer outside the schema is the case's mistake"},
        {"step_type", "approval"},
        {"parameters", {{"title", "Review FC-2026-0043"}}},
        {"expect", {{"status", "suspend"}}},
        {"resume",
         {{{"completion",
            {{"completions",
              {{{"actor", "ana.lima"}, {"role", "analyst"}, {"data", {{"decision", "maybe"}}}}}}}},
           {"expect", {{"status", "ok"}}}}}}}});
  const auto approvals = dir.write("approval.json", approval_cases.dump());
  const fs::path library = fs::path(test::kPluginDir) / "libhuman.so";
  auto r = test::run_process(
      {test::kCoalitionBinary, "plugin", "test", library.string(), approvals.string()},
      {{"COALITION_CONFIG", ""}});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("PASS a quorum of two approves"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FAIL an answer outside the schema is the case's mistake: resume 1: the "
                       "case's answer {\"decision\":\"maybe\"} violates the answer schema at "
                       "'/decision'"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("2 cases, 1 failed"), std::string::npos);

  const json crash_cases =
      json::array({{{"name", "a segfault is a retryable crash"},
                    {"step_type", "misbehave"},
                    {"parameters", {{"how", "segv"}}},
                    {"expect", {{"status", "retryable_error"}, {"error_code", "plugin.crashed"}}}},
                   {{"name", "and the next call runs in a new host"},
                    {"step_type", "misbehave"},
                    {"parameters", {{"how", "ok"}}},
                    {"expect", {{"status", "ok"}}}}});
  const auto crashes = dir.write("crash.json", crash_cases.dump());
  auto c = test::run_process({test::kCoalitionBinary, "plugin", "test",
                              fixture("misbehaving_step").string(), crashes.string()},
                             {{"COALITION_CONFIG", ""}});
  EXPECT_EQ(c.exit_code, 0) << c.out << c.err;
  EXPECT_NE(c.out.find("2 cases, 0 failed"), std::string::npos) << c.out;
}

TEST(PluginHostProgram, RunByHandItSaysWhatItIsAndExits) {
  const std::string command = std::string(test::kPluginHostBinary) + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buffer[512] = {};
  const size_t n = std::fread(buffer, 1, sizeof(buffer) - 1, pipe);
  const int status = ::pclose(pipe);
  EXPECT_NE(std::string(buffer, n).find("not meant to be run by hand"), std::string::npos);
  EXPECT_EQ(WEXITSTATUS(status), 64);
}

}  // namespace
}  // namespace coalition
