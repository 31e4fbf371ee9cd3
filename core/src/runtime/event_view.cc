// Payload-carrying events are the execution's start (its input), a step's success (its
// output), the execution's completion (its output) and a suspension (what the step waits for,
// which a plugin may fill from the context). Errors carry codes and messages, never payloads.
// Events that name the step they lead to (a branch, a catch, an expiry's next) are classed by
// that step too.
#include "runtime/event_view.h"

#include "common/json_text.h"

namespace coalition {

using nlohmann::json;

namespace {

// The path of step `next` in the same sequence as the step at `path` ("a[b]/c" -> "a[b]/next").
std::string event_view_sibling(const std::string& path, const std::string& next) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? next : path.substr(0, slash + 1) + next;
}

}  // namespace

std::optional<Event> view_event(const VisibilityPolicy& policy, const Event& event,
                                Visibility clearance) {
  if (!policy.can_see_step(event.step, clearance)) return std::nullopt;
  switch (event.type) {  // the events below may carry what a role may not see; others pass whole
    case EventType::kExecutionStarted:
    case EventType::kExecutionCompleted:
    case EventType::kStepSucceeded:
    case EventType::kBranchTaken:
    case EventType::kCatchTaken:
    case EventType::kDeadlineExpired: break;
    default: return event;
  }
  json data = event.data();
  auto filter_field = [&](const char* key, auto&& how) {
    auto it = data.find(key);
    if (it == data.end()) return;
    if (auto kept = how(*it)) {
      *it = std::move(*kept);
    } else {
      data.erase(it);
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
    // Where a choice, a catch clause or an expired deadline leads is derived from the step it
    // leads to: a role that may not see that step reads its shown_as instead of its name (an
    // expiry that leads to a restricted "overdue" mark does not say "next:overdue").
    case EventType::kBranchTaken:
    case EventType::kCatchTaken:
      if (data.contains("next") && data["next"].is_string()) {
        const auto target = policy.step(event_view_sibling(event.step, data["next"]));
        if (target.cls > clearance) {
          data.erase("next");
          data.erase("rule");  // with the definition at hand, the rule names the step too
          data["shown_as"] = target.shown_as;
        }
      }
      break;
    case EventType::kDeadlineExpired:
      if (data.contains("action") && data["action"].is_string()) {
        const std::string action = data["action"];
        if (action.rfind("next:", 0) == 0) {
          const auto target = policy.step(event_view_sibling(event.step, action.substr(5)));
          if (target.cls > clearance) {
            data["action"] = "next";
            data["shown_as"] = target.shown_as;
          }
        }
      }
      break;
    default: break;
  }
  Event out = event;
  out.payload = to_text(data);
  return out;
}

}  // namespace coalition
