#include "plugin_host/plugin_loader.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "support/in_memory_plugins.h"

namespace coalition {
namespace {

using nlohmann::json;

class PluginLoaderTest : public ::testing::Test {
 protected:
  LoadedPlugin load_test_plugin() {
    auto plugin = loader_.load_entry(&test::test_plugin_entry, "libtest_plugin.so");
    EXPECT_TRUE(plugin.ok()) << (plugin.ok() ? "" : plugin.error().message());
    return std::move(plugin).value();
  }
  const StepType& type(const LoadedPlugin& plugin, const std::string& name) {
    for (const auto& t : plugin.step_types) {
      if (t->info().name == name) return *t;
    }
    throw std::runtime_error("no step type " + name);
  }
  StepContext context() {
    StepContext c;
    c.execution_id = "ex-1";
    c.step_id = "review";
    c.attempt = 2;
    c.idempotency_key = "ex-1/review";
    c.deadline = UtcMicros(std::chrono::seconds(1795000000));
    c.principal = StepPrincipal{"officer.fictional", "aml_officer", "Fictional Bank"};
    return c;
  }

  test::FakeLibraryLoader libraries_;
  PluginLoader loader_{libraries_, json{{"configured", {{"endpoint", "https://partner.invalid"}}}}};
};

TEST_F(PluginLoaderTest, ReadsThePluginsDescription) {
  auto plugin = load_test_plugin();
  EXPECT_EQ(plugin.info.id, "test_plugin");
  EXPECT_EQ(plugin.info.version, "1.2.3");
  EXPECT_EQ(plugin.info.publisher, "Fictional Test Org");
  EXPECT_EQ(plugin.info.partner_type, PartnerType::kTechnology);
  EXPECT_EQ(plugin.info.source, "libtest_plugin.so");
  EXPECT_EQ(plugin.info.step_types,
            (std::vector<std::string>{"test.echo", "test.throws", "test.lies", "test.serial"}));
  EXPECT_TRUE(type(plugin, "test.echo").info().idempotent());
  EXPECT_FALSE(type(plugin, "test.echo").info().thread_safe());
}

TEST_F(PluginLoaderTest, ContextAndParametersCrossTheAbi) {
  auto plugin = load_test_plugin();
  auto outcome =
      type(plugin, "test.echo").execute(json{{"case_id", "FC-42"}, {"tier", 2}}, context());
  ASSERT_EQ(outcome.status, StepStatus::kOk) << outcome.error.message;
  EXPECT_EQ(outcome.output["params"]["case_id"], "FC-42");
  const auto& c = outcome.output["context"];
  EXPECT_EQ(c["execution_id"], "ex-1");
  EXPECT_EQ(c["step_id"], "review");
  EXPECT_EQ(c["attempt"], 2);
  EXPECT_EQ(c["idempotency_key"], "ex-1/review");
  EXPECT_EQ(c["deadline"], "2026-11-18T11:06:40.000Z");
  EXPECT_EQ(c["principal"]["role"], "aml_officer");
}

TEST_F(PluginLoaderTest, InvalidParametersNeverReachThePlugin) {
  auto plugin = load_test_plugin();
  const int before = test::EchoStep::calls;
  auto wrong_type =
      type(plugin, "test.echo").execute(json{{"case_id", "FC-1"}, {"tier", "2"}}, context());
  EXPECT_EQ(wrong_type.status, StepStatus::kInvalidParameters);
  EXPECT_EQ(wrong_type.error.pointer, "/tier");

  auto unknown_key =
      type(plugin, "test.echo").execute(json{{"case_id", "FC-1"}, {"teir", 2}}, context());
  EXPECT_EQ(unknown_key.status, StepStatus::kInvalidParameters);

  auto missing = type(plugin, "test.echo").execute(json::object(), context());
  EXPECT_EQ(missing.status, StepStatus::kInvalidParameters);
  EXPECT_EQ(test::EchoStep::calls, before);
}

TEST_F(PluginLoaderTest, StaticCheckReportsEveryViolationWithPointers) {
  auto plugin = load_test_plugin();
  auto violations =
      type(plugin, "test.echo").check_parameters(json{{"case_id", "case-1"}, {"tier", 0}});
  ASSERT_GE(violations.size(), 2u);
  std::set<std::string> pointers;
  for (const auto& v : violations) pointers.insert(v.pointer);
  EXPECT_TRUE(pointers.count("/case_id"));
  EXPECT_TRUE(pointers.count("/tier"));
}

TEST_F(PluginLoaderTest, ThrowingStepBecomesPermanentErrorAndTheEngineCarriesOn) {
  auto plugin = load_test_plugin();
  auto outcome = type(plugin, "test.throws").execute(json::object(), context());
  EXPECT_EQ(outcome.status, StepStatus::kPermanentError);
  EXPECT_EQ(outcome.error.code, "plugin.exception");
  EXPECT_NE(outcome.error.message.find("partner client crashed"), std::string::npos);
  // Same process, same plugin: the next call works.
  EXPECT_EQ(type(plugin, "test.echo").execute(json{{"case_id", "FC-2"}}, context()).status,
            StepStatus::kOk);
}

TEST_F(PluginLoaderTest, OutputViolatingItsSchemaIsAPermanentError) {
  auto plugin = load_test_plugin();
  auto outcome = type(plugin, "test.lies").execute(json::object(), context());
  EXPECT_EQ(outcome.status, StepStatus::kPermanentError);
  EXPECT_EQ(outcome.error.code, "plugin.output_schema");
  EXPECT_NE(outcome.error.message.find("/count"), std::string::npos);
}

TEST_F(PluginLoaderTest, CallsOnANonThreadSafeInstanceNeverOverlap) {
  auto plugin = load_test_plugin();
  const auto& serial = type(plugin, "test.serial");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 300; ++i) serial.execute(json::object(), context());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(test::NotThreadSafeStep::overlaps, 0);
}

TEST_F(PluginLoaderTest, PluginConfigurationReachesTheInstance) {
  auto plugin = loader_.load_entry(&test::configured_plugin_entry, "libconfigured.so");
  ASSERT_TRUE(plugin.ok()) << plugin.error().message();
  auto outcome = plugin->step_types[0]->execute(json::object(), context());
  EXPECT_EQ(outcome.output["endpoint"], "https://partner.invalid");
}

TEST_F(PluginLoaderTest, RefusedConfigurationRefusesThePlugin) {
  PluginLoader unconfigured(libraries_, json::object());
  auto plugin = unconfigured.load_entry(&test::configured_plugin_entry, "libconfigured.so");
  ASSERT_FALSE(plugin.ok());
  EXPECT_EQ(plugin.error().code(), ErrorCode::kPluginLoad);
  EXPECT_NE(plugin.error().message().find("refused its configuration: /endpoint: is required"),
            std::string::npos)
      << plugin.error().message();
}

const coalition_plugin_descriptor_t* null_entry(uint32_t, uint32_t) {
  return nullptr;
}
const coalition_plugin_descriptor_t* throwing_entry(uint32_t, uint32_t) {
  throw std::runtime_error("static init failed");
}

TEST_F(PluginLoaderTest, EntryPointThatRefusesOrThrowsIsReported) {
  auto refused = loader_.load_entry(&null_entry, "librefuse.so");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message().find("returned no descriptor"), std::string::npos);
  auto thrown = loader_.load_entry(&throwing_entry, "libthrow.so");
  ASSERT_FALSE(thrown.ok());
  EXPECT_NE(thrown.error().message().find("threw"), std::string::npos);
}

