// `coalition validate FILE...`: exit 0 when every file is valid, else one line per problem on
// stderr ("FILE: /json/pointer: what is wrong, what was expected") and exit 65 (66 when a file
// cannot be read).
#ifndef COALITION_CLI_VALIDATE_COMMAND_H_
#define COALITION_CLI_VALIDATE_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

#include "app/installation.h"
#include "cli/command.h"

namespace coalition::cli {

using app::Installation;
using app::load_calendars;

int run_validate_command(const std::vector<std::string>& files, const Installation& installation,
                         std::ostream& out, std::ostream& err);

struct ValidateOptions {
  std::vector<std::string> files;
};

Command validate_command();

}  // namespace coalition::cli

#endif  // COALITION_CLI_VALIDATE_COMMAND_H_
