#include "app/retention_actions.h"

#include "app/access.h"
#include "app/permissions.h"
#include "common/utc_time.h"
#include "retention/legal_hold.h"

namespace coalition::app {

using nlohmann::json;

namespace {

// The role `p` acts in under `permitted`: the first permitted role p holds, else p's first.
std::string role_under(const Principal& p, const std::vector<std::string>& permitted) {
  for (const auto& r : permitted) {
    if (p.has_role(r)) return r;
  }
  return p.roles.empty() ? std::string() : p.roles.front();
}

}  // namespace

Result<PurgeReport> purge(Store& store, const WorkflowCatalog& catalog, const EngineConfig& config,
                          const Principal& p, TimePoint now, bool dry_run) {
  if (!dry_run) {
    if (auto allowed = require_role(p, config.permissions.purge, "a purge"); !allowed) {
      return allowed.error();
    }
  }
  const Actor a = actor_of(p, role_under(p, config.permissions.purge));
  PurgeOptions options;
  options.now = now;
  if (!a.id.empty()) options.actor = a.id;
  options.role = a.role;
  options.organisation = a.organisation;
  options.identity = a.identity;
  options.dry_run = dry_run;
  return purge_expired(store, catalog, config.retention, options);
}

json purge_report_json(const PurgeReport& report, TimePoint now, bool dry_run) {
  return json{
      {"now", format_utc(now)},           {"dry_run", dry_run},       {"examined", report.examined},
      {"purged", report.purged},          {"held", report.held},      {"kept", report.kept},
      {"already_purged", report.already}, {"actions", report.actions}};
}

Result<bool> change_legal_hold(Store& store, const EngineConfig& config, const Principal& p,
                               const HoldChange& change, TimePoint now) {
  if (auto allowed = require_role(p, config.permissions.legal_hold,
                                  change.release ? "releasing a legal hold" : "a legal hold");
      !allowed) {
    return allowed.error();
  }
  const Actor a = actor_of(p, role_under(p, config.permissions.legal_hold));
  const HoldRequest request{change.execution, a.id,      a.role, change.reason, now,
                            a.organisation,   a.identity};
  if (change.release) {
    if (auto released = release_legal_hold(store, request); !released) return released.error();
    return true;
  }
  return place_legal_hold(store, request);
}

}  // namespace coalition::app
