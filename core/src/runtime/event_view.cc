// Payload-carrying events are the execution's start (its input), a step's success (its
// output), the execution's completion (its output) and a suspension (what the step waits for,
// which a plugin may fill from the context). Errors carry codes and messages, never payloads.
#include "runtime/event_view.h"

namespace coalition {

using nlohmann::json;

std::optional<Event> view_event(const VisibilityPolicy& policy, const Event& event,
                                Visibility clearance) {
  if (!policy.can_see_step(event.step, clearance)) return std::nullopt;
  Event out = event;
  auto filter_field = [&](const char* key, auto&& how) {
    if (!out.data.contains(key)) return;
    if (auto kept = how(out.data[key])) {
      out.data[key] = std::move(*kept);
    } else {
      out.data.erase(key);
    }
  };
  switch (event.type) {
    case EventType::kExecutionStarted:
      filter_field("input",
                   [&](const json& v) { return policy.filter_context(v, "/input", clearance); });
      break;
    case EventType::kExecutionCompleted:
      filter_field("output",
                   [&](const json& v) { return policy.filter_context(v, "", clearance); });
      break;
    case EventType::kStepSucceeded:
      filter_field("output", [&](const json& v) {
        return policy.filter_step_output(event.step, v, clearance);
      });
      break;
    default: break;
  }
  return out;
}

}  // namespace coalition
