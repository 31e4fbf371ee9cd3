// coalition backup --to FILE: a consistent copy of the embedded store, taken while a worker or a
// server goes on writing. coalition restore --from FILE [--replace]: that copy put back in the
// store's place, checked first, while nothing acts on the store (app/store_backup.h).
#ifndef COALITION_CLI_BACKUP_COMMANDS_H_
#define COALITION_CLI_BACKUP_COMMANDS_H_

#include <string>

#include "cli/command.h"

namespace coalition::cli {

struct BackupOptions {
  std::string store;  // --store
  std::string to;     // --to
};

struct RestoreOptions {
  std::string store;  // --store
  std::string from;   // --from
  bool replace = false;
};

Command backup_command();
Command restore_command();

}  // namespace coalition::cli

#endif  // COALITION_CLI_BACKUP_COMMANDS_H_
