// coalition timeline: an execution's story for people (app/execution_documents.h), one line per
// entry.
#include "app/execution_documents.h"
#include "cli/document_printing.h"
#include "cli/execution_commands.h"
#include "cli/exit_code.h"
#include "cli/remote_commands.h"
#include "common/text_field.h"

namespace coalition::cli {

namespace {

int run_timeline_command(const ReadOptions& o, const Installation& installation, std::ostream& out,
                         std::ostream& err) {
  auto view = open_execution(o.session, o.execution, o.view, installation);
  if (!view) return fail(err, "timeline", view.error());
  auto entries = app::timeline(*view);
  if (!entries) return fail(err, "timeline", entries.error());
  const auto doc = app::timeline_document(*view, *entries);
  if (o.json) {
    out << doc.dump(2) << "\n";
  } else {
    print_timeline(doc, out);
  }
  return kExitOk;
}

}  // namespace

Command timeline_command() {
  return make_command<ReadOptions>(
      {.path = "timeline",
       .help = "Tell an execution's story: who acted, refusals, deadlines, escalations",
       .define = define_read,
       .run =
           [](const ReadOptions& o, const CommandContext& c) {
             return run_timeline_command(o, *c.installation, *c.out, *c.err);
           },
       .remote = remote_read});
}

}  // namespace coalition::cli
