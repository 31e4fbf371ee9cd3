// The built-in periods: a US SAR and its supporting documentation are kept five years from
// filing (the FFIEC BSA/AML examination manual); AUSTRAC's seven years (a secondary source, not
// confirmed against AUSTRAC) is the longest record-keeping period the coalition's members cite,
// so an execution's data is kept seven years unless the workflow or the installation says
// otherwise. Calendar years (P5Y, P7Y), not days: 1,826 days from a filing ends a day early
// when the five years hold two leap days.
#include "retention/retention_policy.h"

namespace coalition {

using nlohmann::json;

namespace {

constexpr int kRestrictedYears = 5;
constexpr int kExecutionYears = 7;

RetentionRule built_in(const std::string& type) {
  RetentionRule r;
  r.record_type = type;
  r.keep.years = type == "restricted" ? kRestrictedYears : kExecutionYears;
  r.source = "built-in";
  return r;
}

bool take(const json& rules, const std::string& type, const std::string& source,
          RetentionRule* out) {
  auto it = rules.find(type);
  if (it == rules.end() || !it->is_object()) return false;
  auto keep = parse_calendar_period(it->value("keep", ""));
  if (!keep) return false;  // checked when the file was read; a bad one keeps the fallback
  out->keep = *keep;
  out->from = it->value("from", "completed");
  out->source = source;
  return true;
}

}  // namespace

json RetentionRule::to_json() const {
  return {{"record_type", record_type},
          {"keep", format_calendar_period(keep)},
          {"from", from},
          {"source", source}};
}

const std::vector<std::string>& retention_record_types() {
  static const std::vector<std::string> kTypes{"restricted", "execution"};
  return kTypes;
}

RetentionPolicy retention_policy(const Workflow& workflow, const json& installation_rules) {
  RetentionPolicy policy;
  const json none = json::object();
  const json& own = workflow.document.contains("retention") ? workflow.document["retention"] : none;
  for (const auto& type : retention_record_types()) {
    RetentionRule rule = built_in(type);
    if (!take(own, type, "workflow", &rule)) take(installation_rules, type, "installation", &rule);
    policy.rules.push_back(std::move(rule));
  }
  policy.hold = own.value("hold", "");
  return policy;
}

TimePoint retention_expiry(const RetentionRule& rule, TimePoint started, TimePoint finished,
                           const json& final_context, std::string* note) {
  TimePoint anchor = finished;
  if (rule.from == "started") {
    anchor = started;
  } else if (!rule.from.empty() && rule.from[0] == '/') {
    std::optional<TimePoint> at;
    try {
      const json& v = final_context.at(json::json_pointer(rule.from));
      if (v.is_string()) at = parse_utc(v.get<std::string>());
    } catch (const json::exception&) {
    }
    if (at) {
      anchor = *at;
    } else if (note != nullptr) {
      *note = "anchor " + rule.from + " absent from the output: counted from completion";
    }
  }
  auto expiry = add_calendar_period(anchor, rule.keep);
  return expiry ? *expiry : latest_rfc3339();
}

}  // namespace coalition
