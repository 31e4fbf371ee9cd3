#include "common/json_text.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace coalition {
namespace {

TEST(ParseJson, ParsesValidText) {
  auto doc = parse_json(R"({"case": "FC-2026-0042", "tiers": [1, 2]})");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ((*doc)["case"], "FC-2026-0042");
  EXPECT_EQ((*doc)["tiers"].size(), 2u);
}

TEST(ParseJson, NamesLineAndColumnOfTheMistake) {
  auto doc = parse_json("{\n  \"case\": \"FC-1\",\n  \"tier\": ,\n}");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error().code(), ErrorCode::kInvalidData);
  EXPECT_NE(doc.error().message().find("line 3, column 11"), std::string::npos)
      << doc.error().message();
}

TEST(ParseJson, ReportsTruncatedDocument) {
  auto doc = parse_json(R"({"case": "FC-1", )");
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(doc.error().message().find("line 1"), std::string::npos);
}

TEST(ParseJson, NumberTooLargeIsAnErrorNotAnException) {
  auto doc = parse_json(R"({"amount": 1.92E945})");
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.error().code(), ErrorCode::kInvalidData);
  EXPECT_NE(doc.error().message().find("1.92E945"), std::string::npos) << doc.error().message();
}

// "{}" skips the parser; it is the same document, under the same limits, as parsed text.
TEST(ParseJson, TheEmptyObjectIsTheParsersUnderTheSameLimits) {
  auto empty = parse_json("{}");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->is_object());
  EXPECT_TRUE(empty->empty());
  auto spaced = parse_json(" { } ");
  ASSERT_TRUE(spaced.ok());
  EXPECT_EQ(*spaced, *empty);
  JsonLimits flat = json_limits();
  flat.max_depth = 0;
  auto refused = parse_json("{}", flat);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message(), parse_json("{ }", flat).error().message());
  flat = json_limits();
  flat.max_document_bytes = 1;
  EXPECT_FALSE(parse_json("{}", flat).ok());
}

TEST(ToText, EmptyContainersAreWhatTheSerializerWrites) {
  EXPECT_EQ(to_text(nlohmann::json::object()), nlohmann::json::object().dump());
  EXPECT_EQ(to_text(nlohmann::json::array()), "[]");
  EXPECT_EQ(to_text(nlohmann::json{{"a", nlohmann::json::object()}}), R"({"a":{}})");
}

TEST(PointerAppend, EscapesTildeAndSlash) {
  EXPECT_EQ(pointer_append("", "a/b"), "/a~1b");
  EXPECT_EQ(pointer_append("/x", "m~n"), "/x/m~0n");
  EXPECT_EQ(pointer_append("/items", size_t{3}), "/items/3");
}

TEST(SplitPointer, UnescapesTokens) {
  EXPECT_EQ(split_pointer("/a~1b/c~0d/0"), (std::vector<std::string>{"a/b", "c~d", "0"}));
  EXPECT_TRUE(split_pointer("").empty());
  EXPECT_EQ(split_pointer("/"), (std::vector<std::string>{""}));
}

TEST(ToText, ReplacesInvalidUtf8InsteadOfThrowing) {
  nlohmann::json doc = std::string("bad \xff byte");
  EXPECT_NO_THROW({
    auto text = to_text(doc);
    EXPECT_NE(text.find("bad"), std::string::npos);
  });
}

// Written field by field, a string is the very text the serializer gives it: every byte below
// 0x80 (escaped or not), characters of two, three and four bytes, and invalid UTF-8 (replaced
// as to_text replaces it), each alone and between other text.
TEST(AppendJsonString, GivesWhatTheSerializerGives) {
  std::vector<std::string> cases = {"",
                                    "plain",
                                    "tab\there",
                                    "quote \" and \\ back",
                                    "caf\xc3\xa9",
                                    "\xe2\x82\xac 5",
                                    "\xf0\x9f\x93\x81 case",
                                    "bad \xff byte",
                                    "cut \xe2\x82",
                                    "\xed\xa0\x80 surrogate",
                                    "\xc0\xaf overlong",
                                    "del \x7f"};
  for (int c = 0; c < 0x80; ++c) cases.push_back(std::string("<") + static_cast<char>(c) + ">");
  for (const auto& value : cases) {
    std::string out = "[";
    append_json_string(out, value);
    EXPECT_EQ(out, "[" + to_text(nlohmann::json(value))) << value;
  }
}

// Plain text is scanned eight bytes at a time: every byte that needs escaping, or starts a
// character of several bytes, is found at every offset of longer strings too.
TEST(AppendJsonString, FindsWhatNeedsEscapingAtEveryOffsetOfLongerText) {
  std::vector<std::string> specials = {
      "\"", "\\", "\n", std::string(1, '\0'), "\x1f", "\x7f", " ", "\xc3\xa9", "\xff", "\xe2\x82"};
  for (const auto& special : specials) {
    for (size_t length = 0; length <= 24; ++length) {
      for (size_t at = 0; at <= length; ++at) {
        std::string value = std::string(at, 'a') + special + std::string(length - at, 'b');
        std::string out = "[";
        append_json_string(out, value);
        ASSERT_EQ(out, "[" + to_text(nlohmann::json(value))) << length << " " << at;
      }
    }
  }
}

}  // namespace
}  // namespace coalition
