#include "schema/json_schema.h"

#include <gtest/gtest.h>

#include <algorithm>

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

// Whether {} is valid is decided once, when the schema is compiled: a schema that refuses it
// still says why, every time.
TEST(JsonSchema, TheEmptyObjectIsJudgedAsAnyOtherDocument) {
  auto requires_role = closed(kContactSchema);
  for (int i = 0; i < 2; ++i) {
    auto violations = requires_role.validate(json::object());
    ASSERT_EQ(violations.size(), 1u);
    EXPECT_NE(violations[0].message.find("role"), std::string::npos) << violations[0].message;
  }
  auto no_properties = closed(R"({"type": "object", "maxProperties": 0})");
  EXPECT_TRUE(no_properties.validate(json::object()).empty());
  EXPECT_FALSE(no_properties.validate(json{{"a", 1}}).empty());
  EXPECT_FALSE(no_properties.validate(json::array()).empty());
  auto a_list = closed(R"({"type": "array"})");
  EXPECT_FALSE(a_list.validate(json::object()).empty());
  EXPECT_TRUE(a_list.validate(json::array()).empty());
  // valijson reads a value under "format" as a string before it checks the type ({} reads as
  // ""): judged at compilation, such schemas compile and judge as any other.
  for (
      const char* text :
      {R"({"type": "string", "format": "date"})", R"({"format": "uri"})",
       R"({"anyOf": [{"type": "object", "required": ["id"]}, {"type": "string", "format": "uri"}]})"}) {
    auto compiled = JsonSchema::compile(json::parse(text), JsonSchema::Objects::kClosedByDefault);
    ASSERT_TRUE(compiled.ok()) << text;
  }
  auto dated = closed(R"({"type": "string", "format": "date"})");
  EXPECT_TRUE(dated.validate("2026-12-07").empty());
  EXPECT_FALSE(dated.validate("07/12/2026").empty());
}

// A value that is not text where the schema names a format made valijson throw out of validate()
// (it reads the value as a string before the type): now a violation like any other.
TEST(JsonSchema, AValueThatIsNotTextUnderAFormatIsRefusedNotThrownOn) {
  auto member = closed(
      R"({"type": "object", "properties": {"registered_on": {"type": "string", "format": "date"}}})");
  for (const char* text : {R"({"registered_on": {"year": 2026}})", R"({"registered_on": [1, 2]})",
                           R"({"registered_on": 1.5})"}) {
    std::vector<SchemaViolation> violations;
    ASSERT_NO_THROW(violations = member.validate(json::parse(text))) << text;
    ASSERT_FALSE(violations.empty()) << text;
  }
  auto refused = member.validate(json::parse(R"({"registered_on": {"year": 2026}})"));
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_NE(refused[0].message.find("format"), std::string::npos) << refused[0].message;
  EXPECT_EQ(refused[0].found, "an object");
  EXPECT_NE(member.describe(refused[0]).find("not text"), std::string::npos)
      << member.describe(refused[0]);
  EXPECT_TRUE(member.validate(json::parse(R"({"registered_on": "2026-12-07"})")).empty());
  EXPECT_FALSE(member.validate(json::parse(R"({"registered_on": 7})")).empty());
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

// What a person reads: never the validator's own words, whatever constraint failed and
// wherever (inside anyOf/oneOf the schema's own words at the pointer are not known).
TEST(JsonSchema, DescribeSaysEveryFailedConstraintInAPersonsWords) {
  auto schema = closed(R"({"type": "object", "properties": {
    "role": {"type": "string"},
    "code": {"anyOf": [{"type": "string", "pattern": "^[a-z]+$"}, {"type": "integer"}]},
    "pick": {"oneOf": [{"enum": ["a", "b"]}, {"const": 3}]},
    "count": {"anyOf": [{"type": "integer", "minimum": 10}]},
    "names": {"anyOf": [{"type": "array", "minItems": 2, "uniqueItems": true}]},
    "label": {"anyOf": [{"type": "string", "maxLength": 3}]}}})");
  auto words = [&](const char* doc) {
    std::vector<std::string> out;
    for (const auto& v : schema.validate(json::parse(doc))) out.push_back(schema.describe(v));
    return out;
  };
  const std::vector<std::string> all = [&] {
    std::vector<std::string> out;
    for (const char* doc :
         {R"({"role": 7})", R"({"code": "A-1"})", R"({"pick": "z"})", R"({"count": 3})",
          R"({"names": ["x"]})", R"({"names": ["x", "x"]})", R"({"label": "long"})"}) {
      for (auto& w : words(doc)) out.push_back(w);
    }
    return out;
  }();
  for (const auto& w : all) {
    for (const char* raw : {"constraint", "Failed to", "Value type", "should", "Expected number",
                            "subschema", ".000000"}) {
      EXPECT_EQ(w.find(raw), std::string::npos) << w;
    }
  }
  EXPECT_EQ(words(R"({"role": 7})"),
            std::vector<std::string>{"expected type string, found an integer"});
  const auto count = words(R"({"count": 3})");
  EXPECT_NE(std::find(count.begin(), count.end(), "expected a number at least 10"), count.end())
      << ::testing::PrintToString(count);
  const auto names = words(R"({"names": ["x"]})");
  EXPECT_NE(std::find(names.begin(), names.end(), "expected at least 2 items"), names.end())
      << ::testing::PrintToString(names);
  const auto twice = words(R"({"names": ["x", "x"]})");
  EXPECT_NE(std::find(twice.begin(), twice.end(), "holds the same item twice; each must be unique"),
            twice.end())
      << ::testing::PrintToString(twice);
}

}  // namespace
}  // namespace coalition
