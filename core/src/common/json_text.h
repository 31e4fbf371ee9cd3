// Parsing JSON text from outside (files, plugins) into values, with positions in the errors.
#ifndef COALITION_COMMON_JSON_TEXT_H_
#define COALITION_COMMON_JSON_TEXT_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace coalition {

// Parses `text`. On failure the error says "line L, column C: <what was wrong>", counting from 1.
// Never throws.
Result<nlohmann::json> parse_json(std::string_view text);

// Serializes compactly; invalid UTF-8 is replaced, never thrown on.
std::string to_text(const nlohmann::json& value);

// Appends one reference token to a JSON Pointer, escaping '~' and '/' (RFC 6901).
std::string pointer_append(std::string_view pointer, std::string_view token);
std::string pointer_append(std::string_view pointer, size_t index);

// The reference tokens of a JSON Pointer, unescaped ("/a~1b/c" -> {"a/b", "c"}; "" -> {}).
std::vector<std::string> split_pointer(std::string_view pointer);

// Reads a whole file. Never throws.
Result<std::string> read_text_file(const std::string& path);

}  // namespace coalition

#endif  // COALITION_COMMON_JSON_TEXT_H_
