// The stored names of a notification's status (store.h NotificationRecord).
#include "store/store.h"

namespace coalition {

std::string_view to_string(NotificationStatus status) {
  switch (status) {
    case NotificationStatus::kPending: return "pending";
    case NotificationStatus::kSent: return "sent";
    case NotificationStatus::kFailed: return "failed";
  }
  return "pending";
}

std::optional<NotificationStatus> parse_notification_status(std::string_view text) {
  for (auto status :
       {NotificationStatus::kPending, NotificationStatus::kSent, NotificationStatus::kFailed}) {
    if (to_string(status) == text) return status;
  }
  return std::nullopt;
}

}  // namespace coalition
