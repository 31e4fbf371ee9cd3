// The behaviour of the human plugin's steps, testable without loading the plugin: what each
// step asks a person for (the task it opens) and what it makes of the completions.
#ifndef COALITION_PLUGINS_HUMAN_HUMAN_STEPS_H_
#define COALITION_PLUGINS_HUMAN_HUMAN_STEPS_H_

#include <nlohmann/json.hpp>
#include <optional>

namespace coalition::plugins::human {

// What every answer to an approval looks like: the task's whole answer schema.
inline constexpr const char* kApprovalAnswerSchema = R"json({
  "type": "object",
  "properties": {
    "decision": {"enum": ["approve", "reject"]},
    "justification": {"type": "string", "maxLength": 4000},
    "comment": {"type": "string", "maxLength": 4000}
  },
  "required": ["decision"],
  "additionalProperties": false
})json";

// What every answer to a checklist looks like, whatever its items: one answer per item id (the
// task's own schema names the items and requires each), with an optional justification.
inline constexpr const char* kChecklistAnswerSchema = R"json({
  "type": "object",
  "properties": {
    "answers": {
      "type": "object",
      "additionalProperties": {
        "type": "object",
        "properties": {"status": {"enum": ["observed", "not_observed", "not_applicable"]}},
        "required": ["status"]
      }
    },
    "justification": {"type": "string", "maxLength": 4000}
  },
  "required": ["answers"],
  "additionalProperties": false
})json";

// A form's answer is an object; the form's own `schema` parameter says which.
inline constexpr const char* kFormAnswerSchema = R"json({"type": "object"})json";

// The task an approval opens: its title and instructions. What it asks (approve or reject, with
// a justification and a comment) is the step type's declared answer, kApprovalAnswerSchema.
nlohmann::json approval_task(const nlohmann::json& params);
// Given {"completions": [...], "quorum": n}: the decision, or nullopt while votes are missing.
// Any rejection decides "rejected" at once; `quorum` approvals decide "approved".
std::optional<nlohmann::json> approval_decision(const nlohmann::json& completion);

// The task a checklist opens: every item answered observed / not_observed / not_applicable,
// with an evidence reference required for "observed".
nlohmann::json checklist_task(const nlohmann::json& params);
// The answers of the latest completion, plus the ids of the items observed.
nlohmann::json checklist_result(const nlohmann::json& completion);

// The task a form opens: data entry against the form's own JSON Schema.
nlohmann::json form_task(const nlohmann::json& params);
nlohmann::json form_result(const nlohmann::json& completion);

}  // namespace coalition::plugins::human

#endif  // COALITION_PLUGINS_HUMAN_HUMAN_STEPS_H_
