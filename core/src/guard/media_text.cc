// A sender can pad a value so that exact matching misses it: a BOM or zero-width space before a
// data URI, spaces around base64. Those are removed before any matching; the decoders handle
// the rest of the layout.
#include "guard/media_text.h"

#include <array>

namespace coalition::media {

namespace {

// The length of an invisible character at `i` (UTF-8), or 0.
size_t invisible_at(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c == 0xEF && s.substr(i, 3) == "\xEF\xBB\xBF") return 3;  // U+FEFF
  if (c == 0xE2 && i + 2 < s.size() && s[i + 1] == '\x80' &&
      (s[i + 2] == '\x8B' || s[i + 2] == '\x8C' || s[i + 2] == '\x8D'))
    return 3;                                                   // U+200B-U+200D
  if (c == 0xE2 && s.substr(i, 3) == "\xE2\x81\xA0") return 3;  // U+2060
  if (c == 0xC2 && s.substr(i, 2) == "\xC2\xAD") return 2;      // U+00AD
  return 0;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
}

// Length of a valid UTF-8 sequence at `i`, or 0.
size_t utf8_length(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  const size_t n = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  }
  return n;
}

constexpr std::array<uint32_t, 256> kFlags = [] {
  std::array<uint32_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    if (c >= 0x80) t[c] |= kNonAscii;
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) t[c] |= kControl;
  }
  t[':'] |= kColon | kHexSeparator | kZ85Only;
  t['%'] |= kPercent | kZ85Only;
  t['='] |= kEquals;
  t[' '] |= kSpace | kHexSeparator;
  t['\t'] |= kSpace;
  t['\n'] |= kNewline;
  t['\r'] |= kNewline;
  t['<'] |= kLess | kZ85Only;
  t['~'] |= kTilde;
  for (unsigned char c : std::string_view(",;\\xX-")) t[c] |= kHexSeparator;
  for (unsigned char c : std::string_view(".^!*?&>()[]{}@$#")) t[c] |= kZ85Only;
  return t;
}();

}  // namespace

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

uint32_t text_flags(std::string_view text) {
  uint32_t flags = 0;
  for (const char c : text) flags |= kFlags[static_cast<unsigned char>(c)];
  return flags;
}

std::string_view normalise(std::string_view text, std::string& storage) {
  size_t first = std::string_view::npos;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c == 0xEF || c == 0xE2 || c == 0xC2) && invisible_at(text, i) > 0) {
      first = i;
      break;
    }
  }
  if (first == std::string_view::npos) return trim(text);
  storage.assign(text.substr(0, first));
  for (size_t i = first; i < text.size();) {
    const size_t skip = invisible_at(text, i);
    if (skip > 0) {
      i += skip;
    } else {
      storage.push_back(text[i++]);
    }
  }
  return trim(storage);
}

std::string lower_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

bool starts_with_folded(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (c != prefix[i]) return false;
  }
  return true;
}

bool is_chunk_like(std::string_view text) {
  if (text.size() < 2) return false;
  for (const char c : text) {
    if (!is_base64_char(c) && c != '=' && c != '%' && c != '\r' && c != '\n') return false;
  }
  return true;
}

std::string media_type_of(std::string_view value) {
  constexpr size_t kMaxKind = 64;
  std::string kind;
  for (const char c : value) {
    const char l = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    const bool allowed = (l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '.' || l == '+' ||
                         l == '-' || l == '/';
    if (!allowed || kind.size() == kMaxKind) break;
    kind.push_back(l);
  }
  return kind;
}

TextProfile profile(std::string_view bytes, bool count_distinct, size_t enough) {
  TextProfile p;
  if (count_distinct) {
    std::array<bool, 256> seen{};
    for (const char c : bytes) seen[static_cast<unsigned char>(c)] = true;
    for (const bool s : seen) p.distinct += s ? 1 : 0;
  }
  for (size_t i = 0; i < bytes.size() && p.non_text <= enough;) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x80) {
      const size_t n = utf8_length(bytes, i);
      if (n == 0) {
        ++p.non_text;
        ++i;
      } else {
        i += n;
      }
      continue;
    }
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7F) ++p.non_text;
    ++i;
  }
  return p;
}

}  // namespace coalition::media
