// Decoding what a plugin call returned (status + JSON texts) into a StepOutcome.
#ifndef COALITION_PLUGIN_HOST_PLUGIN_ANSWER_H_
#define COALITION_PLUGIN_HOST_PLUGIN_ANSWER_H_

#include <cstdint>
#include <optional>
#include <string>

#include "plugin_host/step_outcome.h"

namespace coalition {

// The raw answer of one call, copied out of plugin memory. Absent texts are nullopt.
struct PluginAnswer {
  uint32_t status = 0;
  std::optional<std::string> output_json;
  std::optional<std::string> error_json;
};

// Every breach of the ABI contract (unknown status, malformed JSON, an error without code and
// message) becomes a permanent error whose message names `who` ("step type 'x' of plugin 'y'").
// Never throws.
StepOutcome decode_plugin_answer(const PluginAnswer& answer, const std::string& who);

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_PLUGIN_ANSWER_H_
