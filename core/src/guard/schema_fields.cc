// A schema describes positions in a document, not pointers: "evidence" items declared
// references cover /evidence/0, /evidence/1, ... so a declaration is a pattern of tokens in
// which an array index or an open-ended key matches anything. Schemas come from plugins and
// workflow files, so the walk is iterative and bounded like the media scan itself.
#include "guard/schema_fields.h"

#include <algorithm>
#include <utility>

namespace coalition {

namespace {

using nlohmann::json;

constexpr size_t kMaxSchemaNodes = 10000;

// RFC 6901 tokens of `pointer` ("" is the whole document: no tokens).
std::vector<std::string> tokens_of(std::string_view pointer) {
  std::vector<std::string> tokens;
  size_t at = 0;
  while (at < pointer.size() && pointer[at] == '/') {
    const size_t end = std::min(pointer.find('/', at + 1), pointer.size());
    std::string token;
    for (size_t i = at + 1; i < end; ++i) {
      if (pointer[i] == '~' && i + 1 < end && (pointer[i + 1] == '0' || pointer[i + 1] == '1')) {
        token.push_back(pointer[++i] == '0' ? '~' : '/');
      } else {
        token.push_back(pointer[i]);
      }
    }
    tokens.push_back(std::move(token));
    at = end;
  }
  return tokens;
}

}  // namespace

SchemaFields SchemaFields::declared_by(const json& schema, bool (*declares)(const json&)) {
  SchemaFields fields;
  std::vector<std::pair<const json*, Pattern>> stack{{&schema, {}}};
  size_t visited = 0;
  while (!stack.empty() && visited++ < kMaxSchemaNodes) {
    // Named variables, not a structured binding: clang 14 (the fuzz preset) cannot capture a
    // binding in the lambda below.
    const json* node = stack.back().first;
    Pattern at = std::move(stack.back().second);
    stack.pop_back();
    if (!node->is_object()) continue;
    if (declares(*node)) {
      fields.patterns_.push_back(at);
      continue;  // everything inside is covered
    }
    auto push = [&](const json& child, std::optional<std::string> token) {
      Pattern next = at;
      next.push_back(std::move(token));
      stack.emplace_back(&child, std::move(next));
    };
    for (const char* key : {"allOf", "anyOf", "oneOf"}) {
      if (auto it = node->find(key); it != node->end() && it->is_array()) {
        for (const auto& sub : *it) stack.emplace_back(&sub, at);
      }
    }
    for (const char* key : {"if", "then", "else"}) {
      if (auto it = node->find(key); it != node->end()) stack.emplace_back(&*it, at);
    }
    if (auto it = node->find("dependentSchemas"); it != node->end() && it->is_object()) {
      for (const auto& [name, sub] : it->items()) stack.emplace_back(&sub, at);
    }
    // A reference within the schema ("#/definitions/x") is read where it is used; one to
    // another document cannot be, and says so.
    if (auto it = node->find("$ref"); it != node->end()) {
      const json* target = nullptr;
      if (it->is_string() && it->get_ref<const std::string&>().rfind('#', 0) == 0) {
        try {
          const json::json_pointer pointer(it->get<std::string>().substr(1));
          if (schema.contains(pointer)) target = &schema.at(pointer);
        } catch (const json::exception&) {
          target = nullptr;  // not a JSON Pointer: unread
        }
      }
      if (target != nullptr) {
        stack.emplace_back(target, at);
      } else {
        fields.complete_ = false;
      }
    }
    if (auto it = node->find("properties"); it != node->end() && it->is_object()) {
      for (const auto& [name, sub] : it->items()) push(sub, name);
    }
    if (auto it = node->find("patternProperties"); it != node->end() && it->is_object()) {
      for (const auto& [name, sub] : it->items()) push(sub, std::nullopt);
    }
    for (const char* key : {"additionalProperties", "unevaluatedProperties"}) {
      if (auto it = node->find(key); it != node->end()) push(*it, std::nullopt);
    }
    for (const char* key : {"additionalItems", "unevaluatedItems", "contains"}) {
      if (auto it = node->find(key); it != node->end()) push(*it, std::nullopt);
    }
    if (auto it = node->find("items"); it != node->end()) {
      if (it->is_array()) {  // draft 4-7 tuple form
        for (size_t i = 0; i < it->size(); ++i) push((*it)[i], std::to_string(i));
      } else {
        push(*it, std::nullopt);
      }
    }
    if (auto it = node->find("prefixItems"); it != node->end() && it->is_array()) {
      for (size_t i = 0; i < it->size(); ++i) push((*it)[i], std::to_string(i));
    }
  }
  if (!stack.empty()) fields.complete_ = false;  // the node limit was reached
  return fields;
}

size_t SchemaFields::depth() const {
  size_t most = 0;
  for (const auto& pattern : patterns_) most = std::max(most, pattern.size());
  return most;
}

bool SchemaFields::covers(std::string_view pointer) const {
  if (patterns_.empty()) return false;
  const std::vector<std::string> tokens = tokens_of(pointer);
  for (const auto& pattern : patterns_) {
    if (pattern.size() > tokens.size()) continue;
    bool match = true;
    for (size_t i = 0; i < pattern.size() && match; ++i) {
      match = !pattern[i] || *pattern[i] == tokens[i];
    }
    if (match) return true;
  }
  return false;
}

}  // namespace coalition
