// One strict RFC 3339 parser, over years 0001 to 9999.
#include "common/rfc3339.h"

#include <gtest/gtest.h>

#include "common/utc_time.h"

namespace coalition {
namespace {

using namespace std::chrono;

TEST(Rfc3339, ParsesUtcOffsetsAndFractions) {
  EXPECT_EQ(parse_rfc3339("2026-11-29T02:15:00Z"),
            UtcMicros(sys_days(2026y / November / 29) + hours(2) + minutes(15)));
  EXPECT_EQ(
      parse_rfc3339("2026-11-29T03:15:00.250+01:00"),
      UtcMicros(sys_days(2026y / November / 29) + hours(2) + minutes(15) + milliseconds(250)));
  EXPECT_EQ(parse_rfc3339("2026-12-31t23:30:00.123456789-01:00"),
            UtcMicros(sys_days(2027y / January / 1) + minutes(30) + microseconds(123456)));
  EXPECT_EQ(parse_rfc3339("0001-01-01T00:00:00Z"), earliest_rfc3339());
  EXPECT_EQ(parse_rfc3339("9999-12-31T23:59:59.999999Z"), latest_rfc3339());
  EXPECT_EQ(parse_rfc3339("2028-02-29T00:00:00Z"), UtcMicros(sys_days(2028y / February / 29)));
}

// format_utc writes the digits itself for years 0 to 9999 and formats the rest: both floor to
// the millisecond, pad every field, and read back as the instant they name.
TEST(FormatUtc, WritesEveryFieldPaddedToTheMillisecond) {
  EXPECT_EQ(format_utc(UtcMicros(sys_days(2026y / December / 6) + hours(9) + minutes(5) +
                                 seconds(7) + microseconds(42999))),
            "2026-12-06T09:05:07.042Z");
  EXPECT_EQ(format_utc(UtcMicros{}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_utc(UtcMicros{} - microseconds(1)), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_utc(earliest_rfc3339()), "0001-01-01T00:00:00.000Z");
  EXPECT_EQ(format_utc(latest_rfc3339()), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(format_utc(UtcMicros(sys_days(0y / January / 1))), "0000-01-01T00:00:00.000Z");
  EXPECT_EQ(format_utc(UtcMicros(sys_days(10000y / January / 1) + milliseconds(5))),
            "10000-01-01T00:00:00.005Z");
  EXPECT_EQ(format_utc(UtcMicros(sys_days(2028y / February / 29) + hours(23) + minutes(59))),
            "2028-02-29T23:59:00.000Z");
  for (int64_t ms = -86'400'000LL * 400; ms < 86'400'000LL * 365 * 3000;
       ms += 86'400'000LL * 37 + 3'723'456) {
    const UtcMicros t{milliseconds(ms)};
    EXPECT_EQ(parse_rfc3339(format_utc(t)), t) << format_utc(t);
  }
}

// append_utc writes the same text after what is already there, both ways of writing a year.
TEST(FormatUtc, AppendsTheSameTextAfterWhatIsThere) {
  for (const UtcMicros t : {UtcMicros(sys_days(2026y / December / 7) + milliseconds(1)),
                            UtcMicros(sys_days(10000y / January / 1) + milliseconds(5))}) {
    std::string text = R"({"now":")";
    append_utc(text, t);
    EXPECT_EQ(text, R"({"now":")" + format_utc(t));
  }
}

TEST(Rfc3339, RefusesWhatIsNotAStrictTimestamp) {
  for (const char* bad : {"2026-02-30T00:00:00Z",
                          "2027-02-29T00:00:00Z",
                          "2026-13-01T00:00:00Z",
                          "2026-00-10T00:00:00Z",
                          "2026-11-29T24:00:00Z",
                          "2026-11-29T23:60:00Z",
                          "2026-11-29T23:59:60Z",
                          "2026-11-29T02:15:00+99:00",
                          "2026-11-29T02:15:00+ab:cd",
                          "2026-11-29T02:15:00+24:00",
                          "2026-11-29T02:15:00+01:60",
                          " 2026-11-29T02:15:00Z",
                          "2026-11-29T02:15:00Z ",
                          "2026-11-29T 2:15:00Z",
                          "+026-11-29T02:15:00Z",
                          "2026-11-29 02:15:00Z",
                          "2026-11-29T02:15:00",
                          "2026-11-29T02:15:00.Z",
                          "2026-11-29T02:15:00.1234567890Z",
                          "0000-12-31T00:00:00Z",
                          "0001-01-01T00:00:00+00:01",
                          "9999-12-31T23:59:59-00:01",
                          "2026-11-29",
                          ""}) {
    std::string why;
    EXPECT_FALSE(parse_rfc3339(bad, &why).has_value()) << bad;
    EXPECT_FALSE(why.empty()) << bad;
  }
}

TEST(Rfc3339, SaysWhatIsWrong) {
  std::string why;
  EXPECT_FALSE(parse_rfc3339("2026-02-30T00:00:00Z", &why));
  EXPECT_EQ(why, "no such calendar date");
  EXPECT_FALSE(parse_rfc3339("2026-02-03T00:00:00+25:00", &why));
  EXPECT_EQ(why, "an offset is +HH:MM or -HH:MM within 23:59");
  EXPECT_FALSE(parse_rfc3339("0001-01-01T00:00:00+01:00", &why));
  EXPECT_EQ(why, "outside the years 0001 to 9999");
}

TEST(ParseUtc, IsTheStrictParser) {
  EXPECT_TRUE(parse_utc("2026-11-29T02:15:00Z").has_value());
  EXPECT_FALSE(parse_utc("2026-02-30T00:00:00Z").has_value());
  EXPECT_FALSE(parse_utc("2026-11-29T02:15:00+99:00").has_value());
}

TEST(Rfc3339, ParsesAFullDateStrictly) {
  EXPECT_EQ(parse_rfc3339_date("1970-01-01"), 0);
  EXPECT_EQ(parse_rfc3339_date("2028-02-29"),
            sys_days(2028y / February / 29).time_since_epoch().count());
  EXPECT_EQ(parse_rfc3339_date("0001-01-01"),
            sys_days(year(1) / January / 1).time_since_epoch().count());
  std::string why;
  for (const char* bad : {"2027-02-29", "2026-13-01", "0000-01-01"}) {
    EXPECT_FALSE(parse_rfc3339_date(bad, &why)) << bad;
    EXPECT_EQ(why, "no such calendar date") << bad;
  }
  for (const char* bad : {"2026-1-01", "+202-01-01", " 2026-01-01", "2026-01-01 ", "2026/01/01",
                          "2026-01-01T00:00:00Z", ""}) {
    EXPECT_FALSE(parse_rfc3339_date(bad, &why)) << bad;
    EXPECT_EQ(why, "not a date (YYYY-MM-DD)") << bad;
  }
}

}  // namespace
}  // namespace coalition
