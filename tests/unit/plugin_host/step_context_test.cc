#include "plugin_host/step_context.h"

#include <gtest/gtest.h>

namespace coalition {
namespace {

TEST(StepContext, TextAndDocumentAgreeIncludingEscapes) {
  StepContext c;
  c.execution_id = "ex-1";
  c.step_id = "fan[bank \"A\"]/call\\x";
  c.attempt = 3;
  c.idempotency_key = "ex-1/fan\n\t\x01";
  c.deadline = UtcMicros(std::chrono::milliseconds(1798675200123));
  c.principal = StepPrincipal{"officer", "aml_officer", "Fictional Bank"};
  c.now = UtcMicros(std::chrono::milliseconds(1798675199001));
  EXPECT_EQ(nlohmann::json::parse(c.to_text()), c.to_json());
  EXPECT_EQ(c.to_json()["deadline"], "2026-12-31T00:00:00.123Z");
  EXPECT_EQ(nlohmann::json::parse(c.to_text())["now"], "2026-12-30T23:59:59.001Z");
  EXPECT_EQ(c.to_text().back(), '}');
  // The task token a suspended attempt's completion is matched by is its idempotency key.
  EXPECT_EQ(nlohmann::json::parse(c.to_text())["task_token"], c.idempotency_key);
  EXPECT_EQ(c.to_json()["task_token"], c.idempotency_key);
  StepContext bare;
  EXPECT_EQ(nlohmann::json::parse(bare.to_text()), bare.to_json());
  EXPECT_TRUE(bare.to_json()["principal"].is_null());
}

}  // namespace
}  // namespace coalition
