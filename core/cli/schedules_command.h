// `coalition schedules add|list|pause|resume`: recurring starts declared as data
// (app/schedule.h, docs/cli.md). At the engine's terminal the operator may change them; the
// runs start in whichever process runs the engine when they fall due (`worker`, `serve`, or a
// command such as `tick` in virtual time).
#ifndef COALITION_CLI_SCHEDULES_COMMAND_H_
#define COALITION_CLI_SCHEDULES_COMMAND_H_

#include <iosfwd>
#include <string>

#include "cli/execution_commands.h"

namespace coalition::cli {

struct SchedulesOptions {
  std::string file;           // add: the schedule document
  std::string workflow_file;  // add --workflow: register this definition first
  std::string id;             // pause, resume
};

int run_schedules_add(const SchedulesOptions& so, const ExecutionCommandOptions& o,
                      const Installation& installation, std::ostream& out, std::ostream& err);
int run_schedules_list(const ExecutionCommandOptions& o, const Installation& installation,
                       std::ostream& out, std::ostream& err);
int run_schedules_pause(const SchedulesOptions& so, bool paused, const ExecutionCommandOptions& o,
                        const Installation& installation, std::ostream& out, std::ostream& err);

}  // namespace coalition::cli

#endif  // COALITION_CLI_SCHEDULES_COMMAND_H_
