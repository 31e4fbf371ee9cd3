// PluginHostApi: the coalition_host_api_t the engine hands to the step instances of one plugin.
#ifndef COALITION_PLUGIN_HOST_PLUGIN_HOST_API_H_
#define COALITION_PLUGIN_HOST_PLUGIN_HOST_API_H_

#include <coalition/plugin_abi.h>

#include <memory>
#include <string>

namespace spdlog {
class logger;
}

namespace coalition {

class CalendarSet;

// Routes a plugin's log lines to the engine's log under the logger "plugin.<id>".
// Not copyable or movable: instances keep a pointer to it until they are destroyed.
class PluginHostApi {
 public:
  // `calendars` (may be null: no calendar extension) must outlive every instance.
  explicit PluginHostApi(const std::string& plugin_id, const CalendarSet* calendars = nullptr);
  PluginHostApi(const PluginHostApi&) = delete;
  PluginHostApi& operator=(const PluginHostApi&) = delete;

  const coalition_host_api_t* api() const { return &api_; }

 private:
  static void log(void* host_ctx, uint32_t level, const char* message);
  static const void* get_extension(void* host_ctx, const char* extension_id);
  static int add_business_days(void* host_ctx, const char* calendar_id, const char* from,
                               uint32_t days, char* out, size_t out_size);

  std::shared_ptr<spdlog::logger> logger_;
  const CalendarSet* calendars_;
  coalition_host_api_t api_{};
};

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_PLUGIN_HOST_API_H_
