// coalition purge and coalition hold: the retention policy applied (retention/purge.h) and
// legal holds placed and released (retention/legal_hold.h). Both act, so they hold the store's
// lock and, with --now, run in the store's virtual time.
#include <CLI/CLI.hpp>

#include "app/permissions.h"
#include "app/retention_actions.h"
#include "auth/principal.h"
#include "cli/command_options.h"
#include "cli/document_printing.h"
#include "cli/execution_commands.h"
#include "cli/exit_code.h"
#include "cli/remote_commands.h"
#include "common/instant_text.h"
#include "common/utc_time.h"
#include "retention/legal_hold.h"
#include "retention/purge.h"

namespace coalition::cli {

using nlohmann::json;

namespace {

int run_purge_command(const PurgeOptions& o, const Installation& installation, std::ostream& out,
                      std::ostream& err) {
  // A dry run changes nothing, not even the store's virtual time: it reads, at --now.
  SessionOptions so = o.session;
  std::optional<TimePoint> at;
  if (o.dry_run) {
    if (!so.now.empty()) {
      auto read = parse_instant_text(so.now, "--now", DateAlone::kRefused, TimeZone::utc());
      if (!read) return fail(err, "purge", read.error());
      at = read->at;
    }
    so.now.clear();
    so.act = false;
  }
  const Principal by = asserted_principal(o.actor, o.role, "");
  if (!o.dry_run) {  // refused before the store is opened
    if (auto allowed = app::require_role(by, installation.config.permissions.purge, "a purge");
        !allowed) {
      return fail(err, "purge", allowed.error());
    }
  }
  auto s = Session::open(installation, so);
  if (!s) return fail(err, "purge", s.error());
  const TimePoint now = o.dry_run ? at.value_or(utc_now()) : (*s)->clock().now();
  auto report = app::purge((*s)->store(), (*s)->catalog(), installation.config, by, now, o.dry_run);
  if (auto c = (*s)->close(); !c) return fail(err, "purge", c.error());
  if (!report) return fail(err, "purge", report.error());
  const auto doc = app::purge_report_json(*report, now, o.dry_run);
  if (o.json) {
    out << doc.dump(2) << "\n";
  } else {
    print_purge_report(doc, out);
  }
  return kExitOk;
}

int run_hold_command(const HoldOptions& o, const Installation& installation, std::ostream& out,
                     std::ostream& err) {
  const char* name = o.release ? "hold --release" : "hold";
  const Principal by = asserted_principal(o.actor, o.role, o.organisation);
  if (auto allowed = app::require_role(by, installation.config.permissions.legal_hold,
                                       o.release ? "releasing a legal hold" : "a legal hold");
      !allowed) {
    return fail(err, name, allowed.error());  // refused before the store is opened
  }
  auto s = Session::open(installation, o.session);
  if (!s) return fail(err, name, s.error());
  const TimePoint now = (*s)->clock().now();
  auto placed = app::change_legal_hold((*s)->store(), installation.config, by,
                                       app::HoldChange{o.execution, o.reason, o.release}, now);
  if (auto c = (*s)->close(); !c) return fail(err, name, c.error());
  if (!placed) return fail(err, name, placed.error());
  if (!*placed) {
    out << o.execution << " is already under legal hold; nothing changed\n";
  } else {
    out << (o.release ? "released the legal hold on " : "placed a legal hold on ") << o.execution
        << " at " << format_utc(now) << "\n";
  }
  return kExitOk;
}

void define_purge(CommandOptions& c, PurgeOptions& o) {
  c.app().add_flag("--dry-run", o.dry_run, "Say what would be purged; change nothing");
  c.json(o.json);
  auto* as = c.local_only(c.person("--as", o.actor, "Who runs it (default: retention)"));
  c.person("--role", o.role, "The role they act in")->needs(as);
  c.session(o.session);
}

void define_hold(CommandOptions& c, HoldOptions& o) {
  c.name("EXECUTION", o.execution, "Execution id")->required();
  c.reason("--reason", o.reason, "A reference, e.g. the request's number")->required();
  c.app().add_flag("--release", o.release, "Release the hold in force");
  c.acting(o.actor, o.role, o.organisation);
  c.session(o.session);
}

}  // namespace

Command purge_command() {
  return make_command<PurgeOptions>(
      {.path = "purge",
       .help = "Remove expired data under the retention policy, leaving tombstones (audited)",
       .define = define_purge,
       .run =
           [](const PurgeOptions& o, const CommandContext& c) {
             return run_purge_command(o, *c.installation, *c.out, *c.err);
           },
       .remote = remote_purge});
}

Command hold_command() {
  return make_command<HoldOptions>(
      {.path = "hold",
       .help = "Place (or --release) a legal hold: purge skips the execution while it holds",
       .naming = Naming::kActorAndRole,
       .media = MediaScan::kByEngine,
       .define = define_hold,
       .run =
           [](const HoldOptions& o, const CommandContext& c) {
             return run_hold_command(o, *c.installation, *c.out, *c.err);
           },
       .remote = remote_hold});
}

}  // namespace coalition::cli
