// The order is the order of --help: the author's and operator's tools around the commands that
// act on executions, grouped by what a person at the terminal is doing.
#include "cli/command_table.h"

#include <CLI/CLI.hpp>
#include <map>

#include "cli/audit_commands.h"
#include "cli/backup_commands.h"
#include "cli/calendars_command.h"
#include "cli/doctor_command.h"
#include "cli/execution_commands.h"
#include "cli/executions_command.h"
#include "cli/graph_command.h"
#include "cli/migrate_command.h"
#include "cli/notifications_command.h"
#include "cli/plugin_manifest_command.h"
#include "cli/plugin_new_command.h"
#include "cli/plugin_signing_commands.h"
#include "cli/plugin_test_command.h"
#include "cli/plugins_command.h"
#include "cli/run_command.h"
#include "cli/schedules_command.h"
#include "cli/serve_command.h"
#include "cli/steering_commands.h"
#include "cli/tokens_command.h"
#include "cli/validate_command.h"

namespace coalition::cli {

std::vector<Command> command_table() {
  return {
      plugins_command(),
      validate_command(),
      run_command(),
      start_command(),
      status_command(),
      timeline_command(),
      history_command(),
      export_command(),
      purge_command(),
      hold_command(),
      schedules_add_command(),
      schedules_list_command(),
      schedules_pause_command(),
      schedules_resume_command(),
      tasks_command(),
      executions_command(),
      notifications_command(),
      complete_command(),
      signal_command(),
      extend_command(),
      cancel_command(),
      retry_command(),
      migrate_command(),
      claim_command(),
      release_command(),
      reassign_command(),
      tick_command(),
      worker_command(),
      audit_verify_command(),
      audit_checkpoint_command(),
      backup_command(),
      restore_command(),
      serve_command(),
      tokens_create_command(),
      tokens_list_command(),
      tokens_revoke_command(),
      plugin_test_command(),
      plugin_manifest_command(),
      plugin_keygen_command(),
      plugin_sign_command(),
      plugin_lock_command(),
      plugin_new_command(),
      doctor_command(),
      calendars_command(),
      graph_command(),
  };
}

std::vector<CommandGroup> command_groups() {
  return {
      {"schedules", "Recurring starts: add, list, pause, resume"},
      {"audit", "The hash-chained audit log"},
      {"tokens", "Make, list and revoke API tokens for the server"},
      {"plugin", "Tools for plugin authors, publishers and operators"},
  };
}

std::vector<DefinedCommand> define_commands(CLI::App& app) {
  std::map<std::string, std::string> group_help;
  for (auto& group : command_groups()) group_help[group.name] = group.help;
  std::map<std::string, CLI::App*> groups;
  std::vector<DefinedCommand> defined;
  for (Command& command : command_table()) {
    CLI::App* parent = &app;
    std::string word = command.path;
    if (const auto space = word.find(' '); space != std::string::npos) {
      const std::string group = word.substr(0, space);
      word = word.substr(space + 1);
      auto [at, added] = groups.try_emplace(group, nullptr);
      if (added) {
        at->second = app.add_subcommand(group, group_help[group]);
        at->second->require_subcommand(1);
      }
      parent = at->second;
    }
    CLI::App* sub = parent->add_subcommand(word, command.help);
    DefinedCommand d{std::move(command), sub, nullptr};
    d.options = std::make_unique<CommandOptions>(*d.app);
    d.command.define(*d.options);
    defined.push_back(std::move(d));
  }
  return defined;
}

}  // namespace coalition::cli
