// external_report: records a regulatory filing made on the regulator's own portal (regime,
// reference number, filed-at) and reports a late filing as an incident. The report itself is
// never stored here: only its reference.
#include <coalition/plugin.hpp>

#include "shared/time_text.h"

namespace {

using coalition::sdk::Context;
using coalition::sdk::Outcome;
using nlohmann::json;
namespace plugins = coalition::plugins;

// The filing's reference, and when and through which channel it was filed.
constexpr const char* kAnswerSchema = R"json({
  "type": "object",
  "properties": {
    "reference": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9./-]{3,63}$"},
    "filed_at": {"type": "string", "format": "date-time"},
    "channel": {"type": "string", "maxLength": 100}
  },
  "required": ["reference"],
  "additionalProperties": false
})json";

class File {
 public:
  static constexpr coalition::sdk::StepTypeInfo kInfo{
      .name = "external_report.file",
      .description =
          "A person records the filing of a regulatory report (its reference and when it was "
          "filed); a filing after the due time is reported as a late_filing incident.",
      .parameters_schema = R"json({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {
          "regime": {"type": "string", "pattern": "^[A-Z][A-Z_]*$"},
          "case_id": {"type": "string", "minLength": 1},
          "due_at": {"type": "string", "minLength": 20},
          "title": {"type": "string", "maxLength": 200}
        },
        "required": ["regime", "case_id", "due_at"]
      })json",
      .output_schema =
          R"json({"type": "object", "required": ["regime", "reference", "filed_at", "late"]})json",
      .capabilities =
          COALITION_CAP_IDEMPOTENT | COALITION_CAP_THREAD_SAFE | COALITION_CAP_MAY_SUSPEND,
      .answer_schema = kAnswerSchema,
  };

  Outcome execute(const json& params, const Context&) {
    if (!plugins::parse_instant(params.at("due_at").get<std::string>())) {
      return Outcome::invalid_parameters("/due_at", "not an RFC 3339 timestamp");
    }
    const std::string regime = params.at("regime").get<std::string>();
    return Outcome::suspend(
        {{"title", params.value("title", "Record the " + regime + " filing for case " +
                                             params.at("case_id").get<std::string>())},
         {"instructions", "File on the regulator's portal, then record its reference here. Due " +
                              params.at("due_at").get<std::string>() + "."},
         {"regime", regime},
         {"due_at", params.at("due_at")},
         {"answer_schema", json::parse(kAnswerSchema)}});
  }

  // The regime and due time travel in the task (the step's own record), so resume needs no
  // other state.
  Outcome resume(const json& completion, const Context& context) {
    const json& c = completion.at("completions").back();
    const json& data = c.at("data");
    const auto recorded = plugins::parse_instant(c.value("at", ""));
    auto filed = plugins::parse_instant(data.value("filed_at", c.value("at", "")));
    if (!filed) return Outcome::permanent("external_report.bad_time", "filed_at is not RFC 3339");
    bool clamped = false;
    if (recorded && *filed > *recorded) {  // a filing cannot be recorded before it happens
      filed = recorded;
      clamped = true;
    }
    const json task = completion.value("task", json::object());
    const std::string due_text = task.value("due_at", context.deadline().value_or(""));
    const auto due = plugins::parse_instant(due_text);
    const bool late = due && *filed > *due;
    json out{{"regime", task.value("regime", "")},
             {"reference", data.at("reference")},
             {"filed_at", plugins::format_instant(*filed)},
             {"recorded_by", c.value("actor", "")},
             {"due_at", due_text},
             {"late", late},
             {"incident", nullptr}};
    if (clamped) out["filed_at_clamped"] = true;
    if (late) {
      out["late_by"] = plugins::format_iso_duration(*filed - *due);
      out["incident"] = {{"type", "late_filing"},
                         {"regime", out["regime"]},
                         {"due_at", due_text},
                         {"filed_at", out["filed_at"]},
                         {"late_by", out["late_by"]}};
    }
    return Outcome::ok(std::move(out));
  }
};

constexpr coalition::sdk::PluginInfo kPlugin{
    .id = "external_report",
    .version = "1.0.0",
    .publisher = "Coalition Financial Working Group",
    .partner_type = coalition::sdk::PartnerType::kFinancial,
    .description = "Records regulatory filings by reference and reports late filing.",
};

}  // namespace

COALITION_PLUGIN(kPlugin, File)
