// `coalition run FILE --input FILE|- [--json] [--wait-up-to DURATION] [--as ACTOR] [--now T]`:
// starts one execution in the store and runs it in this process until it finishes or has
// nothing to do but wait: for a person or a signal, or (real time) for a timer further away than
// --wait-up-to, or (virtual time, --now) for any timer after --now. What is left is durable:
// `tick`, `complete`, `signal` and `worker` carry on with it. Prints the id, status, output and a
// history summary (text), or one JSON object (--json). Exit 0 when it succeeded or is waiting, 1
// when it failed, 65 for an invalid workflow or input (nothing runs), 66 when a file cannot be
// read.
#ifndef COALITION_CLI_RUN_COMMAND_H_
#define COALITION_CLI_RUN_COMMAND_H_

#include <iosfwd>
#include <string>

#include "app/installation.h"
#include "app/session.h"
#include "cli/command.h"

namespace coalition::cli {

using app::Installation;
using app::Session;
using app::SessionOptions;

struct RunOptions {
  std::string workflow_file;
  std::string input_file;  // "-" for standard input; empty: {}
  bool json = false;
  std::string wait_up_to = "PT1M";
  std::string actor;  // --as: the initiator
  std::string id;     // --id: the execution id (default: a fresh one)
  SessionOptions session;
};

int run_run_command(const RunOptions& options, const Installation& installation, std::istream& in,
                    std::ostream& out, std::ostream& err);

Command run_command();

}  // namespace coalition::cli

#endif  // COALITION_CLI_RUN_COMMAND_H_
