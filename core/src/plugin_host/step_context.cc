#include "plugin_host/step_context.h"

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

namespace {

void append_string(std::string& out, const std::string& text) {
  out.push_back('"');
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          static const char* kHex = "0123456789abcdef";
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

}  // namespace

std::string StepContext::to_text() const {
  std::string out;
  out.reserve(192 + 2 * idempotency_key.size());
  out += "{\"execution_id\":";
  append_string(out, execution_id);
  out += ",\"step_id\":";
  append_string(out, step_id);
  out += ",\"attempt\":" + std::to_string(attempt) + ",\"idempotency_key\":";
  append_string(out, idempotency_key);
  out += ",\"deadline\":";
  if (deadline) {
    append_string(out, format_utc(*deadline));
  } else {
    out += "null";
  }
  out += ",\"principal\":";
  if (principal) {
    out += "{\"actor\":";
    append_string(out, principal->actor);
    out += ",\"role\":";
    append_string(out, principal->role);
    out += ",\"organisation\":";
    append_string(out, principal->organisation);
    out += "}";
  } else {
    out += "null";
  }
  out += ",\"task_token\":";
  append_string(out, task_token);
  if (now) {
    out += ",\"now\":";
    append_string(out, format_utc(*now));
  }
  out += "}";
  return out;
}

}  // namespace coalition
