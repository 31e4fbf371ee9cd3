// data: steps that shape the execution's context without any outside effect.
#include <coalition/plugin.hpp>

#include "data_steps.h"

namespace {

using coalition::sdk::Context;
using coalition::sdk::Outcome;

class Set {
 public:
  static constexpr coalition::sdk::StepTypeInfo kInfo{
      .name = "set",
      .description = "Outputs the value of its \"value\" parameter (literals and references).",
      .parameters_schema = R"json({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {
          "value": {"description": "Any JSON value; becomes the step's output."}
        },
        "required": ["value"]
      })json",
      .capabilities =
          COALITION_CAP_IDEMPOTENT | COALITION_CAP_THREAD_SAFE | COALITION_CAP_NON_BLOCKING,
  };

  Outcome execute(const nlohmann::json& params, const Context& /*context*/) {
    return Outcome::ok(params.at("value"));
  }
};

class Merge {
 public:
  static constexpr coalition::sdk::StepTypeInfo kInfo{
      .name = "merge",
      .description = "Merges objects left to right as JSON Merge Patches (RFC 7396).",
      .parameters_schema = R"json({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {
          "objects": {
            "description": "Objects to merge; later ones win, null removes a key.",
            "type": "array",
            "items": {"type": "object"},
            "minItems": 1
          }
        },
        "required": ["objects"]
      })json",
      .output_schema = R"json({"type": "object"})json",
      .capabilities =
          COALITION_CAP_IDEMPOTENT | COALITION_CAP_THREAD_SAFE | COALITION_CAP_NON_BLOCKING,
  };

  Outcome execute(const nlohmann::json& params, const Context& /*context*/) {
    return Outcome::ok(
        coalition::plugins::data::merge(nlohmann::json::object(), params.at("objects")));
  }
};

constexpr coalition::sdk::PluginInfo kPlugin{
    .id = "data",
    .version = "1.0.0",
    .publisher = "Coalition Project",
    .partner_type = coalition::sdk::PartnerType::kCoalition,
    .description = "Steps that set and merge data in the execution context.",
};

}  // namespace

COALITION_PLUGIN(kPlugin, Set, Merge)
