// red_flags: the red-flag catalogue of an AML review (config/red_flags.json, DOMAIN 2.6) as a
// checklist: every indicator answered observed / not observed / not applicable, an evidence
// reference for each observation, never content. No single flag is determinative: the output
// counts and lists what was observed for the determination that follows.
#include <coalition/plugin.hpp>

#include "shared/config_file.h"

namespace {

using coalition::sdk::Context;
using coalition::sdk::Host;
using coalition::sdk::Outcome;
using nlohmann::json;

class Checklist {
 public:
  static constexpr coalition::sdk::StepTypeInfo kInfo{
      .name = "red_flags.checklist",
      .description =
          "The red-flag catalogue as a checklist (observed / not observed / not applicable, "
          "evidence references only), optionally narrowed to the member types involved.",
      .parameters_schema = R"json({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {
          "title": {"type": "string", "minLength": 1, "maxLength": 200},
          "member_types": {"type": "array", "items": {"type": "string"},
                           "description": "Keep the indicators typical for these members (acquirer, bank, psp, issuer, exchange, msb, p2p); all when omitted."}
        }
      })json",
      .output_schema =
          R"json({"type": "object", "required": ["answers", "observed", "catalogue_version"]})json",
      .capabilities =
          COALITION_CAP_IDEMPOTENT | COALITION_CAP_THREAD_SAFE | COALITION_CAP_MAY_SUSPEND,
  };
  Checklist(const Host&, const json& config)
      : catalogue_(coalition::plugins::read_config_file(config, "catalogue", "red_flags.json")) {}

  Outcome execute(const json& params, const Context&) {
    if (catalogue_.is_null()) return coalition::plugins::not_configured("red_flags", "catalogue");
    const json types = params.value("member_types", json::array());
    json items = json::array();
    json answers = json::object();
    json required = json::array();
    for (const auto& item : catalogue_.value("items", json::array())) {
      if (!types.empty() && !relevant(item, types)) continue;
      const std::string id = item.value("id", "");
      items.push_back({{"id", id},
                       {"code", item.value("code", "")},
                       {"text", item.value("text", "")},
                       {"sources", item.value("sources", json::array())}});
      required.push_back(id);
      answers[id] = {{"type", "object"},
                     {"properties",
                      {{"status", {{"enum", {"observed", "not_observed", "not_applicable"}}}},
                       {"evidence",
                        {{"type", "string"},
                         {"minLength", 1},
                         {"maxLength", 500},
                         {"description",
                          "A reference (transaction, case, report or document number, URL, "
                          "hash), never the content itself."}}}}},
                     {"required", {"status"}},
                     {"if", {{"properties", {{"status", {{"const", "observed"}}}}}}},
                     {"then", {{"required", {"status", "evidence"}}}},
                     {"additionalProperties", false}};
    }
    return Outcome::suspend(
        {{"title", params.value("title", "Red-flag checklist")},
         {"instructions",
          "Answer every indicator. No single flag is determinative; observations need an "
          "evidence reference, never content."},
         {"items", items},
         {"answer_schema",
          {{"type", "object"},
           {"properties",
            {{"answers",
              {{"type", "object"},
               {"properties", answers},
               {"required", required},
               {"additionalProperties", false}}},
             {"justification", {{"type", "string"}, {"maxLength", 4000}}}}},
           {"required", {"answers"}},
           {"additionalProperties", false}}}});
  }

  Outcome resume(const json& completion, const Context&) {
    const json& c = completion.at("completions").back();
    const json& answers = c.at("data").at("answers");
    json observed = json::array();
    for (const auto& item : catalogue_.value("items", json::array())) {
      const std::string id = item.value("id", "");
      if (answers.contains(id) && answers[id].value("status", "") == "observed") {
        observed.push_back({{"id", id},
                            {"code", item.value("code", "")},
                            {"evidence", answers[id].value("evidence", "")}});
      }
    }
    return Outcome::ok(
        {{"answers", answers},
         {"observed", observed},
         {"observed_count", observed.size()},
         {"catalogue_version", catalogue_.value("version", "")},
         {"completed_by", {{"actor", c.value("actor", "")}, {"at", c.value("at", "")}}}});
  }

 private:
  static bool relevant(const json& item, const json& types) {
    for (const auto& m : item.value("typical_members", json::array())) {
      if (m == "*") return true;
      for (const auto& t : types) {
        if (m == t) return true;
      }
    }
    return false;
  }
  json catalogue_;
};

constexpr coalition::sdk::PluginInfo kPlugin{
    .id = "red_flags",
    .version = "1.0.0",
    .publisher = "Coalition Financial Working Group",
    .partner_type = coalition::sdk::PartnerType::kFinancial,
    .description = "The AML red-flag catalogue (merchant and customer indicators) as a checklist.",
};

}  // namespace

COALITION_PLUGIN(kPlugin, Checklist)
