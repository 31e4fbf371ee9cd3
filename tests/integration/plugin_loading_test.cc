// Real plugin libraries loaded through Boost.DLL: the in-tree plugins and the broken fixtures.
#include <gtest/gtest.h>

#include "calendar/business_calendar.h"
#include "common/utc_time.h"
#include "plugin_host/plugin_loader.h"
#include "plugin_host/plugin_registry.h"
#include "test_paths.h"

namespace coalition {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

fs::path fixture(const std::string& name) {
  return fs::path(test::kFixtureDir) / name / ("lib" + name + ".so");
}
fs::path plugin(const std::string& id) {
  return fs::path(test::kPluginDir) / ("lib" + id + ".so");
}

StepContext context(uint32_t attempt = 1) {
  StepContext c;
  c.execution_id = "ex-7";
  c.step_id = "step";
  c.attempt = attempt;
  c.idempotency_key = "ex-7/step";
  return c;
}

class PluginLoadingTest : public ::testing::Test {
 protected:
  DllLibraryLoader libraries_;
  PluginLoader loader_{libraries_, json::object()};
};

TEST_F(PluginLoadingTest, InTreePluginsLoadAndRun) {
  PluginRegistry registry;
  RealFileSystem fs;
  auto report = install_plugins({test::kPluginDir}, fs, loader_, registry);
  ASSERT_TRUE(report.errors.empty()) << report.errors.front().to_string();
  for (const char* name : {"noop", "set", "merge", "log", "fail"}) {
    EXPECT_NE(registry.find(name), nullptr) << name;
  }
  EXPECT_EQ(registry.find("noop")->execute(json::object(), context()).output, json::object());
  auto set = registry.find("set")->execute({{"value", {{"case", "FC-9"}}}}, context());
  EXPECT_EQ(set.output["case"], "FC-9");
  auto merged = registry.find("merge")->execute(
      {{"objects", json::array({{{"a", 1}}, {{"b", 2}}})}}, context());
  EXPECT_EQ(merged.output, json::parse(R"({"a":1,"b":2})"));

  json fail_params{{"code", "partner.timeout"},
                   {"message", "simulated"},
                   {"retryable", true},
                   {"succeed_on_attempt", 3}};
  auto first = registry.find("fail")->execute(fail_params, context(1));
  EXPECT_EQ(first.status, StepStatus::kRetryableError);
  EXPECT_EQ(first.error.code, "partner.timeout");
  auto third = registry.find("fail")->execute(fail_params, context(3));
  EXPECT_EQ(third.status, StepStatus::kOk);
  EXPECT_EQ(third.output["attempt"], 3);
}

// The coalition plugins through the real ABI: their data found beside the configuration, the
// calendar host extension counting business days, and their refusals.
TEST_F(PluginLoadingTest, CoalitionPluginsRunWithTheirDataAndTheCalendarExtension) {
  auto calendars = CalendarSet::load(fs::path(test::kSourceDir) / "config" / "calendars");
  ASSERT_TRUE(calendars.ok());
  PluginLoader loader(libraries_, json::object(), fs::path(test::kSourceDir) / "config",
                      &*calendars);
  PluginRegistry registry;
  RealFileSystem files;
  auto report = install_plugins({test::kPluginDir}, files, loader, registry);
  ASSERT_TRUE(report.errors.empty()) << report.errors.front().to_string();

  StepContext c = context();
  c.now = *parse_utc("2026-12-02T03:00:00Z");
  auto deadline =
      registry.find("regulatory.filing_deadline")
          ->execute({{"regime", "AU_SMR"}, {"determination_at", "2026-12-02T03:00:00Z"}}, c);
  ASSERT_EQ(deadline.status, StepStatus::kOk) << deadline.error.message;
  EXPECT_EQ(deadline.output["due_at"], "2026-12-07T12:59:59Z");  // via coalition.calendar/1

  auto profile = registry.find("jurisdiction.profile")->execute({{"country", "CA"}}, c);
  EXPECT_EQ(profile.output["regime"], "CA_STR");
  EXPECT_EQ(profile.output["spans"]["kyb_refresh"],
            json::parse(R"({"business_days": 10, "calendar": "ca-federal"})"));

  auto guard = registry.find("no_media.guard")
                   ->execute({{"payload", {{"evidence", {"TXN-1", "R0lGODlhAQABAIAAAP"}}}}}, c);
  EXPECT_EQ(guard.status, StepStatus::kPermanentError);
  EXPECT_EQ(guard.error.code, "media.refused");
  EXPECT_NE(guard.error.message.find("/evidence/1 carries image/gif"), std::string::npos);
  EXPECT_EQ(guard.error.message.find("R0lGOD"), std::string::npos);
  auto clean = registry.find("no_media.guard")->execute({{"payload", {{"ref", "TXN-1"}}}}, c);
  EXPECT_EQ(clean.output["clean"], true);
  // References only: 2 KB of binary (base64) is refused unless the schema declares the field.
  std::string sealed;
  for (uint32_t i = 0, x = 7; i < 2048; ++i) {
    x = x * 1664525u + 1013904223u;
    sealed.push_back("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[x >> 26]);
  }
  auto binary = registry.find("no_media.guard")->execute({{"payload", {{"sealed", sealed}}}}, c);
  EXPECT_EQ(binary.error.code, "media.refused");
  EXPECT_NE(binary.error.message.find("/sealed carries application/octet-stream"),
            std::string::npos);
  const json declared = {{"properties", {{"sealed", {{"x-coalition-reference", true}}}}}};
  auto accepted = registry.find("no_media.guard")
                      ->execute({{"payload", {{"sealed", sealed}}}, {"schema", declared}}, c);
  EXPECT_EQ(accepted.output["clean"], true) << accepted.error.message;

  auto leak = registry.find("notify")->execute({{"to", {{"log", true}}},
                                                {"message", "x.y"},
                                                {"payload", {{"email", "a@b.example"}}},
                                                {"allow", json::array({"case_id"})}},
                                               c);
  EXPECT_EQ(leak.error.code, "notify.field_not_allowed");
  // Without an allow-list, a payload beyond the case id and references is refused too.
  auto unlisted = registry.find("notify")->execute(
      {{"to", {{"log", true}}},
       {"message", "x.y"},
       {"payload", {{"case_id", "A-1"}, {"references", {"R-1"}}, {"member", "northwind"}}}},
      c);
  EXPECT_EQ(unlisted.error.code, "notify.field_not_allowed");
  EXPECT_NE(unlisted.error.message.find("'member'"), std::string::npos);
  // No directory configured: the step says which key to set, nothing is created.
  auto unresolved = registry.find("contacts.resolve_chain")
                        ->execute({{"incident_class", "P0"}, {"jurisdictions", {"AU"}}}, c);
  EXPECT_EQ(unresolved.error.code, "config.missing");
  EXPECT_NE(unresolved.error.message.find("plugins.config.contacts.directory"), std::string::npos);

  // Without calendars the extension is absent and a business-day rule is refused, not guessed.
  PluginLoader bare(libraries_, json::object(), fs::path(test::kSourceDir) / "config", nullptr);
  auto regulatory = bare.load(plugin("regulatory_deadline"));
  ASSERT_TRUE(regulatory.ok());
  auto refused = regulatory->step_types[0]->execute(
      {{"regime", "AU_SMR"}, {"determination_at", "2026-12-02T03:00:00Z"}}, c);
  EXPECT_EQ(refused.error.code, "regulatory.no_rule");
  EXPECT_NE(refused.error.message.find("no calendar 'au-national'"), std::string::npos);
}

TEST_F(PluginLoadingTest, ParameterErrorsCarryAJsonPointer) {
  auto fail = loader_.load(plugin("fail"));
  ASSERT_TRUE(fail.ok()) << fail.error().message();
  const auto& type = *fail->step_types[0];
  auto bad_code = type.execute({{"code", "Not A Code"}, {"message", "m"}}, context());
  EXPECT_EQ(bad_code.status, StepStatus::kInvalidParameters);
  EXPECT_EQ(bad_code.error.pointer, "/code");
  auto unknown = type.check_parameters({{"code", "a.b"}, {"message", "m"}, {"retry", true}});
  ASSERT_FALSE(unknown.empty());
  auto noop = loader_.load(plugin("noop"));
  ASSERT_TRUE(noop.ok());
  auto extra = noop->step_types[0]->execute({{"anything", 1}}, context());
  EXPECT_EQ(extra.status, StepStatus::kInvalidParameters);
}

TEST_F(PluginLoadingTest, PlainCPluginLoads) {
  auto p = loader_.load(fixture("c_minimal"));
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(p->info.partner_type, PartnerType::kTechnology);
  auto outcome = p->step_types[0]->execute({{"ref", "sha256:ab12"}}, context());
  EXPECT_EQ(outcome.output["ref"], "sha256:ab12");
}

TEST_F(PluginLoadingTest, WrongMagicIsRefusedWithOneSentence) {
  auto p = loader_.load(fixture("wrong_magic"));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message(),
            fixture("wrong_magic").string() +
                " is not a Coalition plugin: its descriptor starts with magic 0x57465031 "
                "(\"WFP1\") where 0x434F414C (\"COAL\") was expected");
}

TEST_F(PluginLoadingTest, WrongMajorIsRefusedNamingBothVersions) {
  auto p = loader_.load(fixture("wrong_major"));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message(),
            fixture("wrong_major").string() +
                " was built for Coalition plugin ABI 2.0 but this engine implements ABI 1.2; "
                "rebuild the plugin with a Coalition 1.x SDK");
}

