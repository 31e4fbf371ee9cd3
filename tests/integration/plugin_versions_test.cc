// Several versions of one plugin installed side by side: a workflow's `requires` chooses among
// them, the history records which version (and library digest) ran each attempt, and a step
// that waited for a person resumes only under the major version it started under.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/subprocess.h"
#include "support/temp_dir.h"
#include "test_paths.h"

namespace coalition {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class PluginVersions : public ::testing::Test {
 protected:
  // Copies the fixture's folder of `version` into plugins/, or removes it again.
  void install(const std::string& version) {
    fs::create_directories(plugins_);
    fs::copy(fs::path(test::kFixtureDir) / "versioned" / ("versioned-" + version),
             plugins_ / ("versioned-" + version));
  }
  void uninstall(const std::string& version) {
    fs::remove_all(plugins_ / ("versioned-" + version));
  }
  fs::path workflow(const json& required, bool wait) {
    // Each definition a version of its own: a store keeps definitions immutable.
    json doc{{"id", "versioned_answer"},
             {"version", ++files_},
             {"title", "Asks the versioned plugin"},
             {"steps",
              {{{"id", "answer"},
                {"kind", "task"},
                {"type", "versioned.answer"},
                {"parameters", {{"wait", wait}}},
                {"result", "/answer"}}}}};
    if (!required.is_null()) doc["requires"] = required;
    return dir_.write("versioned_answer-" + std::to_string(files_) + ".json", doc.dump());
  }
  test::ProcessResult coalition(std::vector<std::string> args) {
    const auto config = dir_.write(
        "coalition.json", json{{"plugins", {{"directories", {plugins_.string()}}}}}.dump());
    args.insert(args.begin(), {test::kCoalitionBinary, "--config", config.string()});
    return test::run_process(args, {{"COALITION_PLUGIN_PATH", ""},
                                    {"COALITION_CONFIG", ""},
                                    {"COALITION_STORE", store_.string()}});
  }
  json run(const fs::path& file) {
    auto r = coalition({"run", file.string(), "--json", "--as", "lead.lee"});
    EXPECT_FALSE(r.out.empty()) << r.err;
    return r.out.empty() ? json() : json::parse(r.out);
  }
  json history(const std::string& id) {
    auto r = coalition({"history", id, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out)["events"];
  }
  static std::vector<json> events_of(const json& events, const std::string& type) {
    std::vector<json> found;
    for (const auto& e : events) {
      if (e["type"] == type) found.push_back(e);
    }
    return found;
  }

  test::TempDir dir_;
  fs::path plugins_ = dir_.path() / "plugins";
  fs::path store_ = dir_.path() / "store.db";
  int files_ = 0;
};

TEST_F(PluginVersions, AllInstalledVersionsAreListed) {
  for (const char* v : {"1.4.0", "1.5.0", "2.0.0"}) install(v);
  auto r = coalition({"plugins", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> versions;
  const json doc = json::parse(r.out);
  for (const auto& p : doc["plugins"]) {
    if (p["id"] == "versioned") versions.push_back(p["version"]);
  }
  EXPECT_EQ(versions, (std::vector<std::string>{"1.4.0", "1.5.0", "2.0.0"})) << r.out;
}

TEST_F(PluginVersions, AnotherPublishersVersionIsRefused) {
  install("1.4.0");
  install("2.0.0");
  const fs::path file = plugins_ / "versioned-2.0.0" / "versioned.plugin.json";
  json doc = json::parse(std::ifstream(file));
  doc["publisher"] = "Someone Else (fictional)";
  std::ofstream(file, std::ios::trunc) << doc.dump(2);
  auto r = coalition({"plugins", "--json"});
  EXPECT_EQ(r.exit_code, 78);
  const json listed = json::parse(r.out);
  EXPECT_NE(listed["errors"].dump().find("is published by 'Someone Else (fictional)', but the "
                                         "installed 1.4.0"),
            std::string::npos)
      << listed["errors"].dump();
}

TEST_F(PluginVersions, RequiresChoosesTheVersionAndTheHistoryRecordsIt) {
  for (const char* v : {"1.4.0", "1.5.0", "2.0.0"}) install(v);
  const auto newest = run(workflow(nullptr, false));
  EXPECT_EQ(newest["output"]["answer"]["version"], "2.0.0") << newest.dump();
  const auto caret = run(workflow(json{{"versioned", "^1.4"}}, false));
  EXPECT_EQ(caret["output"]["answer"]["version"], "1.5.0") << caret.dump();
  const auto tilde = run(workflow(json{{"versioned", "~1.4.0"}}, false));
  EXPECT_EQ(tilde["output"]["answer"]["version"], "1.4.0") << tilde.dump();

  const auto started = events_of(history(tilde["id"]), "attempt_started");
  ASSERT_EQ(started.size(), 1u);
  const json plugin = started[0]["data"]["plugin"];
  EXPECT_EQ(plugin["id"], "versioned");
  EXPECT_EQ(plugin["version"], "1.4.0");
  const auto manifest =
      json::parse(std::ifstream(plugins_ / "versioned-1.4.0" / "versioned.plugin.json"));
  EXPECT_EQ(plugin["sha256"], manifest["sha256"]);
}

TEST_F(PluginVersions, ValidateRefusesRequirementsNothingInstalledMeets) {
  install("1.4.0");
  install("2.0.0");
  auto ok = coalition({"validate", workflow(json{{"versioned", "^2"}}, false).string()});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  auto none = coalition({"validate", workflow(json{{"versioned", "^3.1"}}, false).string()});
  EXPECT_EQ(none.exit_code, 65);
  EXPECT_NE(none.err.find("/requires/versioned"), std::string::npos) << none.err;
  EXPECT_NE(none.err.find("no installed version of plugin 'versioned' satisfies '^3.1' "
                          "(installed: 2.0.0, 1.4.0)"),
            std::string::npos)
      << none.err;
  auto missing = coalition({"validate", workflow(json{{"fabrikam_pay", "^1"}}, false).string()});
  EXPECT_NE(missing.err.find("plugin 'fabrikam_pay' is not installed"), std::string::npos)
      << missing.err;
  auto malformed = coalition({"validate", workflow(json{{"versioned", "latest"}}, false).string()});
  EXPECT_EQ(malformed.exit_code, 65);
  EXPECT_NE(malformed.err.find("'latest' is not a version requirement"), std::string::npos)
      << malformed.err;
}

TEST_F(PluginVersions, AWaitingStepResumesUnderItsMajorAndAMinorChangeIsRecorded) {
  install("1.4.0");
  install("1.5.0");
  const auto waiting = run(workflow(json{{"versioned", "^1"}}, true));
  ASSERT_EQ(waiting["status"], "waiting") << waiting.dump();
  const std::string id = waiting["id"];
  EXPECT_EQ(events_of(history(id), "attempt_started")[0]["data"]["plugin"]["version"], "1.5.0");

  // 1.5.0 goes, 2.0.0 comes: the step resumes under 1.4.0, not under a new major.
  uninstall("1.5.0");
  install("2.0.0");
  auto done = coalition(
      {"complete", id + ".t1", "--as", "ana.lima", "--role", "analyst", "--data", "{}", "--json"});
  ASSERT_EQ(done.exit_code, 0) << done.out << done.err;
  const auto events = history(id);
  const auto changed = events_of(events, "plugin_changed");
  ASSERT_EQ(changed.size(), 1u) << events.dump();
  EXPECT_EQ(changed[0]["data"]["from"], "1.5.0");
  EXPECT_EQ(changed[0]["data"]["to"], "1.4.0");
  const auto succeeded = events_of(events, "step_succeeded");
  ASSERT_EQ(succeeded.size(), 1u) << events.dump();
  EXPECT_EQ(succeeded[0]["data"]["output"]["version"], "1.4.0");
  EXPECT_EQ(succeeded[0]["data"]["output"]["started_under"], "1.5.0");
}

TEST_F(PluginVersions, AWaitingStepWhoseMajorIsGoneFailsRatherThanResumeUnderAnother) {
  install("1.4.0");
  const auto waiting = run(workflow(nullptr, true));
  ASSERT_EQ(waiting["status"], "waiting") << waiting.dump();
  const std::string id = waiting["id"];
  uninstall("1.4.0");
  install("2.0.0");
  auto done = coalition(
      {"complete", id + ".t1", "--as", "ana.lima", "--role", "analyst", "--data", "{}", "--json"});
  const auto events = history(id);
  const auto failed = events_of(events, "step_failed");
  ASSERT_EQ(failed.size(), 1u) << done.out << done.err << events.dump();
  EXPECT_EQ(failed[0]["data"]["error"]["code"], "plugin.version_unavailable");
  EXPECT_NE(failed[0]["data"]["error"]["message"].get<std::string>().find(
                "started under plugin 'versioned' 1.4.0 and no version with the same major that "
                "the workflow admits is installed"),
            std::string::npos)
      << failed[0].dump();
  EXPECT_TRUE(events_of(events, "step_succeeded").empty());
}

}  // namespace
}  // namespace coalition
