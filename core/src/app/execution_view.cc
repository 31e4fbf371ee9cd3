#include "app/execution_view.h"

#include "audit/audit_grouping.h"
#include "runtime/event_view.h"

namespace coalition::app {

Result<ExecutionView> view_execution(Store& store, const WorkflowCatalog& catalog,
                                     const std::string& id) {
  auto record = store.execution(id);
  if (!record) return std::move(record).error();
  if (!*record) return Error::not_found("no execution " + id);
  ExecutionView view;
  view.store = &store;
  view.record = std::move(**record);
  view.workflow = catalog.find(view.record.workflow_id, view.record.workflow_version);
  if (view.workflow == nullptr) {
    return Error::internal("execution " + id + " names a workflow the store lacks");
  }
  view.policy = VisibilityPolicy::compile(*view.workflow, &catalog);
  return view;
}

Result<std::vector<Event>> ExecutionView::events() const {
  auto all = store->history(record.id);
  if (!all || full()) return all;
  std::vector<Event> out;
  for (const auto& e : *all) {
    if (auto seen = view_event(*policy, e, clearance)) out.push_back(std::move(*seen));
  }
  return out;
}

Result<std::vector<AuditRecord>> ExecutionView::audit() const {
  auto all = store->audit(record.id);
  if (!all || full()) return all;
  std::vector<AuditRecord> out;
  for (auto& a : *all) {
    // An entry of several events the store could not read back event by event (its summary
    // lists events of steps this view may not see) is for full views only.
    if (a.part == 0 && a.type == kAuditEventsType) continue;
    const bool retention = a.type.rfind("legal_hold", 0) == 0 || a.type.rfind("purge", 0) == 0;
    if (a.step.empty() ? (retention && clearance < Visibility::kRestricted)
                       : !policy->can_see_step(a.step, clearance)) {
      continue;
    }
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::vector<TaskRecord>> ExecutionView::tasks(bool open_only) const {
  auto all = store->tasks(TaskFilter{record.id, "", open_only});
  if (!all || full()) return all;
  std::vector<TaskRecord> out;
  for (auto& t : *all) {
    if (policy->can_see_step(t.step, clearance)) out.push_back(std::move(t));
  }
  return out;
}

}  // namespace coalition::app
