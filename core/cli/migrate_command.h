// `coalition migrate --plan FILE [--workflow FILE] [--dry-run]`: moves running executions to
// another version of their workflow as a plan says (runtime/migration_plan.h, docs/cli.md), or
// with --dry-run shows, execution by execution, what would change and what cannot move and why.
#ifndef COALITION_CLI_MIGRATE_COMMAND_H_
#define COALITION_CLI_MIGRATE_COMMAND_H_

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/execution_commands.h"

namespace coalition::cli {

struct MigrateOptions {
  SessionOptions session;
  std::string plan_file;      // --plan: the plan (or - for standard input)
  std::string workflow_file;  // --workflow: the new version's file, registered when applied
  bool dry_run = false;
  std::string justification;  // required to apply; refused in a dry run
  bool json = false;
  std::string actor;
  std::string role;
  std::string organisation;
};

// The options that do not go together: --justification is required to apply and refused in a
// dry run; --workflow registers a file in a store (not through a server, when `remote`).
Status check_migrate_options(const MigrateOptions& mo, bool remote);

// Prints a run (app::MigrationRun::to_json, or the server's answer) as `migrate` does, and
// returns its exit code: 0 when every execution moved (or, dry, can), 73 when one cannot.
int print_migration_run(const nlohmann::json& run, bool as_json, std::ostream& out);

// Exit 0 when every execution moved (or, dry, can); 73 when one cannot (the report says why;
// the others moved); 65 for a plan that does not fit; 66 for an unknown version.
Command migrate_command();

}  // namespace coalition::cli

#endif  // COALITION_CLI_MIGRATE_COMMAND_H_
