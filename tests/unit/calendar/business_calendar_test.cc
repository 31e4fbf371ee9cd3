// Business-day arithmetic over real tz data: weekends, public holidays, daylight saving, and
// what happens when a calendar is missing.
#include "calendar/business_calendar.h"

#include <gtest/gtest.h>

#include "common/utc_time.h"
#include "runtime/deadline.h"
#include "test_paths.h"

namespace coalition {
namespace {

using nlohmann::json;

TimePoint utc(const char* text) {
  return *parse_utc(text);
}

BusinessCalendar calendar(json doc) {
  auto c = BusinessCalendar::parse(doc, "test");
  EXPECT_TRUE(c.ok()) << c.error().message();
  return std::move(*c);
}

const json kAustralia = {{"id", "au"},
                         {"time_zone", "Australia/Sydney"},
                         {"coverage", {{"from", 2026}, {"until", 2027}}},
                         {"additions",
                          {{{"date", "2026-12-25"}, {"name", "Christmas Day"}},
                           {{"date", "2026-12-28"}, {"name", "Boxing Day (observed)"}}}}};

std::string due_after(const BusinessCalendar& c, const char* from, uint32_t n) {
  auto due = c.add_business_days(utc(from), n);
  EXPECT_TRUE(due.ok()) << due.error().message();
  return due.ok() ? format_utc(*due) : due.error().message();
}

TEST(TimeZone, SydneyOffsetsFollowDaylightSaving) {
  auto z = TimeZone::load("Australia/Sydney");
  ASSERT_TRUE(z.ok()) << z.error().message();
  EXPECT_EQ(z->offset_at(utc("2026-12-01T00:00:00Z")), 11 * 3600);  // AEDT
  EXPECT_EQ(z->offset_at(utc("2026-07-01T00:00:00Z")), 10 * 3600);  // AEST
}

TEST(TimeZone, UnknownZoneIsAConfigurationError) {
  auto z = TimeZone::load("Mars/Olympus_Mons");
  ASSERT_FALSE(z.ok());
  EXPECT_EQ(z.error().code(), ErrorCode::kConfiguration);
}

TEST(BusinessCalendar, SkipsTheWeekendAndEndsAtLocalEndOfDay) {
  const auto c = calendar(kAustralia);
  // Thursday 2026-12-03 10:00 in Sydney; 3 business days: Fri 4, Mon 7, Tue 8.
  EXPECT_EQ(due_after(c, "2026-12-02T23:00:00Z", 3), "2026-12-08T12:59:59.000Z");  // 23:59:59 AEDT
}

TEST(BusinessCalendar, SkipsPublicHolidays) {
  const auto c = calendar(kAustralia);
  // Wednesday 2026-12-23 in Sydney; Thu 24 (1), Fri 25 holiday, Mon 28 holiday, Tue 29 (2),
  // Wed 30 (3).
  EXPECT_EQ(due_after(c, "2026-12-23T01:00:00Z", 3), "2026-12-30T12:59:59.000Z");
}

TEST(BusinessCalendar, CountsFromTheLocalDateNotTheUtcDate) {
  const auto c = calendar(kAustralia);
  // 2026-12-04T14:00Z is already Saturday 01:00 in Sydney: the next business day is Monday.
  EXPECT_EQ(due_after(c, "2026-12-04T14:00:00Z", 1), "2026-12-07T12:59:59.000Z");
  // 2026-12-04T12:00Z is still Friday 23:00 there: the next business day is also Monday.
  EXPECT_EQ(due_after(c, "2026-12-04T12:00:00Z", 1), "2026-12-07T12:59:59.000Z");
}

TEST(BusinessCalendar, MalformedCalendarsNameThePointer) {
  auto bad_date =
      BusinessCalendar::parse({{"id", "x"},
                               {"time_zone", "UTC"},
                               {"coverage", {{"from", 2026}, {"until", 2026}}},
                               {"additions", {{{"date", "2026-13-01"}, {"name", "x"}}}}},
                              "x.json");
  ASSERT_FALSE(bad_date.ok());
  EXPECT_NE(bad_date.error().message().find("/additions/0/date"), std::string::npos);
  auto no_zone = BusinessCalendar::parse({{"id", "x"}}, "x.json");
  ASSERT_FALSE(no_zone.ok());
  EXPECT_NE(no_zone.error().message().find("/time_zone"), std::string::npos);
}

TEST(Deadline, UnknownCalendarIsAnErrorNotCalendarDays) {
  CalendarSet set;
  ASSERT_TRUE(set.add(calendar(kAustralia)).ok());
  Span span;
  span.business_days = 3;
  span.calendar = "us-federal";
  auto due = add_span(utc("2026-12-01T00:00:00Z"), span, set);
  ASSERT_FALSE(due.ok());
  EXPECT_EQ(due.error().code(), ErrorCode::kConfiguration);
  EXPECT_NE(due.error().message().find("known: au"), std::string::npos) << due.error().message();
}

TEST(Deadline, AnchorComesFromTheContext) {
  CalendarSet set;
  Span thirty;
  thirty.fixed = std::chrono::hours(24 * 30);
  json context{{"determination", {{"at", "2026-12-01T15:00:00Z"}}}};
  auto due = due_from(thirty, "/determination/at", DocumentReader(context),
                      utc("2027-01-01T00:00:00Z"), set);
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(format_utc(*due), "2026-12-31T15:00:00.000Z");
  auto missing =
      due_from(thirty, "/nothing", DocumentReader(context), utc("2027-01-01T00:00:00Z"), set);
  EXPECT_FALSE(missing.ok());
}

// How a due instant was reached travels with it: the span in words, its anchor, and the calendar
// it was counted under (for an `at` deadline, the one the instant's object names).
TEST(Deadline, TheBasisSaysHowAndUnderWhichCalendar) {
  CalendarSet set;
  ASSERT_TRUE(set.add(calendar(kAustralia)).ok());
  json context{{"alert", {{"at", "2026-12-01T00:00:00Z"}}},
               {"spans", {{"ack", {{"business_days", 3u}, {"calendar", "au"}}}}},
               {"regulatory",
                {{"due_at", "2026-12-04T12:59:59Z"},
                 {"narrative_due_at", "2026-12-02T12:59:59Z"},
                 {"calendars", {{"due_at", "au"}}}}},
               {"plain", {{"due_at", "2026-12-04T12:59:59Z"}}}};
  const DocumentReader reader(context);
  const TimePoint start = utc("2026-12-01T00:00:00Z");

  DueSpec by_reference;
  by_reference.in_ref = {{"$path", "/spans/ack"}};
  by_reference.from = "/alert/at";
  DueBasis basis;
  auto by_ref = resolve_due(by_reference, reader, start, set, &basis);
  ASSERT_TRUE(by_ref.ok()) << by_ref.error().message();
  EXPECT_EQ(basis.rule, "3 business days (au) after /alert/at");
  EXPECT_EQ(basis.calendar, "au");

  DueSpec fixed;
  fixed.in.fixed = std::chrono::hours(36);
  ASSERT_TRUE(resolve_due(fixed, reader, start, set, &basis).ok());
  EXPECT_EQ(basis.rule, "P1DT12H");
  EXPECT_EQ(basis.calendar, "");

  DueSpec at;
  at.at = "/regulatory/due_at";
  ASSERT_TRUE(resolve_due(at, reader, start, set, &basis).ok());
  EXPECT_EQ(basis.rule, "at /regulatory/due_at");
  EXPECT_EQ(basis.calendar, "au");
  at.at = "/regulatory/narrative_due_at";  // derived from it by calendar arithmetic
  ASSERT_TRUE(resolve_due(at, reader, start, set, &basis).ok());
  EXPECT_EQ(basis.calendar, "");
  at.at = "/plain/due_at";
  ASSERT_TRUE(resolve_due(at, reader, start, set, &basis).ok());
  EXPECT_EQ(basis.calendar, "");
}

TEST(CalendarSet, ShippedCalendarsLoad) {
  auto set = CalendarSet::load(std::filesystem::path(test::kSourceDir) / "config" / "calendars");
  ASSERT_TRUE(set.ok()) << set.error().message();
  auto au = set->find("au-national");
  ASSERT_TRUE(au.ok());
  // Christmas 2026 is a Friday and Boxing Day is observed on Monday 28th.
  EXPECT_EQ(due_after(**au, "2026-12-24T01:00:00Z", 1), "2026-12-29T12:59:59.000Z");
  EXPECT_TRUE(set->find("us-federal").ok());
}

}  // namespace
}  // namespace coalition
