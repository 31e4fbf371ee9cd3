#include "schema/json_schema.h"

// valijson aborts the process on a bad schema unless told to throw.
#define VALIJSON_USE_EXCEPTIONS 1

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <algorithm>

#include "common/json_text.h"

namespace coalition {

// The message of the violation validate() reports where valijson threw (see there).
constexpr char kNotTextUnderFormat[] = "a value where the schema names a format is not text";

struct JsonSchema::Compiled {
  nlohmann::json document;
  valijson::Schema schema;
  // Whether {} is valid, decided once: most steps take no parameters and answer no output, and
  // validating the empty object every time was a tenth of an in-memory step's cost.
  bool accepts_empty_object = false;
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

// valijson reports a violation at every level it passes through ("Failed to validate against
// schema associated with property name 'steps'" ... down to the real cause). People need the
// deepest one: keep a violation only when no other one lies below it, and drop exact repeats.
std::vector<SchemaViolation> most_specific(std::vector<SchemaViolation> all) {
  std::vector<SchemaViolation> kept;
  for (const auto& v : all) {
    bool covered = false;
    for (const auto& w : all) {
      // Only valijson's summaries ("Failed to validate against ...") are dropped; a missing
      // required property or an unknown key on a parent is a problem of its own.
      if (v.message.rfind("Failed to validate", 0) != 0) break;
      const bool deeper = w.pointer.size() > v.pointer.size() &&
                          w.pointer.compare(0, v.pointer.size(), v.pointer) == 0 &&
                          w.pointer[v.pointer.size()] == '/';
      const bool specific_here =
          w.pointer == v.pointer && w.message.rfind("Failed to validate", 0) != 0;
      covered = covered || deeper || specific_here;
    }
    const bool repeat = std::any_of(kept.begin(), kept.end(), [&](const SchemaViolation& k) {
      return k.pointer == v.pointer && k.message == v.message;
    });
    if (!covered && !repeat) kept.push_back(v);
  }
  return kept;
}

}  // namespace

namespace {

// "a string", "an integer": what the value at `pointer` is; empty when the pointer does not
// lead to one. Only the kind: a value may be personal data.
std::string kind_of(const json& document, const std::string& pointer) {
  const json* node = nullptr;
  try {
    const json::json_pointer at(pointer);
    if (!document.contains(at)) return {};
    node = &document.at(at);
  } catch (const json::exception&) {  // "/x" into a list: no value there, said as none
    return {};
  }
  switch (node->type()) {
    case json::value_t::object: return "an object";
    case json::value_t::array: return "a list";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "an integer";
    case json::value_t::number_float: return "a number";
    case json::value_t::null: return "null";
    default: return {};
  }
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
  // A probe, not a verdict: should valijson throw on {}, validate() takes the long way for it and
  // says what it always said.
  try {
    const json empty = json::object();
    valijson::Validator validator(valijson::Validator::kStrongTypes);
    valijson::adapters::NlohmannJsonAdapter target(empty);
    compiled->accepts_empty_object = validator.validate(compiled->schema, target, nullptr);
  } catch (const std::exception&) {  // boundary: the library
    compiled->accepts_empty_object = false;
  }
  return JsonSchema(std::move(compiled));
}

std::vector<SchemaViolation> JsonSchema::validate(const nlohmann::json& document) const {
  // A Validator caches compiled regexes, so each call gets its own: the schema stays shareable.
  if (compiled_->accepts_empty_object && document.is_object() && document.empty()) return {};
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::adapters::NlohmannJsonAdapter target(document);
  std::vector<SchemaViolation> violations;
  // Most documents are valid: a first pass without results stops at the first violation and
  // writes no messages (every step's parameters and output pass here). Only an invalid document
  // is walked again for every violation.
  valijson::ValidationResults results;
  try {
    if (validator.validate(compiled_->schema, target, nullptr)) return violations;
    validator.validate(compiled_->schema, target, &results);
  } catch (const std::exception& e) {  // boundary: the library
    // valijson reads a value under "format" as text before it looks at the type, and throws for
    // one it cannot read so (an object or a list that is not empty; numbers it writes out):
    // refused, said as such, never thrown on.
    return {{"", std::string(kNotTextUnderFormat) + ": " + e.what(), kind_of(document, "")}};
  }
  valijson::ValidationResults::Error error;
  while (results.popError(error)) {
    std::string pointer = pointer_from(error.context);
    std::string found = kind_of(document, pointer);
    violations.push_back({std::move(pointer), error.description, std::move(found)});
  }
  return most_specific(std::move(violations));
}

const nlohmann::json& JsonSchema::document() const {
  return compiled_->document;
}

namespace {

// The subschema that applies at a document pointer, following "properties" and "items".
const nlohmann::json* subschema_at(const nlohmann::json& root, const std::string& pointer) {
  const nlohmann::json* node = &root;
  for (const auto& token : split_pointer(pointer)) {
    if (auto props = node->find("properties"); props != node->end() && props->contains(token)) {
      node = &(*props)[token];
    } else if (auto items = node->find("items"); items != node->end() && items->is_object()) {
      node = &*items;
    } else {
      return nullptr;
    }
  }
  return node->is_object() ? node : nullptr;
}

}  // namespace

std::string JsonSchema::expectation_at(const std::string& pointer) const {
  const nlohmann::json* node = subschema_at(compiled_->document, pointer);
  if (node == nullptr) return {};
  std::vector<std::string> parts;
  if (auto it = node->find("description"); it != node->end() && it->is_string()) {
    std::string d = *it;
    if (!d.empty() && d.back() == '.') d.pop_back();
    parts.push_back(d);
  }
  if (auto it = node->find("enum"); it != node->end()) parts.push_back("one of " + it->dump());
  if (auto it = node->find("const"); it != node->end()) parts.push_back("exactly " + it->dump());
  if (auto it = node->find("type"); it != node->end()) {
    parts.push_back("type " + (it->is_string() ? it->get<std::string>() : it->dump()));
  }
  if (auto it = node->find("pattern"); it != node->end()) parts.push_back("matching " + it->dump());
  for (const char* bound : {"minimum", "maximum", "minLength", "maxLength", "minItems"}) {
    if (auto it = node->find(bound); it != node->end()) {
      parts.push_back(std::string(bound) + " " + it->dump());
    }
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

namespace {

// The number in valijson's text ("10.000000") as people write it ("10").
std::string number_after(const std::string& message, const std::string& prefix) {
  std::string n = message.substr(prefix.size());
  n = n.substr(0, n.find_first_not_of("-0123456789."));
  if (n.find('.') != std::string::npos) {
    n.erase(n.find_last_not_of('0') + 1);
    if (!n.empty() && n.back() == '.') n.pop_back();
  }
  return n;
}

// valijson's message for a constraint that failed where the schema's own words are not known
// (under anyOf or oneOf, in a referenced definition), said as a person would.
std::string constraint_in_words(const std::string& m) {
  const auto starts = [&](const char* prefix) { return m.rfind(prefix, 0) == 0; };
  struct Bound {
    const char* prefix;
    const char* words;
    const char* unit;
  };
  for (const Bound& b : {Bound{"Expected number greater than or equal to ", "at least ", ""},
                         Bound{"Expected number greater than ", "more than ", ""},
                         Bound{"Expected number less than or equal to ", "at most ", ""},
                         Bound{"Expected number less than ", "less than ", ""},
                         Bound{"String should be no fewer than ", "at least ", " characters"},
                         Bound{"String should be no more than ", "at most ", " characters"},
                         Bound{"Array should contain no fewer than ", "at least ", " items"},
                         Bound{"Array should contain no more than ", "at most ", " items"},
                         Bound{"Object should have no fewer than ", "at least ", " properties"},
                         Bound{"Object should have no more than ", "at most ", " properties"},
                         Bound{"Value should be a multiple of ", "a multiple of ", ""}}) {
    if (starts(b.prefix)) {
      return std::string("expected ") + (b.unit[0] == '\0' ? "a number " : "") + b.words +
             number_after(m, b.prefix) + b.unit;
    }
  }
  if (starts("Value type not permitted")) return "not of a type allowed here";
  if (starts("Failed to match regex")) return "not in the form required here";
  if (starts("Failed to match against any enum")) return "not one of the values allowed here";
  if (starts("Failed to match expected value") || starts("Target value and comparison")) {
    return "not the value required here";
  }
  if (starts("Failed to validate against any schemas allowed by anyOf") ||
      starts("Failed to validate against any")) {
    return "matches none of the forms allowed here";
  }
  if (starts("Failed to validate against exactly one")) {
    return "matches none, or more than one, of the forms allowed here (exactly one is needed)";
  }
  if (starts("Elements at indexes")) return "holds the same item twice; each must be unique";
  if (starts("Array contains more items")) return "has more items than allowed here";
  if (starts("Missing dependency '")) {
    std::string key = m.substr(std::string("Missing dependency '").size());
    return "missing property '" + key.substr(0, key.find('\'')) +
           "', which another property here needs";
  }
  if (starts("Failed to any values against subschema in 'contains'")) {
    return "has no item of the kind required here";
  }
  if (starts("Failed to validate against a conditional") ||
      starts("Failed to validate against dependent")) {
    return "does not meet a condition the schema sets here";
  }
  if (starts("Value could not be converted")) return "not a number that can be checked here";
  if (starts(kNotTextUnderFormat))
    return "holds a value that is not text where text of a format is expected";
  return "does not fit the schema here";
}

}  // namespace

std::string JsonSchema::describe(const SchemaViolation& v) const {
  const std::string unknown = "constraints: '";
  if (v.message.rfind("Object contains a property that could not be validated", 0) == 0) {
    auto at = v.message.find(unknown);
    std::string key = at == std::string::npos ? "" : v.message.substr(at + unknown.size());
    key = key.substr(0, key.find('\''));
    std::string out = "unknown property '" + key + "'";
    const nlohmann::json* node = subschema_at(compiled_->document, v.pointer);
    if (node != nullptr && node->contains("properties") && (*node)["properties"].is_object()) {
      std::string names;
      for (const auto& [name, sub] : (*node)["properties"].items()) {
        names += (names.empty() ? "" : ", ") + name;
      }
      if (!names.empty()) out += "; expected one of: " + names;
    }
    return out;
  }
  const std::string missing = "Missing required property '";
  if (v.message.rfind(missing, 0) == 0) {
    std::string key = v.message.substr(missing.size());
    return "missing required property '" + key.substr(0, key.find('\'')) + "'";
  }
  // The kind of value found helps with a wrong type; with a wrong pattern it is plain.
  const bool type = v.message.rfind("Value type", 0) == 0;
  const std::string found = v.found.empty() || !type ? "" : ", found " + v.found;
  if (v.message.rfind("Failed to match", 0) == 0 || v.message.rfind("Value type", 0) == 0 ||
      v.message.rfind("Expected", 0) == 0 || v.message.rfind("String should", 0) == 0 ||
      v.message.rfind("Array should", 0) == 0) {
    const std::string expected = expectation_at(v.pointer);
    if (!expected.empty()) return "expected " + expected + found;
  }
  return constraint_in_words(v.message) + found;
}

}  // namespace coalition
