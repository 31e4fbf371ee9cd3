// The one reader of ISO 8601 spans, and the cases where the engine's and the plugins' readers
// disagreed before they shared it.
#include "common/iso_duration.h"

#include <gtest/gtest.h>

#include <string>

#include "shared/time_text.h"
#include "workflow/duration.h"

namespace coalition::iso_duration_test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string why_of(std::string_view text) {
  std::string why;
  EXPECT_FALSE(parse_iso_duration_text(text, &why)) << text;
  return why;
}

TEST(IsoDuration, ReadsEveryComponentInOrder) {
  EXPECT_EQ(*parse_iso_duration_text("PT30S"), milliseconds(30000));
  EXPECT_EQ(*parse_iso_duration_text("P1W2DT3H4M5S"),
            milliseconds(((9LL * 24 + 3) * 60 + 4) * 60000 + 5000));
  EXPECT_EQ(*parse_iso_duration_text("PT1.5S"), milliseconds(1500));
  EXPECT_EQ(*parse_iso_duration_text("PT0.0005S"), milliseconds(1)) << "rounded to the ms";
  EXPECT_EQ(*parse_iso_duration_text("PT0.123456789S"), milliseconds(123));
  EXPECT_EQ(*parse_iso_duration_text("PT0S"), milliseconds(0));
}

TEST(IsoDuration, SaysWhyATextIsNoDuration) {
  EXPECT_EQ(why_of("PT1S1H"), "the units must come in the order W, D, T, H, M, S, each once");
  EXPECT_EQ(why_of("P1D1D"), "the units must come in the order W, D, T, H, M, S, each once");
  EXPECT_EQ(why_of("PT1.2.3S"), "an unknown unit");
  EXPECT_EQ(why_of("PT1.5M"), "only seconds may have a fraction");
  EXPECT_EQ(why_of("P1Y"), "years and months depend on the calendar");
  EXPECT_EQ(why_of("P1M"), "years and months depend on the calendar");
  EXPECT_EQ(why_of("P1DT"), "nothing follows 'T'");
  EXPECT_EQ(why_of("-PT1S"), "it must start with 'P'");
  EXPECT_EQ(why_of("pt1s"), "it must start with 'P'");
  EXPECT_EQ(why_of("P"), "no components");
  EXPECT_EQ(why_of("PTS"), "a unit needs a number before it");
  EXPECT_EQ(why_of("PT1,5S"), "an unknown unit") << "a dot, as the workflow format's pattern";
  EXPECT_EQ(why_of("PT1X"), "an unknown unit");
  EXPECT_EQ(why_of("PT1.S"), "a fraction needs digits");
  EXPECT_EQ(why_of("PT0.1234567890S"), "more than 9 digits in a fraction");
  EXPECT_EQ(why_of("P99999999999999999999999D"), "longer than a century");
  EXPECT_EQ(why_of("P36601D"), "longer than a century");
  EXPECT_EQ(why_of("PT 1S"), "a unit needs a number before it");
}

TEST(IsoDuration, WritesTheShortestFormAndReadsItBack) {
  EXPECT_EQ(format_iso_duration_text(milliseconds(0)), "PT0S");
  EXPECT_EQ(format_iso_duration_text(milliseconds(129600000)), "P1DT12H");
  EXPECT_EQ(format_iso_duration_text(milliseconds(-3600000)), "-PT1H");
  EXPECT_EQ(format_iso_duration_text(milliseconds(1500)), "PT1.5S");
  EXPECT_EQ(*parse_iso_duration_text(format_iso_duration_text(milliseconds(93784005))),
            milliseconds(93784005));
}

// The engine (workflow files) and the plugins (their tables: chase intervals, filing spans,
// verification periods) accept exactly the same texts and read the same whole seconds.
TEST(IsoDuration, EngineAndPluginsAgreeOnEveryText) {
  for (const char* text :
       {"PT30S",  "P1W",     "P2W3D",  "P1DT2H", "PT1S1H", "PT1.5S", "PT1.2.3S", "P1Y",
        "P1M",    "PT1M",    "P1D1D",  "-PT1S",  "P",      "PT",     "P1DT",     "PT0.5S",
        "P3650D", "P36601D", "PT1,5S", "pt1s",   "PT1.5M", "P0D",    "PT24H",    "P1WT1S"}) {
    const auto engine = parse_duration(text);
    const auto plugin = plugins::parse_iso_duration(text);
    ASSERT_EQ(engine.ok(), plugin.has_value()) << text;
    if (plugin) {
      EXPECT_EQ(std::chrono::floor<seconds>(*engine), *plugin) << text;
    }
  }
  EXPECT_EQ(plugins::format_iso_duration(seconds(-90)), "-PT1M30S");
}

}  // namespace
}  // namespace coalition::iso_duration_test
