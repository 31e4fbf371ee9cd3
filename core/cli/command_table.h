// The command table of `coalition`: every command, in the order --help lists them, and the
// groups whose word comes first ("audit" of "audit verify"). Adding a command is one entry here
// and its own file (cli/command.h says what an entry holds); main.cc builds the command line
// from the table and applies its rules to every entry alike.
#ifndef COALITION_CLI_COMMAND_TABLE_H_
#define COALITION_CLI_COMMAND_TABLE_H_

#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/command_options.h"

namespace coalition::cli {

struct CommandGroup {
  std::string name;
  std::string help;
};

// A fresh table: each call makes new options instances.
std::vector<Command> command_table();
std::vector<CommandGroup> command_groups();

// A command of the table, defined on a command line: its CLI11 subcommand and what its
// options recorded.
struct DefinedCommand {
  Command command;
  CLI::App* app = nullptr;
  std::unique_ptr<CommandOptions> options;
};

// The table as subcommands of `app`, in its order; a two-word path goes under its group, which
// requires one of its commands.
std::vector<DefinedCommand> define_commands(CLI::App& app);

}  // namespace coalition::cli

#endif  // COALITION_CLI_COMMAND_TABLE_H_
