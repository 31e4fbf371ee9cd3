// JsonLimits: how large and how deep a JSON document from outside may be.
//
// Every document the outside world hands the engine (run inputs, task answers, signal data,
// workflow definitions, plugin outputs, configuration) is parsed under these limits, and values
// the engine builds at run time from them (step results, templates) are checked against the
// same limits before they are kept. Code that walks JSON may then recurse: no value it meets is
// deeper than `max_depth`.
#ifndef COALITION_COMMON_JSON_LIMITS_H_
#define COALITION_COMMON_JSON_LIMITS_H_

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

#include "common/result.h"

namespace coalition {

struct JsonLimits {
  size_t max_document_bytes = 4u << 20;  // the text of one document
  size_t max_depth = 128;                // nested arrays and objects; a scalar root is depth 0
  size_t max_string_bytes = 1u << 20;    // one string or object key, in UTF-8 bytes
  size_t max_array_items = 100000;       // one array
  size_t max_object_members = 10000;     // one object
};

// The limits in force in this process: the defaults above until configure_json_limits() is
// called. Set once at start-up (after reading the configuration, before any thread starts);
// tests may set and restore them.
const JsonLimits& json_limits();
void configure_json_limits(const JsonLimits& limits);

// Checks a value built in memory against `limits` without recursion (it may be deeper than any
// stack). kInvalidData naming the limit ("limits.depth", ...) and the JSON Pointer of the first
// value that breaks it.
Status check_json_limits(const nlohmann::json& value, const JsonLimits& limits = json_limits());

// The code of an error about a limit ("limits.depth"): the first word of its message.
inline constexpr const char* kLimitDocumentBytes = "limits.document_bytes";
inline constexpr const char* kLimitDepth = "limits.depth";
inline constexpr const char* kLimitStringBytes = "limits.string_bytes";
inline constexpr const char* kLimitArrayItems = "limits.array_items";
inline constexpr const char* kLimitObjectMembers = "limits.object_members";

}  // namespace coalition

#endif  // COALITION_COMMON_JSON_LIMITS_H_
