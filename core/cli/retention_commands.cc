// coalition purge and coalition hold: the retention policy applied (retention/purge.h) and
// legal holds placed and released (retention/legal_hold.h). Both act, so they hold the store's
// lock and, with --now, run in the store's virtual time.
#include "app/permissions.h"
#include "auth/principal.h"
#include "cli/execution_commands.h"
#include "cli/exit_code.h"
#include "common/utc_time.h"
#include "retention/legal_hold.h"
#include "retention/purge.h"

namespace coalition::cli {

using nlohmann::json;

int run_purge_command(const ExecutionCommandOptions& o, const Installation& installation,
                      std::ostream& out, std::ostream& err) {
  // A dry run changes nothing, not even the store's virtual time: it reads, at --now.
  SessionOptions so = o.session;
  std::optional<TimePoint> at;
  if (o.dry_run) {
    if (!so.now.empty()) {
      at = parse_utc(so.now);
      if (!at) {
        return fail(
            err, "purge",
            Error::invalid_argument("--now: '" + so.now + "' is not an RFC 3339 timestamp"));
      }
    }
    so.now.clear();
    so.act = false;
  }
  if (!o.dry_run) {
    const Principal by = asserted_principal(o.actor, o.role, o.organisation);
    if (auto allowed = app::require_role(by, installation.config.permissions.purge, "a purge");
        !allowed) {
      return fail(err, "purge", allowed.error());
    }
  }
  auto s = Session::open(installation, so);
  if (!s) return fail(err, "purge", s.error());
  PurgeOptions options;
  options.now = o.dry_run ? at.value_or(utc_now()) : (*s)->clock().now();
  if (!o.actor.empty()) options.actor = o.actor;
  options.role = o.role;
  options.dry_run = o.dry_run;
  auto report =
      purge_expired((*s)->store(), (*s)->catalog(), installation.config.retention, options);
  if (auto c = (*s)->close(); !c) return fail(err, "purge", c.error());
  if (!report) return fail(err, "purge", report.error());
  if (o.json) {
    out << json{{"now", format_utc(options.now)},
                {"dry_run", o.dry_run},
                {"examined", report->examined},
                {"purged", report->purged},
                {"held", report->held},
                {"kept", report->kept},
                {"already_purged", report->already},
                {"actions", report->actions}}
               .dump(2)
        << "\n";
    return kExitOk;
  }
  for (const auto& a : report->actions) {
    out << (o.dry_run ? "would be " : "") << a["action"].get<std::string>() << "  "
        << a["execution"].get<std::string>() << "  " << a["record_type"].get<std::string>()
        << "  expired " << a["expired_at"].get<std::string>() << "  (kept "
        << a["policy"].value("keep", "") << " from " << a["policy"].value("from", "") << ", "
        << a["policy"].value("source", "") << ")";
    if (a.contains("hold")) out << "  hold " << a["hold"].get<std::string>();
    out << "\n";
  }
  out << "purge at " << format_utc(options.now) << ": " << report->examined
      << " finished execution(s), " << report->purged << " record(s) "
      << (o.dry_run ? "would be " : "") << "purged, " << report->held << " held, " << report->kept
      << " not yet expired, " << report->already << " already purged\n";
  return kExitOk;
}

int run_hold_command(const ExecutionCommandOptions& o, const Installation& installation,
                     std::ostream& out, std::ostream& err) {
  const char* name = o.release ? "hold --release" : "hold";
  const Principal by = asserted_principal(o.actor, o.role, o.organisation);
  if (auto allowed = app::require_role(by, installation.config.permissions.legal_hold,
                                       o.release ? "releasing a legal hold" : "a legal hold");
      !allowed) {
    return fail(err, name, allowed.error());
  }
  auto s = Session::open(installation, o.session);
  if (!s) return fail(err, name, s.error());
  HoldRequest request{o.execution, o.actor, o.role, o.reason, (*s)->clock().now()};
  Result<bool> placed = true;
  if (o.release) {
    if (auto r = release_legal_hold((*s)->store(), request); !r) placed = std::move(r).error();
  } else {
    placed = place_legal_hold((*s)->store(), request);
  }
  if (auto c = (*s)->close(); !c) return fail(err, name, c.error());
  if (!placed) return fail(err, name, placed.error());
  if (!*placed) {
    out << o.execution << " is already under legal hold; nothing changed\n";
  } else {
    out << (o.release ? "released the legal hold on " : "placed a legal hold on ") << o.execution
        << " at " << format_utc(request.now) << "\n";
  }
  return kExitOk;
}

}  // namespace coalition::cli
