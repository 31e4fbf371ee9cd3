// `coalition executions`: list and search the store's executions — by workflow, status,
// organisation, when they started or finished, whether a task is overdue or escalated — newest
// first, a page at a time (docs/cli.md). The same search as GET /v1/executions
// (app/execution_search.h); at the terminal, whoever holds the store sees every execution.
#ifndef COALITION_CLI_EXECUTIONS_COMMAND_H_
#define COALITION_CLI_EXECUTIONS_COMMAND_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "app/execution_search.h"
#include "cli/execution_commands.h"

namespace coalition::cli {

// The search the options ask for; kInvalidArgument naming the option for an instant that is
// neither RFC 3339 nor a date (cli/instant_option.h; how a date was read goes to `notes`).
// Shared with the command through a server.
struct ExecutionsOptions {
  SessionOptions session;  // --now judges lateness only
  std::string workflow;
  std::vector<std::string> statuses;  // repeated, or a,b
  std::string organisation;           // a filter: with a task of this organisation
  std::string started_from;
  std::string started_until;
  std::string finished_from;
  std::string finished_until;
  bool overdue = false;
  bool escalated = false;
  size_t limit = 50;  // one page
  std::string after;  // the previous page's cursor
  bool json = false;
};

Result<app::ExecutionQuery> execution_query(const ExecutionsOptions& o, std::ostream& notes);

// Prints one page of GET /v1/executions as lines, and how to ask for the next.
void print_executions(const nlohmann::json& page, std::ostream& out);

Command executions_command();

}  // namespace coalition::cli

#endif  // COALITION_CLI_EXECUTIONS_COMMAND_H_
