// coalition timeline: an execution's story for people (app/execution_documents.h), one line per
// entry.
#include "app/execution_documents.h"
#include "cli/execution_commands.h"
#include "cli/exit_code.h"
#include "common/text_field.h"

namespace coalition::cli {

int run_timeline_command(const ExecutionCommandOptions& o, const Installation& installation,
                         std::ostream& out, std::ostream& err) {
  auto view = open_execution(o, installation);
  if (!view) return fail(err, "timeline", view.error());
  auto entries = app::timeline(*view);
  if (!entries) return fail(err, "timeline", entries.error());
  if (o.json) {
    out << app::timeline_document(*view, *entries).dump(2) << "\n";
    return kExitOk;
  }
  out << "timeline of " << printable(o.execution) << " (" << view->record.workflow_id << "@"
      << view->record.workflow_version << "), times in UTC\n";
  // Names, reasons and codes come from people and plugins: one escaped line each, so a name
  // holding a newline or an escape sequence cannot forge a line or repaint the terminal.
  for (const auto& e : *entries) {
    out << "  " << app::minutes(e.at) << "  " << printable(e.text) << "\n";
  }
  return kExitOk;
}

}  // namespace coalition::cli
