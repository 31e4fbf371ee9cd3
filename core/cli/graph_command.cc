#include "cli/graph_command.h"

#include <CLI/CLI.hpp>
#include "cli/command_options.h"

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

Command graph_command() {
  return make_command<GraphOptions>(
      {.path = "graph",
       .help = "Draw a workflow as Graphviz DOT, Mermaid or JSON",
       .needs = Needs::kNothing,
       .define =
           [](CommandOptions& c, GraphOptions& o) {
             c.app().add_option("FILE", o.file, "Workflow file")->required();
             c.app()
                 .add_option("--format", o.format, "dot, mermaid or json")
                 ->check(CLI::IsMember({"dot", "mermaid", "json"}));
           },
       .run =
           [](const GraphOptions& o, const CommandContext& c) {
             return run_graph_command(o.file, o.format, *c.out, *c.err);
           }});
}

}  // namespace coalition::cli
