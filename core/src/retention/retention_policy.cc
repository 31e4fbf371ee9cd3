// The built-in periods follow DOMAIN §5: a US SAR and its supporting documentation are kept five
// years from filing [BSA-MANUAL]; AUSTRAC's seven years (unverified there) is the longest
// record-keeping period the coalition's members cite, so an execution's data is kept seven
// years unless the workflow or the installation says otherwise. Days, not years: a duration
// has no calendar (5 × 365 + 1 and 7 × 365 + 2 cover the leap days).
#include "retention/retention_policy.h"

namespace coalition {

using nlohmann::json;

namespace {

constexpr int kRestrictedDays = 1826;
constexpr int kExecutionDays = 2557;

RetentionRule built_in(const std::string& type) {
  RetentionRule r;
  r.record_type = type;
  r.keep = std::chrono::hours(24) * (type == "restricted" ? kRestrictedDays : kExecutionDays);
  r.source = "built-in";
  return r;
}

bool take(const json& rules, const std::string& type, const std::string& source,
          RetentionRule* out) {
  auto it = rules.find(type);
  if (it == rules.end() || !it->is_object()) return false;
  auto keep = parse_duration(it->value("keep", ""));
  if (!keep) return false;  // checked when the file was read; a bad one keeps the fallback
  out->keep = *keep;
  out->from = it->value("from", "completed");
  out->source = source;
  return true;
}

}  // namespace

json RetentionRule::to_json() const {
  return {{"record_type", record_type},
          {"keep", format_duration(keep)},
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
  return anchor + rule.keep;
}

}  // namespace coalition
