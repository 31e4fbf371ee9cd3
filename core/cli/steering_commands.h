// The commands that steer work people are stuck on: cancel and retry an execution, claim,
// release and hand on a task (docs/cli.md). Each is audited with the actor and, where it
// changes someone else's work, the justification.
#ifndef COALITION_CLI_STEERING_COMMANDS_H_
#define COALITION_CLI_STEERING_COMMANDS_H_

#include <iosfwd>

#include "cli/execution_commands.h"

namespace coalition::cli {

int run_cancel_command(const ExecutionCommandOptions& o, const Installation& i, std::ostream& out,
                       std::ostream& err);
int run_retry_command(const ExecutionCommandOptions& o, const Installation& i, std::ostream& out,
                      std::ostream& err);
int run_claim_command(const ExecutionCommandOptions& o, const Installation& i, std::ostream& out,
                      std::ostream& err);
int run_release_command(const ExecutionCommandOptions& o, const Installation& i, std::ostream& out,
                        std::ostream& err);
int run_reassign_command(const ExecutionCommandOptions& o, const Installation& i, std::ostream& out,
                         std::ostream& err);

}  // namespace coalition::cli

#endif  // COALITION_CLI_STEERING_COMMANDS_H_
