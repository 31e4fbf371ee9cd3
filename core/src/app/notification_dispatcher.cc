#include "app/notification_dispatcher.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "common/utc_time.h"
#include "guard/report_disclosure.h"

namespace coalition::app {
namespace {

using nlohmann::json;

// The references a notification may carry: for a task, what it is and when it is due; for a
// refused image or video, where it was refused and who sent it (never the bytes). Roles and the
// organisation address it; they are not part of what it says.
constexpr const char* kPayloadFields[] = {"task",    "execution", "workflow", "step",
                                          "title",   "due",       "level",    "source",
                                          "pointer", "media",     "actor",    "actor_organisation"};

std::string notification_message_name(NotificationKind kind) {
  switch (kind) {
    case NotificationKind::kTaskOpened: return "task.opened";
    case NotificationKind::kReminder: return "task.reminder";
    case NotificationKind::kEscalated: return "task.escalated";
    case NotificationKind::kDeadlineExpired: return "task.deadline_expired";
    case NotificationKind::kMediaRefused: return "security.media_refused";
  }
  return "task.opened";
}

// The people of a task are of its organisation: a step type that can promise to stay within
// one (x-coalition-confined-by) is asked to. A task with no organisation is anyone's who holds
// its roles, so what the notification says is screened like any outbound text: a title that
// would say a suspicious-activity report exists is left out (the task says it to those who open
// it); anything else is refused, nothing sent.
std::optional<StepError> confine_or_screen(const StepType& type, const NotificationRecord& n,
                                           json& params) {
  const auto organisation = n.subject.find("organisation");
  const bool has_organisation = organisation != n.subject.end() && organisation->is_string() &&
                                !organisation->get_ref<const std::string&>().empty();
  if (!type.confining_parameter().empty() && has_organisation) {
    params[type.confining_parameter()] = *organisation;
    return std::nullopt;
  }
  const SchemaFields& outbound = type.outbound_parameters();
  auto found = find_report_disclosure(params, outbound);
  if (found && found->pointer == "/payload/title") {
    params["payload"].erase("title");
    found = find_report_disclosure(params, outbound);
  }
  if (!found) return std::nullopt;
  return StepError{"disclosure.refused",
                   "parameters" + found->pointer + ": " + describe(*found) + "; nothing was sent",
                   found->pointer};
}

}  // namespace

json notification_parameters(const NotificationRecord& n, const json& channel) {
  json people{{"roles", n.subject.value("roles", json::array())}};
  if (n.subject.contains("organisation")) people["organisation"] = n.subject["organisation"];
  json payload = json::object();
  json allow = json::array();
  for (const char* field : kPayloadFields) {
    allow.push_back(field);
    if (n.subject.contains(field)) payload[field] = n.subject[field];
  }
  return {{"to", {{"people", std::move(people)}, {"channel", channel}}},
          {"message", notification_message_name(n.kind)},
          {"payload", std::move(payload)},
          {"allow", std::move(allow)}};
}

NotificationDispatcher::NotificationDispatcher(Store& store, const PluginRegistry& registry,
                                               const Clock& clock, NotificationsConfig config)
    : store_(store), registry_(registry), clock_(clock), config_(std::move(config)) {}

Result<size_t> NotificationDispatcher::deliver_due(TimePoint now, size_t limit) {
  auto due = store_.due_notifications(now, limit);
  if (!due) return std::move(due).error();
  // A notification read here may be committed and not yet durable (Store::commit): no message
  // goes out about a change a power cut could still undo. Nothing to do when all is synced.
  if (!due->empty()) {
    if (auto synced = store_.sync(); !synced) return std::move(synced).error();
  }
  const StepType* type = registry_.find(config_.step_type);
  for (NotificationRecord& n : *due) {
    ++n.attempts;
    StepOutcome outcome;
    if (type == nullptr) {
      outcome = StepOutcome::failed(
          StepStatus::kPermanentError, "notifications.no_step_type",
          "step type '" + config_.step_type + "' (notifications.step_type) is not installed");
    } else {
      StepContext context;
      context.execution_id = n.execution_id;
      context.step_id = "notification";
      context.attempt = n.attempts;
      context.idempotency_key = n.id;
      context.now = now;
      context.time_limit = std::chrono::seconds(30);
      json params = notification_parameters(n, config_.channel);
      const std::optional<StepError> refused = confine_or_screen(*type, n, params);
      outcome = refused ? StepOutcome::failed(StepStatus::kPermanentError, refused->code,
                                              refused->message)
                        : type->execute(params, context);
    }
    const TimePoint done = std::max(now, clock_.now());
    if (outcome.status == StepStatus::kOk) {
      n.status = NotificationStatus::kSent;
      n.sent_at = done;
      n.last_error.clear();
      n.delivery = std::move(outcome.output);
    } else {
      n.last_error = outcome.error.code + ": " + outcome.error.message;
      const bool retry =
          outcome.status == StepStatus::kRetryableError && n.attempts < config_.max_attempts;
      if (retry) {
        const auto doublings = std::min<uint32_t>(n.attempts - 1, 16);
        n.next_at = done + config_.retry_after * (int64_t{1} << doublings);
      } else {
        n.status = NotificationStatus::kFailed;
      }
    }
    StoreBatch batch;
    batch.notification_updates.push_back(n);
    if (auto written = store_.apply(batch); !written) return std::move(written).error();
  }
  return due->size();
}

}  // namespace coalition::app
