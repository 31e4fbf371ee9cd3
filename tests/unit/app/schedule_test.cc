// Schedules as data: cron lines in a time zone (across a change of daylight saving time),
// business days of a month or quarter under a calendar, the period labels the input names, the
// missed-run policies, and refusals that name the JSON Pointer.
#include "app/schedule.h"

#include <gtest/gtest.h>

#include "common/utc_time.h"

namespace coalition::app {
namespace {

using nlohmann::json;

TimePoint utc(const char* text) {
  return *parse_utc(text);
}

CalendarSet calendars() {
  CalendarSet set;
  auto cal = BusinessCalendar::parse(json{{"id", "us-test"},
                                          {"time_zone", "America/New_York"},
                                          {"weekend", {"saturday", "sunday"}},
                                          {"coverage", {{"from", 2020}, {"until", 2040}}},
                                          {"additions",
                                           {{{"date", "2027-01-01"}, {"name", "New Year"}},
                                            {{"date", "2027-07-05"}, {"name", "July 4th"}}}}},
                                     "us-test.json");
  EXPECT_TRUE(cal.ok()) << cal.error().message();
  EXPECT_TRUE(set.add(std::move(*cal)).ok());
  return set;
}

Schedule parsed(const json& when, const char* missed = "latest") {
  auto s = parse_schedule({{"id", "q"}, {"workflow", "wf"}, {"when", when}, {"missed", missed}});
  EXPECT_TRUE(s.ok()) << s.error().message();
  return *s;
}

std::string refusal(const json& doc) {
  auto s = parse_schedule(doc);
  return s ? "accepted" : s.error().pointer() + " | " + s.error().message();
}

TEST(Schedule, ACronLineFiresAtLocalTimeAcrossDaylightSaving) {
  const auto set = calendars();
  const Schedule weekly = parsed({{"cron", "0 9 * * 1"}, {"time_zone", "America/New_York"}});
  auto first = weekly.next_after(utc("2026-12-03T15:20:00Z"), set);  // a Thursday
  ASSERT_TRUE(first.ok()) << first.error().message();
  EXPECT_EQ(first->at, utc("2026-12-07T14:00:00Z"));  // Monday 09:00 EST
  EXPECT_EQ(first->period, "2026-12-07T09:00");
  EXPECT_EQ(weekly.next_after(first->at, set)->at, utc("2026-12-14T14:00:00Z"));
  const Schedule daily = parsed({{"cron", "30 8 * * *"}, {"time_zone", "America/New_York"}});
  EXPECT_EQ(daily.next_after(utc("2027-03-13T14:00:00Z"), set)->at, utc("2027-03-14T12:30:00Z"))
      << "08:30 EDT, the morning clocks went forward";
  EXPECT_EQ(daily.next_after(utc("2027-03-12T14:00:00Z"), set)->at, utc("2027-03-13T13:30:00Z"))
      << "08:30 EST the day before";
}

TEST(Schedule, CronFieldsTakeListsRangesStepsAndEitherDay) {
  const auto set = calendars();
  const Schedule s = parsed({{"cron", "*/15 9-10 1 1,7 *"}});
  auto at = s.next_after(utc("2026-12-31T00:00:00Z"), set);
  EXPECT_EQ(at->at, utc("2027-01-01T09:00:00Z"));
  EXPECT_EQ(s.next_after(at->at, set)->at, utc("2027-01-01T09:15:00Z"));
  EXPECT_EQ(s.next_after(utc("2027-01-01T10:45:00Z"), set)->at, utc("2027-07-01T09:00:00Z"));
  // Day of month 13 or a Friday, whichever comes first; 7 is Sunday as 0 is.
  EXPECT_EQ(parsed({{"cron", "0 0 13 * 5"}}).next_after(utc("2026-12-01T00:00:00Z"), set)->at,
            utc("2026-12-04T00:00:00Z"));
  EXPECT_EQ(parsed({{"cron", "0 0 * * 7"}}).next_after(utc("2026-12-01T00:00:00Z"), set)->at,
            utc("2026-12-06T00:00:00Z"));
  auto never = parsed({{"cron", "0 0 31 2 *"}}).next_after(utc("2026-12-01T00:00:00Z"), set);
  ASSERT_FALSE(never.ok());
  EXPECT_EQ(never.error().pointer(), "/when/cron");
}

TEST(Schedule, TheNthBusinessDayOfAQuarterOrMonthUnderACalendar) {
  const auto set = calendars();
  const Schedule quarterly =
      parsed({{"business_day", 1}, {"of", "quarter"}, {"calendar", "us-test"}, {"at", "09:00"}});
  auto q1 = quarterly.next_after(utc("2026-12-03T15:20:00Z"), set);
  ASSERT_TRUE(q1.ok()) << q1.error().message();
  EXPECT_EQ(q1->at, utc("2027-01-04T14:00:00Z")) << "1 January is a holiday, then a weekend";
  EXPECT_EQ(q1->period, "2027-Q1");
  auto q2 = quarterly.next_after(q1->at, set);
  EXPECT_EQ(q2->at, utc("2027-04-01T13:00:00Z")) << "09:00 EDT";
  EXPECT_EQ(q2->period, "2027-Q2");
  const Schedule month_end =
      parsed({{"business_day", -1}, {"calendar", "us-test"}, {"at", "17:30"}});
  auto december = month_end.next_after(utc("2026-12-03T15:20:00Z"), set);
  EXPECT_EQ(december->at, utc("2026-12-31T22:30:00Z"));
  EXPECT_EQ(december->period, "2026-12");
  auto unknown = parsed({{"business_day", 1}, {"calendar", "xx-none"}})
                     .next_after(utc("2026-12-03T15:20:00Z"), set);
  EXPECT_FALSE(unknown.ok());
}

TEST(Schedule, TheInputNamesThePeriod) {
  auto s = parse_schedule({{"id", "q"},
                           {"workflow", "wf"},
                           {"when", {{"business_day", 1}, {"calendar", "us-test"}}},
                           {"input",
                            {{"cycle", {{"$path", "/period"}}},
                             {"title", {{"$template", "Verification {/period}"}}},
                             {"entry", "ex-police-us.le_liaison"}}}});
  ASSERT_TRUE(s.ok()) << s.error().message();
  auto input = s->input_for({utc("2027-01-04T14:00:00Z"), "2027-Q1"});
  ASSERT_TRUE(input.ok()) << input.error().message();
  EXPECT_EQ(*input, json({{"cycle", "2027-Q1"},
                          {"title", "Verification 2027-Q1"},
                          {"entry", "ex-police-us.le_liaison"}}));
}

TEST(Schedule, MissedRunsAreSkippedRunOnceOrAllRun) {
  const auto set = calendars();
  const json when{{"business_day", 1}, {"of", "quarter"}, {"calendar", "us-test"}};
  const Occurrence q1{utc("2027-01-04T14:00:00Z"), "2027-Q1"};
  const TimePoint later = utc("2027-07-02T00:00:00Z");  // Q1, Q2 and Q3 passed unrun
  auto latest = plan_firing(parsed(when, "latest"), q1, later, set);
  ASSERT_TRUE(latest.ok()) << latest.error().message();
  ASSERT_EQ(latest->run.size(), 1u);
  EXPECT_EQ(latest->run[0].period, "2027-Q3");
  EXPECT_EQ(latest->skipped, 2u);
  EXPECT_EQ(latest->next.period, "2027-Q4");
  auto all = plan_firing(parsed(when, "all"), q1, later, set);
  ASSERT_EQ(all->run.size(), 3u);
  EXPECT_EQ(all->run[1].period, "2027-Q2");
  EXPECT_EQ(all->skipped, 0u);
  auto skip = plan_firing(parsed(when, "skip"), q1, later, set);
  EXPECT_TRUE(skip->run.empty());
  EXPECT_EQ(skip->skipped, 3u);
  // On time (within the grace): every policy runs it.
  auto on_time = plan_firing(parsed(when, "skip"), q1, q1.at + std::chrono::minutes(1), set);
  ASSERT_EQ(on_time->run.size(), 1u);
  EXPECT_EQ(on_time->next.period, "2027-Q2");
}

// The last quarter a calendar covers still runs; only what lies beyond it cannot be planned, and
// says why (the caller pauses the schedule with that reason).
TEST(Schedule, TheLastCoveredPeriodRunsWhenTheCalendarEndsAfterIt) {
  CalendarSet set;
  auto cal = BusinessCalendar::parse(json{{"id", "us-test"},
                                          {"time_zone", "America/New_York"},
                                          {"coverage", {{"from", 2027}, {"until", 2027}}}},
                                     "short.json");
  ASSERT_TRUE(cal.ok()) << cal.error().message();
  ASSERT_TRUE(set.add(std::move(*cal)).ok());
  const json when{{"business_day", 1}, {"of", "quarter"}, {"calendar", "us-test"}};
  const Occurrence q4{utc("2027-10-01T13:00:00Z"), "2027-Q4"};
  auto firing = plan_firing(parsed(when, "latest"), q4, q4.at + std::chrono::minutes(1), set);
  ASSERT_TRUE(firing.ok()) << firing.error().message();
  ASSERT_EQ(firing->run.size(), 1u);
  EXPECT_EQ(firing->run[0].period, "2027-Q4");
  ASSERT_TRUE(firing->next_error.has_value());
  EXPECT_NE(firing->next_error->message().find("'us-test' covers 2027 to 2027"), std::string::npos)
      << firing->next_error->message();
  // Before the last quarter, the next one is found as usual.
  const Occurrence q3{utc("2027-07-01T13:00:00Z"), "2027-Q3"};
  auto earlier = plan_firing(parsed(when, "latest"), q3, q3.at, set);
  ASSERT_TRUE(earlier.ok());
  EXPECT_FALSE(earlier->next_error.has_value());
  EXPECT_EQ(earlier->next.period, "2027-Q4");
}

TEST(Schedule, RefusalsNameThePointerAndWhatWasExpected) {
  const json base{{"id", "q"}, {"workflow", "wf"}, {"when", {{"cron", "0 9 * * 1"}}}};
  EXPECT_EQ(refusal(base), "accepted");
  auto with = [&](const char* pointer, json value) {
    json doc = base;
    doc[json::json_pointer(pointer)] = std::move(value);
    return refusal(doc);
  };
  EXPECT_EQ(with("/when/cron", "60 9 * * 1"),
            "/when/cron | cron minute '60': '60' is out of range (expected 0-59, '*', ranges "
            "a-b, lists a,b and steps /n)");
  EXPECT_EQ(with("/when/cron", "99999999999 * * * *").substr(0, 12), "/when/cron |");
  EXPECT_EQ(with("/when/cron", "*/2147483647 * * * *").substr(0, 12), "/when/cron |");
  EXPECT_EQ(refusal(json{{"id", "q"},
                         {"workflow", "wf"},
                         {"when", {{"business_day", 4294967297LL}, {"calendar", "us-test"}}}})
                .substr(0, 20),
            "/when/business_day |");
  EXPECT_EQ(with("/when/cron", "0 9 * *"),
            "/when/cron | a cron line has five fields (minute hour day-of-month month "
            "day-of-week); '0 9 * *' has 4");
  EXPECT_EQ(with("/when/time_zone", "Mars/Olympus").substr(0, 17), "/when/time_zone |");
  EXPECT_EQ(with("/missed", "sometimes"), "/missed | expected \"skip\", \"latest\" or \"all\"");
  EXPECT_EQ(with("/every", "P91D"),
            "/every | not a schedule field (expected id, workflow, version, when, "
            "input, missed, title)");
  EXPECT_EQ(with("/id", "Quarterly Check").substr(0, 5), "/id |");
  const std::string ref = with("/input", json{{"cycle", {{"$ref", "/period"}}}});
  EXPECT_EQ(ref.rfind("/input/cycle/$ref | ", 0), 0u) << ref;
  EXPECT_NE(ref.find("$path"), std::string::npos) << "the form it should take: " << ref;
  json both = base;
  both["when"]["business_day"] = 1;
  EXPECT_EQ(refusal(both), "/when | expected exactly one of \"cron\" and \"business_day\"");
  EXPECT_EQ(refusal(json{{"id", "q"},
                         {"workflow", "wf"},
                         {"when", {{"business_day", 0}, {"calendar", "us-test"}}}})
                .substr(0, 20),
            "/when/business_day |");
  EXPECT_EQ(refusal(json{{"id", "q"},
                         {"workflow", "wf"},
                         {"when", {{"business_day", 1}, {"calendar", "us-test"}, {"at", "9am"}}}}),
            "/when/at | expected a local time of day HH:MM, such as \"09:00\"");
}

}  // namespace
}  // namespace coalition::app
