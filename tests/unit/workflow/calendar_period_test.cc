// Periods in calendar years and months: P5Y from a date is the same date five years on, whatever
// the leap days in between, and a day the target month lacks becomes its last day.
#include "workflow/calendar_period.h"

#include <gtest/gtest.h>

#include "common/utc_time.h"

namespace coalition::calendar_period_test {
namespace {

std::string plus(const char* from, const char* period) {
  auto p = parse_calendar_period(period);
  EXPECT_TRUE(p.ok()) << period << ": " << p.error().message();
  if (!p.ok()) return "";
  auto t = add_calendar_period(*parse_utc(from), *p);
  return t.ok() ? format_utc(*t) : t.error().message();
}

TEST(CalendarPeriod, FiveYearsIsTheSameDateFiveYearsOnNotEighteenHundredTwentySixDays) {
  // 2027-03-01 + 1,826 days is 2032-02-29: a day early, because 2028 and 2032 are both leap.
  EXPECT_EQ(plus("2027-03-01T10:00:00Z", "P5Y"), "2032-03-01T10:00:00.000Z");
  EXPECT_EQ(plus("2027-03-01T10:00:00Z", "P1826D"), "2032-02-29T10:00:00.000Z");
  EXPECT_EQ(plus("2026-12-04T15:30:00Z", "P7Y"), "2033-12-04T15:30:00.000Z");
}

TEST(CalendarPeriod, AMissingDayBecomesTheLastDayOfTheMonth) {
  EXPECT_EQ(plus("2024-02-29T00:00:00Z", "P1Y"), "2025-02-28T00:00:00.000Z");
  EXPECT_EQ(plus("2024-02-29T00:00:00Z", "P4Y"), "2028-02-29T00:00:00.000Z");
  EXPECT_EQ(plus("2027-01-31T09:00:00Z", "P1M"), "2027-02-28T09:00:00.000Z");
  EXPECT_EQ(plus("2028-01-31T09:00:00Z", "P1M"), "2028-02-29T09:00:00.000Z");
  EXPECT_EQ(plus("2026-08-31T09:00:00Z", "P1M"), "2026-09-30T09:00:00.000Z");
  EXPECT_EQ(plus("2026-11-30T09:00:00Z", "P3M"), "2027-02-28T09:00:00.000Z");
  // Years and months first, then the exact part.
  EXPECT_EQ(plus("2027-01-31T09:00:00Z", "P1M1DT2H"), "2027-03-01T11:00:00.000Z");
  EXPECT_EQ(plus("2026-12-01T00:00:00Z", "P12M"), "2027-12-01T00:00:00.000Z");
}

TEST(CalendarPeriod, ParsesAndFormatsEveryForm) {
  const CalendarPeriod p = *parse_calendar_period("P1Y6M2W3DT4H");
  EXPECT_EQ(p.years, 1);
  EXPECT_EQ(p.months, 6);
  EXPECT_EQ(p.rest, std::chrono::hours(24 * 17 + 4));
  EXPECT_EQ(format_calendar_period(p), "P1Y6M17DT4H");
  EXPECT_EQ(format_calendar_period(*parse_calendar_period("P5Y")), "P5Y");
  EXPECT_EQ(format_calendar_period(*parse_calendar_period("P90D")), "P90D");
  EXPECT_EQ(format_calendar_period(*parse_calendar_period("PT30M")), "PT30M");
}

TEST(CalendarPeriod, RefusalsSayWhatWasExpected) {
  for (const char* bad : {"5Y", "P", "PY", "P1.5Y", "P-1Y", "P101Y", "P1M1Y", "P5YX", "P5Y3Y"}) {
    auto p = parse_calendar_period(bad);
    ASSERT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.error().code(), ErrorCode::kInvalidData);
    EXPECT_NE(p.error().message().find("expected ISO 8601"), std::string::npos)
        << bad << ": " << p.error().message();
  }
  auto late = add_calendar_period(*parse_utc("9998-06-01T00:00:00Z"), {5, 0, {}});
  EXPECT_FALSE(late.ok());
}

}  // namespace
}  // namespace coalition::calendar_period_test
