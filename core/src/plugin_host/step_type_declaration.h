// StepTypeDeclaration: what a plugin declares about one step type — read from its manifest,
// from its descriptor in process, or from a plugin host's describe document.
#ifndef COALITION_PLUGIN_HOST_STEP_TYPE_DECLARATION_H_
#define COALITION_PLUGIN_HOST_STEP_TYPE_DECLARATION_H_

#include <cstdint>
#include <optional>
#include <string>

namespace coalition {

struct StepTypeDeclaration {
  std::string name;
  std::string description;
  uint32_t capabilities = 0;  // COALITION_CAP_* bits
  // The schemas as JSON text; the parameters schema is required by the ABI.
  std::optional<std::string> parameters_schema;
  std::optional<std::string> input_schema;
  std::optional<std::string> output_schema;
  std::optional<std::string> answer_schema;  // what every answer to its tasks looks like
};

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_STEP_TYPE_DECLARATION_H_
