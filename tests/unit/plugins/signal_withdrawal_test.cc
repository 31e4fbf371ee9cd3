// A signal's end: withdrawn (with its tombstone, the indicator kept no longer) when retracted
// after an upheld appeal or at its review, or expired; kept a year more when re-confirmed.
#include "signals/signal_withdrawal.h"

#include <gtest/gtest.h>

namespace coalition::plugins::signals {
namespace {

using nlohmann::json;

Instant at(const char* text) {
  return *parse_instant(text);
}

TEST(SignalWithdrawal, EachWayALifeEndsAndWhatRemains) {
  const Instant now = at("2028-02-29T10:00:00Z");
  const json retracted = withdrawal(
      "SIG-EX-1", json::parse(R"({"appeal": {"ended_by": "appeal", "decision": "retract"}})"), now,
      1);
  EXPECT_EQ(retracted["withdrawn"], true);
  EXPECT_EQ(retracted["indicator_until"], "2028-02-29T10:00:00Z");  // no longer
  EXPECT_EQ(retracted["tombstone"],
            json::parse(R"({"signal_id": "SIG-EX-1", "withdrawn_at": "2028-02-29T10:00:00Z",
                            "reason": "retracted by the originator after an appeal was upheld"})"));
  EXPECT_EQ(
      withdrawal("SIG-EX-1", json::parse(R"({"appeal": {"decision": "retract", "note": "late"}})"),
                 now, 1)["reason"],
      "retracted: an appeal was upheld and the originator did not re-review the signal in "
      "time");
  EXPECT_EQ(withdrawal("SIG-EX-1", json::parse(R"({"expiry": {"decision": "expired"}})"), now,
                       1)["tombstone"]["reason"],
            "expired: not re-confirmed at its twelve-month review");
  EXPECT_EQ(withdrawal("SIG-EX-1", json::parse(R"({"expiry": {"decision": "retract"}})"), now,
                       1)["withdrawn"],
            true);
  // Re-confirmed on 29 February: kept until 28 February a year on; no tombstone.
  const json kept =
      withdrawal("SIG-EX-1", json::parse(R"({"expiry": {"decision": "reconfirm"}})"), now, 1);
  EXPECT_EQ(kept["withdrawn"], false);
  EXPECT_FALSE(kept.contains("tombstone"));
  EXPECT_EQ(kept["indicator_until"], "2029-02-28T10:00:00Z");
}

TEST(SignalWithdrawal, ALifecycleItCannotReadIsRefusedNamingIt) {
  const Instant now = at("2027-01-01T00:00:00Z");
  EXPECT_THROW((void)withdrawal("S", json::object(), now, 1), std::invalid_argument);
  EXPECT_THROW((void)withdrawal("S", json::parse(R"({"appeal": {"decision": "maybe"}})"), now, 1),
               std::invalid_argument);
}

}  // namespace
}  // namespace coalition::plugins::signals