TEST_F(PluginLoadingTest, NewerMinorIsRefusedNamingBothVersions) {
  auto p = loader_.load(fixture("newer_minor"));
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message().find("built for Coalition plugin ABI 1.9 but this engine "
                                     "implements ABI 1.2"),
            std::string::npos)
      << p.error().message();
}

TEST_F(PluginLoadingTest, TheCppHelperCanTargetAnOlderAbiMinor) {
  auto p = loader_.load(fixture("older_minor_target"));
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(p->info.abi_major, 1u);
  EXPECT_EQ(p->info.abi_minor, 0u) << "COALITION_SDK_TARGET_ABI_MINOR 0 is what it declares";
  StepContext c;
  EXPECT_EQ(p->step_types.at(0)->execute(json::object(), c).output["acknowledged"], true);
}

TEST_F(PluginLoadingTest, MissingEntrySymbolIsRefused) {
  auto p = loader_.load(fixture("missing_entry"));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message(), fixture("missing_entry").string() +
                                     " is not a Coalition plugin: it does not export "
                                     "coalition_plugin_entry_v1 (plugin ABI 1.x)");
}

TEST_F(PluginLoadingTest, FileThatIsNotALibraryIsRefused) {
  auto p = loader_.load(fs::path(test::kSourceDir) / "README.md");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message().find("cannot load"), std::string::npos);
}

