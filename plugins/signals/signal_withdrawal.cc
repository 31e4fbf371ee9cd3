// The reasons are words a recipient reads in its notice and the tombstone keeps for good, so
// they say what happened, not which branch of the workflow ran.
#include "signals/signal_withdrawal.h"

#include <chrono>
#include <stdexcept>

namespace coalition::plugins::signals {

using nlohmann::json;

namespace {

// `now` plus `years` calendar years (29 February to 28 February when the year has none).
Instant signal_years_after(Instant now, int years) {
  const auto day = std::chrono::floor<std::chrono::days>(now);
  std::chrono::year_month_day ymd{day};
  ymd += std::chrono::years{years};
  if (!ymd.ok()) ymd = ymd.year() / ymd.month() / std::chrono::last;
  return std::chrono::sys_days{ymd} + (now - day);
}

}  // namespace

json withdrawal(const std::string& signal_id, const json& lifecycle, Instant now, int keep_years) {
  if (!lifecycle.is_object() || lifecycle.size() != 1) {
    throw std::invalid_argument("the lifecycle holds one ended branch (appeal or expiry); found " +
                                std::to_string(lifecycle.is_object() ? lifecycle.size() : 0) +
                                " branches");
  }
  const auto first = lifecycle.begin();
  const std::string& branch = first.key();
  const json& end = first.value();
  const std::string decision = end.is_object() ? end.value("decision", "") : "";
  std::string reason;
  if (branch == "appeal" && decision == "retract") {
    reason = end.contains("note") ? "retracted: an appeal was upheld and the originator did not "
                                    "re-review the signal in time"
                                  : "retracted by the originator after an appeal was upheld";
  } else if (branch == "expiry" && decision == "retract") {
    reason = "retracted by the originator at its twelve-month review";
  } else if (branch == "expiry" && decision == "expired") {
    reason = "expired: not re-confirmed at its twelve-month review";
  } else if (decision != "reconfirm") {
    throw std::invalid_argument("the " + branch + " branch ended with decision '" + decision +
                                "'; expected reconfirm, retract or expired");
  }
  const std::string at = format_instant(now);
  if (reason.empty()) {
    return {{"withdrawn", false},
            {"reason", "re-confirmed by the originator"},
            {"decided_at", at},
            {"indicator_until", format_instant(signal_years_after(now, keep_years))}};
  }
  return {{"withdrawn", true},
          {"reason", reason},
          {"decided_at", at},
          {"indicator_until", at},
          {"tombstone", {{"signal_id", signal_id}, {"withdrawn_at", at}, {"reason", reason}}}};
}

}  // namespace coalition::plugins::signals
