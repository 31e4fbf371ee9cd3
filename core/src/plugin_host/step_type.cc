#include "plugin_host/step_type.h"

#include <fmt/format.h>

#include "common/json_text.h"
#include "guard/report_disclosure.h"

namespace coalition {

nlohmann::json StepTypeInfo::plugin_json() const {
  nlohmann::json plugin{{"id", plugin_id}, {"version", plugin_version}};
  if (!library_sha256.empty()) plugin["sha256"] = library_sha256;
  return plugin;
}
namespace {

StepOutcome invalid(const JsonSchema& schema, const std::vector<SchemaViolation>& violations) {
  const auto& first = violations.front();
  std::string message = schema.describe(first);
  if (violations.size() > 1) message += fmt::format(" (and {} more)", violations.size() - 1);
  return StepOutcome::failed(StepStatus::kInvalidParameters, "parameters.invalid", message,
                             first.pointer);
}

}  // namespace

StepType::StepType(StepTypeInfo info, JsonSchema parameters, std::optional<JsonSchema> input,
                   std::optional<JsonSchema> output, std::optional<JsonSchema> answer,
                   std::unique_ptr<StepInvoker> invoker)
    : info_(std::move(info)),
      plugin_identity_(to_text(info_.plugin_json())),
      parameters_(std::move(parameters)),
      input_(std::move(input)),
      output_(std::move(output)),
      answer_(std::move(answer)),
      answer_text_(answer_ ? answer_->document().dump() : std::string()),
      outbound_parameters_(outbound_fields(parameters_.document())),
      outbound_answers_(answer_ ? outbound_fields(answer_->document()) : SchemaFields()),
      confining_parameter_(coalition::confining_parameter(parameters_.document())),
      invoker_(std::move(invoker)) {}

std::vector<SchemaViolation> StepType::check_parameters(const nlohmann::json& parameters) const {
  return parameters_.validate(parameters);
}

StepOutcome StepType::execute(const nlohmann::json& parameters, const StepContext& context) const {
  if (auto violations = parameters_.validate(parameters); !violations.empty()) {
    return invalid(parameters_, violations);
  }
  if (input_) {
    if (auto violations = input_->validate(parameters); !violations.empty()) {
      return invalid(*input_, violations);
    }
  }
  return check_output(
      invoker_->execute(to_text(parameters), context.to_text(), context.time_limit));
}

StepOutcome StepType::resume(const nlohmann::json& completion, const StepContext& context) const {
  return check_output(invoker_->resume(to_text(completion), context.to_text(), context.time_limit));
}

StepOutcome StepType::check_output(StepOutcome outcome) const {
  if (outcome.status != StepStatus::kOk || !output_) return outcome;
  auto violations = output_->validate(outcome.output);
  if (violations.empty()) return outcome;
  const auto& first = violations.front();
  return StepOutcome::failed(
      StepStatus::kPermanentError, "plugin.output_schema",
      fmt::format("step type '{}' of plugin '{}' returned output that violates its output "
                  "schema at '{}': {}",
                  info_.name, info_.plugin_id, first.pointer, first.message));
}

}  // namespace coalition
