// The header-only SDK (coalition/plugin.hpp), exercised through the C ABI it generates.
#include <gtest/gtest.h>
#include <coalition/plugin.hpp>

#include <optional>
#include <string>

#include "support/in_memory_plugins.h"

namespace coalition {
namespace {

using nlohmann::json;

struct Answer {
  uint32_t status;
  json output;
  json error;
};

Answer call(const coalition_plugin_descriptor_t* d, const coalition_step_type_t* t,
            const char* input, const char* context = "{}") {
  coalition_result_t err{};
  void* instance = t->create(nullptr, "{}", &err);
  EXPECT_NE(instance, nullptr);
  coalition_result_t out{};
  out.struct_size = sizeof(out);
  t->execute(instance, input, context, &out);
  t->destroy(instance);
  Answer a{out.status, nullptr, nullptr};
  if (out.output_json) a.output = json::parse(out.output_json);
  if (out.error_json) a.error = json::parse(out.error_json);
  d->free_string(out.output_json);
  d->free_string(out.error_json);
  return a;
}

TEST(PluginSdk, DescriptorCarriesVersionAndPluginInfo) {
  const auto* d = test::test_plugin_entry(COALITION_ABI_MAJOR, COALITION_ABI_MINOR);
  EXPECT_EQ(d->magic, COALITION_ABI_MAGIC);
  EXPECT_EQ(d->struct_size, sizeof(coalition_plugin_descriptor_t));
  EXPECT_EQ(d->abi_major, COALITION_ABI_MAJOR);
  EXPECT_STREQ(d->id, "test_plugin");
  EXPECT_EQ(d->partner_type, COALITION_PARTNER_TECHNOLOGY);
  ASSERT_EQ(d->step_type_count, 4u);
  EXPECT_STREQ(d->step_types[0]->name, "test.echo");
  EXPECT_EQ(d->step_types[0]->capabilities, COALITION_CAP_IDEMPOTENT);
  EXPECT_EQ(d->step_types[0]->resume, nullptr);
}

TEST(PluginSdk, ExceptionsBecomePermanentErrors) {
  const auto* d = test::test_plugin_entry(1, 0);
  auto a = call(d, d->step_types[1], "{}");
  EXPECT_EQ(a.status, COALITION_STATUS_PERMANENT_ERROR);
  EXPECT_EQ(a.error["code"], "plugin.exception");
}

TEST(PluginSdk, MalformedInputTextBecomesAnErrorNotACrash) {
  const auto* d = test::test_plugin_entry(1, 0);
  auto a = call(d, d->step_types[0], "{not json");
  EXPECT_EQ(a.status, COALITION_STATUS_PERMANENT_ERROR);
  EXPECT_EQ(a.error["code"], "plugin.exception");
}

// "{}" in and an empty output out take a shortcut past the parser and the serializer: what a step
// is handed and what it answers are the same documents either way.
TEST(PluginSdk, EmptyDocumentsInAndOutAreTheDocumentsTheParserAndSerializerGive) {
  const auto* d = test::test_plugin_entry(1, 0);
  const auto* echo = d->step_types[0];
  auto a = call(d, echo, "{}", "{}");
  EXPECT_EQ(a.status, COALITION_STATUS_OK);
  EXPECT_EQ(a.output, (json{{"params", json::object()}, {"context", json::object()}}));
  a = call(d, echo, R"({"case_id":"FC-1"})", R"({"step_id":"s"})");
  EXPECT_EQ(a.output, (json{{"params", {{"case_id", "FC-1"}}}, {"context", {{"step_id", "s"}}}}));
  a = call(d, echo, "{ }", "");
  EXPECT_EQ(a.output, (json{{"params", json::object()}, {"context", json::object()}}));

  EXPECT_EQ(sdk::detail::parse_or_empty("{}"), json::object());
  EXPECT_EQ(sdk::detail::parse_or_empty("[]"), json::array());
  coalition_result_t out{};
  sdk::detail::write(sdk::Outcome::ok(), &out);
  ASSERT_NE(out.output_json, nullptr);
  EXPECT_STREQ(out.output_json, "{}");
  sdk::detail::free_string(out.output_json);
  coalition_result_t list{};
  sdk::detail::write(sdk::Outcome::ok(json::array()), &list);
  ASSERT_NE(list.output_json, nullptr);
  EXPECT_STREQ(list.output_json, "[]");
  sdk::detail::free_string(list.output_json);
}

TEST(PluginSdk, ContextAccessors) {
  sdk::Context c(json::parse(R"({"execution_id":"e","step_id":"s","attempt":3,
      "idempotency_key":"k","deadline":null,"principal":{"actor":"a","role":"r",
      "organisation":"o"},"task_token":"t"})"));
  EXPECT_EQ(c.execution_id(), "e");
  EXPECT_EQ(c.attempt(), 3u);
  EXPECT_FALSE(c.deadline().has_value());
  ASSERT_TRUE(c.principal().has_value());
  EXPECT_EQ(c.principal()->role, "r");
  EXPECT_EQ(c.task_token(), "t");
}

// The SDK reads the host's context text where it lies, for the call; a step that keeps a copy
// of its Context past the call keeps the document, not a pointer into text the host has reused.
class KeepsItsContext {
 public:
  static constexpr sdk::StepTypeInfo kInfo{
      .name = "test.keeps_context",
      .description = "Keeps a copy of the context it was handed.",
      .parameters_schema = R"({"type":"object"})",
  };
  sdk::Outcome execute(const json&, const sdk::Context& context) {
    copied = context;
    moved = sdk::Context(context);
    return sdk::Outcome::ok();
  }
  static inline std::optional<sdk::Context> copied;
  static inline std::optional<sdk::Context> moved;
};
constexpr sdk::PluginInfo kKeeperPlugin{"keeper_test", "1.0.0", "Org", sdk::PartnerType::kCoalition,
                                        "Keeps contexts."};

TEST(PluginSdk, AContextKeptPastTheCallOutlivesTheHostsText) {
  const auto* d = sdk::detail::describe<KeepsItsContext>(kKeeperPlugin);
  std::string text = R"({"execution_id":"ex-1","step_id":"review","attempt":2})";
  const auto a = call(d, d->step_types[0], "{}", text.c_str());
  EXPECT_EQ(a.status, COALITION_STATUS_OK);
  text.assign(text.size(), 'x');  // the host's buffer, reused for the next call
  ASSERT_TRUE(KeepsItsContext::copied.has_value());
  EXPECT_EQ(KeepsItsContext::copied->execution_id(), "ex-1");
  EXPECT_EQ(KeepsItsContext::copied->attempt(), 2u);
  ASSERT_TRUE(KeepsItsContext::moved.has_value());
  EXPECT_EQ(KeepsItsContext::moved->step_id(), "review");

  // Built by hand, a Context keeps its own copy of the text: a temporary's is safe to pass.
  const sdk::Context by_hand(std::string(R"({"step_id":"intake"})").c_str());
  EXPECT_EQ(by_hand.step_id(), "intake");
  sdk::Context assigned(json::object());
  assigned = by_hand;
  EXPECT_EQ(assigned.step_id(), "intake");
  EXPECT_EQ(by_hand.step_id(), "intake");
  const sdk::Context none(nullptr);
  EXPECT_EQ(none.document(), json::object());
  EXPECT_EQ(none.now(), "");
}

// A step may take its parameters by value or as its own temporary (&&), not only as const&: each
// is handed the document, {} and no text included.
class TakesItsOwn {
 public:
  static constexpr sdk::StepTypeInfo kInfo{
      .name = "test.by_value",
      .description = "Takes its parameters by value.",
      .parameters_schema = R"({"type":"object"})",
  };
  sdk::Outcome execute(json params, const sdk::Context&) {
    params["seen"] = true;
    return sdk::Outcome::ok(std::move(params));
  }
};
class TakesATemporary {
 public:
  static constexpr sdk::StepTypeInfo kInfo{
      .name = "test.by_rvalue",
      .description = "Takes its parameters as a temporary.",
      .parameters_schema = R"({"type":"object"})",
  };
  sdk::Outcome execute(json&& params, const sdk::Context&) {
    params["seen"] = true;
    return sdk::Outcome::ok(std::move(params));
  }
};
constexpr sdk::PluginInfo kSignaturesPlugin{"signatures_test", "1.0.0", "Org",
                                            sdk::PartnerType::kCoalition, "Signatures."};

TEST(PluginSdk, AStepMayTakeItsParametersByValueOrAsATemporary) {
  const auto* d = sdk::detail::describe<TakesItsOwn, TakesATemporary>(kSignaturesPlugin);
  for (size_t i = 0; i < 2; ++i) {
    const auto* t = d->step_types[i];
    EXPECT_EQ(call(d, t, "{}").output, (json{{"seen", true}})) << t->name;
    EXPECT_EQ(call(d, t, nullptr).output, (json{{"seen", true}})) << t->name;
    EXPECT_EQ(call(d, t, R"({"case_id":"FC-1"})").output,
              (json{{"case_id", "FC-1"}, {"seen", true}}))
        << t->name;
  }
  // The shared empty object was handed to none of them to change.
  EXPECT_EQ(sdk::detail::empty_object(), json::object());
  EXPECT_EQ(call(d, d->step_types[0], "").output, (json{{"seen", true}}));
}

// ok() with nothing builds no document, and is the empty object wherever it is read.
TEST(PluginSdk, AnOutcomeWithoutOutputIsTheEmptyObject) {
  const auto empty = sdk::Outcome::ok();
  EXPECT_EQ(empty.status(), COALITION_STATUS_OK);
  EXPECT_EQ(empty.output(), json::object());
  EXPECT_TRUE(empty.output_is_empty_object());
  EXPECT_TRUE(sdk::Outcome::ok(json::object()).output_is_empty_object());
  EXPECT_FALSE(sdk::Outcome::ok(json::array()).output_is_empty_object());
  EXPECT_FALSE(sdk::Outcome::ok(json{{"a", 1}}).output_is_empty_object());
  EXPECT_FALSE(sdk::Outcome::suspend(nullptr).output_is_empty_object());
  coalition_result_t out{};
  sdk::detail::write(sdk::Outcome::ok(json{{"a", 1}}), &out);
  ASSERT_NE(out.output_json, nullptr);
  EXPECT_STREQ(out.output_json, R"({"a":1})");
  sdk::detail::free_string(out.output_json);
}

class Approval {
 public:
  static constexpr sdk::StepTypeInfo kInfo{
      .name = "test.approval",
      .description = "Suspends, then approves or rejects.",
      .parameters_schema = R"({"type":"object","properties":{}})",
      .capabilities = COALITION_CAP_MAY_SUSPEND,
  };
  sdk::Outcome execute(const json&, const sdk::Context&) {
    return sdk::Outcome::suspend({{"reason", "approval"}});
  }
  sdk::Outcome resume(const json& completion, const sdk::Context&) {
    if (completion.value("approved", false)) return sdk::Outcome::ok({{"approved", true}});
    return sdk::Outcome::permanent("approval.rejected", "rejected");
  }
};
constexpr sdk::PluginInfo kApprovalPlugin{"approval_test", "1.0.0", "Org",
                                          sdk::PartnerType::kCoalition, "Approvals."};

TEST(PluginSdk, ResumableStepsGetAResumeFunction) {
  const auto* d = sdk::detail::describe<Approval>(kApprovalPlugin);
  const auto* t = d->step_types[0];
  ASSERT_NE(t->resume, nullptr);
  auto suspended = call(d, t, "{}");
  EXPECT_EQ(suspended.status, COALITION_STATUS_SUSPEND);
  EXPECT_EQ(suspended.output["reason"], "approval");

  coalition_result_t err{};
  void* instance = t->create(nullptr, "{}", &err);
  coalition_result_t out{};
  t->resume(instance, R"({"approved": false})", "{}", &out);
  EXPECT_EQ(out.status, COALITION_STATUS_PERMANENT_ERROR);
  EXPECT_EQ(json::parse(out.error_json)["code"], "approval.rejected");
  d->free_string(out.error_json);
  t->destroy(instance);
}

}  // namespace
}  // namespace coalition
