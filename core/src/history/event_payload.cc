#include "history/event_payload.h"

#include "common/json_text.h"

namespace coalition {

// Keys are written in the order std::map keeps them ("attempt" < "idempotency_key" < "plugin",
// "input" < "workflow"): the order dump() writes, so the text and its digest are the same as
// when these events were documents.

std::string execution_started_payload(std::string_view workflow, const nlohmann::json& input) {
  std::string out = R"({"input":)";
  out += to_text(input);
  out += R"(,"workflow":)";
  append_json_string(out, workflow);
  out.push_back('}');
  return out;
}

std::string step_scheduled_payload(std::string_view kind) {
  // Exactly its length (a kind needs no escaping): {"kind":"task"} then fits a string's own
  // storage and needs no allocation, and every step records one.
  std::string out;
  out.reserve(11 + kind.size());
  out += R"({"kind":)";
  append_json_string(out, kind);
  out.push_back('}');
  return out;
}

std::string attempt_started_payload(uint32_t attempt, std::string_view idempotency_key,
                                    std::string_view plugin_text) {
  // One allocation: the key's escapes aside, the text's length is known (this payload is
  // built for every attempt, and growing it step by step was most of its cost).
  std::string out;
  out.reserve(48 + idempotency_key.size() + plugin_text.size());
  out += R"({"attempt":)";
  out += std::to_string(attempt);
  out += R"(,"idempotency_key":)";
  append_json_string(out, idempotency_key);
  out += R"(,"plugin":)";
  out += plugin_text;
  out.push_back('}');
  return out;
}

std::string output_payload(const nlohmann::json& output) {
  std::string out = R"({"output":)";
  out += to_text(output);
  out.push_back('}');
  return out;
}

}  // namespace coalition
