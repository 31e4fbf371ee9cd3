// ExecutionResult: how an execution ended, as its record keeps it — the output it succeeded
// with, or the error it failed or was cancelled with; neither while it runs, nor once retention
// purged the execution. Stored as {"output": ...} or {"error": {"code", "message", "pointer"?}}
// ({} for neither); a stored document of any other shape is refused where it is read.
#ifndef COALITION_HISTORY_EXECUTION_RESULT_H_
#define COALITION_HISTORY_EXECUTION_RESULT_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/result.h"

namespace coalition {

struct ExecutionError {
  std::string code;     // dotted lower-case: "workflow.timeout", "execution.cancelled"
  std::string message;  // one sentence
  std::string pointer;  // a JSON Pointer, when the error names one

  bool operator==(const ExecutionError&) const = default;
};

// Not an aggregate: a stored JSON document must never become an output by brace-initialising
// (read_execution_result reads one).
struct ExecutionResult {
  ExecutionResult() = default;  // neither
  static ExecutionResult succeeded(nlohmann::json output) {
    ExecutionResult r;
    r.output = std::move(output);
    return r;
  }
  static ExecutionResult failed(ExecutionError error) {
    ExecutionResult r;
    r.error = std::move(error);
    return r;
  }
  bool empty() const { return !output && !error; }

  bool operator==(const ExecutionResult&) const = default;

  std::optional<nlohmann::json> output;
  std::optional<ExecutionError> error;
};

nlohmann::json to_json(const ExecutionError& error);
// {"output": ...}, {"error": {...}}, or {} when empty.
nlohmann::json to_json(const ExecutionResult& result);
// The stored document back (null reads as empty: records written before results were); what
// to_json never writes is kInvalidData naming the member.
Result<ExecutionResult> read_execution_result(const nlohmann::json& document);

}  // namespace coalition

#endif  // COALITION_HISTORY_EXECUTION_RESULT_H_