class NotObjectParams {
 public:
  static constexpr sdk::StepTypeInfo kInfo{.name = "test.array_params",
                                           .description = "Parameters are an array.",
                                           .parameters_schema = R"({"type":"array"})"};
  sdk::Outcome execute(const json&, const sdk::Context&) { return sdk::Outcome::ok(); }
};
class BrokenSchema {
 public:
  static constexpr sdk::StepTypeInfo kInfo{.name = "test.broken_schema",
                                           .description = "Malformed schema.",
                                           .parameters_schema = R"({"type":"object",)"};
  sdk::Outcome execute(const json&, const sdk::Context&) { return sdk::Outcome::ok(); }
};
constexpr sdk::PluginInfo kBadSchemas{"bad_schemas", "0.1.0", "Org", sdk::PartnerType::kNgo,
                                      "Bad."};
const coalition_plugin_descriptor_t* array_params_entry(uint32_t, uint32_t) {
  return sdk::detail::describe<NotObjectParams>(kBadSchemas);
}
const coalition_plugin_descriptor_t* broken_schema_entry(uint32_t, uint32_t) {
  return sdk::detail::describe<BrokenSchema>(kBadSchemas);
}

TEST_F(PluginLoaderTest, SchemasMustBeUsable) {
  auto array = loader_.load_entry(&array_params_entry, "libbad.so");
  ASSERT_FALSE(array.ok());
  EXPECT_NE(array.error().message().find("must declare \"type\": \"object\""), std::string::npos);
  auto broken = loader_.load_entry(&broken_schema_entry, "libbad.so");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().message().find("parameters schema is malformed"), std::string::npos);
}

}  // namespace
}  // namespace coalition
