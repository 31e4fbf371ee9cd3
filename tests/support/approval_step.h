// ApprovalStep: an in-process step type that behaves as the human plugin's `approval` (opens a
// task, decides once its completions do), for engine tests on a real store.
#ifndef COALITION_TESTS_SUPPORT_APPROVAL_STEP_H_
#define COALITION_TESTS_SUPPORT_APPROVAL_STEP_H_

#include <nlohmann/json.hpp>

#include "human/human_steps.h"
#include "support/in_memory_plugins.h"

namespace coalition::test {

class ApprovalStep {
 public:
  static constexpr sdk::StepTypeInfo kInfo{
      .name = "test.approval",
      .description = "The human plugin's approval behaviour.",
      .parameters_schema = R"({"type":"object","properties":{"title":{"type":"string"}}})",
      .capabilities = COALITION_CAP_MAY_SUSPEND | COALITION_CAP_THREAD_SAFE,
      .answer_schema = plugins::human::kApprovalAnswerSchema,
  };
  sdk::Outcome execute(const nlohmann::json& params, const sdk::Context&) {
    return sdk::Outcome::suspend(plugins::human::approval_task(params));
  }
  sdk::Outcome resume(const nlohmann::json& completion, const sdk::Context&) {
    auto decision = plugins::human::approval_decision(completion);
    return decision ? sdk::Outcome::ok(*decision) : sdk::Outcome::suspend(nlohmann::json::object());
  }
};

}  // namespace coalition::test

#endif  // COALITION_TESTS_SUPPORT_APPROVAL_STEP_H_
