// The fields a JSON Schema declares references (hashes, URLs, case numbers): the values the
// media guard lets carry more binary than its limit. Depends on nlohmann/json only.
#ifndef COALITION_GUARD_REFERENCE_FIELDS_H_
#define COALITION_GUARD_REFERENCE_FIELDS_H_

#include <nlohmann/json.hpp>
#include <string_view>

#include "guard/media_scan.h"
#include "guard/schema_fields.h"

namespace coalition {

// The annotation that declares a property a reference: {"type": "string",
// "x-coalition-reference": true}. A "format" of uri, uri-reference, iri or iri-reference
// declares one too (a URL is a reference by definition).
inline constexpr std::string_view kReferenceKeyword = "x-coalition-reference";

// The fields `schema` declares references (SchemaFields::declared_by says how it is read).
SchemaFields reference_fields(const nlohmann::json& schema);

// Media scan options under which the fields `schema` declares are references (the binary
// limit waived there). `schema` is read only when a value exceeds the limit, and must outlive
// the options.
MediaScanOptions reference_options(const nlohmann::json& schema);

}  // namespace coalition

#endif  // COALITION_GUARD_REFERENCE_FIELDS_H_
