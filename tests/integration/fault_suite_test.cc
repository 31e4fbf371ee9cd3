// R4, the fault suite: faults injected one after another into an isolated plugin — segfaults,
// aborts, exit(), hangs, memory exhaustion, descriptor leaks, output floods, malformed frames,
// and crashes in a static constructor — while healthy executions run through the same engine on
// another isolated plugin and a shipped in-process one. The engine survives every fault, every
// healthy execution succeeds, every crash is one host death that a new host replaces, no child
// is left a zombie and the engine's descriptors stay flat.
//
// CI runs it reduced (COALITION_FAULTS, default 135 faults with 33 healthy executions);
// `tools/fault-suite` runs the full size (1,000 and 200) and prints the figures.
#include <gtest/gtest.h>
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <thread>

#include "app/installation.h"
#include "common/file_system.h"
#include "plugin_host/isolated_plugin.h"
#include "plugin_host/library_loader.h"
#include "plugin_host/plugin_loader.h"
#include "runtime/engine.h"
#include "runtime/system_clock.h"
#include "test_paths.h"
#include "workflow/workflow_loader.h"

// A namespace of its own: unity builds compile several test files as one.
namespace coalition::fault_suite {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
namespace fs = std::filesystem;

size_t from_environment(const char* name, size_t fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::strtoul(value, nullptr, 10) : fallback;
}

size_t open_descriptors() {
  size_t count = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator("/proc/self/fd")) ++count;
  return count;
}

// Children of this process that have ended and were not reaped.
size_t zombie_children() {
  size_t zombies = 0;
  const std::string me = std::to_string(::getpid());
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // pid (comm) state ppid ...: comm may hold spaces, so read after its closing parenthesis.
    const auto close = line.rfind(')');
    if (close == std::string::npos || close + 4 > line.size()) continue;
    const char state = line[close + 2];
    const std::string rest = line.substr(close + 4);
    const std::string ppid = rest.substr(0, rest.find(' '));
    if (ppid == me && state == 'Z') ++zombies;
  }
  return zombies;
}

std::shared_ptr<const Workflow> workflow(const json& document) {
  auto loaded = load_workflow(document.dump(), "fault_suite");
  EXPECT_TRUE(loaded.workflow) << loaded.problems.front().message;
  return loaded.workflow;
}

struct Fault {
  const char* how;
  const char* expected;  // the failure's code; empty: the call answers (the fault stays inside)
};

constexpr Fault kFaults[] = {
    {"segv", "plugin.crashed"},
    {"abort", "plugin.crashed"},
    {"exit", "plugin.crashed"},
    {"hang", "timed_out"},
    {"oom", "plugin.crashed"},
    {"fdleak", ""},
    {"flood", ""},
    {"garbage", "plugin.crashed"},
    {"static", "plugin.refused"},
};

