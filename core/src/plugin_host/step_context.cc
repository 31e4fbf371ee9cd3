#include "plugin_host/step_context.h"

#include <charconv>
#include <string_view>

#include "common/json_text.h"
#include "common/utc_time.h"

namespace coalition {

nlohmann::json StepContext::to_json() const {
  nlohmann::json doc{{"execution_id", execution_id}, {"step_id", step_id},
                     {"attempt", attempt},           {"idempotency_key", idempotency_key},
                     {"deadline", nullptr},          {"principal", nullptr},
                     {"task_token", idempotency_key}};
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
  // Written for every attempt: literals with their lengths and the number without a temporary
  // keep this to one allocation for the usual context.
  using namespace std::string_view_literals;
  std::string out;
  out.reserve(192 + execution_id.size() + step_id.size() + 2 * idempotency_key.size());
  out += R"({"execution_id":)"sv;
  append_json_string(out, execution_id);
  out += R"(,"step_id":)"sv;
  append_json_string(out, step_id);
  out += R"(,"attempt":)"sv;
  char number[16];
  const auto written = std::to_chars(number, number + sizeof number, attempt);
  out.append(number, written.ptr);
  out += R"(,"idempotency_key":)"sv;
  append_json_string(out, idempotency_key);
  out += R"(,"deadline":)"sv;
  if (deadline) {  // the text of an instant needs no escaping
    out.push_back('"');
    append_utc(out, *deadline);
    out.push_back('"');
  } else {
    out += "null"sv;
  }
  out += R"(,"principal":)"sv;
  if (principal) {
    out += R"({"actor":)"sv;
    append_json_string(out, principal->actor);
    out += R"(,"role":)"sv;
    append_json_string(out, principal->role);
    out += R"(,"organisation":)"sv;
    append_json_string(out, principal->organisation);
    out.push_back('}');
  } else {
    out += "null"sv;
  }
  out += R"(,"task_token":)"sv;
  append_json_string(out, idempotency_key);
  if (now) {
    out += R"(,"now":")"sv;
    append_utc(out, *now);
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

}  // namespace coalition
