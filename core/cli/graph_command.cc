#include "cli/graph_command.h"

#include "cli/exit_code.h"
#include "workflow/workflow_files.h"
#include "workflow/workflow_graph.h"

namespace coalition::cli {

int run_graph_command(const std::string& path, const std::string& format, std::ostream& out,
                      std::ostream& err) {
  RealFileSystem fs;
  auto set = load_workflow_files({path}, fs);
  const auto& file = set.files.front();
  for (const auto& p : file.loaded.problems) err << p.format(file.path) << "\n";
  if (!file.readable) return kExitNoInput;
  if (!file.loaded.workflow) return kExitDataError;
  const GraphFormat chosen = format == "mermaid" ? GraphFormat::kMermaid
                             : format == "json"  ? GraphFormat::kJson
                                                 : GraphFormat::kDot;
  out << render_graph(*file.loaded.workflow, chosen);
  if (chosen == GraphFormat::kJson) out << "\n";
  return kExitOk;
}

}  // namespace coalition::cli
