// Loading a workflow file: JSON text -> checked Workflow, or every problem found.
#ifndef COALITION_WORKFLOW_WORKFLOW_LOADER_H_
#define COALITION_WORKFLOW_WORKFLOW_LOADER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "workflow/problem.h"
#include "workflow/workflow.h"

namespace coalition {

struct LoadedWorkflow {
  std::shared_ptr<const Workflow> workflow;  // null when problems is not empty
  Problems problems;
  // With problems: the workflow as far as it could be built, each step the published format
  // refuses replaced by a placeholder, so that the checks needing plugins and other workflows
  // (workflow_validator.h) report in the same pass. Only for checking: never run it. Null when
  // nothing could be built (malformed JSON, an image or video, no steps to speak of).
  std::shared_ptr<const Workflow> checkable;
  // Where placeholders stand in `checkable` (a step, or a top-level member): the format's own
  // problem there is reported, and nothing found at or under it.
  std::vector<std::string> placeholders;

  // Whether `pointer` is at or under a placeholder.
  bool covers(const std::string& pointer) const;
};

// Checks, in one pass: JSON syntax (line and column), the published format
// (workflows/workflow.schema.json), then what a schema cannot say: duplicate step ids,
// transitions to unknown steps, unreachable steps, loops with no way out, durations, references
// and conditions — of every step the format accepts, even when another step breaks it. Checks
// that need installed plugins or other workflows are in workflow_validator.h (run them on
// `workflow`, else `checkable`). Never throws, whatever the input.
LoadedWorkflow load_workflow(std::string_view text, const std::string& source);

// The published JSON Schema of the workflow format.
const nlohmann::json& workflow_format_schema();

}  // namespace coalition

#endif  // COALITION_WORKFLOW_WORKFLOW_LOADER_H_
