// Checks of a loaded workflow against what is installed: step types, their parameter schemas,
// the paths the input can provide, and sub-workflows.
#ifndef COALITION_WORKFLOW_WORKFLOW_VALIDATOR_H_
#define COALITION_WORKFLOW_WORKFLOW_VALIDATOR_H_

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>

#include "plugin_host/plugin_registry.h"
#include "workflow/problem.h"
#include "workflow/workflow.h"

namespace coalition {

// Workflows by id and version, for sub-workflow steps.
// Thread-safe: the server registers workflows while the engine and requests look them up.
// Definitions are immutable and shared, so a lookup stays valid whatever is added later.
class WorkflowCatalog {
 public:
  WorkflowCatalog() = default;
  WorkflowCatalog(const WorkflowCatalog& other);
  WorkflowCatalog& operator=(const WorkflowCatalog& other);

  // Refuses a different definition under an id and version already present.
  Status add(std::shared_ptr<const Workflow> workflow);
  // The same; true when the definition was not there yet (one caller of several racing wins).
  Result<bool> insert(std::shared_ptr<const Workflow> workflow);
  std::shared_ptr<const Workflow> find(const std::string& id, int64_t version) const;
  // "id@version", in order.
  std::vector<std::string> keys() const;
  // Every definition, by id then version.
  std::vector<std::shared_ptr<const Workflow>> all() const;

 private:
  mutable std::shared_mutex mutex_;
  std::map<std::string, std::shared_ptr<const Workflow>> workflows_;
};

// Every problem, in file order: unknown step types (naming the closest installed ones),
// parameters that violate the step type's schema (references stand for any value), references
// into the context that nothing can provide (where the input schema says so), and sub-workflow
// references that do not resolve.
Problems validate_workflow(const Workflow& workflow, const PluginRegistry& registry,
                           const WorkflowCatalog& catalog);

}  // namespace coalition

#endif  // COALITION_WORKFLOW_WORKFLOW_VALIDATOR_H_
