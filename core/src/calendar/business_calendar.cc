#include "calendar/business_calendar.h"

#include <algorithm>
#include <set>

#include "calendar/holiday_rule.h"
#include "common/json_text.h"

namespace coalition {

using nlohmann::json;

namespace {

constexpr int64_t kDay = 86400;
// A calendar is checked by a person year by year; four centuries is far past any real need and
// keeps the precomputed holiday table small.
constexpr int kMaxCoverageYears = 400;

int64_t floor_div(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

// "2026-12-25" -> days since 1970-01-01, using the civil calendar (proleptic Gregorian).
std::optional<int64_t> parse_date(const json& doc) {
  if (!doc.is_string()) return std::nullopt;
  return parse_rfc3339_date(doc.get<std::string>());
}

int calendar_year_of(int64_t day) {
  return int(std::chrono::year_month_day(std::chrono::sys_days(std::chrono::days(day))).year());
}

int64_t calendar_first_day_of(int year) {
  return std::chrono::sys_days(std::chrono::year_month_day{std::chrono::year{year},
                                                           std::chrono::January,
                                                           std::chrono::day{1}})
      .time_since_epoch()
      .count();
}

void add_holiday_name(std::map<int64_t, std::string>& holidays, int64_t day,
                      const std::string& name) {
  auto [it, added] = holidays.emplace(day, name);
  if (!added && it->second.find(name) == std::string::npos) it->second += " / " + name;
}

}  // namespace

std::string format_day(int64_t day) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days(std::chrono::days(day))};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", int(ymd.year()), unsigned(ymd.month()),
                unsigned(ymd.day()));
  return text;
}

