#include "plugin_host/plugin_manifest.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "common/json_text.h"
#include "common/sha256.h"
#include "plugin_host/plugin_loader.h"
#include "support/in_memory_plugins.h"
#include "support/temp_dir.h"

namespace coalition {
namespace {

using nlohmann::json;

const std::string kSha(64, 'a');

json valid_manifest() {
  return json{{"format", "coalition.plugin-manifest/1"},
              {"id", "fabrikam_pay"},
              {"version", "1.2.0"},
              {"publisher", "Fabrikam Payments (fictional)"},
              {"description", "Payment lookups"},
              {"partner_type", "financial"},
              {"abi", {{"major", 1}, {"minor", 0}}},
              {"library", "libfabrikam_pay.so"},
              {"sha256", kSha},
              {"step_types",
               {{{"name", "fabrikam_pay.lookup"},
                 {"description", "Looks up a payment"},
                 {"capabilities", {"idempotent", "thread_safe"}},
                 {"parameters_schema", {{"type", "object"}}},
                 {"output_schema", {{"type", "object"}}}}}}};
}

Result<PluginManifest> parse(const json& doc,
                             const std::string& file = "/p/fabrikam_pay.plugin.json") {
  return parse_plugin_manifest(doc.dump(), file);
}

std::string refusal(const json& doc, const std::string& file = "/p/fabrikam_pay.plugin.json") {
  auto m = parse(doc, file);
  return m ? "accepted" : m.error().message();
}

TEST(PluginManifest, ReadsWhatThePluginDeclares) {
  auto m = parse(valid_manifest());
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->info.id, "fabrikam_pay");
  EXPECT_EQ(m->info.version, "1.2.0");
  EXPECT_EQ(m->info.partner_type, PartnerType::kFinancial);
  EXPECT_EQ(m->library, "/p/libfabrikam_pay.so");
  EXPECT_EQ(m->info.source, "/p/libfabrikam_pay.so");
  EXPECT_EQ(m->library_sha256, kSha);
  EXPECT_EQ(m->manifest_sha256, sha256_hex(valid_manifest().dump()));
  ASSERT_EQ(m->step_types.size(), 1u);
  EXPECT_EQ(m->step_types[0].capabilities, COALITION_CAP_IDEMPOTENT | COALITION_CAP_THREAD_SAFE);
  EXPECT_EQ(m->step_types[0].parameters_schema, std::optional<std::string>(R"({"type":"object"})"));
  EXPECT_FALSE(m->step_types[0].input_schema.has_value());
  EXPECT_EQ(m->info.step_types, std::vector<std::string>{"fabrikam_pay.lookup"});
}

TEST(PluginManifest, ReadsANonBlockingStep) {
  auto doc = valid_manifest();
  doc["step_types"][0]["capabilities"] = {"thread_safe", "non_blocking"};
  auto m = parse(doc);
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->step_types[0].capabilities, COALITION_CAP_THREAD_SAFE | COALITION_CAP_NON_BLOCKING);
}

TEST(PluginManifest, AnAnswerSchemaIsReadWrittenAndComparedLikeTheOthers) {
  json doc = valid_manifest();
  const json answer{{"type", "object"}, {"required", {"verdict"}}};
  doc["step_types"][0]["answer_schema"] = answer;
  auto m = parse(doc);
  ASSERT_TRUE(m.ok()) << m.error().message();
  ASSERT_TRUE(m->step_types[0].answer_schema.has_value());
  EXPECT_EQ(json::parse(*m->step_types[0].answer_schema), answer);
  auto text = manifest_text(m->info, m->step_types, kSha);
  ASSERT_TRUE(text.ok()) << text.error().message();
  EXPECT_EQ(json::parse(*text)["step_types"][0]["answer_schema"], answer);

  auto code = m->step_types;
  code[0].answer_schema = R"({"type":"object"})";
  auto differs = check_code_matches(*m, m->info, code);
  ASSERT_FALSE(differs.ok());
  EXPECT_NE(differs.error().message().find("answer schema for step type 'fabrikam_pay.lookup'"),
            std::string::npos)
      << differs.error().message();
  code[0].answer_schema.reset();
  EXPECT_FALSE(check_code_matches(*m, m->info, code).ok()) << "a schema the code dropped";

  doc["step_types"][0]["answer_schema"] = "not a schema";
  EXPECT_NE(refusal(doc).find("/step_types/0/answer_schema"), std::string::npos) << refusal(doc);
}

