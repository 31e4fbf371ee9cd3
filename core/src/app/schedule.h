// Schedule: a recurring start declared as data — which workflow, when (a cron line in a time
// zone, or the Nth business day of each month or quarter under a business-day calendar at a
// local time), the input (a data template that may name the period), and what to do with runs
// missed while no engine was running. Occurrences come from the rule alone, never from when the
// last run happened, so a schedule never drifts.
//
//   {"id": "quarterly_contact_verification",
//    "workflow": "contact_verification", "version": 1,
//    "when": {"business_day": 1, "of": "quarter", "calendar": "us-federal", "at": "09:00"},
//    "input": {"cycle": {"$path": "/period"}, "entry": "ex-police-us.le_liaison"},
//    "missed": "latest"}
//
// "when" may instead be {"cron": "0 9 * * 1", "time_zone": "America/New_York"} (minute, hour,
// day of month, month, day of week 0-7 with 0 and 7 Sunday; `*`, lists, ranges, `/` steps;
// when both days are restricted either matches, as in cron). The input template sees
// {"period": label, "at": the occurrence (RFC 3339), "schedule": id}; the label is "2027-Q1"
// or "2027-01" for a business-day rule, the local "2027-01-04T09:00" for a cron line.
#ifndef COALITION_APP_SCHEDULE_H_
#define COALITION_APP_SCHEDULE_H_

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "calendar/business_calendar.h"
#include "common/clock.h"
#include "common/result.h"

namespace coalition::app {

// What to do, when an engine starts again, with occurrences that passed while none ran (more
// than a grace of five minutes late): start none of them, only the latest, or every one in turn.
enum class MissedRuns { kSkip, kLatest, kAll };

struct CronRule {
  std::set<int> minutes, hours, days, months, weekdays;  // weekdays 0-6, Sunday 0
  bool any_day = true, any_weekday = true;               // `*` in those fields
  std::string time_zone = "UTC";
  std::string text;  // as written
};

struct BusinessDayRule {
  int nth = 1;           // 1: the first business day; -1: the last
  bool quarter = false;  // else month
  std::string calendar;
  int at_minutes = 9 * 60;  // local time of day
};

struct Occurrence {
  TimePoint at;
  std::string period;  // the label the input may name
};

struct Schedule {
  std::string id;
  std::string workflow;
  int64_t version = 0;  // 0: the highest the store holds when it fires
  std::optional<CronRule> cron;
  std::optional<BusinessDayRule> business_day;
  nlohmann::json input = nlohmann::json::object();  // a data template
  MissedRuns missed = MissedRuns::kLatest;
  nlohmann::json document;  // as written

  // The first occurrence strictly after `after`; kConfiguration for an unknown calendar or
  // time zone, kInvalidData for a rule that never fires in the next ten years.
  Result<Occurrence> next_after(TimePoint after, const CalendarSet& calendars) const;
  // The input of the run for `occurrence`: the template resolved against its period.
  Result<nlohmann::json> input_for(const Occurrence& occurrence) const;
};

// Reads a schedule document; kInvalidData with the JSON Pointer of the first problem and what
// was expected there.
Result<Schedule> parse_schedule(const nlohmann::json& doc);

std::string_view to_string(MissedRuns missed);

// Of the occurrences from `first` (the schedule's next, not yet run) up to `now`, which to run
// under the schedule's policy; `skipped` counts the others. More than `grace` late is missed.
struct Firing {
  std::vector<Occurrence> run;
  size_t skipped = 0;
  Occurrence next;  // the first occurrence after `now`
  // Set when no occurrence after the due ones could be found (a calendar's coverage ends): the
  // due runs still start, and the schedule then pauses with this reason. `next` is then the
  // last due occurrence.
  std::optional<Error> next_error;
};
Result<Firing> plan_firing(const Schedule& schedule, const Occurrence& first, TimePoint now,
                           const CalendarSet& calendars,
                           std::chrono::milliseconds grace = std::chrono::minutes(5));

}  // namespace coalition::app

#endif  // COALITION_APP_SCHEDULE_H_
