// The coalition's membership rules, as data-free functions the membership plugin's steps call
// and the unit tests drive: which roles a member may be granted, whether a 314(b) registration
// is current, and who receives a signal.
//
// Sources (docs/sources.md): government actors never take part in signal sharing
// [BSR-HRIA-2]; a participant must have a user appeals process and commit to human review
// before acting on a signal [BSR-HRIA-1]; US financial institutions share customer information
// with each other only when both hold a current 314(b) registration [314B-STEPS], a notice that
// is effective for one year from its date (31 CFR 1010.540(b)(2); unverified here).
#ifndef COALITION_PLUGINS_MEMBERSHIP_MEMBER_RULES_H_
#define COALITION_PLUGINS_MEMBERSHIP_MEMBER_RULES_H_

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace coalition::plugins::membership {

using Day = std::chrono::sys_days;

// "2026-03-02" (a calendar date, as registrations are dated).
std::optional<Day> parse_date(const std::string& text);
std::string format_date(Day d);

// A 314(b) registration {"id", "registered_on"} on `today`:
// {"valid", "expires_on", "days_left"} (valid: today is before its first anniversary), or
// {"valid": false, "reason"} when it is missing or undated.
nlohmann::json registration_314b(const nlohmann::json& registration, Day today);

// Whether the member is a financial institution (bank, card network, payment firm, exchange).
bool is_financial(const nlohmann::json& member);

// What an applicant may be granted from its application, eligibility screen and attestations:
// {"status": "active"|"conditional"|"observer", "roles": [...], "withheld": [{role, reason}],
// "unmet": [{criterion, reason}] (each eligibility criterion that makes it conditional),
// "unmet_text": the same in one line, "criterion (reason); ..."}.
// Roles: signal_contributor, signal_consumer, fi_sharing (US financial institutions only).
//   government actor, or type "government" whatever its flag says -> observer; no signal role
//   no appeals process (platform)-> conditional; no signal_consumer
//   no human-review commitment   -> conditional; no signal_consumer
//   any other attestation "no"   -> conditional
//   US FI without a current 314(b) registration -> fi_sharing withheld
nlohmann::json grants(const nlohmann::json& application, const nlohmann::json& attestations,
                      const nlohmann::json& registration_check);

// The adoption matrix of a policy change, from each member's adoption outcome
// ({member, status, exception}: status "adopted" or "adopted_late" -> compliant, "declined"
// with exception "approved" -> exception, "declined" otherwise -> declined, "not_attested" ->
// overdue; without a status, the one in its `overdue` mark) and the registry's `members` (sector
// and jurisdictions of each). {"totals": {compliant, overdue, declined, exception}, "by_sector":
// {sector: counts}, "by_jurisdiction": {code: counts} (a member serving two jurisdictions counts in
// both), "members": {outcome: [ids]}, "unknown": [ids not in the registry, counted under sector
// "unknown"]}. Throws std::invalid_argument for an outcome it does not know, naming it.
nlohmann::json adoption_matrix(const nlohmann::json& adoptions, const nlohmann::json& members);

// The recipients of a signal among `members` (the registry's entries): active members holding
// signal_consumer, other than the originator, within `scope` ({"sectors": [...],
// "jurisdictions": [...]}, each empty = any); never government actors; when the signal shares
// customer information, US financial institutions only with a current 314(b) registration,
// and none when the originator is a US financial institution without one.
// {"recipients": [{member, type, jurisdictions}], "excluded": [{member, reason}]}.
nlohmann::json recipients(const nlohmann::json& members, const std::string& originator,
                          const nlohmann::json& scope, bool customer_information, Day today);

}  // namespace coalition::plugins::membership

#endif  // COALITION_PLUGINS_MEMBERSHIP_MEMBER_RULES_H_
