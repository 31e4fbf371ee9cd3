#include "plugin_host/step_context.h"

#include "common/utc_time.h"

namespace coalition {

nlohmann::json StepContext::to_json() const {
  nlohmann::json doc{{"execution_id", execution_id}, {"step_id", step_id},
                     {"attempt", attempt},           {"idempotency_key", idempotency_key},
                     {"deadline", nullptr},          {"principal", nullptr},
                     {"task_token", task_token}};
  if (deadline) doc["deadline"] = format_utc(*deadline);
  if (principal) {
    doc["principal"] = {{"actor", principal->actor},
                        {"role", principal->role},
                        {"organisation", principal->organisation}};
  }
  return doc;
}

}  // namespace coalition
