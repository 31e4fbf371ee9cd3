// What a role sees of one event: nothing when the event belongs to a step above its clearance,
// else the event with its payloads (input, outputs) filtered field by field
// (workflow/visibility.h), and the step it leads to (branch_taken, catch_taken, an expiry's
// next) replaced by that step's shown_as when the step is above the clearance. Used by every view
// of an execution and by the retention purge.
#ifndef COALITION_RUNTIME_EVENT_VIEW_H_
#define COALITION_RUNTIME_EVENT_VIEW_H_

#include <optional>

#include "history/event.h"
#include "workflow/visibility.h"

namespace coalition {

std::optional<Event> view_event(const VisibilityPolicy& policy, const Event& event,
                                Visibility clearance);

}  // namespace coalition

#endif  // COALITION_RUNTIME_EVENT_VIEW_H_
