// How the stores turn the chain's hex digests into the 32 bytes they keep, and back: exactly the
// lower-case hex digests, anything else kept as the text it is (store/store_audit.h).
#include "store/store_audit.h"

#include <gtest/gtest.h>

#include <string>

namespace coalition {
namespace {

TEST(StoreAuditTest, ALowerCaseHexDigestIsStoredAsItsBytesAndReadBackAsTheSameText) {
  std::string hex;
  for (int i = 0; i < 32; ++i) {
    hex.push_back("0123456789abcdef"[(i * 7) % 16]);
    hex.push_back("fedcba9876543210"[i % 16]);
  }
  const auto bytes = digest_bytes(hex);
  ASSERT_TRUE(bytes.has_value());
  EXPECT_EQ(static_cast<unsigned char>((*bytes)[0]), 0x0F);
  EXPECT_EQ(static_cast<unsigned char>((*bytes)[1]), 0x7E);
  EXPECT_EQ(hex_text(std::string_view(bytes->data(), bytes->size())), hex);
  const auto list = digest_list_bytes(hex + hex);
  ASSERT_TRUE(list.has_value());
  EXPECT_EQ(hex_text(*list), hex + hex);
}

TEST(StoreAuditTest, AnythingButALowerCaseHexDigestIsNoDigest) {
  const std::string hex(64, 'a');
  EXPECT_TRUE(digest_bytes(hex).has_value());
  for (const size_t at : {size_t{0}, size_t{31}, size_t{63}}) {
    for (const char c : {'A', 'F', 'g', '/', ':', '`', ' ', '\0', '\x80', '\xff'}) {
      std::string bad = hex;
      bad[at] = c;
      SCOPED_TRACE(std::to_string(at) + " " + std::to_string(static_cast<unsigned char>(c)));
      EXPECT_FALSE(digest_bytes(bad).has_value());
      EXPECT_FALSE(digest_list_bytes(hex + bad).has_value());
    }
  }
  EXPECT_FALSE(digest_bytes(hex.substr(1)).has_value());
  EXPECT_FALSE(digest_bytes(hex + "a").has_value());
  EXPECT_FALSE(digest_bytes("").has_value());
  EXPECT_FALSE(digest_list_bytes("").has_value());
  EXPECT_FALSE(digest_list_bytes(hex + "ab").has_value());
}

}  // namespace
}  // namespace coalition
