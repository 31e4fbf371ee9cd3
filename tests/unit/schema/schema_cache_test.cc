#include "schema/schema_cache.h"

#include <gtest/gtest.h>

namespace coalition {
namespace {

using nlohmann::json;

const json kAnswer = json::parse(R"({"type": "object", "required": ["decision"],
  "properties": {"decision": {"enum": ["approve", "reject"]}}})");

TEST(SchemaCache, EqualSchemasShareOneCompiledFormThatChecksAsTheSchemaSays) {
  SchemaCache cache;
  auto first = cache.compiled(kAnswer);
  auto second = cache.compiled(json::parse(kAnswer.dump()));  // the same text, another value
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(&first->document(), &second->document());  // one compiled form
  EXPECT_TRUE(second->validate({{"decision", "approve"}}).empty());
  const auto violations = second->validate({{"decision", "maybe"}});
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].pointer, "/decision");
  // Another schema is another entry.
  json other = kAnswer;
  other["properties"]["decision"]["enum"] = {"observed", "not_observed"};
  auto third = cache.compiled(other);
  ASSERT_TRUE(third.ok());
  EXPECT_NE(&third->document(), &first->document());
  EXPECT_TRUE(third->validate({{"decision", "observed"}}).empty());
}

TEST(SchemaCache, AnUnusableSchemaIsRefusedEveryTimeAndAFullCacheStartsOver) {
  SchemaCache cache(2);
  const json broken{{"type", 7}};
  EXPECT_FALSE(cache.compiled(broken).ok());
  EXPECT_FALSE(cache.compiled(broken).ok());
  auto a = cache.compiled(json{{"type", "string"}});
  auto b = cache.compiled(json{{"type", "number"}});
  auto c = cache.compiled(json{{"type", "boolean"}});  // full: starts over with this one
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  auto again = cache.compiled(json{{"type", "string"}});
  ASSERT_TRUE(again.ok());
  EXPECT_NE(&again->document(), &a->document());  // compiled anew after the reset
  EXPECT_TRUE(again->validate("text").empty());
  EXPECT_FALSE(again->validate(3).empty());
}

}  // namespace
}  // namespace coalition
