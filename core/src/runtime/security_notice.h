// SecurityNotice: what a workflow's security contact is owed when an image or video is refused
// in one of its executions — a notification (store.h NotificationRecord, kind media_refused)
// addressed to the contact's roles (and organisation), written in the same batch as the audit
// entry that records the refusal, and delivered like every other (app/notification_dispatcher.h).
// It says where and what was found and who sent it: references, never the bytes.
#ifndef COALITION_RUNTIME_SECURITY_NOTICE_H_
#define COALITION_RUNTIME_SECURITY_NOTICE_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "runtime/execution.h"
#include "store/store.h"
#include "workflow/workflow.h"

namespace coalition {

// The notification for a refusal found by `facts` ({source, pointer, kind, ...}) from `actor`,
// or nullopt when `workflow` names no security contact. Its id is the execution's and a random
// suffix: refusals repeat at the same instant (virtual time) and each is told.
std::optional<NotificationRecord> security_notice(const Workflow& workflow,
                                                  const std::string& execution_id, TimePoint at,
                                                  const nlohmann::json& facts, const Actor& actor);

}  // namespace coalition

#endif  // COALITION_RUNTIME_SECURITY_NOTICE_H_
