// coalition export: one execution as a JSON document (app/execution_export.h), seen as --view
// ROLE sees it, capped at member clearance; audited before it is written.
#include <CLI/CLI.hpp>

#include "app/access.h"
#include "app/execution_export.h"
#include "auth/principal.h"
#include "cli/command_options.h"
#include "cli/execution_commands.h"
#include "cli/exit_code.h"
#include "cli/remote_commands.h"
#include "common/private_file.h"
#include "common/text_field.h"
#include "common/utc_time.h"

namespace coalition::cli {

using nlohmann::json;

namespace {

int run_export_command(const ExportOptions& o, const Installation& installation, std::ostream& out,
                       std::ostream& err) {
  auto at = command_time(o.session);
  if (!at) return fail(err, "export", at.error());
  TimePoint now = *at;
  auto view = open_execution(o.session, o.execution, o.view, installation);
  if (!view) return fail(err, "export", view.error());
  Store& store = view->session->store();
  if (!o.session.now.empty()) {
    auto mode = app::store_clock(store);
    if (!mode) return fail(err, "export", mode.error());
    if (*mode == app::StoreClock::kReal) {
      return fail(err, "export",
                  Error::invalid_argument("this store runs in real time: --now is for rehearsal "
                                          "stores (virtual time)"));
    }
  }
  // Without --now, a store that runs in virtual time is not stamped before its own present:
  // audit time never moves back, and an explicit --now in the past is refused below.
  if (o.session.now.empty()) {
    auto stored = store.meta("clock.now");
    if (!stored) return fail(err, "export", stored.error());
    if (*stored) now = std::max(now, parse_utc(**stored).value_or(now));
  }

  app::ExportRequest request;
  request.by = app::actor_of(
      asserted_principal(o.actor.empty() ? "operator" : o.actor, o.role, o.organisation), o.role);
  request.to = o.out_file.empty() ? "stdout" : "file";
  request.now = now;
  auto doc = app::export_execution(*view, request);
  if (!doc) return fail(err, "export", doc.error());
  const std::string text = doc->dump(2) + "\n";
  if (o.out_file.empty()) {
    out << text;
    return kExitOk;
  }
  if (auto s = write_private_file(o.out_file, text, o.force); !s) {
    return fail(err, "export", s.error());
  }
  err << "exported " << printable(view->record.id) << " to " << o.out_file << "\n";
  return kExitOk;
}

void define_export(CommandOptions& c, ExportOptions& o) {
  c.name("EXECUTION", o.execution, "Execution id")->required();
  c.view(o.view, "Export only what this role may see");
  c.app().add_option("--out", o.out_file,
                     "Write to this new file (mode 0600, never through a symbolic link)");
  c.app().add_flag("--force", o.force, "Replace the --out file if it exists");
  c.acting(o.actor, o.role, o.organisation);
  c.session(o.session);
}

}  // namespace

Command export_command() {
  return make_command<ExportOptions>(
      {.path = "export",
       .help = "Write an execution as one JSON document, never with restricted data (audited)",
       .define = define_export,
       .run =
           [](const ExportOptions& o, const CommandContext& c) {
             return run_export_command(o, *c.installation, *c.out, *c.err);
           },
       .remote = remote_export});
}

}  // namespace coalition::cli
