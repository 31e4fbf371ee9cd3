// log: writes one line to the engine's log. Workflow authors choose the message, so the README
// reminds them that contact details never belong in it.
#include <coalition/plugin.hpp>

namespace {

using coalition::sdk::Context;
using coalition::sdk::Host;
using coalition::sdk::Outcome;

class Log {
 public:
  static constexpr coalition::sdk::StepTypeInfo kInfo{
      .name = "log",
      .description = "Writes a message to the engine log, tagged with execution and step.",
      .parameters_schema = R"json({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {
          "message": {"type": "string", "minLength": 1, "maxLength": 4096,
                      "x-coalition-outbound": true,
                      "description": "Read by the engine's operators, who are not the member: never a suspicious-activity report's status, BSA identifier or filing date."},
          "level": {"enum": ["debug", "info", "warn", "error"], "default": "info"}
        },
        "required": ["message"]
      })json",
      .output_schema = R"json({"type": "object", "maxProperties": 0})json",
      .capabilities = COALITION_CAP_IDEMPOTENT | COALITION_CAP_THREAD_SAFE,
  };

  explicit Log(const Host& host) : host_(host) {}

  Outcome execute(const nlohmann::json& params, const Context& context) {
    const std::string line = context.execution_id() + "/" + context.step_id() + ": " +
                             params.at("message").get<std::string>();
    const std::string level = params.value("level", "info");
    if (level == "debug") {
      host_.debug(line);
    } else if (level == "warn") {
      host_.warn(line);
    } else if (level == "error") {
      host_.error(line);
    } else {
      host_.info(line);
    }
    return Outcome::ok();
  }

 private:
  Host host_;
};

constexpr coalition::sdk::PluginInfo kPlugin{
    .id = "log",
    .version = "1.0.0",
    .publisher = "Coalition Project",
    .partner_type = coalition::sdk::PartnerType::kCoalition,
    .description = "Writes a message to the engine log.",
};

}  // namespace

COALITION_PLUGIN(kPlugin, Log)
