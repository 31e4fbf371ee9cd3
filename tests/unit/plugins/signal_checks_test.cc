// The signal guard: legal basis, formats by type, no personal data in the context, and keyed
// hashes for identifiers shared only for matching.
#include "signals/signal_checks.h"

#include <gtest/gtest.h>

namespace coalition::plugins::signals {
namespace {

using nlohmann::json;

const std::string kKey = "0123456789abcdef0123456789abcdef";

json signal(json overrides) {
  json s{{"signal_type", "hash"},
         {"algorithm", "sha256"},
         {"value", std::string(64, 'a')},
         {"harm_category", "csam_trade"},
         {"legal_basis", "Coalition data-sharing agreement 2026, clause 4"},
         {"source_context", "account selling access to abuse material"}};
  if (overrides.is_object()) s.update(overrides);
  return s;
}

TEST(SignalChecks, ALegalBasisIsRequired) {
  auto c = check_signal(signal({{"legal_basis", "  "}}), kKey);
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.code, "signal.no_legal_basis");
}

TEST(SignalChecks, IndicatorsMustHaveTheirFormat) {
  EXPECT_TRUE(check_signal(signal(json::object()), kKey).ok);
  EXPECT_EQ(check_signal(signal({{"algorithm", "md5"}}), kKey).code, "signal.invalid");
  EXPECT_TRUE(
      check_signal(signal({{"algorithm", "md5"}, {"value", std::string(32, 'f')}}), kKey).ok);
  EXPECT_EQ(check_signal(signal({{"value", std::string(63, 'a') + "z"}}), kKey).code,
            "signal.invalid");
  EXPECT_EQ(check_signal(signal({{"signal_type", "url"}, {"value", "ftp://x"}}), kKey).code,
            "signal.invalid");
  EXPECT_TRUE(
      check_signal(signal({{"signal_type", "url"}, {"value", "https://files.example.net/x"}}), kKey)
          .ok);
  EXPECT_EQ(check_signal(signal({{"signal_type", "photo"}}), kKey).code, "signal.invalid");
}

TEST(SignalChecks, PersonalDataInTheContextIsRefused) {
  auto c =
      check_signal(signal({{"source_context", "seller reached at kim@mail.example.org"}}), kKey);
  EXPECT_EQ(c.code, "signal.personal_data");
  EXPECT_EQ(check_signal(signal({{"source_context", "call +44 20 7946 0000"}}), kKey).code,
            "signal.personal_data");
}

TEST(SignalChecks, MatchingIdentifiersAreSharedAsKeyedHashes) {
  auto c = check_signal(signal({{"signal_type", "email"}, {"value", "Seller.X@Mail.Example.org"}}),
                        kKey);
  ASSERT_TRUE(c.ok);
  const std::string shared = c.signal["value"];
  EXPECT_EQ(shared.rfind("hmac-sha256:", 0), 0u);
  EXPECT_EQ(shared.size(), 12u + 64u);
  EXPECT_EQ(shared, matching_hash("seller.x@mail.example.org", kKey));  // case-insensitive
  EXPECT_NE(shared, matching_hash("seller.x@mail.example.org", std::string(32, 'k')));
  EXPECT_EQ(c.minimised, json({"/value"}));
  auto clear = check_signal(
      signal({{"signal_type", "username"}, {"value", "seller_x"}, {"matching_only", false}}), kKey);
  EXPECT_EQ(clear.signal["value"], "seller_x");  // the submitter's choice, recorded
}

}  // namespace
}  // namespace coalition::plugins::signals
