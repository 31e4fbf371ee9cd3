// Drawing a workflow: steps (with who may complete a task and when it is due), transitions,
// choice rules, catch edges, what a deadline sets off (reminders, escalation tiers, the step
// its expiry goes to), and the sequences inside parallel and map steps, as Graphviz DOT, a
// Mermaid flowchart, or JSON for a program that lays the graph out itself (the web app).
#ifndef COALITION_WORKFLOW_WORKFLOW_GRAPH_H_
#define COALITION_WORKFLOW_WORKFLOW_GRAPH_H_

#include <nlohmann/json.hpp>
#include <string>

#include "workflow/workflow.h"

namespace coalition {

enum class GraphFormat { kDot, kMermaid, kJson };

std::string render_graph(const Workflow& workflow, GraphFormat format);

// The graph as data: {"nodes": [{"id", "lines": [step id, kind or type, "roles ..."?,
// "due ..."?], "terminal", "timer"?, "assignees"?: {"roles" | "roles_from", "organisation"? |
// "organisation_from"?, "quorum"}, "group"?}], "edges": [{"from", "to", "label"?, "dashed"}],
// "groups": [{"id", "label", "parent"?}]}. A timer node is what a deadline sets off:
// n_<step>____remind, n_<step>____escalate_<tier>, reached by dashed edges. Node ids are those of
// the other formats: "n_" and the step path with "__" for
// "/", a branch's name or "each" for its brackets (n_report__filing__narrative); "n___start",
// "n___end", and a branch's "joined" node n_<step>__<branch>____done. A group is a parallel
// step's branch or a map's iteration; a node's group is the innermost one it is in.
nlohmann::json graph_document(const Workflow& workflow);

}  // namespace coalition

#endif  // COALITION_WORKFLOW_WORKFLOW_GRAPH_H_
