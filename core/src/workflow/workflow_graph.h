// Drawing a workflow: steps, transitions, choice rules, catch edges, and the sequences inside
// parallel and map steps, as Graphviz DOT or a Mermaid flowchart.
#ifndef COALITION_WORKFLOW_WORKFLOW_GRAPH_H_
#define COALITION_WORKFLOW_WORKFLOW_GRAPH_H_

#include <string>

#include "workflow/workflow.h"

namespace coalition {

enum class GraphFormat { kDot, kMermaid };

std::string render_graph(const Workflow& workflow, GraphFormat format);

}  // namespace coalition

#endif  // COALITION_WORKFLOW_WORKFLOW_GRAPH_H_
