// signals: the guard a Lantern-style cross-member signal passes before distribution (legal
// basis, format, no personal data in the context, matching identifiers hashed with the
// coalition's key). The engine's own intake has already refused any image or video.
#include <coalition/plugin.hpp>

#include "shared/config_file.h"
#include "shared/secret_file.h"
#include "signals/signal_checks.h"

namespace {

using coalition::sdk::Context;
using coalition::sdk::Host;
using coalition::sdk::Outcome;
using nlohmann::json;

class Guard {
 public:
  static constexpr coalition::sdk::StepTypeInfo kInfo{
      .name = "signals.guard",
      .description =
          "Checks a signal before it is shared: legal basis present, a well-formed "
          "indicator of a known type, no personal data in its context; matching "
          "identifiers are replaced by a keyed hash.",
      .parameters_schema = R"json({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {"signal": {"type": "object"}},
        "required": ["signal"]
      })json",
      .output_schema = R"json({"type": "object", "required": ["signal", "minimised"]})json",
      .capabilities = COALITION_CAP_IDEMPOTENT | COALITION_CAP_THREAD_SAFE,
  };
  Guard(const Host&, const json& config)
      : key_(coalition::plugins::load_or_create_secret(
            coalition::plugins::config_path(config, "key_file", "signals.key"),
            "COALITION_SIGNALS_KEY")) {}
  Outcome execute(const json& params, const Context&) {
    auto checked = coalition::plugins::signals::check_signal(params.at("signal"), key_);
    if (!checked.ok) return Outcome::permanent(checked.code, checked.message);
    return Outcome::ok({{"signal", checked.signal}, {"minimised", checked.minimised}});
  }

 private:
  std::string key_;
};

constexpr coalition::sdk::PluginInfo kPlugin{
    "signals", "1.0.0", "Coalition Technology Working Group",
    coalition::sdk::PartnerType::kTechnology,
    "Checks cross-member signals before distribution: legal basis, format, minimisation."};

}  // namespace

COALITION_PLUGIN(kPlugin, Guard)
