// Loading the workflow a command is about to start (`run`, `start`).
#ifndef COALITION_CLI_WORKFLOW_TO_RUN_H_
#define COALITION_CLI_WORKFLOW_TO_RUN_H_

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "app/installation.h"
#include "workflow/workflow.h"

namespace coalition::cli {

using app::Installation;
using app::load_calendars;

// Loads `path` and checks it against the installation: plugins and parameters, sub-workflows
// (among the workflows beside it) and business calendars. Prints every problem to `err` and
// returns the exit code (66 unreadable, 65 problems); on success returns 0 and fills
// `workflows` with the workflow first, then every workflow beside it, for Session::open.
int load_workflow_to_run(const std::string& path, const Installation& installation,
                         std::ostream& err,
                         std::vector<std::shared_ptr<const Workflow>>& workflows);

}  // namespace coalition::cli

#endif  // COALITION_CLI_WORKFLOW_TO_RUN_H_
