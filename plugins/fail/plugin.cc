// fail: fails on purpose, to exercise retry policies, catch clauses and alerting in workflows
// and in the engine's own tests.
#include <coalition/plugin.hpp>

namespace {

using coalition::sdk::Context;
using coalition::sdk::Outcome;

class Fail {
 public:
  static constexpr coalition::sdk::StepTypeInfo kInfo{
      .name = "fail",
      .description = "Fails with the given error code, optionally succeeding from attempt N.",
      .parameters_schema = R"json({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {
          "code": {"type": "string", "pattern": "^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*$"},
          "message": {"type": "string", "minLength": 1},
          "retryable": {"type": "boolean", "default": false},
          "succeed_on_attempt": {"type": "integer", "minimum": 1}
        },
        "required": ["code", "message"]
      })json",
      .output_schema = R"json({"type": "object"})json",
      .capabilities = COALITION_CAP_IDEMPOTENT | COALITION_CAP_THREAD_SAFE,
  };

  Outcome execute(const nlohmann::json& params, const Context& context) {
    if (params.contains("succeed_on_attempt") &&
        context.attempt() >= params["succeed_on_attempt"].get<uint32_t>()) {
      return Outcome::ok({{"attempt", context.attempt()}});
    }
    std::string code = params.at("code");
    std::string message = params.at("message");
    if (params.value("retryable", false)) return Outcome::retryable(code, message);
    return Outcome::permanent(code, message);
  }
};

constexpr coalition::sdk::PluginInfo kPlugin{
    .id = "fail",
    .version = "1.0.0",
    .publisher = "Coalition Project",
    .partner_type = coalition::sdk::PartnerType::kCoalition,
    .description = "A step that fails on purpose, for testing failure handling.",
};

}  // namespace

COALITION_PLUGIN(kPlugin, Fail)
