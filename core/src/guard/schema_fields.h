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
  // patternProperties and additionalProperties (any key), items and prefixItems (any index, or
  // that one), and allOf/anyOf/oneOf/if/then/else; "$ref" is not followed. A declared field
  // covers everything inside it. Visits at most 10,000 schema nodes, iteratively; a schema that
  // is not an object declares nothing. Never fails.
  static SchemaFields declared_by(const nlohmann::json& schema,
                                  bool (*declares)(const nlohmann::json&));

  // Whether the value at `pointer` (RFC 6901) is a declared field or lies inside one.
  bool covers(std::string_view pointer) const;
  bool empty() const { return patterns_.empty(); }
  // The most tokens of any declaration: a pointer deeper than that is covered only inside one.
  size_t depth() const;

 private:
  using Pattern = std::vector<std::optional<std::string>>;  // nullopt: any key or index
  std::vector<Pattern> patterns_;
};

}  // namespace coalition

#endif  // COALITION_GUARD_SCHEMA_FIELDS_H_
