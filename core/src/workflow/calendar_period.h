// CalendarPeriod: an ISO 8601 duration that may count years and months ("P5Y", "P1Y6M",
// "P12M", "P1Y2M3DT4H"), for what is meant in calendar terms — retention ("five years from
// filing"), reviews ("every twelve months"). Five years is P5Y from the anchor's date, not 1,826
// days (which ends a day early across two leap days).
//
// The month-end rule: years and months move the date, keeping the time of day (UTC); a day
// that the target month does not have becomes that month's last day (31 January + P1M is
// 28 or 29 February; 29 February 2024 + P1Y is 28 February 2025), as SQL intervals, java.time
// and Temporal do. Weeks, days and the time part are then added as exact durations.
#ifndef COALITION_WORKFLOW_CALENDAR_PERIOD_H_
#define COALITION_WORKFLOW_CALENDAR_PERIOD_H_

#include <string>
#include <string_view>

#include "common/result.h"
#include "common/rfc3339.h"
#include "workflow/duration.h"

namespace coalition {

struct CalendarPeriod {
  int years = 0;
  int months = 0;
  Duration rest{};  // weeks, days and the time part

  bool operator==(const CalendarPeriod&) const = default;
};

// Accepts P[nY][nM][nW|nD][T[nH][nM][n[.fff]S]] with whole years and months (at most a century
// of them; the rest is bounded as parse_duration bounds it); everything parse_duration accepts
// is accepted too. kInvalidData says what was expected.
Result<CalendarPeriod> parse_calendar_period(std::string_view text);

// The shortest form: years and months first, then format_duration's ("P5Y", "P1Y6M", "P1826D").
std::string format_calendar_period(const CalendarPeriod& period);

// `from` plus the period under the month-end rule above; kInvalidData when the result is not
// within the years 0001 to 9999.
Result<UtcMicros> add_calendar_period(UtcMicros from, const CalendarPeriod& period);

}  // namespace coalition

#endif  // COALITION_WORKFLOW_CALENDAR_PERIOD_H_
