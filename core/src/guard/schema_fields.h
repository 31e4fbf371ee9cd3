// The fields a JSON Schema declares with an annotation (references, outbound text), as
// patterns of JSON Pointers. Depends on nlohmann/json only.
#ifndef COALITION_GUARD_SCHEMA_FIELDS_H_
#define COALITION_GUARD_SCHEMA_FIELDS_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace coalition {

class SchemaFields {
 public:
  // The fields of `schema` whose subschema `declares` says so, following properties,
  // patternProperties, additionalProperties and unevaluatedProperties (any key), items,
  // prefixItems, additionalItems, unevaluatedItems and contains (any index, or that one),
  // allOf/anyOf/oneOf/if/then/else/dependentSchemas, and "$ref"s within the schema ("#/..."). A
  // declared field covers everything inside it. Visits at most 10,000 schema nodes, iteratively;
  // a schema that is not an object declares nothing. Never fails: a walk that stops at the limit
  // or meets a "$ref" it cannot follow is not complete().
  static SchemaFields declared_by(const nlohmann::json& schema,
                                  bool (*declares)(const nlohmann::json&));

  // Whether every part of the schema was read. A caller for which a missed declaration is a
  // leak (outbound text) treats an incomplete walk as declaring everything.
  bool complete() const { return complete_; }
  // Declares the whole document (the root and everything inside it).
  void cover_everything() { patterns_.emplace_back(); }

  // Whether the value at `pointer` (RFC 6901) is a declared field or lies inside one.
  bool covers(std::string_view pointer) const;
  bool empty() const { return patterns_.empty(); }
  // The most tokens of any declaration: a pointer deeper than that is covered only inside one.
  size_t depth() const;

 private:
  using Pattern = std::vector<std::optional<std::string>>;  // nullopt: any key or index
  std::vector<Pattern> patterns_;
  bool complete_ = true;
};

}  // namespace coalition

#endif  // COALITION_GUARD_SCHEMA_FIELDS_H_
