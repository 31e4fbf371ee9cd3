#include "workflow/duration.h"

#include <gtest/gtest.h>

namespace coalition {
namespace {

using std::chrono::milliseconds;

TEST(Duration, ParsesIso8601) {
  EXPECT_EQ(*parse_duration("PT30S"), milliseconds(30000));
  EXPECT_EQ(*parse_duration("PT1H30M"), milliseconds(5400000));
  EXPECT_EQ(*parse_duration("P3D"), milliseconds(3LL * 86400000));
  EXPECT_EQ(*parse_duration("P2W"), milliseconds(14LL * 86400000));
  EXPECT_EQ(*parse_duration("P1DT2H"), milliseconds(86400000 + 7200000));
  EXPECT_EQ(*parse_duration("PT0.25S"), milliseconds(250));
}

TEST(Duration, RefusesWhatIsNotADuration) {
  for (const char* bad : {"", "P", "PT", "30s", "1h", "P1Y", "P1M", "PT1.5M", "PT1S2M", "P1DT",
                          "-PT1S", "PTS", "P1D1D"}) {
    auto d = parse_duration(bad);
    EXPECT_FALSE(d.ok()) << bad;
    if (!d.ok()) {
      EXPECT_NE(d.error().message().find("expected ISO 8601"), std::string::npos);
    }
  }
}

TEST(Duration, FormatsTheShortestForm) {
  EXPECT_EQ(format_duration(milliseconds(0)), "PT0S");
  EXPECT_EQ(format_duration(milliseconds(5400000)), "PT1H30M");
  EXPECT_EQ(format_duration(milliseconds(86400000 + 1500)), "P1DT1.5S");
  EXPECT_EQ(format_duration(milliseconds(100)), "PT0.1S");
  EXPECT_EQ(*parse_duration(format_duration(milliseconds(93784005))), milliseconds(93784005));
}

}  // namespace
}  // namespace coalition
