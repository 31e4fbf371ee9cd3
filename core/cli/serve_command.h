// coalition serve: the engine in real time behind the HTTP API (server/api.h).
#ifndef COALITION_CLI_SERVE_COMMAND_H_
#define COALITION_CLI_SERVE_COMMAND_H_

#include <iosfwd>
#include <string>

#include "app/installation.h"
#include "cli/command.h"

namespace coalition::cli {

using app::Installation;

struct ServeOptions {
  std::string store;
  std::string listen;  // HOST:PORT; empty: the config's server.listen
};

// Runs until SIGTERM or SIGINT, then drains and exits 0. Prints "listening on URL" on stderr
// once it answers.
int run_serve_command(const ServeOptions& o, const Installation& installation, std::ostream& out,
                      std::ostream& err);

Command serve_command();

}  // namespace coalition::cli

#endif  // COALITION_CLI_SERVE_COMMAND_H_
