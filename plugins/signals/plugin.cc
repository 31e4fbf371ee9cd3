// signals: the guard a Lantern-style cross-member signal passes before distribution (legal
// basis, format, no personal data in the context, matching identifiers hashed with the
// coalition's key). The engine's own intake has already refused any image or video.
#include <coalition/plugin.hpp>

#include "shared/config_file.h"
#include "shared/secret_file.h"
#include "signals/signal_checks.h"
#include "signals/signal_withdrawal.h"

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

class Withdrawal {
 public:
  static constexpr coalition::sdk::StepTypeInfo kInfo{
      .name = "signals.withdrawal",
      .description =
          "Whether a signal's lifecycle ended in its withdrawal (retracted after an upheld "
          "appeal or at review, or expired), with the tombstone that remains and until when "
          "its indicator may be kept.",
      .parameters_schema = R"json({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {
          "signal_id": {"type": "string", "minLength": 1},
          "lifecycle": {"type": "object", "description": "The lifecycle step's result: its one ended branch."},
          "keep_years": {"type": "integer", "minimum": 0, "maximum": 10,
                         "description": "How long a re-confirmed signal's indicator is kept (default 1)."}
        },
        "required": ["signal_id", "lifecycle"]
      })json",
      .output_schema =
          R"json({"type": "object", "required": ["withdrawn", "reason", "decided_at", "indicator_until"]})json",
      .capabilities = COALITION_CAP_IDEMPOTENT | COALITION_CAP_THREAD_SAFE,
  };
  Withdrawal(const Host&, const json&) {}
  Outcome execute(const json& params, const Context& context) {
    const auto now =
        coalition::plugins::parse_instant(context.now())
            .value_or(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
    try {
      return Outcome::ok(coalition::plugins::signals::withdrawal(
          params.at("signal_id"), params.at("lifecycle"), now, params.value("keep_years", 1)));
    } catch (const std::invalid_argument& e) {
      return Outcome::permanent("signal.unknown_lifecycle", e.what());
    }
  }
};

constexpr coalition::sdk::PluginInfo kPlugin{
    "signals", "1.1.0", "Coalition Technology Working Group",
    coalition::sdk::PartnerType::kTechnology,
    "Checks cross-member signals before distribution: legal basis, format, minimisation."};

}  // namespace

COALITION_PLUGIN(kPlugin, Guard, Withdrawal)