TEST(PluginManifest, RefusalsNameTheFileAndThePointer) {
  auto doc = valid_manifest();
  doc["step_types"][0].erase("parameters_schema");
  EXPECT_EQ(refusal(doc),
            "/p/fabrikam_pay.plugin.json: /step_types/0/parameters_schema: expected a JSON "
            "Schema object");

  doc = valid_manifest();
  doc["step_types"][0]["capabilities"] = {"idempotent", "fast"};
  EXPECT_EQ(refusal(doc),
            "/p/fabrikam_pay.plugin.json: /step_types/0/capabilities/1: expected \"idempotent\", "
            "\"thread_safe\", \"may_suspend\" or \"non_blocking\"");

  doc = valid_manifest();
  doc["sha256"] = "ABC";
  EXPECT_NE(refusal(doc).find("/sha256: expected the library's SHA-256"), std::string::npos);

  doc = valid_manifest();
  doc["library"] = "../../usr/lib/libc.so.6";
  EXPECT_NE(refusal(doc).find("/library: expected \"libfabrikam_pay.so\""), std::string::npos);

  doc = valid_manifest();
  doc["version"] = "1.2";
  EXPECT_NE(refusal(doc).find("/version: expected a semantic version"), std::string::npos);

  doc = valid_manifest();
  doc["partner_type"] = "bank";
  EXPECT_NE(refusal(doc).find("/partner_type: expected \"financial\""), std::string::npos);

  doc = valid_manifest();
  doc["step_types"].push_back(doc["step_types"][0]);
  EXPECT_EQ(refusal(doc),
            "/p/fabrikam_pay.plugin.json: /step_types/1/name: step type 'fabrikam_pay.lookup' is "
            "declared twice");

  EXPECT_EQ(refusal(valid_manifest(), "/p/other.plugin.json"),
            "/p/other.plugin.json: declares plugin id 'fabrikam_pay', so its file must be named "
            "fabrikam_pay.plugin.json");
  EXPECT_NE(parse_plugin_manifest("{\"format\": ", "/p/x.plugin.json")
                .error()
                .message()
                .find("/p/x.plugin.json: malformed JSON at line 1"),
            std::string::npos);
}

json exec_manifest() {
  json doc = valid_manifest();
  doc.erase("abi");
  doc.erase("library");
  doc["exec"] = {{"program", "fabrikam_pay.py"}, {"interpreter", "/usr/bin/python3"}};
  return doc;
}

TEST(PluginManifest, AnExecPluginNamesItsProgramAndInterpreter) {
  auto m = parse(exec_manifest());
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->kind, PluginKind::kExec);
  EXPECT_EQ(m->info.kind, PluginKind::kExec);
  EXPECT_EQ(m->library, "/p/fabrikam_pay.py");
  EXPECT_EQ(m->info.source, "/p/fabrikam_pay.py");
  EXPECT_EQ(m->interpreter, "/usr/bin/python3");
  EXPECT_EQ(m->info.abi_major, 0u);
  EXPECT_EQ(m->code().kind, PluginKind::kExec);
  // A program run as it is (a compiled one, or a script with its own "#!" line).
  json bare = exec_manifest();
  bare["exec"] = {{"program", "fabrikam_pay"}};
  auto direct = parse(bare);
  ASSERT_TRUE(direct.ok()) << direct.error().message();
  EXPECT_TRUE(direct->interpreter.empty());
  // What manifest_text writes for it reads back the same.
  auto text = manifest_text(m->info, m->step_types, kSha, m->code());
  ASSERT_TRUE(text.ok());
  auto again = parse_plugin_manifest(*text, "/p/fabrikam_pay.plugin.json");
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_EQ(again->library, m->library);
  EXPECT_EQ(again->interpreter, m->interpreter);
  EXPECT_FALSE(json::parse(*text).contains("abi"));
}

