// HostCallResult: what one call to a plugin host came to — the plugin's answer, or why there is
// none (its host crashed or hung).
#ifndef COALITION_PLUGIN_HOST_HOST_CALL_RESULT_H_
#define COALITION_PLUGIN_HOST_HOST_CALL_RESULT_H_

#include <optional>
#include <string>

#include "plugin_host/plugin_answer.h"

namespace coalition {

struct HostCallResult {
  std::optional<PluginAnswer> answer;
  std::string code;     // without an answer: plugin.crashed, plugin.timed_out
  std::string message;  // one sentence naming the plugin and what happened to its host
};

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_HOST_CALL_RESULT_H_
