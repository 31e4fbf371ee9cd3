// `coalition run FILE --input FILE|- [--json] [--wait-up-to DURATION]`: runs one execution in
// this process until it finishes or has nothing to do but wait longer than --wait-up-to (a human
// task, a long wait step). Prints the id, status, output and a history summary (text), or one
// JSON object (--json). Exit 0 when it succeeded or is waiting, 1 when it failed, 65 for an
// invalid workflow or input (nothing runs), 66 when a file cannot be read.
#ifndef COALITION_CLI_RUN_COMMAND_H_
#define COALITION_CLI_RUN_COMMAND_H_

#include <iosfwd>
#include <string>

#include "cli/installation.h"

namespace coalition::cli {

struct RunOptions {
  std::string workflow_file;
  std::string input_file;  // "-" for standard input; empty: {}
  bool json = false;
  std::string wait_up_to = "PT1M";
};

int run_run_command(const RunOptions& options, const Installation& installation, std::istream& in,
                    std::ostream& out, std::ostream& err);

}  // namespace coalition::cli

#endif  // COALITION_CLI_RUN_COMMAND_H_
