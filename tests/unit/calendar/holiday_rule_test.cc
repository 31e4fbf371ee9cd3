// Holiday rules as data: each form of rule, weekend observance (nearest weekday, substitutes that
// chain over Christmas), one-off additions and removals, coverage, and the errors that name the
// pointer of a calendar a person wrote wrong.
#include "calendar/holiday_rule.h"

#include <gtest/gtest.h>

#include "calendar/business_calendar.h"
#include "common/utc_time.h"

namespace coalition::holiday_rule_test {
namespace {

using nlohmann::json;

int64_t day(const char* text) {
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  std::sscanf(text, "%d-%u-%u", &y, &m, &d);
  return std::chrono::sys_days(std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d})
      .time_since_epoch()
      .count();
}

json base(json rules) {
  return {{"id", "test"},
          {"time_zone", "UTC"},
          {"coverage", {{"from", 2024}, {"until", 2030}}},
          {"rules", std::move(rules)}};
}

BusinessCalendar calendar(const json& doc) {
  auto c = BusinessCalendar::parse(doc, "test.json");
  EXPECT_TRUE(c.ok()) << c.error().message();
  if (c.ok()) return std::move(*c);
  return *BusinessCalendar::parse(base(json::array()), "empty");
}

std::string problem(const json& doc) {
  auto c = BusinessCalendar::parse(doc, "test.json");
  return c.ok() ? "accepted" : c.error().message();
}

bool business(const BusinessCalendar& c, const char* date) {
  auto b = c.is_business_day(day(date));
  EXPECT_TRUE(b.ok()) << b.error().message();
  return b.ok() && *b;
}

TEST(HolidayRule, EasterSundayFollowsTheGregorianComputus) {
  // Published Easter dates, including the earliest (22 March) and latest (25 April) possible.
  EXPECT_EQ(format_day(easter_sunday(2024)), "2024-03-31");
  EXPECT_EQ(format_day(easter_sunday(2025)), "2025-04-20");
  EXPECT_EQ(format_day(easter_sunday(2026)), "2026-04-05");
  EXPECT_EQ(format_day(easter_sunday(2027)), "2027-03-28");
  EXPECT_EQ(format_day(easter_sunday(2030)), "2030-04-21");
  EXPECT_EQ(format_day(easter_sunday(2000)), "2000-04-23");
  EXPECT_EQ(format_day(easter_sunday(2038)), "2038-04-25");
  EXPECT_EQ(format_day(easter_sunday(2285)), "2285-03-22");
  for (int year = 1900; year < 2200; ++year) EXPECT_EQ(weekday_of(easter_sunday(year)), 0) << year;
}

TEST(HolidayRule, EachFormOfRuleFindsItsDay) {
  auto rule = [](const json& doc) {
    auto r = parse_holiday_rule(doc, "/rules/0");
    EXPECT_TRUE(r.ok()) << r.error().message();
    return *r;
  };
  EXPECT_EQ(format_day(*rule({{"name", "x"}, {"date", "12-25"}}).date_in(2027)), "2027-12-25");
  // Thanksgiving: the fourth Thursday of November.
  const auto thanksgiving =
      rule({{"name", "x"}, {"weekday", "thursday"}, {"month", 11}, {"nth", 4}});
  EXPECT_EQ(format_day(*thanksgiving.date_in(2026)), "2026-11-26");
  EXPECT_EQ(format_day(*thanksgiving.date_in(2028)), "2028-11-23");
  // Memorial Day: the last Monday of May, also when May has five Mondays (2027).
  const auto memorial = rule({{"name", "x"}, {"weekday", "monday"}, {"month", 5}, {"nth", "last"}});
  EXPECT_EQ(format_day(*memorial.date_in(2027)), "2027-05-31");
  EXPECT_EQ(format_day(*memorial.date_in(2026)), "2026-05-25");
  // Victoria Day: the Monday on or after 18 May, 18 itself when it is a Monday (2026).
  const auto victoria = rule({{"name", "x"}, {"weekday", "monday"}, {"on_or_after", "05-18"}});
  EXPECT_EQ(format_day(*victoria.date_in(2026)), "2026-05-18");
  EXPECT_EQ(format_day(*victoria.date_in(2027)), "2027-05-24");
  EXPECT_EQ(format_day(*rule({{"name", "x"}, {"easter", -2}}).date_in(2026)), "2026-04-03");
  // Years a rule applies to.
  const auto juneteenth = rule({{"name", "x"}, {"date", "06-19"}, {"from", 2021}});
  EXPECT_FALSE(juneteenth.date_in(2020).has_value());
  EXPECT_TRUE(juneteenth.date_in(2021).has_value());
}

TEST(HolidayRule, NearestWeekdayMovesSaturdayBackAndSundayForward) {
  const auto c = calendar(
      base({{{"name", "Independence Day"}, {"date", "07-04"}, {"observed", "nearest_weekday"}},
            {{"name", "New Year's Day"}, {"date", "01-01"}, {"observed", "nearest_weekday"}}}));
  EXPECT_FALSE(business(c, "2026-07-03"));  // 4 July 2026 is a Saturday
  EXPECT_TRUE(business(c, "2026-07-06"));
  EXPECT_FALSE(business(c, "2027-07-05"));  // a Sunday
  EXPECT_TRUE(business(c, "2027-07-02"));
  // Across the year boundary: 1 January 2028 (Saturday) is observed on 31 December 2027.
  EXPECT_FALSE(business(c, "2027-12-31"));
  auto year = c.holidays_in(2027);
  ASSERT_TRUE(year.ok());
  ASSERT_FALSE(year->empty());
  EXPECT_EQ(format_day(year->back().day), "2027-12-31");
  EXPECT_EQ(year->back().name, "New Year's Day (observed)");
}

TEST(HolidayRule, NearestWeekdayTakesTheLaterDayOnATie) {
  json doc =
      base({{{"name", "Independence Day"}, {"date", "07-04"}, {"observed", "nearest_weekday"}}});
  doc["weekend"] = {"sunday"};
  const auto c = calendar(doc);
  EXPECT_FALSE(business(c, "2027-07-05"));  // Sunday the 4th: Monday, not Saturday
  EXPECT_TRUE(business(c, "2027-07-03"));
}

TEST(HolidayRule, SubstitutesChainOverChristmas) {
  const auto c =
      calendar(base({{{"name", "Christmas Day"}, {"date", "12-25"}, {"observed", "next_weekday"}},
                     {{"name", "Boxing Day"}, {"date", "12-26"}, {"observed", "next_weekday"}}}));
  // 2027: Christmas on Saturday, Boxing Day on Sunday -> Monday 27 and Tuesday 28.
  EXPECT_FALSE(business(c, "2027-12-27"));
  EXPECT_FALSE(business(c, "2027-12-28"));
  EXPECT_TRUE(business(c, "2027-12-29"));
  // 2028 has Christmas on Monday: nothing moves.
  EXPECT_FALSE(business(c, "2028-12-25"));
  EXPECT_FALSE(business(c, "2028-12-26"));
  EXPECT_TRUE(business(c, "2028-12-27"));
  // 2026: Boxing Day on Saturday -> Monday 28.
  EXPECT_FALSE(business(c, "2026-12-28"));
  EXPECT_TRUE(business(c, "2026-12-29"));
}

TEST(HolidayRule, AdditionsAndRemovalsChangeSingleYears) {
  json doc = base({{{"name", "Ninoy Aquino Day"}, {"date", "08-21"}}});
  doc["removals"] = {{{"date", "2024-08-21"}, {"reason", "moved to the 23rd"}}};
  doc["additions"] = {{{"date", "2024-08-23"}, {"name", "Ninoy Aquino Day (moved)"}}};
  const auto c = calendar(doc);
  EXPECT_TRUE(business(c, "2024-08-21"));
  EXPECT_FALSE(business(c, "2024-08-23"));
  EXPECT_FALSE(business(c, "2025-08-21"));  // other years keep the rule
}

TEST(HolidayRule, ADayOutsideTheCoverageIsAConfigurationErrorNamingCalendarAndDate) {
  const auto c = calendar(base(json::array()));
  auto before = c.is_business_day(day("2023-12-29"));
  ASSERT_FALSE(before.ok());
  EXPECT_EQ(before.error().code(), ErrorCode::kConfiguration);
  EXPECT_NE(before.error().message().find("'test' covers 2024 to 2030"), std::string::npos)
      << before.error().message();
  EXPECT_NE(before.error().message().find("2023-12-29"), std::string::npos);
  // A count that walks past the end fails instead of counting days nobody listed.
  auto due = c.add_business_days(*parse_utc("2030-12-27T12:00:00Z"), 3);
  ASSERT_FALSE(due.ok());
  EXPECT_NE(due.error().message().find("2031-01-01"), std::string::npos) << due.error().message();
  EXPECT_TRUE(c.add_business_days(*parse_utc("2030-12-27T12:00:00Z"), 2).ok());
  EXPECT_FALSE(c.holidays_in(2031).ok());
  EXPECT_FALSE(c.holidays_in(67560).ok());  // never wrapped into a covered year
}

TEST(HolidayRule, MistakesNameThePointerAndWhatWasExpected) {
  EXPECT_EQ(problem(base({{{"name", "x"}, {"date", "02-29"}}})),
            "calendar test.json: /rules/0/date: expected a month and day \"MM-DD\" that occurs "
            "every year, such as \"12-25\"");
  EXPECT_EQ(problem(base({{{"name", "x"}, {"weekday", "monday"}, {"month", 5}, {"nth", 5}}})),
            "calendar test.json: /rules/0/nth: expected 1 to 4 or \"last\" (a fifth weekday is "
            "not in every month)");
  EXPECT_EQ(
      problem(base({{{"name", "x"}, {"date", "01-01"}, {"observed", "monday"}}})).substr(0, 38),
      "calendar test.json: /rules/0/observed:");
  EXPECT_NE(problem(base({{{"name", "x"}, {"date", "01-01"}, {"easter", 1}}})).find("exactly one"),
            std::string::npos);
  EXPECT_NE(problem(base({{{"name", "x"}, {"dates", "01-01"}}})).find("/rules/0/dates"),
            std::string::npos);
  json no_coverage = base(json::array());
  no_coverage.erase("coverage");
  EXPECT_NE(problem(no_coverage).find("/coverage: expected the years"), std::string::npos);
  json old_style = base(json::array());
  old_style["holidays"] = {"2026-12-25"};
  EXPECT_NE(problem(old_style).find("/holidays: calendars list recurring holidays as \"rules\""),
            std::string::npos);
  json stray_removal = base(json::array());
  stray_removal["removals"] = {{{"date", "2026-03-03"}, {"reason", "typo"}}};
  EXPECT_EQ(problem(stray_removal),
            "calendar test.json: /removals/0/date: 2026-03-03 is not a holiday under the rules");
  json late_addition = base(json::array());
  late_addition["additions"] = {{{"date", "2031-01-02"}, {"name", "x"}}};
  EXPECT_EQ(problem(late_addition),
            "calendar test.json: /additions/0/date: outside the calendar's coverage");
}

}  // namespace
}  // namespace coalition::holiday_rule_test
