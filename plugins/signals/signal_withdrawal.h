// Whether a signal's life ended in its withdrawal, and the tombstone that remains: an upheld appeal
// the originator retracts (or does not re-review in time), a twelve-month review that retracts it
// or lets it expire. A withdrawn signal's indicator is kept no longer (its restricted data expire
// at once); a re-confirmed one is kept `keep_years` more.
#ifndef COALITION_PLUGINS_SIGNALS_SIGNAL_WITHDRAWAL_H_
#define COALITION_PLUGINS_SIGNALS_SIGNAL_WITHDRAWAL_H_

#include <nlohmann/json.hpp>
#include <string>

#include "shared/time_text.h"

namespace coalition::plugins::signals {

// `lifecycle` is the lifecycle parallel's result: one branch, {"appeal": {ended_by, decision}}
// or {"expiry": {ended_by, decision}}. {"withdrawn": bool, "reason", "decided_at",
// "indicator_until", and when withdrawn "tombstone": {signal_id, withdrawn_at, reason}}.
// Throws std::invalid_argument for a lifecycle it cannot read, naming what it found.
nlohmann::json withdrawal(const std::string& signal_id, const nlohmann::json& lifecycle,
                          Instant now, int keep_years);

}  // namespace coalition::plugins::signals

#endif  // COALITION_PLUGINS_SIGNALS_SIGNAL_WITHDRAWAL_H_
