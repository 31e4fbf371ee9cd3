#include "common/json_text.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace coalition