Result<BusinessCalendar> BusinessCalendar::parse(const json& doc, const std::string& source,
                                                 const std::filesystem::path& zoneinfo) {
  auto fail = [&](const std::string& pointer, const std::string& what) {
    return Error::configuration("calendar " + source + ": " + pointer + ": " + what);
  };
  if (!doc.is_object()) return fail("", "expected an object");
  static const std::set<std::string> kMembers = {"id",      "title",     "time_zone",
                                                 "weekend", "source",    "coverage",
                                                 "rules",   "additions", "removals"};
  for (const auto& [key, value] : doc.items()) {
    if (key == "holidays") {
      return fail("/holidays",
                  "calendars list recurring holidays as \"rules\" and one-off dates "
                  "as \"additions\" (config/README.md, Business-day calendars)");
    }
    if (kMembers.count(key) == 0) {
      return fail("/" + key,
                  "not a member of a calendar (id, title, time_zone, weekend, source, "
                  "coverage, rules, additions, removals)");
    }
  }
  BusinessCalendar c;
  c.source_ = source;
  if (!doc.contains("id") || !doc["id"].is_string() || doc["id"].get<std::string>().empty()) {
    return fail("/id", "expected the calendar id, a non-empty string such as \"au-national\"");
  }
  c.id_ = doc["id"].get<std::string>();
  if (!doc.contains("time_zone") || !doc["time_zone"].is_string()) {
    return fail("/time_zone", "expected an IANA time zone name such as \"Australia/Sydney\"");
  }
  auto zone = TimeZone::load(doc["time_zone"].get<std::string>(), zoneinfo);
  if (!zone) return fail("/time_zone", zone.error().message());
  c.zone_ = std::move(*zone);
  const json weekend = doc.value("weekend", json::array({"saturday", "sunday"}));
  if (!weekend.is_array()) return fail("/weekend", "expected a list of day names");
  for (size_t i = 0; i < weekend.size(); ++i) {
    auto day =
        weekend[i].is_string() ? parse_weekday_name(weekend[i].get<std::string>()) : std::nullopt;
    if (!day)
      return fail("/weekend/" + std::to_string(i), "expected a day name such as \"sunday\"");
    c.weekend_[*day] = true;
  }
  if (std::all_of(c.weekend_.begin(), c.weekend_.end(), [](bool w) { return w; })) {
    return fail("/weekend", "a calendar needs at least one working day in the week");
  }

  // Coverage: the years a person has checked the calendar against the official lists.
  const json coverage = doc.value("coverage", json());
  const char* const coverage_expected =
      "expected the years the calendar is known to be right for, {\"from\": 2024, \"until\": "
      "2030}: a day outside them is refused rather than counted without its holidays";
  if (!coverage.is_object() || coverage.size() != 2 || !coverage.contains("from") ||
      !coverage.contains("until")) {
    return fail("/coverage", coverage_expected);
  }
  for (const char* bound : {"from", "until"}) {
    const json& year = coverage[bound];
    if (!year.is_number_integer() || year.get<int64_t>() < 1584 || year.get<int64_t>() > 9997) {
      return fail(std::string("/coverage/") + bound, "expected a year, 1584 to 9997");
    }
  }
  c.first_year_ = coverage["from"].get<int>();
  c.last_year_ = coverage["until"].get<int>();
  if (c.first_year_ > c.last_year_)
    return fail("/coverage/until", "coverage ends before it starts");
  if (c.last_year_ - c.first_year_ + 1 > kMaxCoverageYears) {
    return fail("/coverage", "at most " + std::to_string(kMaxCoverageYears) + " years");
  }

  // Rules, over one year either side of the coverage: a holiday observed across a year boundary
  // (New Year's Day on a Saturday observed on 31 December) belongs to the neighbouring year.
  const json rules = doc.value("rules", json::array());
  if (!rules.is_array()) return fail("/rules", "expected a list of holiday rules");
  std::vector<HolidayRule> parsed;
  for (size_t i = 0; i < rules.size(); ++i) {
    auto rule = parse_holiday_rule(rules[i], "/rules/" + std::to_string(i));
    if (!rule) return Error::configuration("calendar " + source + ": " + rule.error().message());
    parsed.push_back(std::move(*rule));
  }
  auto is_weekend = [&c](int64_t day) { return c.weekend_[size_t(weekday_of(day))]; };
  struct Substitute {
    int64_t actual;
    const HolidayRule* rule;
  };
  std::vector<Substitute> substitutes;
  for (int year = c.first_year_ - 1; year <= c.last_year_ + 1; ++year) {
    for (const HolidayRule& rule : parsed) {
      auto day = rule.date_in(year);
      if (!day) continue;
      add_holiday_name(c.holidays_, *day, rule.name);
      if (!is_weekend(*day)) continue;
      if (rule.observed == Observance::kNearestWeekday) {
        // The later day wins a tie: with a Sunday-only weekend, Sunday gives Monday.
        for (int64_t distance = 1; distance < 7; ++distance) {
          if (!is_weekend(*day + distance)) {
            add_holiday_name(c.holidays_, *day + distance, rule.name + " (observed)");
            break;
          }
          if (!is_weekend(*day - distance)) {
            add_holiday_name(c.holidays_, *day - distance, rule.name + " (observed)");
            break;
          }
        }
      } else if (rule.observed == Observance::kNextWeekday) {
        substitutes.push_back({*day, &rule});
      }
    }
  }
  // Substitutes in date order, each on the next working day no holiday has yet: Christmas on a
  // Saturday takes Monday, so Boxing Day on the Sunday takes Tuesday.
  std::sort(substitutes.begin(), substitutes.end(),
            [](const Substitute& a, const Substitute& b) { return a.actual < b.actual; });
  for (const Substitute& s : substitutes) {
    int64_t day = s.actual + 1;
    while (is_weekend(day) || c.holidays_.count(day) != 0) ++day;
    add_holiday_name(c.holidays_, day, s.rule->name + " (observed)");
  }

  auto covered = [&c](int64_t day) {
    const int year = calendar_year_of(day);
    return year >= c.first_year_ && year <= c.last_year_;
  };
  const json removals = doc.value("removals", json::array());
  if (!removals.is_array()) return fail("/removals", "expected a list");
  for (size_t i = 0; i < removals.size(); ++i) {
    const std::string at = "/removals/" + std::to_string(i);
    const json& r = removals[i];
    if (!r.is_object() || !r.contains("date") || !r.value("reason", json()).is_string() ||
        r.size() != 2) {
      return fail(at, "expected {\"date\": \"YYYY-MM-DD\", \"reason\": \"...\"}");
    }
    auto day = parse_date(r["date"]);
    if (!day) return fail(at + "/date", "expected a date \"YYYY-MM-DD\"");
    if (!covered(*day)) return fail(at + "/date", "outside the calendar's coverage");
    if (c.holidays_.erase(*day) == 0) {
      return fail(at + "/date", format_day(*day) + " is not a holiday under the rules");
    }
  }
  const json additions = doc.value("additions", json::array());
  if (!additions.is_array()) return fail("/additions", "expected a list");
  for (size_t i = 0; i < additions.size(); ++i) {
    const std::string at = "/additions/" + std::to_string(i);
    const json& h = additions[i];
    const bool shaped =
        h.is_object() && h.contains("date") && h.value("name", json()).is_string() &&
        h.size() == (h.contains("source") ? 3u : 2u) && h.value("source", json("")).is_string();
    if (!shaped) {
      return fail(at,
                  "expected {\"date\": \"YYYY-MM-DD\", \"name\": \"...\"} with an "
                  "optional \"source\"");
    }
    auto day = parse_date(h["date"]);
    if (!day) return fail(at + "/date", "expected a date \"YYYY-MM-DD\"");
    if (!covered(*day)) return fail(at + "/date", "outside the calendar's coverage");
    add_holiday_name(c.holidays_, *day, h["name"].get<std::string>());
  }
  return c;
}

