#include "cli/backup_commands.h"

#include <CLI/CLI.hpp>

#include "app/store_backup.h"
#include "cli/command_options.h"
#include "cli/execution_commands.h"
#include "cli/exit_code.h"

namespace coalition::cli {

Command backup_command() {
  return make_command<BackupOptions>(
      {.path = "backup",
       .help = "Copy the store to a file, consistently, while it is in use",
       .needs = Needs::kConfig,
       .define =
           [](CommandOptions& c, BackupOptions& o) {
             c.app()
                 .add_option("--to", o.to, "The backup file to write (must not exist)")
                 ->required();
             c.store(o.store);
           },
       .run = [](const BackupOptions& o, const CommandContext& c) -> int {
         if (auto s = app::backup_store(*c.config, o.store, o.to); !s) {
           return fail(*c.err, "backup", s.error());
         }
         *c.out << "backup written to " << o.to << "\n";
         return kExitOk;
       }});
}

Command restore_command() {
  return make_command<RestoreOptions>(
      {.path = "restore",
       .help = "Put a backup back in the store's place (nothing may act on it meanwhile)",
       .needs = Needs::kConfig,
       .define =
           [](CommandOptions& c, RestoreOptions& o) {
             c.app().add_option("--from", o.from, "The backup file")->required();
             c.app().add_flag("--replace", o.replace,
                              "Replace a store that exists (its data is lost)");
             c.store(o.store);
           },
       .run = [](const RestoreOptions& o, const CommandContext& c) -> int {
         if (auto s = app::restore_store(*c.config, o.store, o.from, o.replace); !s) {
           return fail(*c.err, "restore", s.error());
         }
         *c.out << "store restored from " << o.from << "\n";
         return kExitOk;
       }});
}

}  // namespace coalition::cli
