// Parsing JSON text from outside (files, plugins) into values, with positions in the errors.
#ifndef COALITION_COMMON_JSON_TEXT_H_
#define COALITION_COMMON_JSON_TEXT_H_

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/json_limits.h"
#include "common/result.h"

namespace coalition {

// Parses `text` under `limits` (common/json_limits.h). Strict: an object key may appear only
// once, and an integer must fit 64 bits. Malformed text: "malformed JSON at line L, column C:
// <what was wrong>", counting from 1; a limit, a duplicate key or a number out of range: the
// limit's name first ("limits.depth: ...", "json.duplicate_key: ...") with the JSON Pointer of
// the value. Never throws.
Result<nlohmann::json> parse_json(std::string_view text, const JsonLimits& limits);
// The same under the limits in force (json_limits()).
Result<nlohmann::json> parse_json(std::string_view text);

// Serializes compactly; invalid UTF-8 is replaced, never thrown on.
std::string to_text(const nlohmann::json& value);
// Appends `value` as a JSON string: exactly what to_text(nlohmann::json(value)) gives, quotes
// included, without building a document (for text written field by field).
void append_json_string(std::string& out, std::string_view value);

// Appends one reference token to a JSON Pointer, escaping '~' and '/' (RFC 6901).
std::string pointer_append(std::string_view pointer, std::string_view token);
std::string pointer_append(std::string_view pointer, size_t index);

// The reference tokens of a JSON Pointer, unescaped ("/a~1b/c" -> {"a/b", "c"}; "" -> {}).
std::vector<std::string> split_pointer(std::string_view pointer);

// Reads a whole regular file of at most `max_bytes` (devices, FIFOs and folders are refused
// without blocking; a larger file is kLimitDocumentBytes). Never throws.
Result<std::string> read_text_file(const std::string& path, size_t max_bytes);
// The same with the document limit in force.
Result<std::string> read_text_file(const std::string& path);

// Reads `in` to its end, refusing more than `max_bytes`; `name` is for the messages.
Result<std::string> read_stream(std::istream& in, const std::string& name, size_t max_bytes);

}  // namespace coalition

#endif  // COALITION_COMMON_JSON_TEXT_H_
