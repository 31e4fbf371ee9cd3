// UTF-8, one character at a time: what text validation and the media guard's re-encodings need.
#ifndef COALITION_COMMON_UTF8_H_
#define COALITION_COMMON_UTF8_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace coalition {

struct Utf8Char {
  char32_t code_point = 0;
  size_t length = 0;  // bytes
};

// The character starting at byte `i` of `s` (i < s.size()): nullopt for an invalid sequence
// (truncated, overlong, a surrogate or beyond U+10FFFF).
std::optional<Utf8Char> decode_utf8(std::string_view s, size_t i);

// Appends `cp` (at most U+10FFFF) encoded as UTF-8.
void append_utf8(std::string& out, char32_t cp);

}  // namespace coalition

#endif  // COALITION_COMMON_UTF8_H_
