// Backups of the embedded store: `coalition backup --to FILE` copies it while the engine or the
// server goes on (one read snapshot), `coalition restore --from FILE` puts a backup back in its
// place while nothing acts on it. A PostgreSQL store is backed up with PostgreSQL's own tools
// (pg_dump, continuous archiving), which these refuse to stand in for.
#ifndef COALITION_APP_STORE_BACKUP_H_
#define COALITION_APP_STORE_BACKUP_H_

#include <string>

#include "common/result.h"
#include "config/engine_config.h"

namespace coalition::app {

// Copies the store `store_option` selects (app/session.h store_location) to `to`.
Status backup_store(const EngineConfig& config, const std::string& store_option,
                    const std::string& to);

// Replaces the store with the backup at `from`, after checking it (SqliteStore::check_backup),
// under the store's acting lock (kConflict while a worker or a server holds it). A store that
// exists and holds data is replaced only with `replace`. The crash journal of the replaced store
// goes with it. Signed audit checkpoints written after the backup will no longer verify against
// the restored chain: a rollback shows, as it must.
Status restore_store(const EngineConfig& config, const std::string& store_option,
                     const std::string& from, bool replace);

}  // namespace coalition::app

#endif  // COALITION_APP_STORE_BACKUP_H_
