// Retention actions: applying the retention policy (a purge, or its dry run) and placing or
// releasing a legal hold, as the configuration permits (config "permissions"; app/permissions.h).
// One implementation for `coalition purge`/`hold` and the server's routes.
#ifndef COALITION_APP_RETENTION_ACTIONS_H_
#define COALITION_APP_RETENTION_ACTIONS_H_

#include <nlohmann/json.hpp>
#include <string>

#include "app/session.h"
#include "auth/principal.h"
#include "config/engine_config.h"
#include "retention/purge.h"
#include "store/store.h"
#include "workflow/workflow_validator.h"

namespace coalition::app {

// Purges what has expired at `now`; the caller must hold a role of permissions.purge (or the
// admin scope). A dry run changes nothing and reports what would go: who may ask is the front
// end's rule (the operator at the store; over the API, the same roles).
Result<PurgeReport> purge(Store& store, const WorkflowCatalog& catalog, const EngineConfig& config,
                          const Principal& p, TimePoint now, bool dry_run);

// {"now", "dry_run", "examined", "purged", "held", "kept", "already_purged", "actions"}.
nlohmann::json purge_report_json(const PurgeReport& report, TimePoint now, bool dry_run);

struct HoldChange {
  std::string execution;
  std::string reason;  // why a hold is placed (required) or released (optional)
  bool release = false;
};

// Places (true when placed, false when one was already in force) or releases a legal hold on an
// execution. The caller must hold a role of permissions.legal_hold (or the admin scope).
Result<bool> change_legal_hold(Store& store, const EngineConfig& config, const Principal& p,
                               const HoldChange& change, TimePoint now);

// Over the API, whose execution a legal-hold role may place or release a hold on: admin and the
// purge roles (coalition-wide), any; others, one they see at restricted clearance — kNotFound
// for one they do not see at all (as for an id that does not exist), kPermissionDenied for one
// they see at a lower clearance. (At the store, the operator's `coalition hold` is not asked.)
Status may_hold(Store& store, const WorkflowCatalog& catalog, const EngineConfig& config,
                const Principal& p, const std::string& execution);

// The legal holds in force (with `released`, released ones too), most recently placed first, at
// most `limit`: {"holds": [{"execution", "workflow"?, "placed_at", "placed_by", "role",
// "reason", "released_at"?, "released_by"?}], "more"?: true when older ones were left out}, one
// per execution: the hold last placed on it. For the roles of permissions.legal_hold (or the
// admin scope); beyond admin and the roles of permissions.purge (coalition-wide), only the holds
// of executions the caller sees at restricted clearance (the reasons quote law-enforcement
// requests).
Result<nlohmann::json> legal_holds_document(Store& store, const WorkflowCatalog& catalog,
                                            const EngineConfig& config, const Principal& p,
                                            bool released, size_t limit);

// What the retention policy keeps, for every registered workflow version: {"installation":
// config.retention, "workflows": [{"workflow": "id@version", "title", "rules": [{"record_type",
// "keep", "from", "source"}], "hold"?}]}. For the roles of permissions.purge (or the admin
// scope), as a purge is.
Result<nlohmann::json> retention_document(const WorkflowCatalog& catalog,
                                          const EngineConfig& config, const Principal& p);

}  // namespace coalition::app

#endif  // COALITION_APP_RETENTION_ACTIONS_H_
