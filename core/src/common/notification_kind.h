// What the engine notifies people of about their tasks: the task opened, its reminder (the
// deadline at risk), an escalation to the next level, its deadline expired. Each kind follows
// one event of the execution (runtime/event.h).
#ifndef COALITION_COMMON_NOTIFICATION_KIND_H_
#define COALITION_COMMON_NOTIFICATION_KIND_H_

#include <array>
#include <optional>
#include <string_view>

namespace coalition {

enum class NotificationKind { kTaskOpened, kReminder, kEscalated, kDeadlineExpired };

inline constexpr std::array<NotificationKind, 4> kAllNotificationKinds = {
    NotificationKind::kTaskOpened, NotificationKind::kReminder, NotificationKind::kEscalated,
    NotificationKind::kDeadlineExpired};

// "task_opened", "reminder", "escalated", "deadline_expired".
std::string_view to_string(NotificationKind kind);
std::optional<NotificationKind> parse_notification_kind(std::string_view text);

}  // namespace coalition

#endif  // COALITION_COMMON_NOTIFICATION_KIND_H_
