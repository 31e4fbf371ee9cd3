// BusinessCalendar: which days are working days for a jurisdiction or a member — weekends and
// holiday dates in a time zone — and business-day arithmetic over them. Calendars are data
// (config/calendars/*.json, documented in config/README.md), never code.
#ifndef COALITION_CALENDAR_BUSINESS_CALENDAR_H_
#define COALITION_CALENDAR_BUSINESS_CALENDAR_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "common/rfc3339.h"

#include "common/result.h"
#include "common/time_zone.h"

namespace coalition {

class BusinessCalendar {
 public:
  // From a calendar document; `source` names it in errors (kConfiguration).
  static Result<BusinessCalendar> parse(
      const nlohmann::json& doc, const std::string& source,
      const std::filesystem::path& zoneinfo = "/usr/share/zoneinfo");

  const std::string& id() const { return id_; }
  const TimeZone& zone() const { return zone_; }
  // Day numbers count days since 1970-01-01 in the calendar's zone.
  bool is_business_day(int64_t day) const;
  // The end (23:59:59 local) of the `n`th business day after the local date of `from`.
  UtcMicros add_business_days(UtcMicros from, uint32_t n) const;

 private:
  std::string id_;
  TimeZone zone_ = TimeZone::utc();
  std::array<bool, 7> weekend_{};  // 0 = Sunday
  std::set<int64_t> holidays_;     // day numbers
};

// The calendars an engine knows, by id.
class CalendarSet {
 public:
  // Every *.json in `directory`; a damaged one or a duplicate id is an error.
  static Result<CalendarSet> load(const std::filesystem::path& directory);
  Status add(BusinessCalendar calendar);
  // kConfiguration naming the known ids when `id` is unknown.
  Result<const BusinessCalendar*> find(const std::string& id) const;

 private:
  std::map<std::string, std::shared_ptr<const BusinessCalendar>> calendars_;
};

}  // namespace coalition

#endif  // COALITION_CALENDAR_BUSINESS_CALENDAR_H_
