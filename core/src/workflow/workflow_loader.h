// Loading a workflow file: JSON text -> checked Workflow, or every problem found.
#ifndef COALITION_WORKFLOW_WORKFLOW_LOADER_H_
#define COALITION_WORKFLOW_WORKFLOW_LOADER_H_

#include <memory>
#include <string>
#include <string_view>

#include "workflow/problem.h"
#include "workflow/workflow.h"

namespace coalition {

struct LoadedWorkflow {
  std::shared_ptr<const Workflow> workflow;  // null when problems is not empty
  Problems problems;
};

// Checks, in order: JSON syntax (line and column), the published format
// (workflows/workflow.schema.json), then what a schema cannot say: duplicate step ids,
// transitions to unknown steps, unreachable steps, loops with no way out, durations, references
// and conditions. Checks that need installed plugins or other workflows are in
// workflow_validator.h. Never throws, whatever the input.
LoadedWorkflow load_workflow(std::string_view text, const std::string& source);

// The published JSON Schema of the workflow format.
const nlohmann::json& workflow_format_schema();

}  // namespace coalition

#endif  // COALITION_WORKFLOW_WORKFLOW_LOADER_H_
