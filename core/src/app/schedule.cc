#include "app/schedule.h"

#include <fmt/format.h>

#include <regex>
#include <sstream>

#include "common/utc_time.h"
#include "workflow/data_template.h"

namespace coalition::app {
namespace {

using nlohmann::json;
using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

constexpr int64_t kScheduleDaySeconds = 86400;
constexpr int64_t kScheduleHorizonDays =
    3660;  // ten years: a rule that never fires in them is a mistake

int64_t whole_seconds_of(TimePoint t) {
  return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
}

int64_t schedule_floor_div(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

year_month_day civil_date(int64_t day) {
  return year_month_day(sys_days(days(day)));
}

int64_t civil_day_number(int y, unsigned m, unsigned d) {
  return sys_days(std::chrono::year(y) / std::chrono::month(m) / std::chrono::day(d))
      .time_since_epoch()
      .count();
}

int64_t last_day_of_month(int y, unsigned m) {
  return sys_days(std::chrono::year(y) / std::chrono::month(m) / std::chrono::last)
      .time_since_epoch()
      .count();
}

// One cron field: `*`, `*/n`, `a`, `a-b`, `a-b/n`, and lists of them.
Result<std::set<int>> cron_field(const std::string& text, int lo, int hi, const std::string& what,
                                 bool* any) {
  std::set<int> values;
  *any = text == "*";
  std::stringstream parts(text);
  std::string part;
  const auto bad = [&](const std::string& why) {
    return Error::invalid_data(fmt::format("cron {} '{}': {} (expected {}-{}, '*', ranges a-b, "
                                           "lists a,b and steps /n)",
                                           what, text, why, lo, hi),
                               "/when/cron");
  };
  while (std::getline(parts, part, ',')) {
    // At most two digits: every field's values are below 100, and std::stoi cannot overflow.
    static const std::regex kPart(R"(^(\*|(\d{1,2})(-(\d{1,2}))?)(/(\d{1,2}))?$)");
    std::smatch m;
    if (!std::regex_match(part, m, kPart)) return bad("'" + part + "' is not a value or range");
    int from = lo;
    int to = hi;
    if (m[1] != "*") {
      from = std::stoi(m[2]);
      to = m[4].matched ? std::stoi(m[4]) : from;
    }
    const int step = m[6].matched ? std::stoi(m[6]) : 1;
    if (from < lo || to > hi || from > to) return bad("'" + part + "' is out of range");
    if (step < 1 || step > hi) return bad("a step must be from 1 to " + std::to_string(hi));
    if (m[6].matched && !m[4].matched && m[1] != "*") to = hi;  // "5/15": from 5 on
    for (int v = from; v <= to; v += step) values.insert(v);
  }
  if (values.empty()) return bad("no value");
  return values;
}

Result<CronRule> parse_cron(const std::string& text, const std::string& zone) {
  std::stringstream in(text);
  std::vector<std::string> fields;
  for (std::string f; in >> f;) fields.push_back(f);
  if (fields.size() != 5) {
    return Error::invalid_data(
        "a cron line has five fields (minute hour day-of-month month "
        "day-of-week); '" +
            text + "' has " + std::to_string(fields.size()),
        "/when/cron");
  }
  CronRule rule;
  rule.text = text;
  rule.time_zone = zone;
  bool any = false;
  auto minutes = cron_field(fields[0], 0, 59, "minute", &any);
  if (!minutes) return std::move(minutes).error();
  auto hours = cron_field(fields[1], 0, 23, "hour", &any);
  if (!hours) return std::move(hours).error();
  auto dom = cron_field(fields[2], 1, 31, "day of month", &rule.any_day);
  if (!dom) return std::move(dom).error();
  auto months = cron_field(fields[3], 1, 12, "month", &any);
  if (!months) return std::move(months).error();
  auto dow = cron_field(fields[4], 0, 7, "day of week", &rule.any_weekday);
  if (!dow) return std::move(dow).error();
  rule.minutes = std::move(*minutes);
  rule.hours = std::move(*hours);
  rule.days = std::move(*dom);
  rule.months = std::move(*months);
  for (int d : *dow) rule.weekdays.insert(d % 7);  // 7 is Sunday too
  return rule;
}

bool day_matches(const CronRule& rule, int64_t day) {
  const year_month_day ymd = civil_date(day);
  if (rule.months.count(static_cast<int>(static_cast<unsigned>(ymd.month()))) == 0) return false;
  const bool dom = rule.days.count(static_cast<int>(static_cast<unsigned>(ymd.day()))) != 0;
  const bool dow = rule.weekdays.count(static_cast<int>(
                       std::chrono::weekday(sys_days(days(day))).c_encoding())) != 0;
  if (rule.any_day && rule.any_weekday) return true;
  if (rule.any_day) return dow;
  if (rule.any_weekday) return dom;
  return dom || dow;  // both restricted: either, as cron has it
}

Result<Occurrence> next_cron(const CronRule& rule, TimePoint after) {
  auto zone = TimeZone::load(rule.time_zone);
  if (!zone) return std::move(zone).error();
  const int64_t local_now = whole_seconds_of(after) + zone->offset_at(after);
  const int64_t first_day = schedule_floor_div(local_now, kScheduleDaySeconds);
  for (int64_t day = first_day; day < first_day + kScheduleHorizonDays; ++day) {
    if (!day_matches(rule, day)) continue;
    for (int h : rule.hours) {
      for (int m : rule.minutes) {
        const int64_t local = day * kScheduleDaySeconds + h * 3600 + m * 60;
        const TimePoint at = zone->from_local(local);
        if (at <= after) continue;
        const year_month_day ymd = civil_date(day);
        return Occurrence{at, fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}", int(ymd.year()),
                                          unsigned(ymd.month()), unsigned(ymd.day()), h, m)};
      }
    }
  }
  return Error::invalid_data("cron '" + rule.text + "' never fires in the next ten years",
                             "/when/cron");
}

// The day number of the `nth` business day in [first, last], counted from the first day (nth >
// 0) or back from the last (nth < 0); nothing when the span has fewer.
Result<std::optional<int64_t>> nth_business_day(const BusinessCalendar& cal, int64_t first,
                                                int64_t last, int nth) {
  const int64_t step = nth > 0 ? 1 : -1;
  const int wanted = nth > 0 ? nth : -nth;
  int count = 0;
  for (int64_t d = nth > 0 ? first : last; d >= first && d <= last; d += step) {
    auto business = cal.is_business_day(d);
    if (!business) return std::move(business).error();
    if (*business && ++count == wanted) return std::optional<int64_t>(d);
  }
  return std::optional<int64_t>();
}

Result<Occurrence> next_business_day(const BusinessDayRule& rule, TimePoint after,
                                     const CalendarSet& calendars) {
  auto calendar = calendars.find(rule.calendar);
  if (!calendar) return std::move(calendar).error();
  const BusinessCalendar& cal = **calendar;
  const int64_t local_now = whole_seconds_of(after) + cal.zone().offset_at(after);
  const year_month_day today = civil_date(schedule_floor_div(local_now, kScheduleDaySeconds));
  int year = int(today.year());
  unsigned month = unsigned(today.month());
  if (rule.quarter) month = (month - 1) / 3 * 3 + 1;
  const unsigned span = rule.quarter ? 3 : 1;
  for (int periods = 0; periods < 12 * 10 + 1; ++periods) {
    const int64_t first = civil_day_number(year, month, 1);
    const unsigned last_month = month + span - 1;
    const int64_t last = last_day_of_month(year, last_month);
    auto found = nth_business_day(cal, first, last, rule.nth);
    if (!found) return std::move(found).error();
    if (*found) {
      const TimePoint at =
          cal.zone().from_local(**found * kScheduleDaySeconds + int64_t{rule.at_minutes} * 60);
      if (at > after) {
        return Occurrence{at, rule.quarter ? fmt::format("{:04}-Q{}", year, (month - 1) / 3 + 1)
                                           : fmt::format("{:04}-{:02}", year, month)};
      }
    }
    month += span;
    if (month > 12) {
      month -= 12;
      ++year;
    }
  }
  return Error::invalid_data("no period of the next ten years has a business day number " +
                                 std::to_string(rule.nth) + " under calendar " + rule.calendar,
                             "/when/business_day");
}

// Error::to_string puts the pointer before the message.
Error schedule_problem(const std::string& pointer, const std::string& what) {
  return Error::invalid_data(what, pointer);
}

}  // namespace

