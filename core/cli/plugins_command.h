// `coalition plugins`: what is installed, and the parameter schema of a step type.
#ifndef COALITION_CLI_PLUGINS_COMMAND_H_
#define COALITION_CLI_PLUGINS_COMMAND_H_

#include <ostream>
#include <string>

#include "app/installation.h"
#include "cli/command.h"

namespace coalition::cli {

using app::Installation;

struct PluginsOptions {
  bool json = false;
  std::string schema_of;  // step type whose parameters schema to print; empty: list plugins
};

// Writes the listing (or the schema) to `out` and diagnostics to `err`. Returns the exit code:
// 0, 64 for an unknown step type, 78 when some plugin was refused (the listing still shows the
// usable ones).
int run_plugins_command(const PluginsOptions& options, const Installation& installation,
                        std::ostream& out, std::ostream& err);

Command plugins_command();

}  // namespace coalition::cli

#endif  // COALITION_CLI_PLUGINS_COMMAND_H_
