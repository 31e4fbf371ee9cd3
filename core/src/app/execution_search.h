// Listing and searching executions: by workflow, status, organisation, when they started or
// finished, whether a task is overdue or escalated — newest first, a page at a time. Who sees what
// follows app/access.h: coordinate and admin see every execution; a person, those they hold a task
// in; a partner system's credential lists nothing.
#ifndef COALITION_APP_EXECUTION_SEARCH_H_
#define COALITION_APP_EXECUTION_SEARCH_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "app/session.h"
#include "auth/principal.h"

namespace coalition::app {

struct ExecutionQuery {
  std::string workflow;
  std::vector<std::string> statuses;                       // running, waiting, succeeded, failed
  std::string organisation;                                // with a task of this organisation
  std::optional<TimePoint> started_from, started_until;    // [from, until)
  std::optional<TimePoint> finished_from, finished_until;  // [from, until)
  bool overdue = false;                                    // with an open task past its due time
  bool escalated = false;  // with an open task escalated at least once
  std::string after;       // the previous page's `next`; empty: the first page
  size_t limit = 50;       // 1 to kMaxPageSize (app/task_actions.h)
};

// {"executions": [{"id", "workflow", "version", "status", "started_at", "updated_at",
// "finished_at"?, "next_due"?, "initiator"?}], "next"?}. The initiator is shown to coordinate and
// admin only. kInvalidArgument for an unknown status or a cursor this server did not give;
// kPermissionDenied for a partner system's credential.
Result<nlohmann::json> search_executions(Session& s, const Principal& p,
                                         const ExecutionQuery& query);

}  // namespace coalition::app

#endif  // COALITION_APP_EXECUTION_SEARCH_H_
