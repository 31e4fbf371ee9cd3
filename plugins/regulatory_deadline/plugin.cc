// regulatory_deadline: filing deadlines computed from a determination timestamp, and the
// continuing-activity review after a filing, from the jurisdiction table's cited rules.
#include <coalition/plugin.hpp>

#include "regulatory_deadline/filing_rules.h"
#include "shared/config_file.h"

namespace {

using coalition::sdk::Context;
using coalition::sdk::Host;
using coalition::sdk::Outcome;
using nlohmann::json;
namespace plugins = coalition::plugins;
namespace regulatory = coalition::plugins::regulatory;

class FilingDeadline {
 public:
  static constexpr coalition::sdk::StepTypeInfo kInfo{
      .name = "regulatory.filing_deadline",
      .description =
          "The filing deadline (and its hard cap) of a suspicious activity/matter/transaction "
          "report from the determination timestamp, per the jurisdiction table.",
      .parameters_schema = R"json({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {
          "regime": {"type": "string", "pattern": "^[A-Z][A-Z_]*$"},
          "determination_at": {"type": "string", "minLength": 20,
                               "description": "RFC 3339: when the institution determined the activity suspicious (this starts the clock)."},
          "suspect_identified": {"type": "boolean"},
          "terrorism_financing": {"type": "boolean"}
        },
        "required": ["regime", "determination_at"]
      })json",
      .output_schema =
          R"json({"type": "object", "required": ["due_at", "cap_at", "rule", "sources"]})json",
      .capabilities = COALITION_CAP_IDEMPOTENT | COALITION_CAP_THREAD_SAFE,
  };
  FilingDeadline(const Host& host, const json& config)
      : host_(host), table_(plugins::read_config_file(config, "table", "jurisdictions.json")) {}
  Outcome execute(const json& params, const Context&) {
    if (table_.is_null()) return coalition::plugins::not_configured("regulatory_deadline", "table");
    auto at = plugins::parse_instant(params.at("determination_at").get<std::string>());
    if (!at) {
      return Outcome::invalid_parameters("/determination_at", "not an RFC 3339 timestamp");
    }
    regulatory::FilingFacts facts{params.at("regime").get<std::string>(), *at,
                                  params.value("suspect_identified", true),
                                  params.value("terrorism_financing", false)};
    try {
      return Outcome::ok(regulatory::filing_deadline(
          table_, facts, [this](const std::string& calendar, const std::string& from, uint32_t n) {
            return host_.add_business_days(calendar, from, n);
          }));
    } catch (const std::invalid_argument& e) {
      return Outcome::permanent("regulatory.no_rule", e.what());
    }
  }

 private:
  Host host_;
  json table_;
};

class ContinuingReview {
 public:
  static constexpr coalition::sdk::StepTypeInfo kInfo{
      .name = "regulatory.continuing_review",
      .description =
          "When the continuing-activity review falls due and the continuing report must be "
          "filed, from the anchor the jurisdiction table names for the regime (one of the "
          "case's instants given as anchors).",
      .parameters_schema = R"json({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {
          "regime": {"type": "string", "pattern": "^[A-Z][A-Z_]*$"},
          "anchor_at": {"type": "string", "minLength": 20,
                        "description": "Before 2.0: the filing instant; read as anchors.filed_at."},
          "anchors": {
            "type": "object",
            "description": "The case's instants by the names the table's anchors use (filed_at, determination_at); the table chooses.",
            "additionalProperties": {"type": "string", "minLength": 20},
            "minProperties": 1
          }
        },
        "required": ["regime"],
        "anyOf": [{"required": ["anchors"]}, {"required": ["anchor_at"]}],
        "additionalProperties": false
      })json",
      .output_schema = R"json({"type": "object", "required": ["applies"]})json",
      .capabilities = COALITION_CAP_IDEMPOTENT | COALITION_CAP_THREAD_SAFE,
  };
  ContinuingReview(const Host&, const json& config)
      : table_(plugins::read_config_file(config, "table", "jurisdictions.json")) {}
  Outcome execute(const json& params, const Context&) {
    if (table_.is_null()) return coalition::plugins::not_configured("regulatory_deadline", "table");
    std::map<std::string, plugins::Instant> anchors;
    if (params.contains("anchor_at")) {  // a workflow written for 1.x: its anchor was the filing
      auto at = plugins::parse_instant(params["anchor_at"].get<std::string>());
      if (!at) return Outcome::invalid_parameters("/anchor_at", "not an RFC 3339 timestamp");
      anchors.emplace("filed_at", *at);
    }
    const json named = params.value("anchors", json::object());
    for (const auto& [name, text] : named.items()) {
      auto at = plugins::parse_instant(text.get<std::string>());
      if (!at) {
        return Outcome::invalid_parameters("/anchors/" + name, "not an RFC 3339 timestamp");
      }
      anchors.emplace(name, *at);
    }
    try {
      return Outcome::ok(
          regulatory::continuing_review(table_, params.at("regime").get<std::string>(), anchors));
    } catch (const std::invalid_argument& e) {
      return Outcome::permanent("regulatory.no_rule", e.what());
    }
  }

 private:
  json table_;
};

constexpr coalition::sdk::PluginInfo kPlugin{
    .id = "regulatory_deadline",
    .version = "2.0.0",
    .publisher = "Coalition Financial Working Group",
    .partner_type = coalition::sdk::PartnerType::kFinancial,
    .description = "Regulatory filing deadlines (US SAR, AU SMR, CA STR) from cited table data.",
};

}  // namespace

COALITION_PLUGIN(kPlugin, FilingDeadline, ContinuingReview)
