// Rules are written as the refusals a secretariat would explain: each withheld role and each
// excluded member carries its reason, so a workflow's history says why, not only what.
#include "membership/member_rules.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "common/rfc3339.h"

namespace coalition::plugins::membership {

using nlohmann::json;

namespace {

bool contains(const json& list, const std::string& value) {
  if (!list.is_array()) return false;
  return std::find(list.begin(), list.end(), json(value)) != list.end();
}

bool is_financial_type(const std::string& type) {
  return type == "bank" || type == "card_network" || type == "payment_firm" || type == "exchange" ||
         type == "psp";
}

// 314(b) is a US rule: it binds financial institutions operating in the US.
bool us_financial(const json& member) {
  return is_financial_type(member.value("type", "")) &&
         contains(member.value("jurisdictions", json::array()), "US");
}

bool attested(const json& attestations, const char* key) {
  return attestations.is_object() && attestations.value(key, false) == true;
}

}  // namespace

std::optional<Day> parse_date(const std::string& text) {
  // The engine's strict full-date reader: "2026-02-31", "2026-2-3" and "2026-02-03x" are no
  // dates.
  const auto days = parse_rfc3339_date(text);
  if (!days) return std::nullopt;
  return Day{std::chrono::days{*days}};
}

std::string format_date(Day d) {
  const std::chrono::year_month_day ymd{d};
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buffer;
}

json registration_314b(const json& registration, Day today) {
  if (!registration.is_object() || registration.value("id", "").empty()) {
    return {{"valid", false}, {"reason", "no 314(b) registration on record"}};
  }
  const auto on = parse_date(registration.value("registered_on", ""));
  if (!on) return {{"valid", false}, {"reason", "the 314(b) registration has no date"}};
  // Effective for one year: until the day before its first anniversary, inclusive.
  const std::chrono::year_month_day start{*on};
  std::chrono::year_month_day anniversary = start + std::chrono::years{1};
  if (!anniversary.ok()) anniversary = anniversary.year() / anniversary.month() / std::chrono::last;
  const Day expires = Day{anniversary} - std::chrono::days{1};
  const auto left = (expires - today).count();
  json out{{"id", registration["id"]},
           {"registered_on", format_date(*on)},
           {"expires_on", format_date(expires)},
           {"valid", today >= *on && today <= expires},
           {"days_left", left < 0 ? 0 : left}};
  if (today > expires) out["reason"] = "the 314(b) registration expired on " + format_date(expires);
  return out;
}

bool is_financial(const json& member) {
  return is_financial_type(member.value("type", ""));
}

json grants(const json& application, const json& attestations, const json& registration_check) {
  json roles = json::array();
  json withheld = json::array();
  json unmet = json::array();
  std::string status = "active";
  auto withhold = [&](const char* role, const std::string& reason) {
    withheld.push_back({{"role", role}, {"reason", reason}});
  };
  auto fails = [&](const char* criterion, const std::string& reason) {
    unmet.push_back({{"criterion", criterion}, {"reason", reason}});
    status = "conditional";
  };
  // An applicant of government type is a government actor whatever a screening form or the
  // application's own flag says [BSR-HRIA-2].
  const bool government_type = application.value("type", "") == "government";
  if (government_type || application.value("government_actor", false)) {
    const std::string why = government_type
                                ? "a government applicant never takes part in signal sharing "
                                  "(observer only)"
                                : "a government actor never takes part in signal sharing "
                                  "(observer only)";
    for (const char* role : {"signal_contributor", "signal_consumer", "fi_sharing"}) {
      withhold(role, why);
    }
    return {{"status", "observer"},
            {"roles", roles},
            {"withheld", withheld},
            {"unmet", unmet},
            {"unmet_text", ""}};
  }
  const bool platform = application.value("type", "") == "platform";
  bool consumer = true;
  if (platform && !attested(attestations, "appeals_process")) {
    consumer = false;
    fails("appeals_process", "a platform needs a user appeals process to act on signals");
    withhold("signal_consumer", "a platform without a user appeals process cannot act on signals");
  }
  if (!attested(attestations, "human_review_before_action")) {
    if (consumer) withhold("signal_consumer", "no commitment to human review before acting");
    consumer = false;
    fails("human_review_before_action",
          "a commitment to human review before acting on a signal is required");
  }
  if (!attested(attestations, "government_request_policy")) {
    fails("government_request_policy", "a published policy on government requests is required");
  }
  if (!attested(attestations, "staff_welfare_policy")) {
    fails("staff_welfare_policy",
          "a welfare policy for staff exposed to abuse material or its reports is required");
  }
  if (is_financial(application) && !attested(attestations, "sar_programme")) {
    fails("sar_programme",
          "a financial institution needs a suspicious-activity reporting "
          "programme");
  }
  roles.push_back("signal_contributor");
  if (consumer) roles.push_back("signal_consumer");
  if (us_financial(application)) {
    if (registration_check.is_object() && registration_check.value("valid", false)) {
      roles.push_back("fi_sharing");
    } else {
      withhold("fi_sharing",
               registration_check.is_object()
                   ? registration_check.value("reason", "no current 314(b) registration")
                   : "no current 314(b) registration");
    }
  }
  // The same in words, for the remediation task that names each criterion.
  std::string unmet_text;
  for (const auto& u : unmet) {
    unmet_text += (unmet_text.empty() ? "" : "; ") + u["criterion"].get<std::string>() + " (" +
                  u["reason"].get<std::string>() + ")";
  }
  return {{"status", status},
          {"roles", roles},
          {"withheld", withheld},
          {"unmet", unmet},
          {"unmet_text", unmet_text}};
}

json adoption_matrix(const json& adoptions, const json& members) {
  static const std::vector<std::string> kOutcomes{"compliant", "overdue", "declined", "exception"};
  auto zero = [] {
    json counts = json::object();
    for (const auto& o : kOutcomes) counts[o] = 0;
    return counts;
  };
  json out{{"totals", zero()},
           {"by_sector", json::object()},
           {"by_jurisdiction", json::object()},
           {"members", json::object()},
           {"unknown", json::array()}};
  for (const auto& o : kOutcomes) out["members"][o] = json::array();
  for (const auto& a : adoptions) {
    const std::string id = a.value("member", "");
    std::string status = a.value("status", "");
    // A member that missed the date has no status of its own: its restricted overdue mark
    // carries it, so that only the secretariat reads who it was.
    if (status.empty() && a.contains("overdue") && a["overdue"].is_object()) {
      status = a["overdue"].value("status", "not_attested");
    }
    std::string outcome;
    if (status == "adopted" || status == "adopted_late") {
      outcome = "compliant";
    } else if (status == "declined") {
      const auto exception = a.find("exception");
      const bool approved = exception != a.end() && exception->is_string() &&
                            exception->get<std::string>() == "approved";
      outcome = approved ? "exception" : "declined";
    } else if (status == "not_attested") {
      outcome = "overdue";
    } else {
      throw std::invalid_argument("member '" + id + "' has adoption status '" + status +
                                  "'; expected adopted, adopted_late, declined or not_attested");
    }
    const auto entry = std::find_if(members.begin(), members.end(),
                                    [&](const json& m) { return m.value("id", "") == id; });
    std::string sector = "unknown";
    json jurisdictions = json::array();
    if (entry == members.end()) {
      out["unknown"].push_back(id);
    } else {
      sector = entry->value("sector", "unknown");
      jurisdictions = entry->value("jurisdictions", json::array());
    }
    out["totals"][outcome] = out["totals"][outcome].get<int>() + 1;
    if (!out["by_sector"].contains(sector)) out["by_sector"][sector] = zero();
    out["by_sector"][sector][outcome] = out["by_sector"][sector][outcome].get<int>() + 1;
    for (const auto& j : jurisdictions) {
      const std::string code = j.get<std::string>();
      if (!out["by_jurisdiction"].contains(code)) out["by_jurisdiction"][code] = zero();
      out["by_jurisdiction"][code][outcome] = out["by_jurisdiction"][code][outcome].get<int>() + 1;
    }
    out["members"][outcome].push_back(id);
  }
  return out;
}

json recipients(const json& members, const std::string& originator, const json& scope,
                bool customer_information, Day today) {
  json in = json::array();
  json out = json::array();
  // Both parties need a current registration: an originating FI without one shares customer
  // information with no FI at all.
  std::string originator_gap;
  for (const auto& m : members) {
    if (m.value("id", "") != originator || !customer_information || !us_financial(m)) continue;
    const json reg = registration_314b(m.value("registration_314b", json()), today);
    if (!reg.value("valid", false)) {
      originator_gap = "customer information, and the originator: " +
                       reg.value("reason", std::string("no current 314(b) registration"));
    }
  }
  const json sectors = scope.value("sectors", json::array());
  const json jurisdictions = scope.value("jurisdictions", json::array());
  for (const auto& m : members) {
    const std::string id = m.value("id", "");
    if (id == originator) continue;
    auto exclude = [&](const std::string& reason) {
      out.push_back({{"member", id}, {"reason", reason}});
    };
    if (m.value("government_actor", false)) {
      exclude("government actor");
      continue;
    }
    if (m.value("status", "") != "active") {
      exclude("status " + m.value("status", "unknown"));
      continue;
    }
    if (!contains(m.value("roles", json::array()), "signal_consumer")) {
      exclude("not a signal consumer");
      continue;
    }
    if (!sectors.empty() && !contains(sectors, m.value("sector", ""))) {
      exclude("outside the sectors in scope");
      continue;
    }
    if (!jurisdictions.empty()) {
      bool any = false;
      for (const auto& j : m.value("jurisdictions", json::array())) {
        any = any || contains(jurisdictions, j.get<std::string>());
      }
      if (!any) {
        exclude("outside the jurisdictions in scope");
        continue;
      }
    }
    if (customer_information && us_financial(m) && !originator_gap.empty()) {
      exclude(originator_gap);
      continue;
    }
    if (customer_information && us_financial(m)) {
      const json reg = registration_314b(m.value("registration_314b", json()), today);
      if (!reg.value("valid", false)) {
        exclude("customer information, and " +
                reg.value("reason", std::string("no current 314(b) registration")));
        continue;
      }
    }
    in.push_back({{"member", id},
                  {"type", m.value("type", "")},
                  {"jurisdictions", m.value("jurisdictions", json::array())}});
  }
  return {{"recipients", in}, {"excluded", out}};
}

}  // namespace coalition::plugins::membership
