#include "plugin_host/plugin_answer.h"

#include <coalition/plugin_abi.h>
#include <gtest/gtest.h>

namespace coalition {
namespace {

const std::string kWho = "step type 'x' of plugin 'p'";

TEST(DecodePluginAnswer, OkCarriesTheOutput) {
  auto outcome = decode_plugin_answer({COALITION_STATUS_OK, R"({"case":"FC-1"})", {}}, kWho);
  EXPECT_EQ(outcome.status, StepStatus::kOk);
  EXPECT_EQ(outcome.output["case"], "FC-1");
}

TEST(DecodePluginAnswer, OkWithoutOutputIsAProtocolError) {
  auto outcome = decode_plugin_answer({COALITION_STATUS_OK, {}, {}}, kWho);
  EXPECT_EQ(outcome.status, StepStatus::kPermanentError);
  EXPECT_EQ(outcome.error.code, "plugin.null_output");
  EXPECT_NE(outcome.error.message.find(kWho), std::string::npos);
  auto empty = decode_plugin_answer({COALITION_STATUS_OK, "{}", {}}, kWho);
  EXPECT_EQ(empty.status, StepStatus::kOk);
  EXPECT_EQ(empty.output, nlohmann::json::object());
}

TEST(DecodePluginAnswer, MalformedOutputIsAPermanentError) {
  auto outcome = decode_plugin_answer({COALITION_STATUS_OK, R"({"case": )", {}}, kWho);
  EXPECT_EQ(outcome.status, StepStatus::kPermanentError);
  EXPECT_EQ(outcome.error.code, "plugin.malformed_output");
  EXPECT_NE(outcome.error.message.find(kWho), std::string::npos);
  EXPECT_NE(outcome.error.message.find("line 1"), std::string::npos);
}

TEST(DecodePluginAnswer, ErrorsKeepCodeMessageAndPointer) {
  auto retry = decode_plugin_answer(
      {COALITION_STATUS_RETRYABLE_ERROR, {}, R"({"code":"partner.timeout","message":"late"})"},
      kWho);
  EXPECT_EQ(retry.status, StepStatus::kRetryableError);
  EXPECT_EQ(retry.error.code, "partner.timeout");
  EXPECT_EQ(retry.error.message, "late");

  auto invalid = decode_plugin_answer(
      {COALITION_STATUS_INVALID_PARAMETERS,
       {},
       R"({"code":"parameters.invalid","message":"closed","pointer":"/account"})"},
      kWho);
  EXPECT_EQ(invalid.status, StepStatus::kInvalidParameters);
  EXPECT_EQ(invalid.error.pointer, "/account");
}

TEST(DecodePluginAnswer, ErrorWithoutCodeIsABreach) {
  auto outcome =
      decode_plugin_answer({COALITION_STATUS_RETRYABLE_ERROR, {}, R"({"message":"x"})"}, kWho);
  EXPECT_EQ(outcome.status, StepStatus::kPermanentError);
  EXPECT_EQ(outcome.error.code, "plugin.malformed_error");
}

TEST(DecodePluginAnswer, ErrorWithoutDocumentKeepsItsClass) {
  auto outcome = decode_plugin_answer({COALITION_STATUS_RETRYABLE_ERROR, {}, {}}, kWho);
  EXPECT_EQ(outcome.status, StepStatus::kRetryableError);
  EXPECT_EQ(outcome.error.code, "plugin.error_without_detail");
}

TEST(DecodePluginAnswer, UnknownStatusIsABreach) {
  auto outcome = decode_plugin_answer({42, R"({})", {}}, kWho);
  EXPECT_EQ(outcome.status, StepStatus::kPermanentError);
  EXPECT_EQ(outcome.error.code, "plugin.unknown_status");
  EXPECT_NE(outcome.error.message.find("42"), std::string::npos);
}

TEST(DecodePluginAnswer, SuspendNeedsAnObject) {
  EXPECT_EQ(
      decode_plugin_answer({COALITION_STATUS_SUSPEND, R"({"reason":"approval"})", {}}, kWho).status,
      StepStatus::kSuspend);
  EXPECT_EQ(decode_plugin_answer({COALITION_STATUS_SUSPEND, R"("approval")", {}}, kWho).status,
            StepStatus::kPermanentError);
}

}  // namespace
}  // namespace coalition
