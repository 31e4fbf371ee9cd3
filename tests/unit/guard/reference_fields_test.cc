// Which fields a JSON Schema declares references, as JSON Pointer patterns.
#include "guard/reference_fields.h"

#include <gtest/gtest.h>

namespace coalition {
namespace {

using nlohmann::json;

TEST(ReferenceFields, ReadsTheAnnotationAndUriFormatsThroughObjectsAndArrays) {
  const auto fields = reference_fields(json::parse(R"({
    "type": "object",
    "properties": {
      "evidence": {"type": "array", "items": {"type": "string", "x-coalition-reference": true}},
      "listing": {"type": "string", "format": "uri"},
      "note": {"type": "string"},
      "files": {"type": "object", "additionalProperties": {
        "type": "object", "properties": {"sha256": {"type": "string", "x-coalition-reference": true}}}},
      "pair": {"type": "array", "prefixItems": [{"type": "string"}, {"format": "iri"}]},
      "either": {"anyOf": [{"type": "null"}, {"type": "string", "x-coalition-reference": true}]},
      "blob": {"type": "object", "x-coalition-reference": true}
    }
  })"));
  EXPECT_TRUE(fields.covers("/evidence/0"));
  EXPECT_TRUE(fields.covers("/evidence/17"));
  EXPECT_TRUE(fields.covers("/listing"));
  EXPECT_TRUE(fields.covers("/files/report.pdf/sha256"));
  EXPECT_TRUE(fields.covers("/pair/1"));
  EXPECT_TRUE(fields.covers("/either"));
  EXPECT_TRUE(fields.covers("/blob/anything/inside"));
  EXPECT_FALSE(fields.covers("/note"));
  EXPECT_FALSE(fields.covers("/pair/0"));
  EXPECT_FALSE(fields.covers("/files/report.pdf/name"));
  EXPECT_FALSE(fields.covers(""));
}

TEST(ReferenceFields, UnescapesPointerTokens) {
  const auto fields =
      reference_fields(json::parse(R"({"properties": {"a/b": {"x-coalition-reference": true}}})"));
  EXPECT_TRUE(fields.covers("/a~1b"));
  EXPECT_FALSE(fields.covers("/a/b"));
}

TEST(ReferenceFields, DeclaresNothingForOtherSchemasAndFalseAnnotations) {
  EXPECT_TRUE(reference_fields(json()).empty());
  EXPECT_TRUE(reference_fields(json("string")).empty());
  EXPECT_TRUE(
      reference_fields(json::parse(R"({"properties": {"a": {"x-coalition-reference": false}}})"))
          .empty());
}

TEST(ReferenceFields, StopsOnHugeSchemasWithoutRecursion) {
  json schema = {{"type", "string"}, {"x-coalition-reference", true}};
  for (int i = 0; i < 50000; ++i) {
    json wrapper = json::object();
    wrapper["properties"]["a"] = std::move(schema);
    schema = std::move(wrapper);
  }
  const auto fields = reference_fields(schema);  // bounded: the leaf is not reached
  EXPECT_TRUE(fields.empty());
}

}  // namespace
}  // namespace coalition
