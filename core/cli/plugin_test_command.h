// `coalition plugin test LIBRARY CASE...`: the plugin test harness. Loads one plugin library —
// in a plugin host, as the engine runs a partner's plugin, unless --in-process — or, with
// --exec [--interpreter PATH], an exec plugin's program (exec_protocol.h), and runs each
// case against it: create (with the case's configuration), execute with the case's parameters
// and context, then resume with each completion the case gives; every call goes through the
// same checks as in a workflow (parameters and input schemas, output schema, the answer
// schema a suspended step declares) and its outcome is compared with what the case expects.
//
// A case file holds one case or an array of them:
//   {"name": "...", "step_type": "fabrikam_pay.lookup", "config": {...},
//    "parameters": {...}, "context": {"attempt": 1, "principal": {...}, "now": "..."},
//    "expect": {"status": "ok" | "suspend" | "retryable_error" | "permanent_error" |
//                         "invalid_parameters",
//               "output": {...}            (equal), or "output_includes": {...} (members),
//               "error_code": "..."},
//    "resume": [{"completion": {...}, "expect": {...}}, ...]}
// A completion's answers ("completions"[].data) are checked against the answer schema the
// suspended step declared.
#ifndef COALITION_CLI_PLUGIN_TEST_COMMAND_H_
#define COALITION_CLI_PLUGIN_TEST_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "config/engine_config.h"

namespace coalition::cli {

struct PluginTestOptions {
  std::string library;  // or an exec plugin's program, with `exec`
  std::vector<std::string> cases;
  bool in_process = false;
  bool exec = false;        // `library` is an exec plugin's program (always in a plugin host)
  std::string interpreter;  // runs the program (implies exec); empty: executed itself
};

// One line per case (PASS or FAIL with why) and a summary on `out`. Returns 0 when every case
// passes, 1 when one fails, 65 for a case file that cannot be read, 78 when the library is
// refused.
int run_plugin_test_command(const PluginTestOptions& options, const EngineConfig& config,
                            std::ostream& out, std::ostream& err);

Command plugin_test_command();

// --in-process, --exec and --interpreter: how `plugin test` and `plugin manifest` reach a
// plugin's code.
void define_plugin_code_options(CommandOptions& c, bool& in_process, bool& exec,
                                std::string& interpreter);

}  // namespace coalition::cli

#endif  // COALITION_CLI_PLUGIN_TEST_COMMAND_H_