TEST(PluginManifest, AnExecManifestIsRefusedNamingThePointer) {
  json doc = exec_manifest();
  doc["exec"]["program"] = "../bin/sh";
  EXPECT_NE(refusal(doc).find("/exec/program: expected a file beside the manifest named "
                              "\"fabrikam_pay\" or \"fabrikam_pay.<extension>\""),
            std::string::npos)
      << refusal(doc);
  doc = exec_manifest();
  doc["exec"]["program"] = "other.py";
  EXPECT_NE(refusal(doc).find("/exec/program"), std::string::npos);
  doc = exec_manifest();
  doc["exec"]["interpreter"] = "python3";
  EXPECT_NE(refusal(doc).find("/exec/interpreter: expected an absolute path"), std::string::npos)
      << refusal(doc);
  doc = exec_manifest();
  doc["library"] = "libfabrikam_pay.so";
  EXPECT_NE(refusal(doc).find("/exec: expected either \"library\" or \"exec\", not both"),
            std::string::npos)
      << refusal(doc);
  doc = exec_manifest();
  doc["abi"] = {{"major", 1}, {"minor", 0}};
  EXPECT_NE(refusal(doc).find("/abi: expected nothing"), std::string::npos) << refusal(doc);
  doc = exec_manifest();
  doc["exec"] = "fabrikam_pay.py";
  EXPECT_NE(refusal(doc).find("/exec: expected {"), std::string::npos) << refusal(doc);
  doc = exec_manifest();
  doc["sha256"] = "x";
  EXPECT_NE(refusal(doc).find("/sha256: expected the program's SHA-256"), std::string::npos);
}

TEST(PluginManifest, AnAbiThisEngineLacksIsRefusedBeforeAnyCodeRuns) {
  auto doc = valid_manifest();
  doc["abi"]["minor"] = COALITION_ABI_MINOR + 1;
  EXPECT_NE(refusal(doc).find(fmt::format("needs plugin ABI 1.{}; this engine implements ABI 1.{}",
                                          COALITION_ABI_MINOR + 1, COALITION_ABI_MINOR)),
            std::string::npos);
  doc["abi"] = {{"major", 2}, {"minor", 0}};
  EXPECT_NE(refusal(doc).find("needs plugin ABI 2.0"), std::string::npos);
}

// The manifest, the deferred load and the check against the code, with a fake dynamic linker
// and a real file for the digest.
class DeclaredPluginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    libraries_.add_fallback(&test::test_plugin_entry);
    library_ = dir_.write("libtest_plugin.so", "the bytes of a library, for the digest");
    auto code = loader_.load_code(library_);
    ASSERT_TRUE(code.ok()) << code.error().message();
    auto text = manifest_text(code->info, code->step_types, sha256_hex(bytes()));
    ASSERT_TRUE(text.ok());
    manifest_text_ = *text;
    opens_before_ = libraries_.opens();
  }
  std::string bytes() const { return "the bytes of a library, for the digest"; }
  Result<LoadedPlugin> declare(const std::string& text) {
    auto manifest = parse_plugin_manifest(text, dir_.path() / "test_plugin.plugin.json");
    if (!manifest) return std::move(manifest).error();
    return loader_.declare(*manifest);
  }
  static const StepType& echo(const LoadedPlugin& plugin) {
    for (const auto& t : plugin.step_types) {
      if (t->info().name == "test.echo") return *t;
    }
    throw std::runtime_error("no test.echo");
  }
  static StepOutcome run(const StepType& type) {
    StepContext context;
    context.execution_id = "ex-1";
    context.step_id = "echo";
    context.attempt = 1;
    return type.execute(json{{"case_id", "FC-1"}, {"tier", 1}}, context);
  }

  test::TempDir dir_;
  std::filesystem::path library_;
  std::string manifest_text_;
  size_t opens_before_ = 0;
  test::FakeLibraryLoader libraries_;
  PluginLoader loader_{libraries_, json::object()};
};

