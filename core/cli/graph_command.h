// `coalition graph FILE --format dot|mermaid`: draws a workflow on stdout.
#ifndef COALITION_CLI_GRAPH_COMMAND_H_
#define COALITION_CLI_GRAPH_COMMAND_H_

#include <ostream>
#include <string>

namespace coalition::cli {

int run_graph_command(const std::string& file, const std::string& format, std::ostream& out,
                      std::ostream& err);

}  // namespace coalition::cli

#endif  // COALITION_CLI_GRAPH_COMMAND_H_
