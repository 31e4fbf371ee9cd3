// red_flags: the red-flag catalogue of an AML review (config/red_flags.json) as a
// checklist: every indicator answered observed / not observed / not applicable, an evidence
// reference for each observation, never content. No single flag is determinative: the output
// counts and lists what was observed for the determination that follows.
#include <coalition/plugin.hpp>

#include "human/human_steps.h"
#include "shared/config_file.h"

namespace {

using coalition::sdk::Context;
using coalition::sdk::Host;
using coalition::sdk::Outcome;
using nlohmann::json;
namespace human = coalition::plugins::human;

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

  // The checklist is the human plugin's (compiled in): one answer schema for every checklist.
  Outcome execute(const json& params, const Context&) {
    if (catalogue_.is_null()) return coalition::plugins::not_configured("red_flags", "catalogue");
    const json types = params.value("member_types", json::array());
    json items = json::array();
    json listed = json::array();
    for (const auto& item : catalogue_.value("items", json::array())) {
      if (!types.empty() && !relevant(item, types)) continue;
      items.push_back({{"id", item.value("id", "")},
                       {"text", item.value("code", "") + ": " + item.value("text", "")}});
      listed.push_back({{"id", item.value("id", "")},
                        {"code", item.value("code", "")},
                        {"text", item.value("text", "")},
                        {"sources", item.value("sources", json::array())}});
    }
    json task = human::checklist_task(
        {{"title", params.value("title", "Red-flag checklist")},
         {"instructions",
          "Answer every indicator. No single flag is determinative; observations need an "
          "evidence reference, never content."},
         {"items", items}});
    task["items"] = std::move(listed);
    return Outcome::suspend(std::move(task));
  }

  Outcome resume(const json& completion, const Context&) {
    json result = human::checklist_result(completion);
    const json& answers = result["answers"];
    json observed = json::array();
    for (const auto& item : catalogue_.value("items", json::array())) {
      const std::string id = item.value("id", "");
      if (answers.contains(id) && answers[id].value("status", "") == "observed") {
        observed.push_back({{"id", id},
                            {"code", item.value("code", "")},
                            {"evidence", answers[id].value("evidence", "")}});
      }
    }
    result["observed_count"] = observed.size();
    result["observed"] = std::move(observed);
    result["catalogue_version"] = catalogue_.value("version", "");
    return Outcome::ok(std::move(result));
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
