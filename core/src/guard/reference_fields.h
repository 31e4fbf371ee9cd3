// The fields a JSON Schema declares references (hashes, URLs, case numbers): the values the
// media guard lets carry more binary than its limit. Depends on nlohmann/json only.
#ifndef COALITION_GUARD_REFERENCE_FIELDS_H_
#define COALITION_GUARD_REFERENCE_FIELDS_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "guard/media_scan.h"

namespace coalition {

// The annotation that declares a property a reference: {"type": "string",
// "x-coalition-reference": true}. A "format" of uri, uri-reference, iri or iri-reference
// declares one too (a URL is a reference by definition).
inline constexpr std::string_view kReferenceKeyword = "x-coalition-reference";

class ReferenceFields {
 public:
  // The declared fields of `schema`, following properties, patternProperties and
  // additionalProperties (any key), items and prefixItems (any index, or that one), and
  // allOf/anyOf/oneOf/if/then/else; "$ref" is not followed. Visits at most 10,000 schema
  // nodes, iteratively; a schema that is not an object declares nothing. Never fails.
  static ReferenceFields from_schema(const nlohmann::json& schema);

  // Whether the value at `pointer` (RFC 6901) is a declared field or lies inside one.
  bool covers(std::string_view pointer) const;
  bool empty() const { return patterns_.empty(); }

 private:
  using Pattern = std::vector<std::optional<std::string>>;  // nullopt: any key or index
  std::vector<Pattern> patterns_;
};

// Media scan options under which the fields `schema` declares are references (the binary
// limit waived there). `schema` is read only when a value exceeds the limit, and must outlive
// the options.
MediaScanOptions reference_options(const nlohmann::json& schema);

}  // namespace coalition

#endif  // COALITION_GUARD_REFERENCE_FIELDS_H_
