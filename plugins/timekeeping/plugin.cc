// timekeeping: instants computed from other instants, for deadlines a workflow states relative
// to a date it only learns at run time ("21 days before the effective date"). Calendar days
// only: business days come from the engine's calendars through a deadline's own span.
#include <coalition/plugin.hpp>

#include "shared/time_text.h"

namespace {

using coalition::sdk::Context;
using coalition::sdk::Outcome;
using nlohmann::json;
namespace plugins = coalition::plugins;

class Shift {
 public:
  static constexpr coalition::sdk::StepTypeInfo kInfo{
      .name = "time.shift",
      .description =
          "Instants before or after a given one: {\"at\": T, \"by\": {\"name\": "
          "\"-P21D\", ...}} outputs {\"name\": T - 21 days, ...}.",
      .parameters_schema = R"json({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {
          "at": {"type": "string", "minLength": 20, "description": "RFC 3339 instant"},
          "by": {"type": "object", "minProperties": 1,
                 "additionalProperties": {"type": "string", "pattern": "^-?P"},
                 "description": "name -> ISO 8601 duration, negative with a leading '-'"}
        },
        "required": ["at", "by"]
      })json",
      .output_schema = R"json({"type": "object"})json",
      .capabilities = COALITION_CAP_IDEMPOTENT | COALITION_CAP_THREAD_SAFE,
  };
  Outcome execute(const json& params, const Context&) {
    const auto at = plugins::parse_instant(params.at("at").get<std::string>());
    if (!at) return Outcome::invalid_parameters("/at", "not an RFC 3339 instant");
    json out = json::object();
    for (const auto& [name, text] : params.at("by").items()) {
      std::string d = text.get<std::string>();
      const bool back = !d.empty() && d[0] == '-';
      auto span = plugins::parse_iso_duration(back ? d.substr(1) : d);
      if (!span) return Outcome::invalid_parameters("/by/" + name, "not an ISO 8601 duration");
      out[name] = plugins::format_instant(back ? *at - *span : *at + *span);
    }
    return Outcome::ok(out);
  }
};

constexpr coalition::sdk::PluginInfo kPlugin{"timekeeping", "1.0.0", "Coalition Project",
                                             coalition::sdk::PartnerType::kCoalition,
                                             "Instants relative to other instants."};

}  // namespace

COALITION_PLUGIN(kPlugin, Shift)