TEST_F(PluginLoadingTest, ThrowingStepsBecomePermanentErrorsAndTheProcessLives) {
  auto p = loader_.load(fixture("throwing_step"));
  ASSERT_TRUE(p.ok()) << p.error().message();
  auto thrown = p->step_types[0]->execute(json::object(), context());
  EXPECT_EQ(thrown.status, StepStatus::kPermanentError);
  EXPECT_EQ(thrown.error.code, "plugin.exception");
  EXPECT_NE(thrown.error.message.find("partner API client crashed"), std::string::npos);

  auto rejected = p->step_types[1]->execute({{"account", "ACC-1"}}, context());
  EXPECT_EQ(rejected.status, StepStatus::kInvalidParameters);
  EXPECT_EQ(rejected.error.pointer, "/account");

  auto raw = loader_.load(fixture("raw_throw"));
  ASSERT_TRUE(raw.ok()) << raw.error().message();
  auto escaped = raw->step_types[0]->execute(json::object(), context());
  EXPECT_EQ(escaped.status, StepStatus::kPermanentError);
  EXPECT_EQ(escaped.error.code, "plugin.exception");
  // Still alive, still working.
  EXPECT_EQ(p->step_types[0]->execute(json::object(), context()).status,
            StepStatus::kPermanentError);
}

TEST_F(PluginLoadingTest, MalformedOutputJsonIsAnError) {
  auto p = loader_.load(fixture("malformed_output"));
  ASSERT_TRUE(p.ok()) << p.error().message();
  auto outcome = p->step_types[0]->execute(json::object(), context());
  EXPECT_EQ(outcome.status, StepStatus::kPermanentError);
  EXPECT_EQ(outcome.error.code, "plugin.malformed_output");
  EXPECT_NE(outcome.error.message.find("step type 'malformed_output' of plugin "
                                       "'malformed_output'"),
            std::string::npos);
}

TEST_F(PluginLoadingTest, DuplicateStepTypeAcrossLibrariesIsRefused) {
  PluginRegistry registry;
  auto noop = loader_.load(plugin("noop"));
  ASSERT_TRUE(noop.ok());
  ASSERT_TRUE(registry.add(std::move(*noop)).ok());
  auto impostor = loader_.load(fixture("duplicate_noop"));
  ASSERT_TRUE(impostor.ok()) << impostor.error().message();
  auto status = registry.add(std::move(*impostor));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message().find("step type 'noop' of plugin 'duplicate_noop'"),
            std::string::npos);
  EXPECT_NE(status.error().message().find("already provided by plugin 'noop'"), std::string::npos);
}

}  // namespace
}  // namespace coalition
