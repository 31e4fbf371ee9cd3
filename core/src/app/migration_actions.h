// Migration actions: moving running executions to another version of their workflow as a plan
// says (runtime/migration_plan.h) — tried first with a dry run, then applied — the same for the
// CLI (`coalition migrate`) and the server (POST /v1/migrations).
#ifndef COALITION_APP_MIGRATION_ACTIONS_H_
#define COALITION_APP_MIGRATION_ACTIONS_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/session.h"
#include "auth/principal.h"
#include "runtime/migration_plan.h"

namespace coalition::app {

struct MigrationRun {
  std::string from;  // workflow keys
  std::string to;
  bool dry_run = true;
  std::vector<MigrationReport> reports;  // one per execution, oldest start first
  size_t movable = 0;                    // that can move (dry run) or moved

  // {"from", "to", "dry_run", "executions": [report...], "movable", "blocked"}.
  nlohmann::json to_json() const;
};

// The plan against the store: kNotFound for a version it does not hold, kInvalidData (with the
// plan's pointer) for a plan that does not fit the two versions.
Status check_migration(Session& s, const MigrationPlan& plan);

// Runs `plan` (with `dry_run`, only says what it would do) on each execution it names, else on
// every running or waiting execution of its old version, as `p`: coordinators, admins and the
// operator may (kPermissionDenied otherwise). Each execution moves on its own, in its own
// transaction: one that cannot move (its report says why) leaves the others to move. The
// errors of check_migration, and the first execution's (a justification missing when applying,
// the store failing) before anything moved; after that an execution that fails is reported
// with the error among its problems and the others go on. An execution the plan names that
// does not exist is reported so too.
Result<MigrationRun> migrate_executions(Session& s, const Principal& p, const MigrationPlan& plan,
                                        bool dry_run, const std::string& justification);

}  // namespace coalition::app

#endif  // COALITION_APP_MIGRATION_ACTIONS_H_