Status BusinessCalendar::covers(int64_t day) const {
  const int year = calendar_year_of(day);
  if (year >= first_year_ && year <= last_year_) return ok_status();
  return Error::configuration("calendar '" + id_ + "' covers " + std::to_string(first_year_) +
                              " to " + std::to_string(last_year_) + " and " + format_day(day) +
                              " is outside it: check the holidays of " + std::to_string(year) +
                              " against the official list and extend the coverage in " + source_);
}

Result<bool> BusinessCalendar::is_business_day(int64_t day) const {
  if (auto s = covers(day); !s) return std::move(s).error();
  return !weekend_[size_t(weekday_of(day))] && holidays_.count(day) == 0;
}

Result<UtcMicros> BusinessCalendar::add_business_days(UtcMicros from, uint32_t n) const {
  const int64_t utc =
      std::chrono::duration_cast<std::chrono::seconds>(from.time_since_epoch()).count();
  int64_t day = floor_div(utc + zone_.offset_at(from), kDay);
  for (uint32_t counted = 0; counted < n;) {
    ++day;
    auto business = is_business_day(day);
    if (!business) return std::move(business).error();
    if (*business) ++counted;
  }
  // One second before the next day starts: where clocks go back at midnight, 23:59:59 happens
  // twice and the day ends at the later one.
  return zone_.from_local((day + 1) * kDay) - std::chrono::seconds(1);
}

Result<std::vector<Holiday>> BusinessCalendar::holidays_in(int year) const {
  if (year < first_year_ || year > last_year_) {
    return Error::configuration("calendar '" + id_ + "' covers " + std::to_string(first_year_) +
                                " to " + std::to_string(last_year_) + ", not " +
                                std::to_string(year));
  }
  const int64_t first = calendar_first_day_of(year);
  std::vector<Holiday> out;
  for (auto it = holidays_.lower_bound(first);
       it != holidays_.end() && calendar_year_of(it->first) == year; ++it) {
    out.push_back({it->first, it->second});
  }
  return out;
}

Result<CalendarSet> CalendarSet::load(const std::filesystem::path& directory) {
  CalendarSet set;
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory, ec)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  if (ec) {
    return Error::configuration("cannot read calendars from " + directory.string() + ": " +
                                ec.message());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    auto text = read_text_file(file.string());
    if (!text) return Error::configuration(text.error().message());
    auto doc = parse_json(*text);
    if (!doc)
      return Error::configuration("calendar " + file.string() + ": " + doc.error().message());
    auto calendar = BusinessCalendar::parse(*doc, file.string());
    if (!calendar) return std::move(calendar).error();
    if (auto s = set.add(std::move(*calendar)); !s) return std::move(s).error();
  }
  return set;
}

Status CalendarSet::add(BusinessCalendar calendar) {
  const std::string id = calendar.id();
  if (!calendars_.emplace(id, std::make_shared<const BusinessCalendar>(std::move(calendar))).second)
    return Error::configuration("two calendars have the id '" + id + "'");
  return ok_status();
}

std::vector<const BusinessCalendar*> CalendarSet::all() const {
  std::vector<const BusinessCalendar*> out;
  for (const auto& [id, calendar] : calendars_) out.push_back(calendar.get());
  return out;
}

Result<const BusinessCalendar*> CalendarSet::find(const std::string& id) const {
  auto it = calendars_.find(id);
  if (it != calendars_.end()) return it->second.get();
  std::string known;
  for (const auto& [k, v] : calendars_) known += (known.empty() ? "" : ", ") + k;
  return Error::configuration("unknown business calendar '" + id + "'" +
                              (known.empty() ? std::string("; no calendars are configured "
                                                           "(calendars.directory)")
                                             : "; known: " + known));
}

}  // namespace coalition
