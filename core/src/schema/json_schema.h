// JsonSchema: a compiled JSON Schema (draft-07) that checks documents and reports every
// violation with the JSON Pointer of the offending value.
#ifndef COALITION_SCHEMA_JSON_SCHEMA_H_
#define COALITION_SCHEMA_JSON_SCHEMA_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.h"

namespace coalition {

struct SchemaViolation {
  std::string pointer;  // RFC 6901, "" for the document itself
  std::string message;  // the validator's own words: for describe(), never for people
  std::string found;    // what the offending value is ("a string", "an object"), never the value
};

class JsonSchema {
 public:
  enum class Objects {
    kAsWritten,       // additionalProperties as the schema says (default: allowed)
    kClosedByDefault  // an object schema with "properties" but no "additionalProperties" or
                      // "patternProperties" refuses keys it does not declare
  };

  // Compiles `schema`. Fails with kInvalidData when it is not a usable draft-07 schema.
  // Remote "$ref"s are not fetched: they fail compilation.
  static Result<JsonSchema> compile(const nlohmann::json& schema,
                                    Objects objects = Objects::kAsWritten);

  // Every violation, in the order the validator finds them, keeping only the most specific one
  // along each path (not "property 'steps' failed" above the real cause); empty when valid.
  // Thread-safe: a compiled schema is immutable.
  std::vector<SchemaViolation> validate(const nlohmann::json& document) const;

  // What the schema expects at `pointer` (a document pointer, following "properties" and
  // "items"), in words: description, enum, type, pattern, bounds. Empty when unknown.
  std::string expectation_at(const std::string& pointer) const;

  // The violation in words a person acts on: "unknown property 'x'; expected one of: a, b",
  // "missing required property 'y'", "expected <expectation_at>, found a string", else the
  // constraint that failed, in plain words. The validator's own text never reaches a person.
  std::string describe(const SchemaViolation& violation) const;

  // The schema as compiled (after closing objects, if asked).
  const nlohmann::json& document() const;

 private:
  struct Compiled;
  explicit JsonSchema(std::shared_ptr<const Compiled> compiled);
  std::shared_ptr<const Compiled> compiled_;
};

}  // namespace coalition

#endif  // COALITION_SCHEMA_JSON_SCHEMA_H_
