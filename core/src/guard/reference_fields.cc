// A reference is declared by its annotation or by a URL format; the walk is SchemaFields'.
#include "guard/reference_fields.h"

#include <memory>
#include <optional>

namespace coalition {

namespace {

using nlohmann::json;

bool declares_reference(const json& schema) {
  if (auto it = schema.find(kReferenceKeyword); it != schema.end() && *it == true) return true;
  auto format = schema.find("format");
  if (format == schema.end() || !format->is_string()) return false;
  const auto& f = format->get_ref<const std::string&>();
  return f == "uri" || f == "uri-reference" || f == "iri" || f == "iri-reference";
}

}  // namespace

SchemaFields reference_fields(const json& schema) {
  return SchemaFields::declared_by(schema, declares_reference);
}

MediaScanOptions reference_options(const json& schema) {
  MediaScanOptions options;
  // Compiled on first use: almost no payload comes near the limit, so almost none pays for it.
  auto fields = std::make_shared<std::optional<SchemaFields>>();
  options.is_reference = [&schema, fields](const std::string& pointer) {
    if (!*fields) *fields = reference_fields(schema);
    return (*fields)->covers(pointer);
  };
  return options;
}

}  // namespace coalition