std::string_view to_string(MissedRuns missed) {
  switch (missed) {
    case MissedRuns::kSkip: return "skip";
    case MissedRuns::kLatest: return "latest";
    case MissedRuns::kAll: return "all";
  }
  return "latest";
}

Result<Schedule> parse_schedule(const json& doc) {
  if (!doc.is_object()) return schedule_problem("", "expected an object (a schedule)");
  Schedule s;
  s.document = doc;
  for (const auto& [key, value] : doc.items()) {
    static const std::set<std::string> kKeys = {"$schema", "id",    "workflow", "version",
                                                "when",    "input", "missed",   "title"};
    if (kKeys.count(key) == 0) {
      return schedule_problem(
          "/" + key,
          "not a schedule field (expected id, workflow, version, when, input, missed, "
          "title)");
    }
  }
  static const std::regex kId("^[a-z][a-z0-9_.-]{0,63}$");
  const auto id = doc.find("id");
  if (id == doc.end() || !id->is_string() || !std::regex_match(id->get<std::string>(), kId)) {
    return schedule_problem(
        "/id", "expected a name of lower-case letters, digits, '_', '.', '-' (up to 64)");
  }
  s.id = id->get<std::string>();
  const auto workflow = doc.find("workflow");
  if (workflow == doc.end() || !workflow->is_string() || workflow->get<std::string>().empty()) {
    return schedule_problem("/workflow", "expected the id of a registered workflow");
  }
  s.workflow = workflow->get<std::string>();
  if (doc.contains("version")) {
    if (!doc["version"].is_number_integer() || doc["version"].get<int64_t>() < 1) {
      return schedule_problem("/version", "expected a version number (1 or more)");
    }
    s.version = doc["version"].get<int64_t>();
  }
  const auto when = doc.find("when");
  if (when == doc.end() || !when->is_object()) {
    return schedule_problem("/when",
                            "expected {\"cron\": ..., \"time_zone\"?} or {\"business_day\": N, "
                            "\"of\"?, \"calendar\", \"at\"?}");
  }
  if (when->contains("cron") == when->contains("business_day")) {
    return schedule_problem("/when", "expected exactly one of \"cron\" and \"business_day\"");
  }
  for (const auto& [key, value] : when->items()) {
    static const std::set<std::string> kCron = {"cron", "time_zone"};
    static const std::set<std::string> kBusiness = {"business_day", "of", "calendar", "at"};
    if ((when->contains("cron") ? kCron : kBusiness).count(key) == 0) {
      return schedule_problem("/when/" + key,
                              when->contains("cron")
                                  ? "a cron rule has only cron and time_zone"
                                  : "a business-day rule has business_day, of, calendar "
                                    "and at");
    }
  }
  if (when->contains("cron")) {
    if (!(*when)["cron"].is_string()) return schedule_problem("/when/cron", "expected a cron line");
    std::string zone = "UTC";
    if (when->contains("time_zone")) {
      if (!(*when)["time_zone"].is_string()) {
        return schedule_problem("/when/time_zone",
                                "expected an IANA time zone such as America/New_York");
      }
      zone = (*when)["time_zone"].get<std::string>();
      if (auto loaded = TimeZone::load(zone); !loaded) {
        return schedule_problem("/when/time_zone", loaded.error().message());
      }
    }
    auto cron = parse_cron((*when)["cron"].get<std::string>(), zone);
    if (!cron) return std::move(cron).error();
    s.cron = std::move(*cron);
  } else {
    BusinessDayRule rule;
    const json& nth = (*when)["business_day"];
    if (!nth.is_number_integer() || nth.get<int64_t>() == 0 || nth.get<int64_t>() > 23 ||
        nth.get<int64_t>() < -23) {
      return schedule_problem(
          "/when/business_day",
          "expected which business day: 1 for the first, -1 for the last (up to 23)");
    }
    rule.nth = nth.get<int>();
    const std::string of = when->value("of", std::string("month"));
    if (of != "month" && of != "quarter") {
      return schedule_problem("/when/of", "expected \"month\" or \"quarter\"");
    }
    rule.quarter = of == "quarter";
    if (!when->contains("calendar") || !(*when)["calendar"].is_string()) {
      return schedule_problem("/when/calendar", "expected the id of a business-day calendar");
    }
    rule.calendar = (*when)["calendar"].get<std::string>();
    if (when->contains("at")) {
      static const std::regex kAt("^([01][0-9]|2[0-3]):([0-5][0-9])$");
      std::smatch m;
      const std::string at = (*when)["at"].is_string() ? (*when)["at"].get<std::string>() : "";
      if (!std::regex_match(at, m, kAt)) {
        return schedule_problem("/when/at",
                                "expected a local time of day HH:MM, such as \"09:00\"");
      }
      rule.at_minutes = std::stoi(m[1]) * 60 + std::stoi(m[2]);
    }
    s.business_day = rule;
  }
  if (doc.contains("input")) {
    s.input = doc["input"];
    if (auto problems = template_problems(s.input, "/input"); !problems.empty()) {
      return std::move(problems.front());
    }
  }
  if (doc.contains("missed")) {
    const std::string missed = doc["missed"].is_string() ? doc["missed"].get<std::string>() : "";
    if (missed == "skip") {
      s.missed = MissedRuns::kSkip;
    } else if (missed == "latest") {
      s.missed = MissedRuns::kLatest;
    } else if (missed == "all") {
      s.missed = MissedRuns::kAll;
    } else {
      return schedule_problem("/missed", "expected \"skip\", \"latest\" or \"all\"");
    }
  }
  return s;
}

