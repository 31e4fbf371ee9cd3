#include "common/notification_kind.h"

namespace coalition {

std::string_view to_string(NotificationKind kind) {
  switch (kind) {
    case NotificationKind::kTaskOpened: return "task_opened";
    case NotificationKind::kReminder: return "reminder";
    case NotificationKind::kEscalated: return "escalated";
    case NotificationKind::kDeadlineExpired: return "deadline_expired";
    case NotificationKind::kMediaRefused: return "media_refused";
  }
  return "task_opened";
}

std::optional<NotificationKind> parse_notification_kind(std::string_view text) {
  for (NotificationKind kind : kAllNotificationKinds) {
    if (to_string(kind) == text) return kind;
  }
  return std::nullopt;
}

}  // namespace coalition