TEST(FaultSuite, TheEngineSurvivesEveryFaultAndEveryHealthyExecutionSucceeds) {
  const size_t faults = from_environment("COALITION_FAULTS", 135);
  const size_t healthy = from_environment("COALITION_HEALTHY", faults / 4);
  ::unsetenv("COALITION_PLUGIN_PATH");

  EngineConfig config;
  config.plugin_directories = {fs::path(test::kFixtureDir) / "misbehaving_step",
                               fs::path(test::kFixtureDir) / "c_minimal"};
  PluginHostLimits& host = config.plugin_isolation.host;
  host.address_space_mb = 256;  // "oom" reaches it in a few allocations
  host.restart_backoff = milliseconds(1);
  host.restart_backoff_max = milliseconds(4);
  host.quarantine_after = 1000000;  // every fault must reach a host, not a quarantine
  RealFileSystem fs_;
  DllLibraryLoader libraries;
  auto installation = app::open_installation(config, fs_, libraries);
  ASSERT_TRUE(installation->plugin_errors.empty()) << installation->plugin_errors.front().message();

  WorkflowCatalog catalog;
  auto faulty_step = [](const char* id, std::optional<const char*> timeout) {
    json step{{"id", "fault"},
              {"kind", "task"},
              {"type", "misbehave"},
              {"retry", {{"max_attempts", 1}}},
              {"parameters", {{"how", {{"$path", "/input/how"}}}}}};
    if (timeout) step["timeout"] = *timeout;
    return workflow({{"id", id},
                     {"version", 1},
                     {"title", "One step that misbehaves"},
                     {"steps", json::array({step})}});
  };
  auto faulty = faulty_step("faulty", std::nullopt);
  // A hang is stopped at its step's timeout: its host is killed (and the engine's own timer
  // fails the attempt at the same instant, so either may say so first).
  auto hanging = faulty_step("hanging", "PT0.3S");
  auto sound = workflow({{"id", "sound"},
                         {"version", 1},
                         {"title", "Two steps that behave"},
                         {"steps",
                          {{{"id", "echo"},
                            {"kind", "task"},
                            {"type", "c_echo"},
                            {"parameters", {{"n", {{"$path", "/input/n"}}}}},
                            {"next", "done"}},
                           {{"id", "done"}, {"kind", "task"}, {"type", "noop"}}}}});
  ASSERT_TRUE(faulty && hanging && sound);
  ASSERT_TRUE(catalog.add(faulty).ok());
  ASSERT_TRUE(catalog.add(hanging).ok());
  ASSERT_TRUE(catalog.add(sound).ok());
  SystemClock clock;
  Engine engine(installation->registry, catalog, clock,
                EngineOptions{.scheduler_threads = 2, .plugin_threads = 6});

  // A crash in a static constructor happens at load: each is a host of its own, spawned by a
  // loader as the engine's is, that dies before it can describe the plugin.
  auto static_hosts = make_plugin_hosts(config.plugin_isolation);
  PluginLoader static_loader(libraries, json::object());
  static_loader.isolate_with(
      *static_hosts, [](const std::string&, const fs::path&) { return Isolation::kIsolated; }, {});

  auto finish = [&](const std::string& id) {
    for (int i = 0; i < 600; ++i) {  // bounded: a stuck execution fails the test, not CI
      auto s = engine.snapshot(id);
      if (s && s->status != ExecutionStatus::kRunning) return *s;
      std::this_thread::sleep_for(milliseconds(10));
    }
    return *engine.snapshot(id);
  };
  // Descriptors are counted in one state: both plugins' hosts running, after a call each. The
  // first count is taken once every kind of fault has happened twice (what the engine keeps
  // of a dead host until the next one starts is then in it), the last at the end: equal, or
  // something leaks per fault.
  auto settled_descriptors = [&] {
    auto a = engine.start(sound, {{"n", -1}});
    auto b = engine.start(faulty, {{"how", "ok"}});
    EXPECT_TRUE(a && b);
    EXPECT_EQ(finish(*a).status, ExecutionStatus::kSucceeded);
    EXPECT_EQ(finish(*b).status, ExecutionStatus::kSucceeded);
    return open_descriptors();
  };
  const size_t baseline_after = 2 * std::size(kFaults);
  size_t descriptors_before = 0;

  std::vector<std::string> sound_ids;
  std::map<std::string, size_t> injected;
  std::map<std::string, std::map<std::string, size_t>> outcomes;  // how -> code -> count
  size_t host_deaths_expected = 0;
  auto host_failures = [&] {
    for (const auto& health : installation->plugin_hosts->health()) {
      if (health.plugin_id == "misbehaving_step") return health.failures;
    }
    return size_t{0};
  };
  const auto started = std::chrono::steady_clock::now();
  const size_t every = healthy > 0 ? std::max<size_t>(1, faults / healthy) : faults + 1;
  for (size_t i = 0; i < faults; ++i) {
    if (i == baseline_after) descriptors_before = settled_descriptors();
    if (i % every == 0 && sound_ids.size() < healthy) {
      auto id = engine.start(sound, {{"n", static_cast<int64_t>(i)}});
      ASSERT_TRUE(id) << id.error().message();
      sound_ids.push_back(*id);
    }
    const Fault& fault = kFaults[i % std::size(kFaults)];
    ++injected[fault.how];
    if (std::string(fault.how) == "static") {
      auto refused =
          static_loader.load(fs::path(test::kFixtureDir) / "crash_on_load" / "libcrash_on_load.so");
      ASSERT_FALSE(refused) << "a library whose constructor crashes was loaded";
      ++outcomes[fault.how]["plugin.refused"];
      continue;
    }
    const bool hang = std::string(fault.how) == "hang";
    if (hang) {  // a host is up first: the hang's short limit is then the plugin's alone
      auto warm = engine.start(faulty, {{"how", "ok"}});
      ASSERT_TRUE(warm);
      ASSERT_EQ(finish(*warm).status, ExecutionStatus::kSucceeded);
    }
    auto id = engine.start(hang ? hanging : faulty, {{"how", fault.how}});
    ASSERT_TRUE(id) << id.error().message();
    const ExecutionSnapshot s = finish(*id);
    ASSERT_NE(s.status, ExecutionStatus::kRunning) << fault.how << " never ended";
    const std::string code = s.status == ExecutionStatus::kSucceeded ? "" : s.error.code;
    ++outcomes[fault.how][code];
    if (hang) {
      EXPECT_TRUE(code == "plugin.timed_out" || code == "step.timeout") << code;
    } else {
      EXPECT_EQ(code, fault.expected) << fault.how << ": " << s.error.message;
    }
    if (*fault.expected != '\0' && std::string(fault.expected) != "plugin.refused") {
      ++host_deaths_expected;
      // A hang's attempt may fail by the engine's own timer a moment before its host is
      // killed: the next fault waits for that death, or two faults would share one host.
      for (int wait = 0; wait < 500 && host_failures() < host_deaths_expected; ++wait) {
        std::this_thread::sleep_for(milliseconds(10));
      }
    }
  }
  while (sound_ids.size() < healthy) {
    auto id = engine.start(sound, {{"n", static_cast<int64_t>(sound_ids.size())}});
    ASSERT_TRUE(id);
    sound_ids.push_back(*id);
  }
  size_t succeeded = 0;
  for (const auto& id : sound_ids) {
    const ExecutionSnapshot s = finish(id);
    EXPECT_EQ(s.status, ExecutionStatus::kSucceeded) << id << ": " << s.error.message;
    succeeded += s.status == ExecutionStatus::kSucceeded ? 1 : 0;
  }
  engine.wait_idle();
  if (faults <= baseline_after) descriptors_before = settled_descriptors();
  const size_t descriptors_after = settled_descriptors();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  // Every crash and hang killed exactly one host, and a new one served the next call.
  size_t deaths = 0;
  size_t starts = 0;
  for (const auto& health : installation->plugin_hosts->health()) {
    if (health.plugin_id == "misbehaving_step") {
      deaths = health.failures;
      starts = health.starts;
      EXPECT_FALSE(health.quarantined);
    }
    if (health.plugin_id == "c_minimal") {
      EXPECT_EQ(health.failures, 0u) << "the healthy plugin's host never died";
    }
  }
  EXPECT_EQ(deaths, host_deaths_expected);
  EXPECT_GE(starts, deaths);
  EXPECT_EQ(succeeded, healthy);
  EXPECT_EQ(zombie_children(), 0u);
  EXPECT_EQ(descriptors_after, descriptors_before) << "descriptors leaked into the engine";

  json figures{{"faults", faults},
               {"healthy_executions", healthy},
               {"healthy_succeeded", succeeded},
               {"host_deaths", deaths},
               {"host_starts", starts},
               {"seconds", seconds},
               {"descriptors", descriptors_before},
               {"zombies", zombie_children()},
               {"outcomes", outcomes}};
  std::cout << "fault suite: " << figures.dump() << "\n";
}

}  // namespace
}  // namespace coalition::fault_suite
