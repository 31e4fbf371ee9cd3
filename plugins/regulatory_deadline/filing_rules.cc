#include "regulatory_deadline/filing_rules.h"

#include <stdexcept>

namespace coalition::plugins::regulatory {

using nlohmann::json;

std::optional<json> find_regime(const json& table, const std::string& regime) {
  for (const auto& row : table.value("regimes", json::array())) {
    if (row.value("regime", "") == regime) return row;
  }
  return std::nullopt;
}

namespace {

std::chrono::seconds duration_of(const json& doc, const std::string& what) {
  auto d = doc.is_string() ? parse_iso_duration(doc.get<std::string>()) : std::nullopt;
  if (!d) throw std::invalid_argument(what + " is not an ISO 8601 duration: " + doc.dump());
  return *d;
}

// `span` (a duration or {business_days, calendar}) after `from`.
Instant after(const json& span, Instant from, const BusinessDays& business_days,
              const std::string& what) {
  if (span.is_object()) {
    const std::string calendar = span.value("calendar", "");
    auto due = business_days(calendar, format_instant(from), span.value("business_days", 0u));
    if (!due) {
      throw std::invalid_argument(what + ": the engine has no calendar '" + calendar +
                                  "' covering the business days after " + format_instant(from) +
                                  " (config/calendars/: its id and its coverage years)");
    }
    return *parse_instant(*due);
  }
  return from + duration_of(span, what);
}

std::string describe(const json& span) {
  if (span.is_object()) {
    return std::to_string(span.value("business_days", 0u)) + " business days (" +
           span.value("calendar", "") + ")";
  }
  return span.get<std::string>();
}

}  // namespace

json filing_deadline(const json& table, const FilingFacts& facts,
                     const BusinessDays& business_days) {
  auto row = find_regime(table, facts.regime);
  if (!row)
    throw std::invalid_argument("no regime '" + facts.regime + "' in the jurisdiction table");
  const json& d = row->at("deadline");
  const std::string what = facts.regime + " deadline";
  json span;
  std::string basis;
  if (facts.terrorism_financing && d.contains("due_if_terrorism_financing")) {
    span = d["due_if_terrorism_financing"];
    basis = "terrorism financing";
  } else if (!facts.suspect_identified && d.contains("due_without_suspect")) {
    span = d["due_without_suspect"];
    basis = "no suspect identified";
  } else if (d.contains("due")) {
    span = d["due"];
    basis = "standard";
  } else {
    span = d.at("internal_target");
    basis = d.value("policy", "internal target");
  }
  const Instant due = after(span, facts.determination_at, business_days, what);
  json out{{"regime", facts.regime},
           {"report", row->value("report", "")},
           {"fiu", row->value("fiu", "")},
           {"rule", d.value("rule", "")},
           {"basis", basis},
           {"span", describe(span)},
           {"determination_at", format_instant(facts.determination_at)},
           {"due_at", format_instant(due)},
           {"sources", d.value("sources", json::array())},
           {"table_version", table.value("version", "")}};
  // The business-day calendar each instant was counted under, for the engine to report beside a
  // deadline `at` it; the instants derived by calendar arithmetic below name none.
  json calendars = json::object();
  if (span.is_object()) calendars["due_at"] = span.value("calendar", "");
  if (d.contains("cap")) {
    Instant cap = after(d["cap"], facts.determination_at, business_days, what + " cap");
    if (cap < due) {
      cap = due;
      if (calendars.contains("due_at")) calendars["cap_at"] = calendars["due_at"];
    } else if (d["cap"].is_object()) {
      calendars["cap_at"] = d["cap"].value("calendar", "");
    }
    out["cap_at"] = format_instant(cap);
  } else {
    out["cap_at"] = out["due_at"];
    if (calendars.contains("due_at")) calendars["cap_at"] = calendars["due_at"];
  }
  out["calendars"] = std::move(calendars);
  if (basis == "no suspect identified" && d.contains("suspect_reminder")) {
    const Instant reminder =
        after(d["suspect_reminder"], facts.determination_at, business_days, what + " reminder");
    if (reminder < due) out["suspect_reminder_at"] = format_instant(reminder);
  }
  if (row->contains("key_terms")) out["key_terms"] = (*row)["key_terms"];
  const json internal = table.value("internal", json::object());
  if (internal.contains("narrative_lead")) {
    // The lead before the deadline, or halfway to it when the deadline is too close for the
    // lead (an SMR due in 3 business days still leaves time to draft).
    Instant narrative = due - duration_of(internal["narrative_lead"], "internal.narrative_lead");
    const Instant halfway = facts.determination_at + (due - facts.determination_at) / 2;
    if (narrative < halfway) narrative = halfway;
    out["narrative_due_at"] = format_instant(narrative);
  }
  if (internal.contains("cco_notice_before")) {
    // Never before the determination that started the clock: a 24-hour deadline is inside the
    // notice window from its first moment, so the notice is due at the determination itself.
    Instant notice = due - duration_of(internal["cco_notice_before"], "internal.cco_notice_before");
    if (notice < facts.determination_at) notice = facts.determination_at;
    out["cco_notice_at"] = format_instant(notice);
  }
  return out;
}

json continuing_review(const json& table, const std::string& regime,
                       const std::map<std::string, Instant>& anchors) {
  auto row = find_regime(table, regime);
  if (!row) throw std::invalid_argument("no regime '" + regime + "' in the jurisdiction table");
  if (!row->contains("continuing_activity")) return {{"applies", false}, {"regime", regime}};
  const json& c = (*row)["continuing_activity"];
  const std::string anchor = c.value("anchor", "filed_at");
  const auto at = anchors.find(anchor);
  if (at == anchors.end()) {
    std::string given;
    for (const auto& [name, instant] : anchors) given += (given.empty() ? "" : ", ") + name;
    throw std::invalid_argument("the " + regime + " continuing-activity rule is anchored at '" +
                                anchor + "', which the step's anchors do not hold (given: " +
                                (given.empty() ? "none" : given) + ")");
  }
  const Instant from = at->second;
  json out{{"applies", true},
           {"regime", regime},
           {"rule", c.value("rule", "")},
           {"anchor", anchor},
           {"anchored_at", format_instant(from)},
           {"review_at", format_instant(from + duration_of(c.at("review"), "review"))},
           {"file_by", format_instant(from + duration_of(c.at("file_by"), "file_by"))},
           {"sources", c.value("sources", json::array())},
           {"table_version", table.value("version", "")}};
  if (c.contains("unverified")) out["unverified"] = c["unverified"];
  return out;
}

}  // namespace coalition::plugins::regulatory
