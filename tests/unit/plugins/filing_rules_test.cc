// Filing deadlines from the shipped jurisdiction table (config/jurisdictions.json), with the
// engine's own business-day arithmetic standing in for the host's calendar extension.
#include "regulatory_deadline/filing_rules.h"

#include <gtest/gtest.h>

#include <fstream>

#include "calendar/business_calendar.h"
#include "common/utc_time.h"
#include "test_paths.h"

namespace coalition::plugins::regulatory {
namespace {

using nlohmann::json;

class FilingRules : public ::testing::Test {
 protected:
  void SetUp() override {
    table_ =
        json::parse(std::ifstream(std::string(test::kSourceDir) + "/config/jurisdictions.json"));
    auto calendars = CalendarSet::load(std::string(test::kSourceDir) + "/config/calendars");
    ASSERT_TRUE(calendars.ok());
    calendars_ = std::move(*calendars);
    business_days_ = [this](const std::string& id, const std::string& from,
                            uint32_t n) -> std::optional<std::string> {
      auto calendar = calendars_.find(id);
      if (!calendar) return std::nullopt;
      auto due = (*calendar)->add_business_days(*parse_utc(from), n);
      if (!due) return std::nullopt;
      return format_utc(*due);
    };
  }
  json deadline(const std::string& regime, const char* at, bool suspect = true, bool tf = false) {
    return filing_deadline(table_, {regime, *parse_instant(at), suspect, tf}, business_days_);
  }
  json table_;
  CalendarSet calendars_;
  BusinessDays business_days_;
};

TEST_F(FilingRules, UsSarIsDue30DaysAfterTheDeterminationCappedAt60) {
  const json d = deadline("US_SAR", "2026-12-02T15:00:00Z");
  EXPECT_EQ(d["due_at"], "2027-01-01T15:00:00Z");
  EXPECT_EQ(d["cap_at"], "2027-01-31T15:00:00Z");
  EXPECT_EQ(d["basis"], "standard");
  EXPECT_EQ(d["calendars"], json::object());  // calendar days: no business calendar to report
  EXPECT_EQ(d["narrative_due_at"], "2026-12-25T15:00:00Z");  // 7 days before
  EXPECT_EQ(d["cco_notice_at"], "2026-12-30T15:00:00Z");     // 48 hours before
  EXPECT_EQ(d["key_terms"]["ocse"], "OCSE-FIN-2021-NTC3");
  EXPECT_EQ(d["sources"][0]["key"], "SAR-TIMING");
  EXPECT_EQ(d["table_version"], table_["version"]);
}

TEST_F(FilingRules, UsSarWithoutASuspectIsDueAtTheCap) {
  const json d = deadline("US_SAR", "2026-12-02T15:00:00Z", /*suspect=*/false);
  EXPECT_EQ(d["due_at"], "2027-01-31T15:00:00Z");
  EXPECT_EQ(d["cap_at"], "2027-01-31T15:00:00Z");
  EXPECT_EQ(d["basis"], "no suspect identified");
  // Day 30, the standard deadline: the reminder that the suspect is still unidentified.
  EXPECT_EQ(d["suspect_reminder_at"], "2027-01-01T15:00:00Z");
  EXPECT_FALSE(deadline("US_SAR", "2026-12-02T15:00:00Z").contains("suspect_reminder_at"));
}

TEST_F(FilingRules, AuSmrCountsThreeBusinessDaysUnderTheAustralianCalendar) {
  // Determination Thursday 24 December 2026, 10:00 in Sydney: Christmas, Boxing Day (observed
  // Monday 28th) and the weekend are not business days -> 29, 30, 31 December.
  const json d = deadline("AU_SMR", "2026-12-23T23:00:00Z");
  EXPECT_EQ(d["due_at"], "2026-12-31T12:59:59Z");  // 23:59:59 AEDT
  EXPECT_EQ(d["cap_at"], d["due_at"]);
  EXPECT_EQ(d["span"], "3 business days (au-national)");
  // The calendar of each instant counted in business days; the narrative's, derived by calendar
  // arithmetic, names none.
  EXPECT_EQ(d["calendars"], (json{{"due_at", "au-national"}, {"cap_at", "au-national"}}));
  // Halfway, since 7 days before the deadline is before the determination.
  EXPECT_EQ(d["narrative_due_at"], "2026-12-27T17:59:59Z");
}

TEST_F(FilingRules, AuSmrRelatedToTerrorismFinancingIsDueIn24Hours) {
  const json d = deadline("AU_SMR", "2026-12-23T23:00:00Z", true, /*tf=*/true);
  EXPECT_EQ(d["due_at"], "2026-12-24T23:00:00Z");
  EXPECT_EQ(d["basis"], "terrorism financing");
  // 48 hours before a 24-hour deadline is before the determination that started the clock: the
  // notice is due at the determination, never before it.
  EXPECT_EQ(d["cco_notice_at"], "2026-12-23T23:00:00Z");
}

TEST_F(FilingRules, CaStrUsesTheInternalTargetUnderTheCanadianCalendar) {
  // Friday 25 September 2026, 11:00 Toronto: 28, 29, (30th National Day for Truth and
  // Reconciliation), 1, 2, 5 October.
  const json d = deadline("CA_STR", "2026-09-25T15:00:00Z");
  EXPECT_EQ(d["due_at"], "2026-10-06T03:59:59Z");  // Monday 5 October 23:59:59 EDT
  EXPECT_EQ(d["basis"], "as_soon_as_practicable");
}

TEST_F(FilingRules, ContinuingActivityIsReviewedAt90DaysAndFiledBy120) {
  const std::map<std::string, Instant> anchors{
      {"filed_at", *parse_instant("2027-01-04T12:00:00Z")},
      {"determination_at", *parse_instant("2026-11-03T15:00:00Z")}};
  const json c = continuing_review(table_, "US_SAR", anchors);
  EXPECT_EQ(c["applies"], true);
  EXPECT_EQ(c["anchor"], "filed_at");
  EXPECT_EQ(c["anchored_at"], "2027-01-04T12:00:00Z");
  EXPECT_EQ(c["review_at"], "2027-04-04T12:00:00Z");
  EXPECT_EQ(c["file_by"], "2027-05-04T12:00:00Z");
  EXPECT_EQ(continuing_review(table_, "AU_SMR", anchors)["applies"], false);
}

TEST_F(FilingRules, TheTablesContinuingActivityAnchorDrivesTheDates) {
  // The anchor is unverified in the table; when the table is changed to the determination, the
  // dates move with it — the workflow passes every anchor it has and the table chooses.
  json table = table_;
  for (auto& row : table["regimes"]) {
    if (row["regime"] == "US_SAR") row["continuing_activity"]["anchor"] = "determination_at";
  }
  const std::map<std::string, Instant> anchors{
      {"filed_at", *parse_instant("2027-01-04T12:00:00Z")},
      {"determination_at", *parse_instant("2026-11-03T15:00:00Z")}};
  const json c = continuing_review(table, "US_SAR", anchors);
  EXPECT_EQ(c["anchor"], "determination_at");
  EXPECT_EQ(c["review_at"], "2027-02-01T15:00:00Z");
  EXPECT_EQ(c["file_by"], "2027-03-03T15:00:00Z");
  // An anchor the step does not give is an error naming it, never a silent fallback.
  try {
    (void)continuing_review(table, "US_SAR", {{"filed_at", anchors.at("filed_at")}});
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "the US_SAR continuing-activity rule is anchored at 'determination_at', which "
                 "the step's anchors do not hold (given: filed_at)");
  }
}

TEST_F(FilingRules, NoGuessesForUnknownRegimesOrCalendars) {
  EXPECT_THROW(deadline("XX_ZZZ", "2026-12-02T15:00:00Z"), std::invalid_argument);
  json table = table_;
  for (auto& row : table["regimes"]) {
    if (row["regime"] == "AU_SMR") row["deadline"]["due"]["calendar"] = "atlantis";
  }
  try {
    (void)filing_deadline(table, {"AU_SMR", *parse_instant("2026-12-02T15:00:00Z"), true, false},
                          business_days_);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("no calendar 'atlantis'"), std::string::npos);
  }
}

TEST(TimeText, ParsesAndFormatsInstantsAndDurations) {
  EXPECT_EQ(format_instant(*parse_instant("2026-12-08T23:59:59+11:00")), "2026-12-08T12:59:59Z");
  EXPECT_EQ(format_instant(*parse_instant("2026-12-08T12:59:59.123Z")), "2026-12-08T12:59:59Z");
  EXPECT_FALSE(parse_instant("2026-02-30T00:00:00Z").has_value());
  EXPECT_FALSE(parse_instant("yesterday").has_value());
  EXPECT_EQ(parse_iso_duration("P1DT2H30M")->count(), 86400 + 9000);
  EXPECT_EQ(parse_iso_duration("P2W")->count(), 14 * 86400);
  EXPECT_FALSE(parse_iso_duration("P1M").has_value());  // months have no fixed length
  EXPECT_FALSE(parse_iso_duration("PT").has_value());
  EXPECT_EQ(format_iso_duration(std::chrono::seconds(90061)), "P1DT1H1M1S");
  EXPECT_EQ(format_iso_duration(std::chrono::seconds(0)), "PT0S");
}

}  // namespace
}  // namespace coalition::plugins::regulatory
