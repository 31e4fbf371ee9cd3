#include "plugin_host/step_context.h"

#include "common/json_text.h"
#include "common/utc_time.h"

namespace coalition {

nlohmann::json StepContext::to_json() const {
  nlohmann::json doc{{"execution_id", execution_id}, {"step_id", step_id},
                     {"attempt", attempt},           {"idempotency_key", idempotency_key},
                     {"deadline", nullptr},          {"principal", nullptr},
                     {"task_token", task_token}};
  if (deadline) doc["deadline"] = format_utc(*deadline);
  if (now) doc["now"] = format_utc(*now);
  if (principal) {
    doc["principal"] = {{"actor", principal->actor},
                        {"role", principal->role},
                        {"organisation", principal->organisation}};
  }
  return doc;
}

std::string StepContext::to_text() const {
  std::string out;
  out.reserve(192 + 2 * idempotency_key.size());
  out += "{\"execution_id\":";
  append_json_string(out, execution_id);
  out += ",\"step_id\":";
  append_json_string(out, step_id);
  out += ",\"attempt\":" + std::to_string(attempt) + ",\"idempotency_key\":";
  append_json_string(out, idempotency_key);
  out += ",\"deadline\":";
  if (deadline) {
    append_json_string(out, format_utc(*deadline));
  } else {
    out += "null";
  }
  out += ",\"principal\":";
  if (principal) {
    out += "{\"actor\":";
    append_json_string(out, principal->actor);
    out += ",\"role\":";
    append_json_string(out, principal->role);
    out += ",\"organisation\":";
    append_json_string(out, principal->organisation);
    out += "}";
  } else {
    out += "null";
  }
  out += ",\"task_token\":";
  append_json_string(out, task_token);
  if (now) {
    out += ",\"now\":";
    append_json_string(out, format_utc(*now));
  }
  out += "}";
  return out;
}

}  // namespace coalition
