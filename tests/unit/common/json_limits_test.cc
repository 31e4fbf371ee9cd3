// Documents from outside are parsed under limits and strictly; values built in memory are
// checked against the same limits without recursion.
#include "common/json_limits.h"

#include <gtest/gtest.h>

#include "common/json_text.h"

namespace coalition {
namespace {

using nlohmann::json;

std::string nested_arrays(size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

TEST(ParseJsonLimits, DepthIsRefusedWhileParsingWithThePointer) {
  JsonLimits limits;
  limits.max_depth = 4;
  EXPECT_TRUE(parse_json(nested_arrays(4), limits).ok());
  auto doc = parse_json(R"({"a": [{"b": [1]}]})", limits);
  ASSERT_TRUE(doc.ok());
  doc = parse_json(R"({"a": [{"b": [[1]]}]})", limits);
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error().code(), ErrorCode::kInvalidData);
  EXPECT_EQ(doc.error().message().rfind("limits.depth: nested deeper than 4 levels", 0), 0u)
      << doc.error().message();
  EXPECT_EQ(doc.error().pointer(), "/a/0/b/0");
}

TEST(ParseJsonLimits, AMillionLevelsDeepIsRefusedNotACrash) {
  auto doc = parse_json(nested_arrays(1000000), JsonLimits{.max_document_bytes = 4u << 20});
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(doc.error().message().find("limits.depth"), std::string::npos);
}

TEST(ParseJsonLimits, DuplicateKeysAreRefused) {
  auto doc = parse_json(R"({"visibility": {"a": 1}, "steps": [], "visibility": {}})");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error().pointer(), "/visibility");
  EXPECT_NE(doc.error().message().find("json.duplicate_key"), std::string::npos);
  EXPECT_NE(doc.error().message().find("appears twice"), std::string::npos);
  auto nested = parse_json(R"({"x": [{"k": 1, "k": 2}]})");
  ASSERT_FALSE(nested.ok());
  EXPECT_EQ(nested.error().pointer(), "/x/0/k");
  EXPECT_TRUE(parse_json(R"([{"k": 1}, {"k": 2}])").ok());  // siblings may share keys
}

TEST(ParseJsonLimits, IntegersOutside64BitsAreRefusedNotRounded) {
  EXPECT_TRUE(parse_json("[18446744073709551615, -9223372036854775808, 1e300, 0.1]").ok());
  auto doc = parse_json(R"({"account": 123456789012345678901234567890})");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error().pointer(), "/account");
  EXPECT_NE(doc.error().message().find("64-bit"), std::string::npos);
  auto huge = parse_json("[1e999]");
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().message().find("[json.exception"), std::string::npos)
      << huge.error().message();
  EXPECT_NE(huge.error().message().find("too large"), std::string::npos);
}

TEST(ParseJsonLimits, SizeStringsArraysAndObjectsAreBounded) {
  JsonLimits limits;
  limits.max_document_bytes = 64;
  limits.max_string_bytes = 8;
  limits.max_array_items = 3;
  limits.max_object_members = 2;
  std::string padded(66, ' ');  // 65 spaces and a number: one byte over
  padded.back() = '1';
  EXPECT_NE(parse_json(padded, limits).error().message().find("limits.document_bytes"),
            std::string::npos);
  auto s = parse_json(R"({"a": "123456789"})", limits);
  EXPECT_NE(s.error().message().find("limits.string_bytes"), std::string::npos);
  EXPECT_EQ(s.error().pointer(), "/a");
  auto a = parse_json("[1, 2, 3, 4]", limits);
  EXPECT_NE(a.error().message().find("limits.array_items"), std::string::npos);
  EXPECT_EQ(a.error().pointer(), "/3");
  auto o = parse_json(R"({"a": 1, "b": 2, "c": 3})", limits);
  EXPECT_NE(o.error().message().find("limits.object_members"), std::string::npos);
  EXPECT_TRUE(parse_json(R"({"a": [1, 2, 3], "b": "12345678"})", limits).ok());
}

TEST(ParseJsonLimits, MalformedTextKeepsLineAndColumnWithoutLibraryWords) {
  auto doc = parse_json("{\n  \"a\": tru\n}");
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(doc.error().message().find("line 2"), std::string::npos) << doc.error().message();
  EXPECT_EQ(doc.error().message().find("json.exception"), std::string::npos);
  auto utf8 = parse_json("[\"\xff\"]");
  ASSERT_FALSE(utf8.ok());
  EXPECT_NE(utf8.error().message().find("UTF-8"), std::string::npos) << utf8.error().message();
}

TEST(CheckJsonLimits, ValuesDeeperThanAnyStackAreCheckedIteratively) {
  json deep = json::array();
  json* at = &deep;
  for (int i = 0; i < 200000; ++i) {
    at->push_back(json::array());
    at = &at->back();
  }
  auto s = check_json_limits(deep);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("limits.depth"), std::string::npos);
  EXPECT_EQ(
      s.error().pointer(), "/" + [] {
        std::string p = "0";
        for (int i = 1; i < 128; ++i) p += "/0";
        return p;
      }());
}

TEST(CheckJsonLimits, NamesTheFirstValueThatBreaksALimit) {
  JsonLimits limits;
  limits.max_string_bytes = 4;
  limits.max_array_items = 2;
  EXPECT_TRUE(check_json_limits(json{{"a", {1, 2}}, {"b", "abcd"}}, limits).ok());
  auto s = check_json_limits(json{{"a", {1, 2}}, {"b", {{"c", "abcde"}}}}, limits);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().pointer(), "/b/c");
  auto k = check_json_limits(json{{"a", {{"longkey", 1}}}}, limits);
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.error().pointer(), "/a/longkey");
  auto a = check_json_limits(json{{"a", {1, 2, 3}}}, limits);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().pointer(), "/a");
}

}  // namespace
}  // namespace coalition
