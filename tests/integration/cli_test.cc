// The coalition command as a user runs it: exit codes, stdout for data, stderr for diagnostics.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/subprocess.h"
#include "support/temp_dir.h"
#include "test_paths.h"

namespace coalition {
namespace {

using nlohmann::json;
using test::run_process;

std::string fixture_dir(const std::string& name) {
  std::string dir(test::kFixtureDir);
  return dir.append("/").append(name);
}

test::ProcessResult coalition(std::vector<std::string> args,
                              std::map<std::string, std::string> env = {}) {
  args.insert(args.begin(), test::kCoalitionBinary);
  env.emplace("COALITION_PLUGIN_PATH", "");  // unset unless the test sets it
  env.emplace("COALITION_CONFIG", "");
  env.emplace("COALITION_STORE", ":memory:");  // durable tests pass --store
  return run_process(args, env);
}

TEST(Cli, PluginsListsInstalledPluginsAndStepTypes) {
  auto r = coalition({"plugins"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const char* text :
       {"noop 1.0.0", "data 1.0.0", "Coalition Project (coalition)",
        "merge [idempotent, thread-safe, non-blocking]", "15 plugins, 27 step types",
        "Coalition Financial Working Group (financial)",
        "Coalition Technology Working Group (technology)",
        "approval [idempotent, thread-safe, may suspend, non-blocking]"}) {
    EXPECT_NE(r.out.find(text), std::string::npos) << text << "\n" << r.out;
  }
}

TEST(Cli, PluginsJsonIsMachineReadable) {
  auto r = coalition({"plugins", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = json::parse(r.out);
  ASSERT_EQ(doc["plugins"].size(), 15u);
  json data;
  for (const auto& p : doc["plugins"]) {
    if (p["id"] == "data") data = p;
  }
  EXPECT_EQ(data["partner_type"], "coalition");
  EXPECT_EQ(data["abi"], "1.2");
  EXPECT_EQ(data["step_types"][1]["name"], "merge");
  EXPECT_EQ(data["step_types"][1]["capabilities"]["idempotent"], true);
  EXPECT_EQ(doc["errors"].size(), 0u);
}

TEST(Cli, SchemaPrintsTheEffectiveParametersSchema) {
  auto r = coalition({"plugins", "--schema", "fail"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto schemas = json::parse(r.out);
  EXPECT_FALSE(schemas.contains("answer_schema")) << "fail never opens a task";
  const json& schema = schemas["parameters_schema"];
  EXPECT_EQ(schema["type"], "object");
  EXPECT_EQ(schema["additionalProperties"], false);  // closed by the engine
  EXPECT_TRUE(schema["properties"].contains("succeed_on_attempt"));
}

// Parameters, output and answer: what a workflow author needs to write the step and the member
// needs to answer its task.
TEST(Cli, SchemaPrintsOutputAndAnswerSchemas) {
  auto r = coalition({"plugins", "--schema", "approval"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto schemas = json::parse(r.out);
  EXPECT_TRUE(schemas["parameters_schema"]["properties"].contains("title"));
  EXPECT_EQ(schemas["output_schema"]["required"], json({"decision", "votes"}));
  EXPECT_EQ(schemas["answer_schema"]["properties"]["decision"]["enum"],
            json({"approve", "reject"}));
  EXPECT_EQ(r.out.find("\"parameters_schema\""), r.out.find('"')) << "parameters come first";

  auto form = json::parse(coalition({"plugins", "--schema", "form"}).out);
  EXPECT_EQ(form["answer_schema"], json({{"type", "object"}}));
}

TEST(Cli, UnknownStepTypeSuggestsTheClosest) {
  auto r = coalition({"plugins", "--schema", "mege"});
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("did you mean 'merge'"), std::string::npos) << r.err;
}

TEST(Cli, RefusedPluginOnThePathIsReportedAndTheRestStillListed) {
  auto r = coalition({"plugins"}, {{"COALITION_PLUGIN_PATH",
                                    fixture_dir("wrong_major") + ":" + fixture_dir("c_minimal")}});
  EXPECT_EQ(r.exit_code, 78);
  EXPECT_NE(r.out.find("c_minimal 1.0.0"), std::string::npos);
  EXPECT_NE(r.err.find("libwrong_major.so: refused, because it has no manifest "
                       "(wrong_major.plugin.json) beside it"),
            std::string::npos)
      << r.err;
}

TEST(Cli, DuplicateStepTypeOnThePathIsAClearError) {
  auto r =
      coalition({"plugins", "--json"}, {{"COALITION_PLUGIN_PATH", fixture_dir("duplicate_noop")}});
  EXPECT_EQ(r.exit_code, 78);
  auto doc = json::parse(r.out);
  ASSERT_EQ(doc["errors"].size(), 1u);
  EXPECT_NE(doc["errors"][0].get<std::string>().find("already provided by plugin 'noop'"),
            std::string::npos);
}

TEST(Cli, JsonLogFormatWritesJsonLinesToStderr) {
  auto r = coalition({"--log-format", "json", "plugins"},
                     {{"COALITION_PLUGIN_PATH", fixture_dir("missing_entry")}});
  EXPECT_EQ(r.exit_code, 78);
  std::istringstream lines(r.err);
  std::string line;
  int json_lines = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("{", 0) != 0) continue;
    auto doc = json::parse(line);
    EXPECT_TRUE(doc.contains("ts") && doc.contains("level") && doc.contains("msg"));
    ++json_lines;
  }
  EXPECT_GE(json_lines, 1) << r.err;
}

TEST(Cli, ConfigurationErrorsNameTheirPointer) {
  test::TempDir dir;
  auto file = dir.write("coalition.json", R"({"plugins": {"directories": "plugins"}})");
  auto r = coalition({"--config", file.string(), "plugins"});
  EXPECT_EQ(r.exit_code, 78);
  EXPECT_NE(r.err.find("/plugins/directories"), std::string::npos) << r.err;
}

TEST(Cli, ConfiguredDirectoriesAndPluginConfigAreUsed) {
  test::TempDir dir;
  auto file =
      dir.write("coalition.json", R"({"plugins": {"directories": [")" + fixture_dir("c_minimal") +
                                      R"("], "builtin": false}})");
  auto r = coalition({"--config", file.string(), "plugins", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = json::parse(r.out);
  ASSERT_EQ(doc["plugins"].size(), 1u);
  EXPECT_EQ(doc["plugins"][0]["id"], "c_minimal");
}

TEST(Cli, UsageErrorsExit64AndHelpExits0) {
  EXPECT_EQ(coalition({}).exit_code, 64);
  EXPECT_EQ(coalition({"plugins", "--no-such-flag"}).exit_code, 64);
  auto help = coalition({"plugins", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--schema"), std::string::npos);
  auto version = coalition({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.out.find("plugin ABI 1.2"), std::string::npos);
}

// The command table's rules, the same for every command: refused with a message naming the
// rule, exit 64 (65 for an image), before a configuration is read or a store is opened.
TEST(Cli, TheCommandTableRulesRefuseBeforeAnythingOpens) {
  test::TempDir dir;
  const std::string store = (dir.path() / "never.db").string();
  const std::string broken_config = (dir.path() / "broken.json").string();
  std::ofstream(broken_config) << "{ not json";
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"complete", "t-1", "--as", "rev.ada"}, 64, "complete: --as and --role are required"},
      {{"hold", "ex-1", "--reason", "REQ-1", "--role", "legal"},
       64,
       "hold: --as and --role are required"},
      {{"cancel", "ex-1", "--justification", "duplicate"}, 64, "cancel: --as is required"},
      {{"release", "t-1"}, 64, "release: --as is required"},
      {{"reassign", "t-1", "--to", "rev.bo", "--justification", "leave", "--as", "lead.li",
        "--role", "lead"},
       64,
       "reassign: --to-role is required without --server"},
      {{"--server", "http://127.0.0.1:9", "tick"}, 64, "tick: not available with --server"},
      {{"--server", "http://127.0.0.1:9", "graph", "x.json"},
       64,
       "graph: not available with --server"},
      {{"--server", "http://127.0.0.1:9", "status", "ex-1", "--store", store},
       64,
       "status: --store is for direct store access"},
      {{"--server", "http://127.0.0.1:9", "tasks", "--now", "2026-03-02T09:00:00Z"},
       64,
       "tasks: --now is for direct store access"},
      {{"--server", "http://127.0.0.1:9", "start", "wf.json", "--each", "items.json"},
       64,
       "start: --each reads and starts through a store"},
      {{"--server", "http://127.0.0.1:9", "migrate", "--plan", "p.json", "--workflow", "w.json",
        "--dry-run"},
       64,
       "migrate: --workflow registers a file in a store"},
      {{"tasks", "--org", "iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB"},
       65,
       "tasks: --org: an image or video (image/png)"},
      {{"status", "ex\n1"}, 65, "status: EXECUTION"},
      {{"tokens", "list", "--as", std::string(300, 'a')}, 65, "tokens list: --as"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args{"--config", broken_config};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = coalition(args, {{"COALITION_STORE", store}, {"COALITION_TOKEN", "unused"}});
    EXPECT_EQ(r.exit_code, c.exit_code) << c.says << ": " << r.err;
    EXPECT_NE(r.err.find("coalition " + c.says), std::string::npos) << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(store));
  // The same broken configuration stops a command that passes the rules.
  auto read =
      coalition({"--config", broken_config, "status", "ex-1"}, {{"COALITION_STORE", store}});
  EXPECT_EQ(read.exit_code, 78) << read.err;
}

std::string source(const std::string& relative) {
  return (std::filesystem::path(test::kSourceDir) / relative).string();
}

TEST(Cli, ValidateExitCodes) {
  auto ok = coalition({"validate", source("workflows/policy_notice.json")});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("valid"), std::string::npos);
  EXPECT_TRUE(ok.err.empty()) << ok.err;
  auto bad = coalition({"validate", source("tests/workflows/invalid/duplicate_step_ids.json")});
  EXPECT_EQ(bad.exit_code, 65);
  auto missing = coalition({"validate", "/nonexistent/workflow.json"});
  EXPECT_EQ(missing.exit_code, 66);
  EXPECT_NE(missing.err.find("/nonexistent/workflow.json: /: cannot read the file"),
            std::string::npos)
      << missing.err;
}

TEST(Cli, RunPrintsOneJsonObjectWithHistory) {
  test::TempDir dir;
  auto input = dir.write("input.json", R"({"case_id": "FC-2027-0042"})");
  auto r = coalition({"run", source("tests/workflows/cases/sub_workflow/workflow.json"), "--input",
                      input.string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = json::parse(r.out);
  EXPECT_EQ(doc["status"], "succeeded");
  EXPECT_EQ(doc["workflow"], "sub_workflow@1");
  EXPECT_EQ(doc["output"], json::parse(R"({"case": "FC-2027-0042", "tier": 1})"));
  EXPECT_EQ(doc["history"].front()["type"], "execution_started");
  EXPECT_EQ(doc["history"].back()["type"], "execution_completed");
}

TEST(Cli, RunRefusesInvalidInputBeforeAnythingRuns) {
  test::TempDir dir;
  auto input = dir.write("input.json", R"({"case_id": 42})");
  auto r = coalition({"run", source("tests/workflows/cases/sub_workflow/workflow.json"), "--input",
                      input.string()});
  EXPECT_EQ(r.exit_code, 65);
  EXPECT_NE(r.err.find("/case_id: input does not match the input schema"), std::string::npos)
      << r.err;
  auto malformed = dir.write("bad.json", "{\"case_id\": ");
  auto m = coalition({"run", source("tests/workflows/cases/sub_workflow/workflow.json"), "--input",
                      malformed.string()});
  EXPECT_EQ(m.exit_code, 65);
  EXPECT_NE(m.err.find("line 1"), std::string::npos) << m.err;
}

TEST(Cli, FailedExecutionExitsOne) {
  auto r = coalition({"run", source("tests/workflows/cases/fail_step/workflow.json")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("error: policy.rejected"), std::string::npos) << r.out;
}

// `run` keeps going through timers due within --wait-up-to and stops, waiting, at a longer one.
TEST(Cli, RunWaitsThroughShortTimersAndStopsAtLongOnes) {
  test::TempDir dir;
  const json workflow{{"id", "pauses"},
                      {"version", 1},
                      {"title", "A short pause, then a long one"},
                      {"steps",
                       {{{"id", "short"}, {"kind", "wait"}, {"for", "PT0.2S"}, {"next", "long"}},
                        {{"id", "long"}, {"kind", "wait"}, {"for", "PT1H"}, {"next", "done"}},
                        {{"id", "done"}, {"kind", "succeed"}}}}};
  const auto file = dir.path() / "pauses.json";
  std::ofstream(file) << workflow.dump();
  auto r = coalition({"run", file.string(), "--json", "--wait-up-to", "PT1M"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = json::parse(r.out);
  EXPECT_EQ(doc["status"], "waiting");
  std::vector<std::string> waits;
  for (const auto& e : doc["history"]) {
    if (e["type"] == "step_succeeded") waits.push_back(e["step"]);
  }
  EXPECT_EQ(waits, std::vector<std::string>{"short"});  // through the short one, not the long
}

TEST(Cli, GraphDrawsDotAndMermaid) {
  auto dot = coalition({"graph", source("workflows/policy_notice.json")});
  ASSERT_EQ(dot.exit_code, 0) << dot.err;
  EXPECT_EQ(dot.out.rfind("digraph \"policy_notice\"", 0), 0u);
  auto mermaid =
      coalition({"graph", source("workflows/policy_notice.json"), "--format", "mermaid"});
  ASSERT_EQ(mermaid.exit_code, 0);
  EXPECT_EQ(mermaid.out.rfind("flowchart TD", 0), 0u);
  auto data = coalition({"graph", source("workflows/policy_notice.json"), "--format", "json"});
  ASSERT_EQ(data.exit_code, 0);
  EXPECT_FALSE(json::parse(data.out)["nodes"].empty()) << data.out;
  EXPECT_EQ(
      coalition({"graph", source("workflows/policy_notice.json"), "--format", "svg"}).exit_code,
      64);
}

// Every workflow in workflows/ runs with its example input and succeeds, or waits for the
// people it needs with their tasks open (DurableCli drives those to the end).
TEST(Cli, EveryExampleWorkflowRuns) {
  test::TempDir dir;
  const std::string store = (dir.path() / "examples.db").string();
  // A copy of the configuration, so the plugins' state (the contact directory made from its
  // seed, the outbox: "../var/...") lands in the temporary directory, not the source tree.
  std::filesystem::copy(source("config"), dir.path() / "config",
                        std::filesystem::copy_options::recursive);
  const std::string config = (dir.path() / "config" / "coalition.json").string();
  int ran = 0;
  for (const auto& entry : std::filesystem::directory_iterator(source("workflows"))) {
    if (entry.path().extension() != ".json" || entry.path().filename() == "workflow.schema.json") {
      continue;
    }
    const std::string id = entry.path().stem().string();
    auto r = coalition({"--config", config, "run", entry.path().string(), "--input",
                        source("workflows/examples/" + id + ".input.json"), "--json", "--store",
                        store, "--now", "2026-12-01T09:00:00Z"});
    ASSERT_EQ(r.exit_code, 0) << id << "\n" << r.err;
    const json doc = json::parse(r.out);
    if (doc["status"] == "waiting") {
      auto tasks = coalition({"tasks", "--execution", doc["id"], "--json", "--store", store});
      ASSERT_EQ(tasks.exit_code, 0) << tasks.err;
      EXPECT_FALSE(json::parse(tasks.out)["tasks"].empty()) << id << " waits with no task open";
    } else {
      EXPECT_EQ(doc["status"], "succeeded") << id;
    }
    ++ran;
  }
  EXPECT_EQ(ran, 10);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "var" / "contacts.json"));
}

// Without --config, the CLI finds $COALITION_CONFIG, else ./config/coalition.json, else
// ./coalition.json in the working directory; --verbose says which it used.
TEST(Cli, FindsItsConfigurationAndSaysWhichWithVerbose) {
  test::TempDir dir;
  std::filesystem::create_directories(dir.path() / "config");
  dir.write("coalition.json", R"({"log": {"level": "warn"}})");
  auto in = [&](const std::string& args, std::map<std::string, std::string> env = {}) {
    env.emplace("COALITION_PLUGIN_PATH", "");
    env.emplace("COALITION_CONFIG", "");
    return run_process({"/bin/sh", "-c",
                        "cd '" + dir.path().string() + "' && exec '" +
                            std::string(test::kCoalitionBinary) + "' " + args},
                       env);
  };
  auto plain = in("--verbose plugins");
  EXPECT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_NE(plain.err.find("configuration: " + (dir.path() / "coalition.json").string() +
                           " (./coalition.json in the working directory)"),
            std::string::npos)
      << plain.err;
  EXPECT_EQ(in("plugins").err.find("configuration:"), std::string::npos);  // only when asked

  // ./config/coalition.json comes first: a broken one is read, and named, not skipped.
  dir.write("config/coalition.json", R"({"log": {"level": "loud"}})");
  auto broken = in("--verbose plugins");
  EXPECT_EQ(broken.exit_code, 78) << broken.err;
  EXPECT_NE(broken.err.find("./config/coalition.json in the working directory"), std::string::npos)
      << broken.err;
  EXPECT_NE(broken.err.find("/log/level"), std::string::npos) << broken.err;

  // The variable, then the option, come before both.
  const std::string named = (dir.path() / "coalition.json").string();
  auto from_env = in("--verbose plugins", {{"COALITION_CONFIG", named}});
  EXPECT_EQ(from_env.exit_code, 0) << from_env.err;
  EXPECT_NE(from_env.err.find(named + " ($COALITION_CONFIG)"), std::string::npos) << from_env.err;
  auto from_option = in("--verbose --config '" + named + "' plugins");
  EXPECT_EQ(from_option.exit_code, 0) << from_option.err;
  EXPECT_NE(from_option.err.find(named + " (--config)"), std::string::npos) << from_option.err;
}

}  // namespace
}  // namespace coalition
