// `coalition notifications`: what the engine owed the people of tasks and what became of it —
// pending (with the next try), sent (to whom, masked), failed (why) — newest first
// (docs/cli.md). Read from the store; sending is the business of the running engine.
#ifndef COALITION_CLI_NOTIFICATIONS_COMMAND_H_
#define COALITION_CLI_NOTIFICATIONS_COMMAND_H_

#include <iosfwd>

#include "cli/execution_commands.h"

namespace coalition::cli {

int run_notifications_command(const ExecutionCommandOptions& o, const Installation& installation,
                              std::ostream& out, std::ostream& err);

}  // namespace coalition::cli

#endif  // COALITION_CLI_NOTIFICATIONS_COMMAND_H_
