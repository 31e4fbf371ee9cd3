// Thin, like the other acting commands: the session, then the application layer
// (app/migration_actions.h) that the server's route calls too.
#include "cli/migrate_command.h"

#include <fmt/format.h>

#include <iostream>
#include <ostream>

#include "app/migration_actions.h"
#include "cli/exit_code.h"
#include "cli/json_input.h"
#include "cli/workflow_to_run.h"
#include "common/text_field.h"

namespace coalition::cli {

using nlohmann::json;

int run_migrate_command(const MigrateOptions& mo, const ExecutionCommandOptions& o,
                        const Installation& installation, std::ostream& out, std::ostream& err) {
  auto doc = read_json_input("--plan", mo.plan_file, std::cin);
  if (!doc) return fail(err, "migrate", doc.error());
  auto plan = parse_migration_plan(*doc);
  if (!plan) return fail(err, "migrate", plan.error());
  if (!mo.dry_run && o.justification.empty()) {
    err << "coalition migrate: --justification is required (or --dry-run)\n";
    return kExitUsage;
  }
  if (mo.dry_run && !o.justification.empty()) {
    err << "coalition migrate: --justification is for applying a plan, not for a dry run\n";
    return kExitUsage;
  }
  SessionOptions session = o.session;
  if (!mo.workflow_file.empty()) {
    std::vector<std::shared_ptr<const Workflow>> workflows;
    if (int code = load_workflow_to_run(mo.workflow_file, installation, err, workflows)) {
      return code;
    }
    if (workflows.front()->id != plan->workflow || workflows.front()->version != plan->to) {
      err << "coalition migrate: --workflow holds " << printable(workflows.front()->key())
          << "; the plan moves to " << printable(plan->to_key()) << "\n";
      return kExitDataError;
    }
    session.workflows = std::move(workflows);
  }
  // A dry run changes nothing: no execution is recovered, no timer fires, the store's time
  // stays; each execution is judged as the store holds it, at --now.
  session.recover = !mo.dry_run;
  auto s = Session::open(installation, session);
  if (!s) return fail(err, "migrate", s.error());
  if (!mo.dry_run) {
    // Time first: what fell due up to --now happens under the version it was due under, and
    // the plan meets each execution as it stands then.
    if (auto settled = (*s)->settle(); !settled) return fail(err, "migrate", settled.error());
  }
  auto run = app::migrate_executions(**s, asserted_principal(o.actor, o.role, o.organisation),
                                     *plan, mo.dry_run, o.justification);
  if (!mo.dry_run) {
    // Closing settles what the migrated executions do now (a deadline that already passed).
    if (auto c = (*s)->close(); !c) return fail(err, "migrate", c.error());
  }
  if (!run) return fail(err, "migrate", run.error());
  if (o.json) {
    out << run->to_json().dump(2) << "\n";
  } else {
    out << fmt::format("{} {} -> {}{}\n", mo.dry_run ? "dry run:" : "migrate", run->from, run->to,
                       mo.dry_run ? " (nothing changes)" : "");
    for (const auto& r : run->reports) {
      const char* result = r.applied             ? "migrated"
                           : !r.problems.empty() ? "CANNOT MIGRATE"
                                                 : "would migrate";
      out << printable(r.execution) << "  " << result << "\n";
      for (const auto& p : r.problems) out << "  - " << printable(p) << "\n";
      for (const auto& c : r.changes) out << "    " << printable(c) << "\n";
    }
    const size_t blocked = run->reports.size() - run->movable;
    out << fmt::format("{} execution(s): {} {}, {} cannot\n", run->reports.size(), run->movable,
                       mo.dry_run ? "can move" : "moved", blocked);
  }
  return run->movable == run->reports.size() ? kExitOk : kExitConflict;
}

}  // namespace coalition::cli