Result<Occurrence> Schedule::next_after(TimePoint after, const CalendarSet& calendars) const {
  if (cron) return next_cron(*cron, after);
  return next_business_day(*business_day, after, calendars);
}

Result<json> Schedule::input_for(const Occurrence& occurrence) const {
  const json context{
      {"period", occurrence.period}, {"at", format_utc(occurrence.at)}, {"schedule", id}};
  return resolve_template(input, context);
}

Result<Firing> plan_firing(const Schedule& schedule, const Occurrence& first, TimePoint now,
                           const CalendarSet& calendars, std::chrono::milliseconds grace) {
  Firing firing;
  std::vector<Occurrence> due;
  Occurrence next = first;
  while (next.at <= now) {
    due.push_back(next);
    if (due.size() > 100000)
      return Error::invalid_data("schedule " + schedule.id + " has more than 100000 runs due");
    auto after = schedule.next_after(next.at, calendars);
    if (!after) {
      // The runs already due are owed whatever comes after them.
      firing.next_error = std::move(after).error();
      break;
    }
    next = std::move(*after);
  }
  firing.next = std::move(next);
  for (size_t i = 0; i < due.size(); ++i) {
    const bool last = i + 1 == due.size();
    const bool on_time = now - due[i].at <= grace;
    // On time, every policy runs it; the policy says what becomes of the missed ones.
    const bool run = on_time || schedule.missed == MissedRuns::kAll ||
                     (schedule.missed == MissedRuns::kLatest && last);
    if (run) {
      firing.run.push_back(due[i]);
    } else {
      ++firing.skipped;
    }
  }
  return firing;
}

}  // namespace coalition::app
