// Access: what a Principal may see and do. The rules, in one place for the CLI and the server:
// - a person may act on the open tasks of their organisation (or of none) whose roles they hold;
// - a person sees the executions they hold a task in (open or done, of their organisation), and
//   the executions with a task of their organisation whose workflow's visibility policy lists
//   one of their roles among its followers (a relationship manager following the reviews of the
//   member's customers) — always through the clearance their roles give under that policy;
//   anything else is "not found", the same answer as for an id that does not exist, so ids
//   cannot be probed;
// - the coordinate scope sees every execution, with at least member clearance (more if its
//   roles give more); admin sees everything.
#ifndef COALITION_APP_ACCESS_H_
#define COALITION_APP_ACCESS_H_

#include <nlohmann/json.hpp>
#include <string>

#include "app/execution_view.h"
#include "auth/principal.h"
#include "runtime/execution.h"

namespace coalition::app {

// The highest clearance `p`'s roles give under `policy`; coordinate: at least member; admin:
// full.
Visibility clearance_of(const Principal& p, const VisibilityPolicy& policy);

// `p` may act on the task `doc` describes (a TaskRecord's doc): its organisation and roles.
bool may_act_on(const Principal& p, const nlohmann::json& doc);

// The role `p` acts in on task `doc`: `requested` when it is one of p's roles (else empty), or
// without one, the first of p's roles the task accepts, else p's first role.
std::string acting_role(const Principal& p, const nlohmann::json& doc,
                        const std::string& requested);

// Execution `id` as `p` may see it (clearance set): kNotFound unless p may see it at all.
Result<ExecutionView> view_execution_for(Store& store, const WorkflowCatalog& catalog,
                                         const Principal& p, const std::string& id);

// The engine's actor for `p` acting in `role`, with how p was identified.
Actor actor_of(const Principal& p, const std::string& role);

// Reads of restricted data are audited: when `view` has restricted clearance, an entry
// `restricted_read` naming what was read (status, history, timeline, export) and the credential.
Status audit_read(Store& store, const Principal& p, const ExecutionView& view,
                  const std::string& what, TimePoint now);

}  // namespace coalition::app

#endif  // COALITION_APP_ACCESS_H_
