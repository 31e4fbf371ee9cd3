// `coalition graph FILE --format dot|mermaid`: draws a workflow on stdout.
#ifndef COALITION_CLI_GRAPH_COMMAND_H_
#define COALITION_CLI_GRAPH_COMMAND_H_

#include <ostream>
#include <string>

#include "cli/command.h"

namespace coalition::cli {

int run_graph_command(const std::string& file, const std::string& format, std::ostream& out,
                      std::ostream& err);

struct GraphOptions {
  std::string file;
  std::string format = "dot";  // dot, mermaid or json
};

Command graph_command();

}  // namespace coalition::cli

#endif  // COALITION_CLI_GRAPH_COMMAND_H_
