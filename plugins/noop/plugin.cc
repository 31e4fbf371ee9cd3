// noop: a step that succeeds at once. Used for structure (a join point, a placeholder while a
// workflow is drafted) and as the unit of the engine's overhead benchmarks.
#include <coalition/plugin.hpp>

namespace {

class Noop {
 public:
  static constexpr coalition::sdk::StepTypeInfo kInfo{
      .name = "noop",
      .description = "Does nothing and succeeds; its output is {}.",
      .parameters_schema = R"json({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {},
        "additionalProperties": false
      })json",
      .output_schema = R"json({"type": "object", "maxProperties": 0})json",
      .capabilities =
          COALITION_CAP_IDEMPOTENT | COALITION_CAP_THREAD_SAFE | COALITION_CAP_NON_BLOCKING,
  };

  coalition::sdk::Outcome execute(const nlohmann::json& /*params*/,
                                  const coalition::sdk::Context& /*context*/) {
    return coalition::sdk::Outcome::ok();
  }
};

constexpr coalition::sdk::PluginInfo kPlugin{
    .id = "noop",
    .version = "1.0.0",
    .publisher = "Coalition Project",
    .partner_type = coalition::sdk::PartnerType::kCoalition,
    .description = "A step that does nothing, successfully.",
};

}  // namespace

COALITION_PLUGIN(kPlugin, Noop)
