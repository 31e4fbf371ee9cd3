// `coalition notifications`: what the engine owed the people of tasks and what became of it —
// pending (with the next try), sent (to whom, masked), failed (why) — newest first
// (docs/cli.md). Read from the store; sending is the business of the running engine.
#ifndef COALITION_CLI_NOTIFICATIONS_COMMAND_H_
#define COALITION_CLI_NOTIFICATIONS_COMMAND_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "cli/execution_commands.h"

namespace coalition::cli {

struct NotificationsOptions {
  SessionOptions session;
  std::string execution;
  std::vector<std::string> statuses;  // one of pending, sent, failed
  size_t limit = 50;
  bool json = false;
};

Command notifications_command();

}  // namespace coalition::cli

#endif  // COALITION_CLI_NOTIFICATIONS_COMMAND_H_
