#include "schema/json_schema.h"

#include <gtest/gtest.h>

namespace coalition {
namespace {

using nlohmann::json;

JsonSchema closed(const char* text) {
  auto schema = JsonSchema::compile(json::parse(text), JsonSchema::Objects::kClosedByDefault);
  EXPECT_TRUE(schema.ok()) << (schema.ok() ? "" : schema.error().message());
  return std::move(schema).value();
}

constexpr const char* kContactSchema = R"({
  "type": "object",
  "properties": {
    "role": {"type": "string"},
    "channels": {"type": "array", "items": {
      "type": "object",
      "properties": {"kind": {"enum": ["email", "phone"]}, "priority": {"type": "integer"}},
      "required": ["kind"]
    }}
  },
  "required": ["role"]
})";

TEST(JsonSchema, AcceptsValidDocument) {
  auto schema = closed(kContactSchema);
  EXPECT_TRUE(schema
                  .validate(json::parse(
                      R"({"role": "aml_officer", "channels": [{"kind": "email", "priority": 1}]})"))
                  .empty());
}

TEST(JsonSchema, WrongTypeNamesItsPointer) {
  auto schema = closed(kContactSchema);
  auto violations = schema.validate(json::parse(R"({"role": 7})"));
  ASSERT_FALSE(violations.empty());
  EXPECT_EQ(violations.front().pointer, "/role");
}

TEST(JsonSchema, UnknownKeyIsAnErrorWhenClosedByDefault) {
  auto schema = closed(kContactSchema);
  auto violations = schema.validate(json::parse(R"({"role": "x", "rol": "y"})"));
  ASSERT_FALSE(violations.empty());
  bool found = false;
  for (const auto& v : violations) found = found || v.pointer == "/rol" || v.pointer.empty();
  EXPECT_TRUE(found);
}

TEST(JsonSchema, NestedViolationPointsIntoArrays) {
  auto schema = closed(kContactSchema);
  auto violations = schema.validate(
      json::parse(R"({"role": "x", "channels": [{"kind": "email"}, {"kind": "fax"}]})"));
  ASSERT_FALSE(violations.empty());
  EXPECT_EQ(violations.front().pointer, "/channels/1/kind");
}

TEST(JsonSchema, NestedUnknownKeyIsRefused) {
  auto schema = closed(kContactSchema);
  EXPECT_FALSE(
      schema.validate(json::parse(R"({"role": "x", "channels": [{"kind": "email", "prio": 1}]})"))
          .empty());
}

TEST(JsonSchema, AsWrittenKeepsObjectsOpen) {
  auto schema = JsonSchema::compile(json::parse(kContactSchema));
  ASSERT_TRUE(schema.ok());
  EXPECT_TRUE(schema->validate(json::parse(R"({"role": "x", "extra": true})")).empty());
}

TEST(JsonSchema, ExplicitAdditionalPropertiesIsRespected) {
  auto schema = closed(R"({"type":"object","properties":{"a":{}},"additionalProperties":true})");
  EXPECT_TRUE(schema.validate(json::parse(R"({"a": 1, "b": 2})")).empty());
}

TEST(JsonSchema, AllOfBranchesAreNotClosedAgainstEachOther) {
  auto schema = closed(R"({"allOf": [{"properties": {"a": {"type": "integer"}}},
                                      {"properties": {"b": {"type": "integer"}}}]})");
  EXPECT_TRUE(schema.validate(json::parse(R"({"a": 1, "b": 2})")).empty());
  EXPECT_FALSE(schema.validate(json::parse(R"({"a": "x", "b": 2})")).empty());
}

TEST(JsonSchema, UnusableSchemaIsAnErrorNotACrash) {
  auto schema = JsonSchema::compile(json::parse(R"({"type": "object", "properties": 5})"));
  ASSERT_FALSE(schema.ok());
  EXPECT_EQ(schema.error().code(), ErrorCode::kInvalidData);
  EXPECT_FALSE(JsonSchema::compile(json::parse("[1, 2]")).ok());
}

TEST(JsonSchema, RemoteReferencesAreNotFetched) {
  auto schema =
      JsonSchema::compile(json::parse(R"({"$ref": "https://example.invalid/schema.json"})"));
  EXPECT_FALSE(schema.ok());
}

}  // namespace
}  // namespace coalition
