// The commands that steer work people are stuck on: cancel and retry an execution, claim,
// release and hand on a task (docs/cli.md). Each is audited with the actor and, where it
// changes someone else's work, the justification.
#ifndef COALITION_CLI_STEERING_COMMANDS_H_
#define COALITION_CLI_STEERING_COMMANDS_H_

#include <string>

#include "cli/execution_commands.h"

namespace coalition::cli {

// cancel and retry.
struct SteerOptions {
  SessionOptions session;
  std::string execution;
  std::string justification;
  std::string actor;
  std::string role;
  std::string organisation;
};

// claim and release.
struct ClaimOptions {
  SessionOptions session;
  std::string task;
  std::string actor;
  std::string role;
  std::string organisation;
};

struct ReassignOptions {
  SessionOptions session;
  std::string task;
  std::string to_person;  // --to
  std::string to_role;    // --to-role: required without --server
  std::string justification;
  std::string actor;
  std::string role;
  std::string organisation;
};

Command cancel_command();
Command retry_command();
Command claim_command();
Command release_command();
Command reassign_command();

}  // namespace coalition::cli

#endif  // COALITION_CLI_STEERING_COMMANDS_H_
