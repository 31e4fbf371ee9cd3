// What callers do with executions as a whole: start one, send a signal to its waiting step.
#ifndef COALITION_APP_EXECUTION_ACTIONS_H_
#define COALITION_APP_EXECUTION_ACTIONS_H_

#include <nlohmann/json.hpp>
#include <string>

#include "app/session.h"
#include "auth/principal.h"

namespace coalition::app {

struct StartRequest {
  std::string workflow;  // id
  int64_t version = 0;   // 0: the highest version the store holds
  nlohmann::json input = nlohmann::json::object();
  // Repeating a start with the same key (per credential) returns the execution the first one
  // made instead of starting another: a client may retry a start whose answer it lost.
  std::string idempotency_key;
  // false: only recorded; the engine that next recovers the store runs it (a CLI process that
  // exits at once).
  bool run = true;
  // The key is the coalition's, not the caller's: whoever repeats it finds the same execution
  // (a batch of starts, app/bulk_start.h).
  bool shared_key = false;
};

struct Started {
  std::string id;
  bool created = true;  // false: an earlier start with the same idempotency key made it
};

// Starts an execution as `p`: coordinators and admins (and the operator at the engine's
// terminal) may; kPermissionDenied for others. kNotFound for an unknown workflow; kInvalidData
// for input the workflow's input schema refuses; kConflict when the idempotency key was used
// for a different workflow.
Result<Started> start_execution(Session& s, const Principal& p, const StartRequest& request);

// What start_execution would do, without starting: the same refusals (permission, workflow,
// input), and the execution it would make or find — its id when the request has a key
// (`created` false when it exists), else an empty id.
Result<Started> plan_start(Session& s, const Principal& p, const StartRequest& request);

// Delivers signal `name` with `data` to the step of `execution_id` waiting for it, as `p`: a
// service credential scoped to the execution's workflow, a coordinator, an admin or the operator.
// kNotFound when p may not see the execution; kPermissionDenied when p sees it but may not
// signal it.
Status send_signal(Session& s, const Principal& p, const std::string& execution_id,
                   const std::string& name, const nlohmann::json& data);

// Cancels a running execution with a justification (audited): coordinators, admins and the
// operator may. kNotFound when `p` may not see it; kPermissionDenied when p sees it but may
// not; kConflict when it has finished.
Status cancel_execution(Session& s, const Principal& p, const std::string& execution_id,
                        const std::string& justification);
// Carries a failed execution on from its failed step(s) (runtime/engine.h retry), with a
// justification (audited); who may, and the answers, as for cancel_execution.
Status retry_execution(Session& s, const Principal& p, const std::string& execution_id,
                       const std::string& justification);

}  // namespace coalition::app

#endif  // COALITION_APP_EXECUTION_ACTIONS_H_
