// A plan moves many executions; each is its own transaction, so a migration interrupted halfway
// leaves some on the new version and the rest on the old — each whole — and running the same
// plan again moves the rest (the moved ones no longer run the old version, and are left out).
#include "app/migration_actions.h"

#include <algorithm>

#include "app/access.h"

namespace coalition::app {

using nlohmann::json;

namespace {

// The running and waiting executions of the plan's old version, oldest start first.
Result<std::vector<std::string>> executions_on(Session& s, const MigrationPlan& plan) {
  std::vector<ExecutionSummary> found;
  ExecutionFilter filter;
  filter.workflow_id = plan.workflow;
  filter.statuses = {ExecutionStatus::kRunning, ExecutionStatus::kWaiting};
  filter.limit = 500;
  for (;;) {
    auto page = s.store().executions(filter);
    if (!page) return std::move(page).error();
    for (const auto& e : *page) {
      if (e.workflow_version == plan.from) found.push_back(e);
    }
    if (page->size() < filter.limit) break;
    filter.after_id = page->back().id;
    filter.after_started = page->back().started_at;
  }
  std::reverse(found.begin(), found.end());  // the store lists newest first
  std::vector<std::string> ids;
  ids.reserve(found.size());
  for (const auto& e : found) ids.push_back(e.id);
  return ids;
}

}  // namespace

Status check_migration(Session& s, const MigrationPlan& plan) {
  auto from = s.catalog().find(plan.workflow, plan.from);
  auto to = s.catalog().find(plan.workflow, plan.to);
  for (const auto& [wf, version] : {std::pair{from, plan.from}, std::pair{to, plan.to}}) {
    if (wf == nullptr) {
      return Error::not_found("workflow " + plan.workflow + " version " + std::to_string(version) +
                              " is not in the store");
    }
  }
  return check_migration_plan(plan, *from, *to);
}

json MigrationRun::to_json() const {
  json list = json::array();
  for (const auto& r : reports) list.push_back(r.to_json());
  return {{"from", from},       {"to", to},
          {"dry_run", dry_run}, {"executions", std::move(list)},
          {"movable", movable}, {"blocked", reports.size() - movable}};
}

Result<MigrationRun> migrate_executions(Session& s, const Principal& p, const MigrationPlan& plan,
                                        bool dry_run, const std::string& justification) {
  if (!(p.admin || p.coordinate || p.source == IdentitySource::kAsserted)) {
    return Error::permission_denied("migrating executions needs the coordinate or admin scope");
  }
  if (auto ok = check_migration(s, plan); !ok) return std::move(ok).error();
  std::vector<std::string> ids = plan.executions;
  if (ids.empty()) {
    auto all = executions_on(s, plan);
    if (!all) return std::move(all).error();
    ids = std::move(*all);
  }
  MigrationRun run;
  run.from = plan.from_key();
  run.to = plan.to_key();
  run.dry_run = dry_run;
  const Actor actor = actor_of(p, p.roles.empty() ? "" : p.roles.front());
  size_t moved = 0;
  for (const auto& id : ids) {
    auto report = s.engine().migrate(id, plan, dry_run, actor, justification);
    if (!report && report.error().code() == ErrorCode::kNotFound) {  // a plan's id, mistyped
      report = MigrationReport{id, {}, {"there is no execution " + id}, false};
    }
    if (!report && moved == 0) return std::move(report).error();
    if (!report) {  // some moved already: say which did and which did not
      report = MigrationReport{id, {}, {"not migrated: " + report.error().to_string()}, false};
    }
    if (report->applied) ++moved;
    if (report->problems.empty()) ++run.movable;
    run.reports.push_back(std::move(*report));
  }
  return run;
}

}  // namespace coalition::app
