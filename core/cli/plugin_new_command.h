// coalition plugin new NAME [--lang cpp|c] [--dir DIR] [--publisher TEXT] [--partner-type TYPE]
//
// Scaffolds an out-of-tree plugin project a member company's engineer builds against the
// installed SDK: CMakeLists.txt (find_package(Coalition), coalition_add_plugin(), which writes the
// manifest after each build, and a ctest case run through `coalition plugin test`), one step type
// in C++ (coalition/plugin.hpp) or plain C (coalition/plugin_abi.h + coalition/plugin_json.h),
// JSON test cases, a README and a .gitignore. The project builds and its test passes as written.
#ifndef COALITION_CLI_PLUGIN_NEW_COMMAND_H_
#define COALITION_CLI_PLUGIN_NEW_COMMAND_H_

#include <ostream>
#include <string>

#include "cli/command.h"

namespace coalition::cli {

struct PluginNewOptions {
  std::string name;  // the plugin id: [a-z][a-z0-9_]*
  std::string lang = "cpp";
  std::string dir;  // default: ./NAME
  std::string publisher = "Example Member (fictional)";
  std::string partner_type = "technology";  // financial, technology, ngo, coalition
};

// 0; 64 for a name that is not a plugin id; 73 when DIR exists and is not empty; 74 when a
// file cannot be written (nothing is left half-written: the project appears complete or not).
int run_plugin_new_command(const PluginNewOptions& options, std::ostream& out, std::ostream& err);

Command plugin_new_command();

}  // namespace coalition::cli

#endif  // COALITION_CLI_PLUGIN_NEW_COMMAND_H_
