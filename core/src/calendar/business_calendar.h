// BusinessCalendar: which days are working days for a jurisdiction or a member — weekends and
// holidays in a time zone — and business-day arithmetic over them. Calendars are data
// (config/calendars/*.json, documented in config/README.md), never code: holiday rules (fixed
// dates, Nth or last weekdays, days relative to Easter, weekend observance), one-off additions
// and removals, and the years the calendar is known to be right for. A computation that needs a
// day outside those years is a configuration error naming the calendar and the date, never a
// count that silently ignores holidays nobody listed.
#ifndef COALITION_CALENDAR_BUSINESS_CALENDAR_H_
#define COALITION_CALENDAR_BUSINESS_CALENDAR_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/rfc3339.h"

#include "common/result.h"
#include "common/time_zone.h"

namespace coalition {

struct Holiday {
  int64_t day = 0;  // days since 1970-01-01
  std::string name;
};

class BusinessCalendar {
 public:
  // From a calendar document; `source` names it in errors (kConfiguration).
  static Result<BusinessCalendar> parse(
      const nlohmann::json& doc, const std::string& source,
      const std::filesystem::path& zoneinfo = "/usr/share/zoneinfo");

  const std::string& id() const { return id_; }
  const TimeZone& zone() const { return zone_; }
  // The years (inclusive) the calendar's holidays are declared right for.
  int first_year() const { return first_year_; }
  int last_year() const { return last_year_; }

  // Day numbers count days since 1970-01-01 in the calendar's zone. kConfiguration naming the
  // calendar and the date when the day is outside the calendar's coverage.
  Result<bool> is_business_day(int64_t day) const;
  // The end (23:59:59 local) of the `n`th business day after the local date of `from`;
  // kConfiguration when a day it has to judge is outside the coverage.
  Result<UtcMicros> add_business_days(UtcMicros from, uint32_t n) const;
  // The holidays of `year` in date order (observed days are named "... (observed)"); a year
  // outside the coverage is kConfiguration.
  Result<std::vector<Holiday>> holidays_in(int year) const;

 private:
  Status covers(int64_t day) const;

  std::string id_;
  std::string source_;
  TimeZone zone_ = TimeZone::utc();
  std::array<bool, 7> weekend_{};            // 0 = Sunday
  std::map<int64_t, std::string> holidays_;  // day number -> name(s)
  int first_year_ = 0;
  int last_year_ = 0;
};

// "2026-12-25" for a day number.
std::string format_day(int64_t day);

// The calendars an engine knows, by id.
class CalendarSet {
 public:
  // Every *.json in `directory`; a damaged one or a duplicate id is an error.
  static Result<CalendarSet> load(const std::filesystem::path& directory);
  Status add(BusinessCalendar calendar);
  // kConfiguration naming the known ids when `id` is unknown.
  Result<const BusinessCalendar*> find(const std::string& id) const;
  // Every calendar, by id.
  std::vector<const BusinessCalendar*> all() const;

 private:
  std::map<std::string, std::shared_ptr<const BusinessCalendar>> calendars_;
};

}  // namespace coalition

#endif  // COALITION_CALENDAR_BUSINESS_CALENDAR_H_
