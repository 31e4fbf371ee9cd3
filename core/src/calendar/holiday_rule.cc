#include "calendar/holiday_rule.h"

#include <chrono>
#include <cstdio>
#include <set>

namespace coalition {

using nlohmann::json;

namespace {

// "MM-DD", a month and day that occur every year (29 February does not: a rule for it would
// silently skip three years in four).
std::optional<std::pair<unsigned, unsigned>> parse_rule_month_day(const json& doc) {
  if (!doc.is_string()) return std::nullopt;
  const std::string text = doc.get<std::string>();
  unsigned m = 0;
  unsigned d = 0;
  char extra = 0;
  if (text.size() != 5 || std::sscanf(text.c_str(), "%2u-%2u%c", &m, &d, &extra) != 2) {
    return std::nullopt;
  }
  // 2001 is not a leap year: what is valid in it is valid in every year.
  const std::chrono::year_month_day ymd{std::chrono::year{2001}, std::chrono::month{m},
                                        std::chrono::day{d}};
  if (!ymd.ok()) return std::nullopt;
  return std::make_pair(m, d);
}

int64_t rule_day_number(int year, unsigned month, unsigned day) {
  return std::chrono::sys_days(std::chrono::year_month_day{std::chrono::year{year},
                                                           std::chrono::month{month},
                                                           std::chrono::day{day}})
      .time_since_epoch()
      .count();
}

int64_t rule_last_day_of(int year, unsigned month) {
  return std::chrono::sys_days(
             std::chrono::year_month_day_last{
                 std::chrono::year{year}, std::chrono::month_day_last{std::chrono::month{month}}})
      .time_since_epoch()
      .count();
}

// The first day on or after `day` that is weekday `weekday`.
int64_t rule_weekday_on_or_after(int64_t day, int weekday) {
  return day + (weekday - weekday_of(day) + 7) % 7;
}

}  // namespace

int weekday_of(int64_t day) {
  return int(((day % 7) + 7 + 4) % 7);  // 1970-01-01 was a Thursday
}

std::optional<int> parse_weekday_name(const std::string& name) {
  static const char* const kNames[] = {"sunday",   "monday", "tuesday", "wednesday",
                                       "thursday", "friday", "saturday"};
  for (int i = 0; i < 7; ++i) {
    if (name == kNames[i]) return i;
  }
  return std::nullopt;
}

// The anonymous Gregorian computus (Meeus, "Astronomical Algorithms", ch. 8): integer
// arithmetic only, valid for every Gregorian year.
int64_t easter_sunday(int year) {
  const int a = year % 19;
  const int b = year / 100;
  const int c = year % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = ((h + l - 7 * m + 114) % 31) + 1;
  return rule_day_number(year, unsigned(month), unsigned(day));
}

std::optional<int64_t> HolidayRule::date_in(int year) const {
  if (year < from_year || year > until_year) return std::nullopt;
  switch (kind) {
    case Kind::kFixed: return rule_day_number(year, month, day);
    case Kind::kNthWeekday: {
      if (nth < 0) {
        const int64_t last = rule_last_day_of(year, month);
        return last - (weekday_of(last) - weekday + 7) % 7;
      }
      return rule_weekday_on_or_after(rule_day_number(year, month, 1), weekday) + 7 * (nth - 1);
    }
    case Kind::kWeekdayOnOrAfter:
      return rule_weekday_on_or_after(rule_day_number(year, month, day), weekday);
    case Kind::kEaster: return easter_sunday(year) + easter_offset;
  }
  return std::nullopt;
}

Result<HolidayRule> parse_holiday_rule(const json& doc, const std::string& pointer) {
  auto fail = [&](const std::string& member, const std::string& what) {
    return Error::configuration(pointer + member + ": " + what);
  };
  if (!doc.is_object()) {
    return fail("",
                "expected a rule object such as {\"name\": \"Christmas Day\", \"date\": "
                "\"12-25\", \"observed\": \"next_weekday\"}");
  }
  static const std::set<std::string> kMembers = {"name", "date",        "month",  "weekday",
                                                 "nth",  "on_or_after", "easter", "observed",
                                                 "from", "until",       "note"};
  for (const auto& [key, value] : doc.items()) {
    if (kMembers.count(key) == 0) {
      return fail("/" + key,
                  "not a member of a holiday rule (name, date, month, weekday, nth, on_or_after, "
                  "easter, observed, from, until, note)");
    }
  }
  HolidayRule rule;
  if (!doc.contains("name") || !doc["name"].is_string() || doc["name"].get<std::string>().empty()) {
    return fail("/name", "expected the holiday's name, a non-empty string");
  }
  rule.name = doc["name"].get<std::string>();

  const bool has_date = doc.contains("date");
  const bool has_weekday = doc.contains("weekday");
  const bool has_easter = doc.contains("easter");
  if (int(has_date) + int(has_weekday) + int(has_easter) != 1) {
    return fail("",
                "expected exactly one of \"date\" (\"MM-DD\"), \"weekday\" (with \"month\" and "
                "\"nth\", or with \"on_or_after\") or \"easter\" (days after Easter Sunday)");
  }
  if (has_date) {
    if (doc.contains("month") || doc.contains("nth") || doc.contains("on_or_after")) {
      return fail("", "a fixed \"date\" takes no \"month\", \"nth\" or \"on_or_after\"");
    }
    auto md = parse_rule_month_day(doc["date"]);
    if (!md) {
      return fail("/date",
                  "expected a month and day \"MM-DD\" that occurs every year, such as \"12-25\"");
    }
    rule.kind = HolidayRule::Kind::kFixed;
    rule.month = md->first;
    rule.day = md->second;
  } else if (has_weekday) {
    auto wd = doc["weekday"].is_string() ? parse_weekday_name(doc["weekday"].get<std::string>())
                                         : std::nullopt;
    if (!wd) return fail("/weekday", "expected a day name such as \"monday\"");
    rule.weekday = *wd;
    if (doc.contains("on_or_after")) {
      if (doc.contains("month") || doc.contains("nth")) {
        return fail("", "\"on_or_after\" names the month itself: drop \"month\" and \"nth\"");
      }
      auto md = parse_rule_month_day(doc["on_or_after"]);
      if (!md) {
        return fail("/on_or_after",
                    "expected a month and day \"MM-DD\", such as \"05-18\" for "
                    "the Monday on or after 18 May");
      }
      rule.kind = HolidayRule::Kind::kWeekdayOnOrAfter;
      rule.month = md->first;
      rule.day = md->second;
    } else {
      const json month = doc.value("month", json());
      if (!month.is_number_integer() || month.get<int64_t>() < 1 || month.get<int64_t>() > 12) {
        return fail("/month", "expected the month, 1 to 12");
      }
      rule.month = month.get<unsigned>();
      const json nth = doc.value("nth", json());
      if (nth == "last") {
        rule.nth = -1;
      } else if (nth.is_number_integer() && nth.get<int64_t>() >= 1 && nth.get<int64_t>() <= 4) {
        rule.nth = nth.get<int>();
      } else {
        return fail("/nth", "expected 1 to 4 or \"last\" (a fifth weekday is not in every month)");
      }
      rule.kind = HolidayRule::Kind::kNthWeekday;
    }
  } else {
    if (!doc["easter"].is_number_integer() || doc["easter"].get<int64_t>() < -100 ||
        doc["easter"].get<int64_t>() > 100) {
      return fail("/easter",
                  "expected days after Easter Sunday, -100 to 100 (Good Friday is -2, Easter "
                  "Monday 1)");
    }
    if (doc.contains("month") || doc.contains("nth") || doc.contains("on_or_after")) {
      return fail("", "an \"easter\" rule takes no \"month\", \"nth\" or \"on_or_after\"");
    }
    rule.kind = HolidayRule::Kind::kEaster;
    rule.easter_offset = doc["easter"].get<int>();
  }

  const json observed = doc.value("observed", json("none"));
  if (observed == "none") {
    rule.observed = Observance::kNone;
  } else if (observed == "nearest_weekday") {
    rule.observed = Observance::kNearestWeekday;
  } else if (observed == "next_weekday") {
    rule.observed = Observance::kNextWeekday;
  } else {
    return fail("/observed",
                "expected \"none\", \"nearest_weekday\" (Saturday to Friday, Sunday "
                "to Monday) or \"next_weekday\" (a substitute on the next working "
                "day that is not a holiday)");
  }
  for (const char* bound : {"from", "until"}) {
    if (!doc.contains(bound)) continue;
    const json& year = doc[bound];
    if (!year.is_number_integer() || year.get<int64_t>() < 1583 || year.get<int64_t>() > 9998) {
      return fail(std::string("/") + bound, "expected a year (a whole number, 1583 to 9998)");
    }
    (std::string(bound) == "from" ? rule.from_year : rule.until_year) = year.get<int>();
  }
  if (rule.from_year > rule.until_year) {
    return fail("/until", "the rule ends before it starts");
  }
  if (doc.contains("note") && !doc["note"].is_string()) {
    return fail("/note", "expected text");
  }
  return rule;
}

}  // namespace coalition
