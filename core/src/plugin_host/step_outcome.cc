#include "plugin_host/step_outcome.h"

namespace coalition {

std::string_view to_string(StepStatus status) {
  switch (status) {
    case StepStatus::kOk: return "ok";
    case StepStatus::kRetryableError: return "retryable_error";
    case StepStatus::kPermanentError: return "permanent_error";
    case StepStatus::kInvalidParameters: return "invalid_parameters";
    case StepStatus::kSuspend: return "suspend";
  }
  return "unknown";
}

nlohmann::json StepError::to_json() const {
  nlohmann::json doc{{"code", code}, {"message", message}};
  if (!pointer.empty()) doc["pointer"] = pointer;
  return doc;
}

}  // namespace coalition
