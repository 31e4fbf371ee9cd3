// ExecutionView: one execution as a caller may see it — its record, its workflow's visibility
// policy and the clearance the caller's roles give (workflow/visibility.h). Status, history,
// timeline and export are built from a view, so what a role may not see never reaches a document.
#ifndef COALITION_APP_EXECUTION_VIEW_H_
#define COALITION_APP_EXECUTION_VIEW_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"
#include "workflow/visibility.h"
#include "workflow/workflow_validator.h"

namespace coalition::app {

struct ExecutionView {
  Store* store = nullptr;
  ExecutionRecord record;
  std::shared_ptr<const Workflow> workflow;
  std::optional<VisibilityPolicy> policy;
  Visibility clearance = kFullClearance;
  // The role the view is "as seen by" (coalition --view): documents say so. Empty: the caller's
  // own view.
  std::string as_role;

  bool full() const { return clearance == kFullClearance; }
  // The execution's events as the view may see them.
  Result<std::vector<Event>> events() const;
  // Audit entries the view may see: those of visible steps; execution-level entries, except
  // legal holds and purges, which only a restricted clearance sees.
  Result<std::vector<AuditRecord>> audit() const;
  // The execution's tasks (open and closed) whose step the view may see.
  Result<std::vector<TaskRecord>> tasks(bool open_only) const;
};

// Execution `id` with full clearance: kNotFound when the store has none, kInternal when it names
// a workflow `catalog` lacks.
Result<ExecutionView> view_execution(Store& store, const WorkflowCatalog& catalog,
                                     const std::string& id);

}  // namespace coalition::app

#endif  // COALITION_APP_EXECUTION_VIEW_H_
