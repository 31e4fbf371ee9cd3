// The stored result is read strictly, like the status beside it: a record this engine did not
// write must not show as an output nobody produced or an error with no code.
#include "history/execution_result.h"

namespace coalition {

using nlohmann::json;

json to_json(const ExecutionError& error) {
  json doc{{"code", error.code}, {"message", error.message}};
  if (!error.pointer.empty()) doc["pointer"] = error.pointer;
  return doc;
}

json to_json(const ExecutionResult& result) {
  json doc = json::object();
  if (result.output) doc["output"] = *result.output;
  if (result.error) doc["error"] = to_json(*result.error);
  return doc;
}

namespace {

Result<std::string> text_member(const json& error, const char* key, bool required) {
  const auto it = error.find(key);
  if (it == error.end() && !required) return std::string();
  if (it == error.end() || !it->is_string()) {
    return Error::invalid_data(std::string("the result's error has no text \"") + key + "\"",
                               std::string("/error/") + key);
  }
  return it->get<std::string>();
}

}  // namespace

Result<ExecutionResult> read_execution_result(const json& document) {
  ExecutionResult result;
  if (document.is_null()) return result;
  if (document.is_discarded()) return Error::invalid_data("the result is not JSON", "");
  if (!document.is_object()) return Error::invalid_data("the result is not an object", "");
  for (const auto& [key, value] : document.items()) {
    if (key == "output") {
      result.output = value;
      continue;
    }
    if (key != "error") {
      return Error::invalid_data("the result holds \"" + key + "\", which no engine writes",
                                 (json::json_pointer() / key).to_string());
    }
    if (!value.is_object())
      return Error::invalid_data("the result's error is not an object", "/error");
    auto code = text_member(value, "code", true);
    if (!code) return std::move(code).error();
    auto message = text_member(value, "message", true);
    if (!message) return std::move(message).error();
    auto pointer = text_member(value, "pointer", false);
    if (!pointer) return std::move(pointer).error();
    result.error = ExecutionError{std::move(*code), std::move(*message), std::move(*pointer)};
  }
  return result;
}

}  // namespace coalition
