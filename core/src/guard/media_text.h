// Text helpers of the media guard: normalising what a sender can pad a value with, and telling
// text from binary. Internal; nlohmann-free.
#ifndef COALITION_GUARD_MEDIA_TEXT_H_
#define COALITION_GUARD_MEDIA_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace coalition::media {

// `text` without byte-order marks and zero-width characters (U+FEFF, U+200B-U+200D, U+2060,
// U+00AD) and without surrounding whitespace. Returns a view of `text` when nothing had to be
// removed inside it, else a view of `storage`.
std::string_view normalise(std::string_view text, std::string& storage);

// `text` without surrounding whitespace.
std::string_view trim(std::string_view text);

// The kinds of character a text holds, one bit each, from one pass: they decide which
// decoders can apply at all, so most strings are ruled out without being decoded.
enum TextFlag : uint32_t {
  kNonAscii = 1u << 0,
  kControl = 1u << 1,  // a control character other than tab, CR, LF
  kColon = 1u << 2,
  kPercent = 1u << 3,
  kEquals = 1u << 4,
  kSpace = 1u << 5,  // space or tab
  kNewline = 1u << 6,
  kLess = 1u << 7,
  kTilde = 1u << 8,
  kHexSeparator = 1u << 9,  // , ; \ x X - (hex written byte by byte)
  kZ85Only = 1u << 10,      // in the Z85 alphabet but not in base64's
};
uint32_t text_flags(std::string_view text);

// ASCII lower case of `text`.
std::string lower_ascii(std::string_view text);

// Whether `text` starts with `prefix`, ignoring ASCII case (`prefix` in lower case).
bool starts_with_folded(std::string_view text, std::string_view prefix);

// A base64 character, standard or URL-safe.
constexpr bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/' || c == '-' || c == '_';
}

// Whether `text` could be a piece of an encoded blob split across values: nothing but base64,
// hex or percent-encoding characters (and line breaks), at least two of them.
bool is_chunk_like(std::string_view text);

// `value` as a media type a finding may name: lower case, up to the first character outside
// [a-z0-9.+-/], at most 64 characters (it is echoed in messages and audit entries).
std::string media_type_of(std::string_view value);

// Whether `type` (from media_type_of) is image/* or video/*.
inline bool is_media_type(std::string_view type) {
  return type.substr(0, 6) == "image/" || type.substr(0, 6) == "video/";
}

struct TextProfile {
  size_t non_text = 0;  // control bytes (but tab, CR, LF, FF) and bytes of invalid UTF-8
  size_t distinct = 0;  // distinct byte values, when asked for
};

// How much of `bytes` is not text (and how many distinct values it has, if `count_distinct`).
// Counting stops once `non_text` exceeds `enough` (all that is asked is whether it does).
TextProfile profile(std::string_view bytes, bool count_distinct, size_t enough = SIZE_MAX);

// Whether a profile is mostly text: under one byte in eight is not.
inline bool is_text(const TextProfile& p, size_t size) {
  return p.non_text * 8 < size + 1;
}

}  // namespace coalition::media

#endif  // COALITION_GUARD_MEDIA_TEXT_H_
