// HolidayRule: one recurring holiday of a business calendar, as data — a fixed date, the Nth or
// last weekday of a month, the first weekday on or after a date, or a day relative to Easter —
// with the years it applies to and what happens when it falls on a weekend.
#ifndef COALITION_CALENDAR_HOLIDAY_RULE_H_
#define COALITION_CALENDAR_HOLIDAY_RULE_H_

#include <array>
#include <climits>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/result.h"

namespace coalition {

// What a holiday that falls on a weekend day gives instead.
enum class Observance {
  kNone,            // nothing: the weekend day was not a working day anyway
  kNearestWeekday,  // the nearest working day, the later one on a tie: Saturday -> Friday
                    // before, Sunday -> Monday after (the US federal rule, 5 U.S.C. 6103(b)
                    // and Executive Order 11582)
  kNextWeekday,     // the next working day that is not already a holiday (a substitute day:
                    // England and Wales, Australia, Canada; Christmas on Saturday gives Monday,
                    // and Boxing Day on Sunday then gives Tuesday)
};

struct HolidayRule {
  enum class Kind { kFixed, kNthWeekday, kWeekdayOnOrAfter, kEaster };

  std::string name;
  Kind kind = Kind::kFixed;
  unsigned month = 0;     // 1-12 (not used by kEaster)
  unsigned day = 0;       // kFixed and kWeekdayOnOrAfter
  int weekday = 0;        // 0 = Sunday; kNthWeekday and kWeekdayOnOrAfter
  int nth = 0;            // 1-4, or -1 for the last; kNthWeekday
  int easter_offset = 0;  // days after Easter Sunday (Good Friday is -2); kEaster
  Observance observed = Observance::kNone;
  int from_year = INT_MIN;  // inclusive
  int until_year = INT_MAX;

  // The day (days since 1970-01-01) the holiday falls on in `year`, before any observance;
  // nullopt in a year the rule does not apply to.
  std::optional<int64_t> date_in(int year) const;
};

// One member of a calendar's "rules" list; `pointer` (e.g. "/rules/3") prefixes every error,
// which says what was expected (kConfiguration).
Result<HolidayRule> parse_holiday_rule(const nlohmann::json& doc, const std::string& pointer);

// Easter Sunday of `year` in the Gregorian calendar, as days since 1970-01-01.
int64_t easter_sunday(int year);

// 0 = Sunday ... 6 = Saturday, for a day number.
int weekday_of(int64_t day);

// "sunday" ... "saturday" -> 0 ... 6.
std::optional<int> parse_weekday_name(const std::string& name);

}  // namespace coalition

#endif  // COALITION_CALENDAR_HOLIDAY_RULE_H_
