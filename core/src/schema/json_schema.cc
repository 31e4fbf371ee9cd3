#include "schema/json_schema.h"

// valijson aborts the process on a bad schema unless told to throw.
#define VALIJSON_USE_EXCEPTIONS 1

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "common/json_text.h"

namespace coalition {

struct JsonSchema::Compiled {
  nlohmann::json document;
  valijson::Schema schema;
};

namespace {

using nlohmann::json;

void close_objects(json& node, bool inside_all_of);

void close_each(json& node, const char* key, bool inside_all_of) {
  auto it = node.find(key);
  if (it == node.end()) return;
  if (it->is_object()) {
    for (auto& [name, sub] : it->items()) close_objects(sub, inside_all_of);
  }
}

// Unknown keys are the most common mistake in hand-written parameters ("timout", "role" for
// "roles"), so a schema that lists properties is taken to list all of them unless it says
// otherwise. Subschemas merged through allOf are left open: closing them would make every
// branch refuse the others' keys.
void close_objects(json& node, bool inside_all_of) {
  if (!node.is_object()) return;
  const bool merges = node.contains("allOf");
  if (!inside_all_of && !merges && node.contains("properties") &&
      !node.contains("additionalProperties") && !node.contains("patternProperties")) {
    node["additionalProperties"] = false;
  }
  close_each(node, "properties", false);
  close_each(node, "patternProperties", false);
  close_each(node, "definitions", false);
  close_each(node, "$defs", false);
  for (const char* key :
       {"additionalProperties", "items", "additionalItems", "contains", "not", "propertyNames"}) {
    auto it = node.find(key);
    if (it == node.end()) continue;
    if (it->is_array()) {
      for (auto& sub : *it) close_objects(sub, false);
    } else {
      close_objects(*it, false);
    }
  }
  for (const char* key : {"anyOf", "oneOf"}) {
    auto it = node.find(key);
    if (it != node.end() && it->is_array()) {
      for (auto& sub : *it) close_objects(sub, false);
    }
  }
  if (auto it = node.find("allOf"); it != node.end() && it->is_array()) {
    for (auto& sub : *it) close_objects(sub, true);
  }
}

// valijson names the path as {"<root>", "[key]", "[0]", ...}.
std::string pointer_from(const std::vector<std::string>& context) {
  std::string pointer;
  for (const auto& part : context) {
    if (part.size() >= 2 && part.front() == '[' && part.back() == ']') {
      pointer = pointer_append(pointer, std::string_view(part).substr(1, part.size() - 2));
    }
  }
  return pointer;
}

}  // namespace

JsonSchema::JsonSchema(std::shared_ptr<const Compiled> compiled) : compiled_(std::move(compiled)) {}

Result<JsonSchema> JsonSchema::compile(const nlohmann::json& schema, Objects objects) {
  if (!schema.is_object() && !schema.is_boolean()) {
    return Error::invalid_data("a JSON Schema must be an object or a boolean");
  }
  auto compiled = std::make_shared<Compiled>();
  compiled->document = schema;
  if (objects == Objects::kClosedByDefault) close_objects(compiled->document, false);
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(compiled->document);
    parser.populateSchema(adapter, compiled->schema);
  } catch (const std::exception& e) {
    return Error::invalid_data(std::string("not a usable JSON Schema (draft-07): ") + e.what());
  }
  return JsonSchema(std::move(compiled));
}

std::vector<SchemaViolation> JsonSchema::validate(const nlohmann::json& document) const {
  // A Validator caches compiled regexes, so each call gets its own: the schema stays shareable.
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(document);
  std::vector<SchemaViolation> violations;
  if (validator.validate(compiled_->schema, target, &results)) return violations;
  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    violations.push_back({pointer_from(error.context), error.description});
  }
  return violations;
}

const nlohmann::json& JsonSchema::document() const {
  return compiled_->document;
}

}  // namespace coalition
