#include "plugin_host/plugin_isolation.h"

namespace coalition {

std::string_view to_string(Isolation isolation) {
  return isolation == Isolation::kInProcess ? "in_process" : "isolated";
}

Isolation PluginIsolationConfig::for_plugin(const std::string& id, bool builtin_directory) const {
  if (auto it = by_plugin.find(id); it != by_plugin.end()) return it->second;
  return builtin_directory ? builtin : others;
}

}  // namespace coalition
