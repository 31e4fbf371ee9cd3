// StepOutcome: what one attempt of a step produced, as the engine sees it.
#ifndef COALITION_PLUGIN_HOST_STEP_OUTCOME_H_
#define COALITION_PLUGIN_HOST_STEP_OUTCOME_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace coalition {

enum class StepStatus {
  kOk,                 // output holds the step's output document
  kRetryableError,     // error; the step's retry policy decides
  kPermanentError,     // error; never retried
  kInvalidParameters,  // error with error.pointer into the parameters; never retried
  kSuspend,            // output describes what the step waits for
};

std::string_view to_string(StepStatus status);

struct StepError {
  std::string code;     // dotted lower-case name: "plugin.exception", "notify.webhook_down"
  std::string message;  // one sentence
  std::string pointer;  // JSON Pointer into the parameters, for kInvalidParameters
  nlohmann::json to_json() const;
};

struct StepOutcome {
  StepStatus status = StepStatus::kOk;
  nlohmann::json output;
  StepError error;

  static StepOutcome ok(nlohmann::json output) { return {StepStatus::kOk, std::move(output), {}}; }
  static StepOutcome suspend(nlohmann::json wait) {
    return {StepStatus::kSuspend, std::move(wait), {}};
  }
  static StepOutcome failed(StepStatus status, std::string code, std::string message,
                            std::string pointer = {}) {
    return {status, nullptr, {std::move(code), std::move(message), std::move(pointer)}};
  }
  bool is_error() const { return status != StepStatus::kOk && status != StepStatus::kSuspend; }
};

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_STEP_OUTCOME_H_
