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

struct ScheduleAddOptions {
  SessionOptions session;
  std::string file;           // the schedule document (or - for standard input)
  std::string workflow_file;  // --workflow: register this definition first
  std::string actor;          // --as; default: operator
  bool json = false;
};

struct ScheduleListOptions {
  SessionOptions session;
  bool json = false;
};

// pause and resume.
struct ScheduleChangeOptions {
  SessionOptions session;
  std::string id;
  std::string actor;  // --as; default: operator
  bool json = false;
};

Command schedules_add_command();
Command schedules_list_command();
Command schedules_pause_command();
Command schedules_resume_command();

}  // namespace coalition::cli

#endif  // COALITION_CLI_SCHEDULES_COMMAND_H_
