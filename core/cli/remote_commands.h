// The CLI against a server: `coalition --server URL <command>` for the commands that read or act
// (cli/command_table.h marks them), so a person on another machine does what they could do at
// the engine's terminal — under the identity their credential proves, never one typed on the
// command line. main.cc refuses the options that only work against a store (--as, --org,
// --store, --now, --view) before any of these runs; each takes its command's own options.
#ifndef COALITION_CLI_REMOTE_COMMANDS_H_
#define COALITION_CLI_REMOTE_COMMANDS_H_

#include "cli/audit_commands.h"
#include "cli/command.h"
#include "cli/execution_commands.h"
#include "cli/executions_command.h"
#include "cli/migrate_command.h"
#include "cli/steering_commands.h"

namespace coalition::cli {

// Each runs its command through the server and returns the exit code a local run would give
// for the same outcome.
int remote_start(const StartOptions& o, const RemoteCall& r);
int remote_tasks(const TasksOptions& o, const RemoteCall& r);
int remote_executions(const ExecutionsOptions& o, const RemoteCall& r);
int remote_complete(const CompleteOptions& o, const RemoteCall& r);
int remote_signal(const SignalOptions& o, const RemoteCall& r);
int remote_extend(const ExtendOptions& o, const RemoteCall& r);
int remote_claim(const ClaimOptions& o, const RemoteCall& r);
int remote_release(const ClaimOptions& o, const RemoteCall& r);
int remote_reassign(const ReassignOptions& o, const RemoteCall& r);
// cancel and retry (r.command says which).
int remote_steer(const SteerOptions& o, const RemoteCall& r);
// status, history and timeline (r.command says which).
int remote_read(const ReadOptions& o, const RemoteCall& r);
int remote_export(const ExportOptions& o, const RemoteCall& r);
int remote_hold(const HoldOptions& o, const RemoteCall& r);
int remote_purge(const PurgeOptions& o, const RemoteCall& r);
int remote_audit_verify(const AuditVerifyOptions& o, const RemoteCall& r);
int remote_migrate(const MigrateOptions& o, const RemoteCall& r);

}  // namespace coalition::cli

#endif  // COALITION_CLI_REMOTE_COMMANDS_H_
