// ExecProtocol: how the plugin host speaks to an exec plugin — a program, in any language,
// that answers the calls a plugin library answers through the C ABI — as lines of JSON on the
// program's standard input and output ("coalition.exec/1").
//
// Every message is one JSON object on one line, UTF-8, ended by "\n". The host writes a
// request and reads lines until the answer to it; the program answers calls one at a time, in
// order, and flushes its output after each line. Its standard error goes to the engine's log.
//
//   host -> program, first:
//     {"call":"describe","protocol":1,"plugin_id":"<id>","config":{...}}
//   program -> host: what a manifest declares (plugin_manifest.h), with the same words:
//     {"id","version","publisher","description","partner_type","step_types":[...]}
//   host -> program, for each attempt (input: the resolved parameters; context as in the ABI):
//     {"call":"execute","id":<n>,"step_type":"<name>","input":{...},"context":{...}}
//     {"call":"resume","id":<n>,"step_type":"<name>","completion":{...},"context":{...}}
//   program -> host, echoing the request's id:
//     {"id":<n>,"status":"ok","output":<any JSON>}
//     {"id":<n>,"status":"suspend","output":{what the step waits for}}
//     {"id":<n>,"status":"retryable_error"|"permanent_error"|"invalid_parameters",
//      "error":{"code","message","pointer"?}}
//   program -> host, at any time (kept in the engine's log under the plugin's name):
//     {"log":{"level":"debug"|"info"|"warn"|"error","message":"..."}}
//
// An answer with the wrong shape fails its attempt (as a library's malformed answer does); a
// line that is not a JSON object, or an answer to a call that was not asked, means the program
// cannot be trusted to keep its answers in order, and it is stopped.
#ifndef COALITION_PLUGIN_HOST_EXEC_PROTOCOL_H_
#define COALITION_PLUGIN_HOST_EXEC_PROTOCOL_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/result.h"
#include "plugin_host/plugin_answer.h"

namespace coalition {

inline constexpr int kExecProtocolVersion = 1;

// The first request: the plugin's id (from its program's name) and its configuration object
// (the plugin's section of the engine configuration, as JSON text).
std::string exec_describe_request(const std::string& plugin_id, const std::string& config_json);

// The plugin host's describe document (host_session.h) for the program's answer to the
// describe request, with "kind": "exec" and ABI 0.0, and the step type names in order; a
// refusal naming `source` and the JSON Pointer of the first problem when the answer is not a
// valid declaration or declares another id than `expected_id`. Never throws.
struct ExecDescription {
  std::string document;
  std::vector<std::string> step_types;
};
Result<ExecDescription> exec_description(std::string_view line, const std::string& source,
                                         const std::string& expected_id);

// The request line of one call: `document_json` is the input (execute) or the completion
// (resume), `context_json` the context — JSON texts the engine wrote, passed through.
std::string exec_call_request(uint64_t id, bool resume, const std::string& step_type,
                              const std::string& document_json, const std::string& context_json);

// What one line from the program is.
struct ExecLog {
  uint32_t level = 0;  // COALITION_LOG_*
  std::string message;
};
struct ExecAnswer {
  uint64_t id = 0;
  PluginAnswer answer;  // a malformed answer is already a permanent error naming what is wrong
};
struct ExecBroken {
  std::string why;  // one sentence: the program is stopped for it
};
using ExecLine = std::variant<ExecLog, ExecAnswer, ExecBroken>;

// Reads one line (without its "\n"). Never throws.
ExecLine read_exec_line(std::string_view line);

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_EXEC_PROTOCOL_H_
