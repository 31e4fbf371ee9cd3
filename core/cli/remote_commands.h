// The CLI against a server: `coalition --server URL <command>` for the commands that read or act
// (start, tasks, complete, signal, extend, status, history, timeline, export, audit verify, hold,
// purge), so a person on another machine does what they could do at the engine's terminal —
// under the identity their credential proves, never one typed on the command line.
#ifndef COALITION_CLI_REMOTE_COMMANDS_H_
#define COALITION_CLI_REMOTE_COMMANDS_H_

#include <ostream>
#include <string>

#include "cli/execution_commands.h"
#include "cli/remote_client.h"

namespace coalition::cli {

// Whether `command` ("start", "audit verify", ...) works with --server.
bool works_remotely(const std::string& command);

// Runs `command` through the server; the exit code a local run would give for the same outcome.
// --as, --org, --store, --now and --view are refused (64): the credential says who acts, and
// the server owns its store and its clock.
int run_remote_command(const std::string& command, const ExecutionCommandOptions& o,
                       const RemoteOptions& remote, std::ostream& out, std::ostream& err);

}  // namespace coalition::cli

#endif  // COALITION_CLI_REMOTE_COMMANDS_H_
