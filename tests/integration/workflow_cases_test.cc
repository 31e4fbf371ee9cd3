// Data-driven workflow cases: every folder under tests/workflows/cases/ holds workflow.json (plus
// any sub-workflows it calls), input.json and expected.json, and runs with the real plugins on a
// manual clock. Every file under tests/workflows/invalid/ is a broken workflow whose exact
// `coalition validate` lines sit beside it in <name>.expected. Adding a case = adding files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/json_text.h"
#include "plugin_host/plugin_registry.h"
#include "runtime/engine.h"
#include "support/subprocess.h"
#include "test_paths.h"
#include "workflow/workflow_files.h"

namespace coalition {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kCases = fs::path(test::kSourceDir) / "tests" / "workflows";

std::vector<std::string> entries(const fs::path& dir, bool directories) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_directory() == directories && (directories || e.path().extension() == ".json")) {
      names.push_back(directories ? e.path().filename().string() : e.path().stem().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

json read_json(const fs::path& file) {
  auto text = read_text_file(file.string());
  EXPECT_TRUE(text.ok()) << file;
  return json::parse(*text);
}

const PluginRegistry& installed_plugins() {
  static DllLibraryLoader libraries;
  // Plugin code is loaded on a step's first call: the loader lives as long as the registry.
  static PluginLoader loader(libraries, json::object());
  static PluginRegistry registry;
  static bool loaded = [] {
    RealFileSystem fs;
    auto report = install_plugins({test::kPluginDir}, fs, loader, registry);
    EXPECT_TRUE(report.errors.empty());
    return true;
  }();
  (void)loaded;
  return registry;
}

// "+<ms since start> <type> <step>" — what expected.json lists.
std::string describe(const Event& e, TimePoint start) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(e.at - start).count();
  std::string line = "+" + std::to_string(ms) + " " + std::string(to_string(e.type));
  if (!e.step.empty()) line += " " + e.step;
  return line;
}

class WorkflowCase : public ::testing::TestWithParam<std::string> {};

TEST_P(WorkflowCase, RunsAsExpected) {
  const fs::path dir = kCases / "cases" / GetParam();
  std::vector<std::string> files;
  for (const auto& name : entries(dir, false)) {
    if (name != "input" && name != "expected") files.push_back((dir / (name + ".json")).string());
  }
  RealFileSystem rfs;
  auto set = load_workflow_files(files, rfs);
  std::shared_ptr<const Workflow> main;
  for (const auto& f : set.files) {
    ASSERT_TRUE(f.loaded.workflow) << f.path << ": " << f.loaded.problems.front().format(f.path);
    auto problems = validate_workflow(*f.loaded.workflow, installed_plugins(), set.catalog);
    ASSERT_TRUE(problems.empty()) << problems.front().format(f.path);
    if (fs::path(f.path).stem() == "workflow") main = f.loaded.workflow;
  }
  ASSERT_NE(main, nullptr);
  const json expected = read_json(dir / "expected.json");
  const json input =
      fs::exists(dir / "input.json") ? read_json(dir / "input.json") : json::object();

  const TimePoint start = TimePoint(std::chrono::seconds(1798675200));  // 2026-12-31T00:00:00Z
  ManualClock clock(start);
  // One scheduler thread and one plugin thread keep the order of events across branches fixed.
  Engine engine(installed_plugins(), set.catalog, clock,
                EngineOptions{.scheduler_threads = 1, .plugin_threads = 1});
  auto id = engine.start(main, input, "ex-case");
  if (expected.contains("start_error")) {
    ASSERT_FALSE(id.ok());
    EXPECT_EQ(id.error().to_string(), expected["start_error"].get<std::string>());
    return;
  }
  ASSERT_TRUE(id.ok()) << id.error().to_string();
  for (int i = 0; i < 10000; ++i) {
    engine.wait_idle();
    if (engine.snapshot(*id)->status != ExecutionStatus::kRunning) break;
    auto due = clock.next_due();
    if (!due) break;
    clock.advance(std::chrono::duration_cast<std::chrono::milliseconds>(*due - clock.now()));
  }
  auto s = *engine.snapshot(*id);
  const std::string status = s.status == ExecutionStatus::kRunning
                                 ? (s.suspended_steps > 0 ? "waiting" : "running")
                                 : std::string(to_string(s.status));
  EXPECT_EQ(status, expected["status"].get<std::string>());
  if (expected.contains("output")) {
    EXPECT_EQ(s.output, expected["output"]) << s.output.dump(2);
  }
  if (expected.contains("error")) {
    EXPECT_EQ(s.error.code, expected["error"]["code"].get<std::string>()) << s.error.message;
    if (expected["error"].contains("message")) {
      EXPECT_EQ(s.error.message, expected["error"]["message"].get<std::string>());
    }
  }
  std::vector<std::string> events;
  for (const auto& e : s.history) events.push_back(describe(e, start));
  if (expected.contains("events")) {
    EXPECT_EQ(events, expected["events"].get<std::vector<std::string>>()) << "actual events:\n"
                                                                          << json(events).dump(2);
  }
  const json keys_expected = expected.value("idempotency_keys", json::object());
  for (const auto& [key, value] : keys_expected.items()) {
    std::vector<std::string> keys;
    for (const auto& e : s.history) {
      if (e.type == EventType::kAttemptStarted && e.step == key) {
        keys.push_back(e.data()["idempotency_key"]);
      }
    }
    EXPECT_EQ(keys, value.get<std::vector<std::string>>()) << key;
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, WorkflowCase, ::testing::ValuesIn(entries(kCases / "cases", true)),
                         [](const auto& param_info) { return param_info.param; });

class InvalidWorkflow : public ::testing::TestWithParam<std::string> {};

TEST_P(InvalidWorkflow, ValidateReportsExactLines) {
  const fs::path file = kCases / "invalid" / (GetParam() + ".json");
  auto r = test::run_process({test::kCoalitionBinary, "validate", file.string()},
                             {{"COALITION_PLUGIN_PATH", ""}, {"COALITION_CONFIG", ""}});
  EXPECT_EQ(r.exit_code, 65) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  auto expected = read_text_file((kCases / "invalid" / (GetParam() + ".expected")).string());
  ASSERT_TRUE(expected.ok());
  std::string want = *expected;
  for (size_t p; (p = want.find("FILE")) != std::string::npos;) want.replace(p, 4, file.string());
  EXPECT_EQ(r.err, want);
}

INSTANTIATE_TEST_SUITE_P(Files, InvalidWorkflow,
                         ::testing::ValuesIn(entries(kCases / "invalid", false)),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace coalition
