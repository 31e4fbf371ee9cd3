// The shipped calendars against the published holiday lists, year by year: every weekday that is
// not a business day, and nothing else. The expected dates are the observed days the official
// lists give (OPM for us-federal, canada.ca for ca-federal, GOV.UK for gb-england-wales, the NSW
// Government for au-national, the Official Gazette's proclamations for ph-national), written here
// as data, so a wrong rule, a wrong substitute or a forgotten one-off day fails a named year.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "calendar/business_calendar.h"
#include "calendar/holiday_rule.h"
#include "common/json_text.h"
#include "common/utc_time.h"
#include "test_paths.h"

namespace coalition::shipped_calendars_test {
namespace {

using Published = std::map<int, std::vector<std::string>>;  // year -> "MM-DD" of weekdays off

const CalendarSet& shipped() {
  static const CalendarSet set = [] {
    auto loaded =
        CalendarSet::load(std::filesystem::path(test::kSourceDir) / "config" / "calendars");
    EXPECT_TRUE(loaded.ok()) << loaded.error().message();
    return loaded.ok() ? std::move(*loaded) : CalendarSet();
  }();
  return set;
}

// The weekdays (Monday to Friday) of `year` that the calendar says are not business days.
std::vector<std::string> weekdays_off(const BusinessCalendar& calendar, int year) {
  std::vector<std::string> out;
  const auto first = std::chrono::sys_days(std::chrono::year{year} / 1 / 1);
  const auto last = std::chrono::sys_days(std::chrono::year{year} / 12 / 31);
  for (auto d = first; d <= last; d += std::chrono::days(1)) {
    const int64_t day = d.time_since_epoch().count();
    const int weekday = weekday_of(day);
    if (weekday == 0 || weekday == 6) continue;
    auto business = calendar.is_business_day(day);
    EXPECT_TRUE(business.ok()) << business.error().message();
    if (business.ok() && !*business) out.push_back(format_day(day).substr(5));
  }
  return out;
}

void expect_published(const std::string& id, const Published& published) {
  auto calendar = shipped().find(id);
  ASSERT_TRUE(calendar.ok()) << calendar.error().message();
  for (const auto& [year, days] : published) {
    EXPECT_EQ(weekdays_off(**calendar, year), days) << id << " " << year;
  }
  // Declared coverage is exactly the years checked here: one year either side is refused.
  EXPECT_EQ((*calendar)->first_year(), published.begin()->first) << id;
  EXPECT_EQ((*calendar)->last_year(), published.rbegin()->first) << id;
  const int64_t after =
      std::chrono::sys_days(std::chrono::year{published.rbegin()->first + 1} / 1 / 4)
          .time_since_epoch()
          .count();
  auto beyond = (*calendar)->is_business_day(after);
  ASSERT_FALSE(beyond.ok()) << id;
  EXPECT_EQ(beyond.error().code(), ErrorCode::kConfiguration);
  EXPECT_NE(beyond.error().message().find(id), std::string::npos) << beyond.error().message();
  EXPECT_NE(beyond.error().message().find(format_day(after)), std::string::npos)
      << beyond.error().message();
}

TEST(ShippedCalendars, UsFederalMatchesOpmSchedules) {
  expect_published("us-federal",
                   {
                       {2024,
                        {"01-01", "01-15", "02-19", "05-27", "06-19", "07-04", "09-02", "10-14",
                         "11-11", "11-28", "12-24", "12-25"}},
                       {2025,
                        {"01-01", "01-09", "01-20", "02-17", "05-26", "06-19", "07-04", "09-01",
                         "10-13", "11-11", "11-27", "12-24", "12-25", "12-26"}},
                       {2026,
                        {"01-01", "01-19", "02-16", "05-25", "06-19", "07-03", "09-07", "10-12",
                         "11-11", "11-26", "12-25"}},
                       // New Year's Day 2028 is a Saturday: observed on Friday 31 December 2027.
                       {2027,
                        {"01-01", "01-18", "02-15", "05-31", "06-18", "07-05", "09-06", "10-11",
                         "11-11", "11-25", "12-24", "12-31"}},
                       {2028,
                        {"01-17", "02-21", "05-29", "06-19", "07-04", "09-04", "10-09", "11-10",
                         "11-23", "12-25"}},
                       {2029,
                        {"01-01", "01-15", "02-19", "05-28", "06-19", "07-04", "09-03", "10-08",
                         "11-12", "11-22", "12-25"}},
                       {2030,
                        {"01-01", "01-21", "02-18", "05-27", "06-19", "07-04", "09-02", "10-14",
                         "11-11", "11-28", "12-25"}},
                   });
}

TEST(ShippedCalendars, CaFederalMatchesTheFederalStatutoryHolidays) {
  expect_published("ca-federal", {
                                     {2024,
                                      {"01-01", "03-29", "05-20", "07-01", "09-02", "09-30",
                                       "10-14", "11-11", "12-25", "12-26"}},
                                     {2025,
                                      {"01-01", "04-18", "05-19", "07-01", "09-01", "09-30",
                                       "10-13", "11-11", "12-25", "12-26"}},
                                     {2026,
                                      {"01-01", "04-03", "05-18", "07-01", "09-07", "09-30",
                                       "10-12", "11-11", "12-25", "12-28"}},
                                     {2027,
                                      {"01-01", "03-26", "05-24", "07-01", "09-06", "09-30",
                                       "10-11", "11-11", "12-27", "12-28"}},
                                     {2028,
                                      {"01-03", "04-14", "05-22", "07-03", "09-04", "10-02",
                                       "10-09", "11-13", "12-25", "12-26"}},
                                     {2029,
                                      {"01-01", "03-30", "05-21", "07-02", "09-03", "10-01",
                                       "10-08", "11-12", "12-25", "12-26"}},
                                     {2030,
                                      {"01-01", "04-19", "05-20", "07-01", "09-02", "09-30",
                                       "10-14", "11-11", "12-25", "12-26"}},
                                 });
}

TEST(ShippedCalendars, GbEnglandWalesMatchesGovUkBankHolidays) {
  expect_published(
      "gb-england-wales",
      {
          {2024, {"01-01", "03-29", "04-01", "05-06", "05-27", "08-26", "12-25", "12-26"}},
          {2025, {"01-01", "04-18", "04-21", "05-05", "05-26", "08-25", "12-25", "12-26"}},
          {2026, {"01-01", "04-03", "04-06", "05-04", "05-25", "08-31", "12-25", "12-28"}},
          {2027, {"01-01", "03-26", "03-29", "05-03", "05-31", "08-30", "12-27", "12-28"}},
          {2028, {"01-03", "04-14", "04-17", "05-01", "05-29", "08-28", "12-25", "12-26"}},
          {2029, {"01-01", "03-30", "04-02", "05-07", "05-28", "08-27", "12-25", "12-26"}},
          {2030, {"01-01", "04-19", "04-22", "05-06", "05-27", "08-26", "12-25", "12-26"}},
      });
}

TEST(ShippedCalendars, AuNationalMatchesTheNswPublicHolidays) {
  expect_published(
      "au-national",
      {
          {2024, {"01-01", "01-26", "03-29", "04-01", "04-25", "06-10", "12-25", "12-26"}},
          // Australia Day 2025 is a Sunday: Monday the 27th.
          {2025, {"01-01", "01-27", "04-18", "04-21", "04-25", "06-09", "12-25", "12-26"}},
          // Anzac Day 2026 is a Saturday: NSW declared Monday the 27th.
          {2026, {"01-01", "01-26", "04-03", "04-06", "04-27", "06-08", "12-25", "12-28"}},
          {2027, {"01-01", "01-26", "03-26", "03-29", "04-26", "06-14", "12-27", "12-28"}},
          {2028, {"01-03", "01-26", "04-14", "04-17", "04-25", "06-12", "12-25", "12-26"}},
          {2029, {"01-01", "01-26", "03-30", "04-02", "04-25", "06-11", "12-25", "12-26"}},
          {2030, {"01-01", "01-28", "04-19", "04-22", "04-25", "06-10", "12-25", "12-26"}},
      });
}

TEST(ShippedCalendars, PhNationalMatchesTheProclamations) {
  expect_published(
      "ph-national",
      {
          {2024,
           {"01-01", "02-09", "03-28", "03-29", "04-09", "04-10", "05-01", "06-12", "06-17",
            "08-23", "08-26", "11-01", "12-24", "12-25", "12-30", "12-31"}},
          {2025,
           {"01-01", "01-29", "04-01", "04-09", "04-17", "04-18", "05-01", "05-12", "06-06",
            "06-12", "08-21", "08-25", "10-31", "12-08", "12-24", "12-25", "12-30", "12-31"}},
          {2026,
           {"01-01", "02-17", "03-20", "04-02", "04-03", "04-09", "05-01", "05-27", "06-12",
            "08-21", "08-31", "11-02", "11-30", "12-08", "12-24", "12-25", "12-30", "12-31"}},
      });
}

// The case the issue was filed for: 4 July 2028 is a Tuesday and a federal holiday, so one
// business day after Monday 3 July ends on Wednesday 5 July.
TEST(ShippedCalendars, IndependenceDay2028IsNotABusinessDay) {
  auto us = shipped().find("us-federal");
  ASSERT_TRUE(us.ok());
  auto due = (*us)->add_business_days(*parse_utc("2028-07-03T15:00:00Z"), 1);
  ASSERT_TRUE(due.ok()) << due.error().message();
  EXPECT_EQ(format_utc(*due), "2028-07-06T03:59:59.000Z");  // 23:59:59 EDT on the 5th
}

TEST(ShippedCalendars, EveryCalendarSaysWhereItsDatesComeFrom) {
  const std::vector<std::string> expected = {"au-national", "ca-federal", "gb-england-wales",
                                             "ph-national", "us-federal"};
  std::vector<std::string> ids;
  for (const BusinessCalendar* calendar : shipped().all()) ids.push_back(calendar->id());
  EXPECT_EQ(ids, expected);
  for (const std::string& id : ids) {
    auto text = read_text_file(
        (std::filesystem::path(test::kSourceDir) / "config" / "calendars" / (id + ".json"))
            .string());
    ASSERT_TRUE(text.ok());
    auto doc = nlohmann::json::parse(*text);
    EXPECT_GT(doc.value("source", "").size(), 100u) << id;
    EXPECT_FALSE(doc.value("title", "").empty()) << id;
  }
}

}  // namespace
}  // namespace coalition::shipped_calendars_test
