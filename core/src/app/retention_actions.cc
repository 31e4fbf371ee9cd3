#include "app/retention_actions.h"

#include "app/access.h"
#include "app/permissions.h"
#include "common/utc_time.h"
#include "retention/legal_hold.h"
#include "retention/retention_policy.h"

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

namespace {

// Admin and the purge roles act on every execution's holds: a purge must know what it skips.
bool coalition_wide(const Principal& p, const EngineConfig& config) {
  return require_role(p, config.permissions.purge, "a purge").ok();
}

}  // namespace

Status may_hold(Store& store, const WorkflowCatalog& catalog, const EngineConfig& config,
                const Principal& p, const std::string& execution) {
  if (coalition_wide(p, config)) return ok_status();
  auto view = view_execution_for(store, catalog, p, execution);
  if (!view) return std::move(view).error();
  if (view->clearance < Visibility::kRestricted) {
    return Error::permission_denied("a legal hold on execution " + execution +
                                    " needs restricted clearance of it");
  }
  return ok_status();
}

Result<json> legal_holds_document(Store& store, const WorkflowCatalog& catalog,
                                  const EngineConfig& config, const Principal& p, bool released,
                                  size_t limit) {
  if (auto allowed = require_role(p, config.permissions.legal_hold, "the legal holds"); !allowed) {
    return allowed.error();
  }
  // Admin and the purge roles (coalition-wide: a purge must know what it skips) see every hold.
  // Others are read further than `limit` and then sifted, so that `more` says only whether more
  // of those they may see exist. Holds are few (a law-enforcement letter each);
  // kMaxHoldsSifted bounds the work.
  const bool everything = coalition_wide(p, config);
  constexpr size_t kMaxHoldsSifted = 10000;
  auto holds = store.legal_holds(released, everything ? limit + 1 : kMaxHoldsSifted);
  if (!holds) return std::move(holds).error();
  bool more = false;
  json list = json::array();
  for (const LegalHold& h : *holds) {
    // A hold and its reason are restricted data of its execution: beyond admin and the purge
    // roles, only those who see that execution at restricted clearance learn of it (a member's
    // legal staff see their own organisation's holds, not another member's).
    if (!everything) {
      const Status allowed = may_hold(store, catalog, config, p, h.execution_id);
      if (!allowed) {
        const ErrorCode code = allowed.error().code();
        if (code == ErrorCode::kNotFound || code == ErrorCode::kPermissionDenied) continue;
        return allowed.error();
      }
    }
    if (list.size() == limit) {
      more = true;
      break;
    }
    json doc{{"execution", h.execution_id},
             {"placed_at", h.placed_at},
             {"placed_by", h.placed_by},
             {"role", h.role},
             {"reason", h.reason}};
    auto record = store.execution(h.execution_id);
    if (!record) return std::move(record).error();
    if (*record) {
      doc["workflow"] = (*record)->workflow_id + "@" + std::to_string((*record)->workflow_version);
    }
    if (!h.released_at.empty()) {
      doc["released_at"] = h.released_at;
      doc["released_by"] = h.released_by;
    }
    list.push_back(std::move(doc));
  }
  json doc{{"holds", std::move(list)}};
  if (more) doc["more"] = true;  // beyond `limit`: the oldest are left out
  return doc;
}

Result<json> retention_document(const WorkflowCatalog& catalog, const EngineConfig& config,
                                const Principal& p) {
  if (auto allowed = require_role(p, config.permissions.purge, "the retention policy"); !allowed) {
    return allowed.error();
  }
  json workflows = json::array();
  for (const auto& w : catalog.all()) {
    const RetentionPolicy policy = retention_policy(*w, config.retention);
    json rules = json::array();
    for (const auto& r : policy.rules) rules.push_back(r.to_json());
    json doc{{"workflow", w->key()}, {"title", w->title}, {"rules", std::move(rules)}};
    if (!policy.hold.empty()) doc["hold"] = policy.hold;
    workflows.push_back(std::move(doc));
  }
  return json{{"installation", config.retention}, {"workflows", std::move(workflows)}};
}

}  // namespace coalition::app
