// jurisdiction: the versioned jurisdiction profile table (config/jurisdictions.json): a
// member's regime mapped to its FIU, report, deadline rules, key terms and retention, each row
// citing its sources. Workflows branch on the profile instead of hard-coding a country.
#include <coalition/plugin.hpp>

#include "shared/config_file.h"

namespace {

using coalition::sdk::Context;
using coalition::sdk::Host;
using coalition::sdk::Outcome;
using nlohmann::json;

class Profile {
 public:
  static constexpr coalition::sdk::StepTypeInfo kInfo{
      .name = "jurisdiction.profile",
      .description =
          "The reporting profile of a regime (US_SAR, AU_SMR, CA_STR, OTHER) or of a country; "
          "an unknown one falls back to OTHER.",
      .parameters_schema = R"json({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {
          "regime": {"type": "string", "pattern": "^[A-Z][A-Z_]*$"},
          "country": {"type": "string", "pattern": "^[A-Z]{2}$"}
        },
        "minProperties": 1
      })json",
      .output_schema = R"json({"type": "object", "required": ["regime", "table_version"]})json",
      .capabilities = COALITION_CAP_IDEMPOTENT | COALITION_CAP_THREAD_SAFE,
  };
  Profile(const Host&, const json& config)
      : table_(coalition::plugins::read_config_file(config, "table", "jurisdictions.json")) {}
  Outcome execute(const json& params, const Context&) {
    if (table_.is_null()) return coalition::plugins::not_configured("jurisdiction", "table");
    const std::string regime = params.value("regime", "");
    const std::string country = params.value("country", "");
    const json* fallback = nullptr;
    for (const auto& row : table_.value("regimes", json::array())) {
      const bool match = (!regime.empty() && row.value("regime", "") == regime) ||
                         (regime.empty() && row.value("country", "") == country);
      if (row.value("regime", "") == "OTHER") fallback = &row;
      if (match) return Outcome::ok(with_version(row, true));
    }
    if (fallback == nullptr) {
      return Outcome::permanent("jurisdiction.unknown",
                                "no profile for " + (regime.empty() ? country : regime) +
                                    " and no OTHER row in the jurisdiction table");
    }
    return Outcome::ok(with_version(*fallback, false));
  }

 private:
  // The table's internal business-day spans under this regime's calendar, ready to use as a
  // step deadline's "in" ({"$path": "/profile/spans/kyb_refresh"}).
  json with_version(json row, bool exact) const {
    row["table_version"] = table_.value("version", "");
    row["exact_match"] = exact;
    json spans = json::object();
    const json internal = table_.value("internal", json::object());
    const json days_by_name = internal.value("business_day_spans", json::object());
    if (row.contains("calendar")) {
      for (const auto& [name, days] : days_by_name.items()) {
        spans[name] = {{"business_days", days}, {"calendar", row["calendar"]}};
      }
    }
    row["spans"] = std::move(spans);
    return row;
  }
  json table_;
};

constexpr coalition::sdk::PluginInfo kPlugin{
    .id = "jurisdiction",
    .version = "1.0.0",
    .publisher = "Coalition Project",
    .partner_type = coalition::sdk::PartnerType::kCoalition,
    .description =
        "Jurisdiction profiles: reporting regime, FIU, deadlines and sources per member.",
};

}  // namespace

COALITION_PLUGIN(kPlugin, Profile)
