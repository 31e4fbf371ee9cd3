// Filing deadlines from the jurisdiction table (config/jurisdictions.json): every figure is a
// row of data with its source, never a constant here. Business days are counted by the
// engine's calendars (host extension coalition.calendar/1), exactly as step deadlines are.
#ifndef COALITION_PLUGINS_REGULATORY_DEADLINE_FILING_RULES_H_
#define COALITION_PLUGINS_REGULATORY_DEADLINE_FILING_RULES_H_

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "shared/time_text.h"

namespace coalition::plugins::regulatory {

// Adds business days under a calendar: (calendar, from RFC 3339, days) -> due RFC 3339.
using BusinessDays =
    std::function<std::optional<std::string>(const std::string&, const std::string&, uint32_t)>;

// The regime's row of the table, or nullopt.
std::optional<nlohmann::json> find_regime(const nlohmann::json& table, const std::string& regime);

struct FilingFacts {
  std::string regime;
  Instant determination_at;
  bool suspect_identified = true;
  bool terrorism_financing = false;
};

// {regime, report, rule, due_at, cap_at (when the regime caps), narrative_due_at,
// cco_notice_at, suspect_reminder_at (without a suspect, where the regime has such a
// reminder), basis, sources, table_version}. Throws std::invalid_argument naming what is
// missing (unknown regime, a calendar the engine does not have).
nlohmann::json filing_deadline(const nlohmann::json& table, const FilingFacts& facts,
                               const BusinessDays& business_days);

// {applies, anchor, anchored_at, review_at, file_by, rule, sources} for continuing activity:
// the table's row names its anchor ("filed_at", "determination_at", ...) and `anchors` holds
// the case's instants by those names, so a change of the anchor in the table moves the dates
// (applies: false for regimes without such a rule). Throws std::invalid_argument naming the
// anchor when `anchors` lacks the one the table names.
nlohmann::json continuing_review(const nlohmann::json& table, const std::string& regime,
                                 const std::map<std::string, Instant>& anchors);

}  // namespace coalition::plugins::regulatory

#endif  // COALITION_PLUGINS_REGULATORY_DEADLINE_FILING_RULES_H_
