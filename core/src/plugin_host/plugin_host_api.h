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

// Routes a plugin's log lines to the engine's log under the logger "plugin.<id>".
// Not copyable or movable: instances keep a pointer to it until they are destroyed.
class PluginHostApi {
 public:
  explicit PluginHostApi(const std::string& plugin_id);
  PluginHostApi(const PluginHostApi&) = delete;
  PluginHostApi& operator=(const PluginHostApi&) = delete;

  const coalition_host_api_t* api() const { return &api_; }

 private:
  static void log(void* host_ctx, uint32_t level, const char* message);
  static const void* get_extension(void* host_ctx, const char* extension_id);

  std::shared_ptr<spdlog::logger> logger_;
  coalition_host_api_t api_{};
};

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_PLUGIN_HOST_API_H_