TEST_F(DeclaredPluginTest, AManifestWrittenFromTheCodeReadsBackTheSame) {
  auto manifest = parse_plugin_manifest(manifest_text_, dir_.path() / "test_plugin.plugin.json");
  ASSERT_TRUE(manifest.ok()) << manifest.error().message();
  auto code = loader_.load_code(library_);
  ASSERT_TRUE(code.ok());
  EXPECT_TRUE(check_code_matches(*manifest, code->info, code->step_types).ok());
  EXPECT_EQ(manifest->info.step_types, code->info.step_types);
}

TEST_F(DeclaredPluginTest, DeclaringRunsNoCodeTheFirstStepLoadsItOnce) {
  auto plugin = declare(manifest_text_);
  ASSERT_TRUE(plugin.ok()) << plugin.error().message();
  EXPECT_EQ(plugin->info.version, "1.2.3");
  EXPECT_EQ(plugin->step_types.size(), 4u);
  EXPECT_EQ(libraries_.opens(), opens_before_);  // listed and described without its code
  EXPECT_EQ(run(echo(*plugin)).status, StepStatus::kOk);
  EXPECT_EQ(run(echo(*plugin)).status, StepStatus::kOk);
  EXPECT_EQ(libraries_.opens(), opens_before_ + 1);
  // Loaded from a sealed copy, never from the path a digest was taken of.
  EXPECT_EQ(libraries_.last_path().string().rfind("/proc/self/fd/", 0), 0u);
}

TEST_F(DeclaredPluginTest, ALibraryThatChangedAfterItsManifestIsRefusedAtItsFirstStep) {
  auto plugin = declare(manifest_text_);
  ASSERT_TRUE(plugin.ok());
  dir_.write("libtest_plugin.so", bytes() + " and a patch");
  auto outcome = run(echo(*plugin));
  EXPECT_EQ(outcome.status, StepStatus::kPermanentError);
  EXPECT_EQ(outcome.error.code, "plugin.refused");
  EXPECT_EQ(outcome.error.message, library_.string() + " was refused: its manifest " +
                                       (dir_.path() / "test_plugin.plugin.json").string() +
                                       " expects SHA-256 " + sha256_hex(bytes()) +
                                       ", the file has " + sha256_hex(bytes() + " and a patch"));
  EXPECT_EQ(libraries_.opens(), opens_before_);                // its code never ran
  EXPECT_EQ(run(echo(*plugin)).error.code, "plugin.refused");  // and is not retried
}

TEST_F(DeclaredPluginTest, CodeThatDeclaresOtherwiseThanItsManifestIsRefusedNamingBoth) {
  auto doc = parse_json(manifest_text_).value();
  doc["step_types"][0]["description"] = "Something else entirely";
  auto plugin = declare(doc.dump());
  ASSERT_TRUE(plugin.ok());
  EXPECT_EQ(plugin->step_types[0]->info().description, "Something else entirely");
  auto outcome = run(echo(*plugin));
  EXPECT_EQ(outcome.error.code, "plugin.refused");
  EXPECT_NE(outcome.error.message.find((dir_.path() / "test_plugin.plugin.json").string() +
                                       " and " + library_.string() + " disagree"),
            std::string::npos)
      << outcome.error.message;
  EXPECT_NE(outcome.error.message.find("description for step type 'test.echo' 'Something else "
                                       "entirely' where the library declares"),
            std::string::npos)
      << outcome.error.message;
}

TEST_F(DeclaredPluginTest, SchemasCompareAsJsonNotAsText) {
  auto manifest = parse_plugin_manifest(manifest_text_, dir_.path() / "test_plugin.plugin.json");
  ASSERT_TRUE(manifest.ok());
  auto code = loader_.load_code(library_);
  ASSERT_TRUE(code.ok());
  // The same schema, spaced differently: still the same declaration.
  auto& schema = code->step_types[0].parameters_schema;
  schema = parse_json(*schema).value().dump(4);
  EXPECT_TRUE(check_code_matches(*manifest, code->info, code->step_types).ok());
  schema = R"({"type":"object"})";
  auto differs = check_code_matches(*manifest, code->info, code->step_types);
  ASSERT_FALSE(differs.ok());
  EXPECT_NE(differs.error().message().find("parameters schema for step type 'test.echo'"),
            std::string::npos);
}

}  // namespace
}  // namespace coalition
