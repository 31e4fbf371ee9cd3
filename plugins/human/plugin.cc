// human: the steps where people act — approvals, checklists, forms — and waiting for an external
// signal. Each suspends its step; the engine opens the task, enforces who may complete it and
// how (roles, quorum, separation of duties, justification, the answer schema) and resumes the
// step with the completions.
#include <coalition/plugin.hpp>

#include "human_steps.h"

namespace {

using coalition::sdk::Context;
using coalition::sdk::Outcome;
namespace human = coalition::plugins::human;

constexpr uint32_t kCaps = COALITION_CAP_IDEMPOTENT | COALITION_CAP_THREAD_SAFE |
                           COALITION_CAP_MAY_SUSPEND | COALITION_CAP_NON_BLOCKING;

class Approval {
 public:
  static constexpr coalition::sdk::StepTypeInfo kInfo{
      .name = "approval",
      .description = "A person (or a quorum) approves or rejects; any rejection decides.",
      .parameters_schema = R"json({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {
          "title": {"type": "string", "minLength": 1, "maxLength": 200},
          "instructions": {"type": "string", "maxLength": 4000}
        },
        "required": ["title"]
      })json",
      .output_schema = R"json({"type": "object", "required": ["decision", "votes"]})json",
      .capabilities = kCaps,
      .answer_schema = human::kApprovalAnswerSchema,
  };
  Outcome execute(const nlohmann::json& params, const Context&) {
    return Outcome::suspend(human::approval_task(params));
  }
  Outcome resume(const nlohmann::json& completion, const Context&) {
    auto decision = human::approval_decision(completion);
    if (!decision) return Outcome::suspend(nlohmann::json::object());
    return Outcome::ok(*decision);
  }
};

class Checklist {
 public:
  static constexpr coalition::sdk::StepTypeInfo kInfo{
      .name = "checklist",
      .description =
          "Every item answered observed / not observed / not applicable, with an "
          "evidence reference for each observation.",
      .parameters_schema = R"json({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {
          "title": {"type": "string", "minLength": 1, "maxLength": 200},
          "instructions": {"type": "string", "maxLength": 4000},
          "items": {
            "type": "array", "minItems": 1, "maxItems": 200,
            "items": {
              "type": "object",
              "properties": {
                "id": {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"},
                "text": {"type": "string", "minLength": 1},
                "category": {"type": "string"}
              },
              "required": ["id", "text"]
            }
          }
        },
        "required": ["title", "items"]
      })json",
      .output_schema = R"json({"type": "object", "required": ["answers", "observed"]})json",
      .capabilities = kCaps,
      .answer_schema = human::kChecklistAnswerSchema,
  };
  Outcome execute(const nlohmann::json& params, const Context&) {
    return Outcome::suspend(human::checklist_task(params));
  }
  Outcome resume(const nlohmann::json& completion, const Context&) {
    return Outcome::ok(human::checklist_result(completion));
  }
};

class Form {
 public:
  static constexpr coalition::sdk::StepTypeInfo kInfo{
      .name = "form",
      .description = "Structured data entry, checked against the form's JSON Schema.",
      .parameters_schema = R"json({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {
          "title": {"type": "string", "minLength": 1, "maxLength": 200},
          "instructions": {"type": "string", "maxLength": 4000},
          "schema": {"type": "object", "description": "JSON Schema of the data to enter."}
        },
        "required": ["title", "schema"]
      })json",
      .output_schema = R"json({"type": "object", "required": ["data"]})json",
      .capabilities = kCaps,
      .answer_schema = human::kFormAnswerSchema,
  };
  Outcome execute(const nlohmann::json& params, const Context&) {
    return Outcome::suspend(human::form_task(params));
  }
  Outcome resume(const nlohmann::json& completion, const Context&) {
    return Outcome::ok(human::form_result(completion));
  }
};

class AwaitSignal {
 public:
  static constexpr coalition::sdk::StepTypeInfo kInfo{
      .name = "await_signal",
      .description = "Waits for `coalition signal EXECUTION NAME`; outputs the signal's data.",
      .parameters_schema = R"json({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {
          "name": {"type": "string", "pattern": "^[a-z][a-z0-9_.-]*$"}
        },
        "required": ["name"]
      })json",
      .capabilities = kCaps,
  };
  Outcome execute(const nlohmann::json& params, const Context&) {
    return Outcome::suspend({{"signal", params.at("name")}});
  }
  Outcome resume(const nlohmann::json& data, const Context&) { return Outcome::ok(data); }
};

constexpr coalition::sdk::PluginInfo kPlugin{
    .id = "human",
    .version = "1.0.0",
    .publisher = "Coalition Project",
    .partner_type = coalition::sdk::PartnerType::kCoalition,
    .description = "Approvals, checklists, forms and external signals: the steps people act on.",
};

}  // namespace

COALITION_PLUGIN(kPlugin, Approval, Checklist, Form, AwaitSignal)
