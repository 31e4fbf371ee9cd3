#include "plugin_host/plugin_host_api.h"

#include <spdlog/spdlog.h>

#include <cstring>

#include "calendar/business_calendar.h"
#include "common/utc_time.h"

namespace coalition {

PluginHostApi::PluginHostApi(const std::string& plugin_id, const CalendarSet* calendars)
    : logger_(spdlog::default_logger()->clone("plugin." + plugin_id)), calendars_(calendars) {
  api_.struct_size = sizeof(coalition_host_api_t);
  api_.abi_major = COALITION_ABI_MAJOR;
  api_.abi_minor = COALITION_ABI_MINOR;
  api_.host_ctx = this;
  api_.log = &PluginHostApi::log;
  api_.get_extension = &PluginHostApi::get_extension;
}

void PluginHostApi::log(void* host_ctx, uint32_t level, const char* message) {
  if (host_ctx == nullptr || message == nullptr) return;
  auto& logger = *static_cast<PluginHostApi*>(host_ctx)->logger_;
  switch (level) {
    case COALITION_LOG_DEBUG: logger.debug("{}", message); break;
    case COALITION_LOG_INFO: logger.info("{}", message); break;
    case COALITION_LOG_WARN: logger.warn("{}", message); break;
    default: logger.error("{}", message); break;
  }
}

// Extensions are static tables; the host_ctx passed back on every call says which host.
const void* PluginHostApi::get_extension(void* host_ctx, const char* extension_id) {
  static const coalition_calendar_ext_v1_t kCalendar{sizeof(coalition_calendar_ext_v1_t),
                                                     &PluginHostApi::add_business_days};
  if (host_ctx == nullptr || extension_id == nullptr) return nullptr;
  const auto* self = static_cast<const PluginHostApi*>(host_ctx);
  if (std::strcmp(extension_id, COALITION_EXT_CALENDAR_V1) == 0 && self->calendars_ != nullptr) {
    return &kCalendar;
  }
  return nullptr;
}

int PluginHostApi::add_business_days(void* host_ctx, const char* calendar_id, const char* from,
                                     uint32_t days, char* out, size_t out_size) {
  if (host_ctx == nullptr || calendar_id == nullptr || from == nullptr || out == nullptr) {
    return COALITION_CALENDAR_BAD_INSTANT;
  }
  const auto* self = static_cast<const PluginHostApi*>(host_ctx);
  if (self->calendars_ == nullptr) return COALITION_CALENDAR_UNKNOWN;
  auto calendar = self->calendars_->find(calendar_id);
  if (!calendar) return COALITION_CALENDAR_UNKNOWN;
  auto start = parse_utc(from);
  if (!start) return COALITION_CALENDAR_BAD_INSTANT;
  auto due = (*calendar)->add_business_days(*start, days);
  if (!due) return COALITION_CALENDAR_NOT_COVERED;
  const std::string text = format_utc(*due);
  if (text.size() + 1 > out_size) return COALITION_CALENDAR_BUFFER;
  std::memcpy(out, text.c_str(), text.size() + 1);
  return COALITION_CALENDAR_OK;
}

}  // namespace coalition
