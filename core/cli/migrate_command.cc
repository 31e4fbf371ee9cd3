// Thin, like the other acting commands: the session, then the application layer
// (app/migration_actions.h) that the server's route calls too.
#include "cli/migrate_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <ostream>

#include "app/migration_actions.h"
#include "cli/command_options.h"
#include "cli/exit_code.h"
#include "cli/json_input.h"
#include "cli/remote_commands.h"
#include "cli/workflow_to_run.h"
#include "common/text_field.h"

namespace coalition::cli {

using nlohmann::json;

Status check_migrate_options(const MigrateOptions& mo, bool remote) {
  const std::string& justification = mo.justification;
  if (!mo.dry_run && justification.empty()) {
    return Error::invalid_argument("--justification is required (or --dry-run)");
  }
  if (mo.dry_run && !justification.empty()) {
    return Error::invalid_argument("--justification is for applying a plan, not for a dry run");
  }
  if (remote && !mo.workflow_file.empty()) {
    return Error::invalid_argument(
        "--workflow registers a file in a store; through a server, register the new version "
        "first (POST /v1/workflows)");
  }
  return ok_status();
}

int print_migration_run(const json& run, bool as_json, std::ostream& out) {
  const json& executions = run.value("executions", json::array());
  const bool dry = run.value("dry_run", false);
  const size_t movable = run.value("movable", size_t{0});
  if (as_json) {
    out << run.dump(2) << "\n";
  } else {
    out << fmt::format("{} {} -> {}{}\n", dry ? "dry run:" : "migrate",
                       printable(run.value("from", "")), printable(run.value("to", "")),
                       dry ? " (nothing changes)" : "");
    for (const auto& r : executions) {
      const std::string result = r.value("result", "");
      out << printable(r.value("execution", "")) << "  "
          << (result == "cannot migrate" ? "CANNOT MIGRATE" : result) << "\n";
      for (const auto& p : r.value("problems", json::array())) {
        out << "  - " << printable(p.is_string() ? p.get<std::string>() : p.dump()) << "\n";
      }
      for (const auto& c : r.value("changes", json::array())) {
        out << "    " << printable(c.is_string() ? c.get<std::string>() : c.dump()) << "\n";
      }
    }
    out << fmt::format("{} execution(s): {} {}, {} cannot\n", executions.size(), movable,
                       dry ? "can move" : "moved", executions.size() - movable);
  }
  return movable == executions.size() ? kExitOk : kExitConflict;
}

namespace {

int run_migrate_command(const MigrateOptions& mo, const Installation& installation,
                        std::ostream& out, std::ostream& err) {
  const MigrateOptions& o = mo;
  auto doc = read_json_input("--plan", mo.plan_file, std::cin);
  if (!doc) return fail(err, "migrate", doc.error());
  auto plan = parse_migration_plan(*doc);
  if (!plan) return fail(err, "migrate", plan.error());
  if (auto usable = check_migrate_options(mo, false); !usable) {
    return fail(err, "migrate", usable.error());
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
  return print_migration_run(run->to_json(), o.json, out);
}

void define_migrate(CommandOptions& c, MigrateOptions& o) {
  CLI::App& app = c.app();
  app.add_option("--plan", o.plan_file, "The migration plan (JSON file, or -)")->required();
  app.add_option("--workflow", o.workflow_file,
                 "The new version's workflow file (registered when applied)");
  app.add_flag("--dry-run", o.dry_run,
               "Say what would change and what cannot move, changing nothing");
  c.reason("--justification", o.justification, "Why (audited); not for a dry run");
  c.json(o.json);
  c.acting(o.actor, o.role, o.organisation);
  c.session(o.session);
}

}  // namespace

Command migrate_command() {
  return make_command<MigrateOptions>(
      {.path = "migrate",
       .help = "Move running executions to another version of their workflow, as a plan says",
       .naming = Naming::kActor,
       .media = MediaScan::kByEngine,
       .define = define_migrate,
       // Through a server the options are checked before anything is sent; here the plan is
       // read first (run_migrate_command).
       .check =
           [](const MigrateOptions& o, bool through_server) {
             return through_server ? check_migrate_options(o, true) : ok_status();
           },
       .run =
           [](const MigrateOptions& o, const CommandContext& c) {
             return run_migrate_command(o, *c.installation, *c.out, *c.err);
           },
       .remote = remote_migrate});
}

}  // namespace coalition::cli
