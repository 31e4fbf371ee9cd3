#include "plugin_host/plugin_host_api.h"

#include <spdlog/spdlog.h>

namespace coalition {

PluginHostApi::PluginHostApi(const std::string& plugin_id)
    : logger_(spdlog::default_logger()->clone("plugin." + plugin_id)) {
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

// ABI 1.0 defines no host extensions yet; plugins must cope with NULL.
const void* PluginHostApi::get_extension(void* /*host_ctx*/, const char* /*extension_id*/) {
  return nullptr;
}

}  // namespace coalition
