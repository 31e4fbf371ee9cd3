// Exporting one execution as a JSON document, for a records request or a hand-over to another
// system. An export leaves the engine's control, so it never carries restricted data: the
// clearance is the view's, capped at member; and it is audited (`exported`) before it is given
// out — an export that cannot be recorded does not happen.
#ifndef COALITION_APP_EXECUTION_EXPORT_H_
#define COALITION_APP_EXECUTION_EXPORT_H_

#include <nlohmann/json.hpp>
#include <string>

#include "app/execution_view.h"
#include "runtime/execution.h"

namespace coalition::app {

struct ExportRequest {
  Actor by;        // who exports, for the audit entry
  std::string to;  // where it goes: stdout, file, http
  TimePoint now;   // exported_at, and the audit entry's time
};

// {"exported_at", "view", "execution", "context", "history", "tasks", "audit", "purged"}.
Result<nlohmann::json> export_execution(ExecutionView view, const ExportRequest& request);

}  // namespace coalition::app

#endif  // COALITION_APP_EXECUTION_EXPORT_H_
