// A moment as a person types it: an instant always, a date alone only where a day is meant.
#include "common/instant_text.h"

#include <gtest/gtest.h>

#include "common/utc_time.h"

namespace coalition::instant_text_test {
namespace {

TimeZone sydney() {
  auto zone = TimeZone::load("Australia/Sydney");
  EXPECT_TRUE(zone) << zone.error().to_string();
  return zone ? *zone : TimeZone::utc();
}

std::string at(const Result<InstantText>& read) {
  return read ? format_utc(read->at) : "error: " + read.error().message();
}

TEST(InstantText, AnInstantIsTakenAsItIsWhateverADateWouldMean) {
  for (DateAlone date : {DateAlone::kRefused, DateAlone::kStartOfDay, DateAlone::kEndOfDay,
                         DateAlone::kThroughDay}) {
    auto read = parse_instant_text("2027-05-10T09:30:00+10:00", "--to", date, sydney());
    EXPECT_EQ(at(read), "2027-05-09T23:30:00.000Z");
    ASSERT_TRUE(read);
    EXPECT_EQ(read->reading, "");
  }
}

TEST(InstantText, ADateIsADayInTheZoneGiven) {
  // Sydney: +10:00 in May, +11:00 in January (daylight time).
  auto end = parse_instant_text("2027-05-10", "--to", DateAlone::kEndOfDay, sydney());
  EXPECT_EQ(at(end), "2027-05-10T13:59:59.000Z");
  ASSERT_TRUE(end);
  EXPECT_EQ(end->reading, "the end of 2027-05-10 (23:59:59) in Australia/Sydney");
  EXPECT_EQ(at(parse_instant_text("2028-01-14", "--to", DateAlone::kEndOfDay, sydney())),
            "2028-01-14T12:59:59.000Z");
  auto start = parse_instant_text("2027-05-10", "--from", DateAlone::kStartOfDay, sydney());
  EXPECT_EQ(at(start), "2027-05-09T14:00:00.000Z");
  ASSERT_TRUE(start);
  EXPECT_EQ(start->reading, "the start of 2027-05-10 in Australia/Sydney");
  auto through = parse_instant_text("2027-05-10", "--until", DateAlone::kThroughDay, sydney());
  EXPECT_EQ(at(through), "2027-05-10T14:00:00.000Z");
  ASSERT_TRUE(through);
  EXPECT_EQ(through->reading, "up to the end of 2027-05-10 in Australia/Sydney");
  // The day the clocks go back (2027-04-04) has 25 hours: its end is still 23:59:59 local.
  EXPECT_EQ(at(parse_instant_text("2027-04-04", "--to", DateAlone::kEndOfDay, sydney())),
            "2027-04-04T13:59:59.000Z");
  EXPECT_EQ(at(parse_instant_text("2027-04-04", "--from", DateAlone::kStartOfDay, sydney())),
            "2027-04-03T13:00:00.000Z");
  // Santiago's clocks go back at midnight on Saturday 3 April 2027 (00:00 -03 -> 23:00 -04):
  // 23:59:59 happens twice, and the day ends at the later one.
  auto santiago = TimeZone::load("America/Santiago");
  ASSERT_TRUE(santiago);
  EXPECT_EQ(at(parse_instant_text("2027-04-03", "--to", DateAlone::kEndOfDay, *santiago)),
            "2027-04-04T03:59:59.000Z");
  EXPECT_EQ(at(parse_instant_text("2027-05-10", "--to", DateAlone::kEndOfDay, TimeZone::utc())),
            "2027-05-10T23:59:59.000Z");
}

TEST(InstantText, RefusalsNameTheOptionAndTheFormsExpected) {
  auto day = parse_instant_text("2027-05-10", "--now", DateAlone::kRefused, TimeZone::utc());
  ASSERT_FALSE(day);
  EXPECT_EQ(day.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(day.error().message(),
            "--now: \"2027-05-10\" is a date alone, and this needs a moment of the day: expected "
            "an RFC 3339 instant with a time and an offset, such as 2025-05-10T17:00:00Z or "
            "2025-05-10T17:00:00+10:00");
  auto local = parse_instant_text("2027-05-10 09:00", "--now", DateAlone::kRefused, sydney());
  ASSERT_FALSE(local);
  EXPECT_EQ(local.error().message(),
            "--now: expected an RFC 3339 instant such as 2025-05-10T17:00:00Z or "
            "2025-05-10T17:00:00+10:00, got \"2027-05-10 09:00\": not an RFC 3339 timestamp "
            "(YYYY-MM-DDTHH:MM:SSZ or with +HH:MM)");
  auto no_offset =
      parse_instant_text("2027-05-10T09:00:00", "--to", DateAlone::kEndOfDay, sydney());
  ASSERT_FALSE(no_offset);
  EXPECT_EQ(no_offset.error().message(),
            "--to: expected a date (2025-05-10, the end of that day, 23:59:59 in "
            "Australia/Sydney) or an RFC 3339 instant (2025-05-10T17:00:00Z or "
            "2025-05-10T17:00:00+10:00), got \"2027-05-10T09:00:00\": a timestamp ends with Z or "
            "an offset such as +01:00");
  // Ten characters were meant as a date: the reason is the date's.
  auto no_day = parse_instant_text("2027-02-29", "--to", DateAlone::kEndOfDay, sydney());
  ASSERT_FALSE(no_day);
  EXPECT_NE(no_day.error().message().find("got \"2027-02-29\": no such calendar date"),
            std::string::npos)
      << no_day.error().message();
  // What a person typed is echoed, but never a control character and never a page of it.
  auto hostile = parse_instant_text("\x1b[2J" + std::string(200, 'x'), "--to", DateAlone::kEndOfDay,
                                    TimeZone::utc());
  ASSERT_FALSE(hostile);
  EXPECT_EQ(hostile.error().message().find('\x1b'), std::string::npos);
  EXPECT_LT(hostile.error().message().size(), 300u);
}

TEST(InstantText, TheLastDayStaysInsideTheYears) {
  // The end of the last day is inside the years; the start of the day after it is not.
  EXPECT_EQ(at(parse_instant_text("9999-12-31", "--to", DateAlone::kEndOfDay, TimeZone::utc())),
            "9999-12-31T23:59:59.000Z");
  // An exclusive bound after the last day is the last instant a timestamp can name.
  EXPECT_EQ(
      at(parse_instant_text("9999-12-31", "--until", DateAlone::kThroughDay, TimeZone::utc())),
      "9999-12-31T23:59:59.999Z");
}

}  // namespace
}  // namespace coalition::instant_text_test
