// What the engine notifies people of: about their tasks, the task opened, its reminder (the
// deadline at risk), an escalation to the next level, its deadline expired — each follows one
// event of the execution (history/event.h); and, to a workflow's security contact, an image or
// video refused (follows the audit entry that records the refusal).
#ifndef COALITION_COMMON_NOTIFICATION_KIND_H_
#define COALITION_COMMON_NOTIFICATION_KIND_H_

#include <array>
#include <optional>
#include <string_view>

namespace coalition {

enum class NotificationKind { kTaskOpened, kReminder, kEscalated, kDeadlineExpired, kMediaRefused };

inline constexpr std::array<NotificationKind, 5> kAllNotificationKinds = {
    NotificationKind::kTaskOpened, NotificationKind::kReminder, NotificationKind::kEscalated,
    NotificationKind::kDeadlineExpired, NotificationKind::kMediaRefused};

// "task_opened", "reminder", "escalated", "deadline_expired", "media_refused".
std::string_view to_string(NotificationKind kind);
std::optional<NotificationKind> parse_notification_kind(std::string_view text);

}  // namespace coalition

#endif  // COALITION_COMMON_NOTIFICATION_KIND_H_
