// Decoders are deliberately strict about their alphabet and lenient about layout: a hostile
// sender controls the layout (line breaks, padding in the middle, a glued prefix), while a
// string outside the alphabet is simply not that encoding and costs one pass to rule out.
#include "guard/media_decoders.h"

#include <array>
#include <cstdint>

#include "common/utf8.h"

namespace coalition::media {

namespace {

constexpr std::array<int8_t, 256> make_table(std::string_view alphabet, bool fold_case) {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (size_t i = 0; i < alphabet.size(); ++i) {
    const auto c = static_cast<unsigned char>(alphabet[i]);
    t[c] = static_cast<int8_t>(i);
    if (fold_case && c >= 'A' && c <= 'Z') t[c + 32] = static_cast<int8_t>(i);
  }
  return t;
}

constexpr auto kBase64 =
    make_table("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", false);
constexpr auto kBase32 = make_table("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", true);
constexpr auto kHex = make_table("0123456789ABCDEF", true);
constexpr auto kZ85 = make_table(
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#", false);

int value(const std::array<int8_t, 256>& table, char c) {
  return table[static_cast<unsigned char>(c)];
}

int base64_value(char c) {
  if (c == '-') return 62;  // URL-safe alphabet
  if (c == '_') return 63;
  return value(kBase64, c);
}

// Shared by base64 and base32: `bits` per character, '=' ends a segment, CR/LF skipped.
template <typename Value>
std::optional<std::string> decode_radix(std::string_view text, size_t skip, size_t cap,
                                        int bits_per_char, Value value_of) {
  std::string out(std::min(cap, text.size()), '\0');
  size_t produced = 0;
  uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    if (c == '\r' || c == '\n') continue;
    if (c == '=') {
      buffer = 0;
      bits = 0;
      continue;
    }
    const int v = value_of(c);
    if (v < 0) return std::nullopt;
    if (skip > 0) {
      --skip;
      continue;
    }
    buffer = ((buffer << bits_per_char) | static_cast<uint32_t>(v)) & 0xFFFFFF;
    bits += bits_per_char;
    if (bits >= 8) {
      bits -= 8;
      out[produced++] = static_cast<char>((buffer >> bits) & 0xFF);
      if (produced >= out.size()) break;
    }
  }
  out.resize(produced);
  return out;
}

bool is_hex(char c) {
  return value(kHex, c) >= 0;
}
char hex_byte(char hi, char lo) {
  return static_cast<char>(value(kHex, hi) * 16 + value(kHex, lo));
}

// Lines of `text`, without their CR/LF.
template <typename Visit>
void for_each_line(std::string_view text, Visit visit) {
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!visit(line)) return;
    start = end + 1;
  }
}

// One uuencoded line: a length character, then four characters per three bytes.
bool uudecode_line(std::string_view line, std::string& out, size_t cap) {
  if (line.empty()) return true;
  const size_t length = static_cast<size_t>((line[0] - 32) & 63);
  if (line.size() < 1 + (length + 2) / 3 * 4) return false;
  for (size_t i = 1, produced = 0; produced < length; i += 4) {
    uint32_t group = 0;
    for (size_t k = 0; k < 4; ++k) {
      const char c = line[i + k];
      if (c < 32 || c > 96) return false;
      group = (group << 6) | static_cast<uint32_t>((c - 32) & 63);
    }
    for (int shift = 16; shift >= 0 && produced < length; shift -= 8, ++produced) {
      if (out.size() < cap) out.push_back(static_cast<char>((group >> shift) & 0xFF));
    }
  }
  return true;
}

// A UTF-8 code point at `i` (advanced past it), or -1 when the bytes are not UTF-8.
int32_t next_code_point(std::string_view s, size_t& i) {
  const auto c = decode_utf8(s, i);
  if (!c) return -1;
  i += c->length;
  return static_cast<int32_t>(c->code_point);
}

}  // namespace

std::optional<std::string> decode_base64(std::string_view text, size_t skip, size_t cap) {
  return decode_radix(text, skip, cap, 6, base64_value);
}

std::optional<std::string> decode_base32(std::string_view text, size_t skip, size_t cap) {
  return decode_radix(text, skip, cap, 5, [](char c) { return value(kBase32, c); });
}

std::optional<std::string> decode_hex(std::string_view text, size_t skip, size_t cap) {
  if (skip > text.size()) return std::nullopt;
  text.remove_prefix(skip);
  std::string out(std::min(cap, text.size() / 2), '\0');
  for (size_t k = 0; k < out.size(); ++k) {
    const int hi = value(kHex, text[2 * k]);
    const int lo = value(kHex, text[2 * k + 1]);
    if ((hi | lo) < 0) return std::nullopt;
    out[k] = static_cast<char>(hi * 16 + lo);
  }
  return out;
}

std::optional<std::string> decode_hex_bytes(std::string_view text, size_t cap) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == ':' || c == ';' ||
        c == '-') {
      ++i;
      continue;
    }
    if ((c == '0' || c == '\\') && i + 1 < text.size() && (text[i + 1] | 0x20) == 'x') i += 2;
    if (i + 1 >= text.size() || !is_hex(text[i]) || !is_hex(text[i + 1])) return std::nullopt;
    if (i + 2 < text.size() && is_hex(text[i + 2])) return std::nullopt;  // groups of two only
    if (out.size() < cap) out.push_back(hex_byte(text[i], text[i + 1]));
    i += 2;
  }
  if (out.size() < 8) return std::nullopt;
  return out;
}

std::optional<std::string> decode_percent(std::string_view text, size_t cap) {
  std::string out;
  size_t escapes = 0;
  for (size_t i = 0; i < text.size() && out.size() < cap; ++i) {
    if (text[i] == '%' && i + 2 < text.size() && is_hex(text[i + 1]) && is_hex(text[i + 2])) {
      out.push_back(hex_byte(text[i + 1], text[i + 2]));
      i += 2;
      ++escapes;
    } else {
      out.push_back(text[i]);
    }
  }
  if (escapes < 4) return std::nullopt;
  return out;
}

std::optional<std::string> decode_quoted_printable(std::string_view text, size_t cap) {
  std::string out;
  size_t escapes = 0;
  for (size_t i = 0; i < text.size() && out.size() < cap; ++i) {
    if (text[i] != '=') {
      out.push_back(text[i]);
    } else if (i + 2 < text.size() && is_hex(text[i + 1]) && is_hex(text[i + 2])) {
      out.push_back(hex_byte(text[i + 1], text[i + 2]));
      i += 2;
      ++escapes;
    } else if (i + 1 < text.size() && (text[i + 1] == '\n' || text[i + 1] == '\r')) {
      i += (text[i + 1] == '\r' && i + 2 < text.size() && text[i + 2] == '\n') ? 2 : 1;
    } else {
      out.push_back(text[i]);
    }
  }
  if (escapes < 4) return std::nullopt;
  return out;
}

std::optional<std::string> decode_uuencode(std::string_view text, size_t cap) {
  std::string out;
  bool begun = false;
  bool broken = false;
  size_t full = 0;   // lines of 61 characters starting with 'M' (45 bytes)
  size_t other = 0;  // the short last line
  for_each_line(text, [&](std::string_view line) {
    if (!begun && line.substr(0, 6) == "begin ") {  // what came before was prose
      begun = true;
      broken = false;
      out.clear();
      full = other = 0;
      return true;
    }
    if (begun && (line == "end" || line == "`")) return false;
    if (line.empty()) return true;
    ++(line.size() == 61 && line[0] == 'M' ? full : other);
    broken = broken || !uudecode_line(line, out, cap);
    return !(broken && begun);
  });
  const bool valid = begun ? !broken : !broken && full >= 2 && other <= 1;
  if (!valid || out.empty()) return std::nullopt;
  return out;
}

std::optional<std::string> decode_ascii85(std::string_view text, size_t cap) {
  const size_t open = text.find("<~");
  const size_t close = open == std::string_view::npos ? open : text.find("~>", open + 2);
  if (close == std::string_view::npos) return std::nullopt;
  std::string out;
  uint64_t group = 0;
  int count = 0;
  auto flush = [&](int chars) {
    for (int k = 0; k < chars - 1 && out.size() < cap; ++k)
      out.push_back(static_cast<char>((group >> (24 - 8 * k)) & 0xFF));
  };
  for (const char c : text.substr(open + 2, close - open - 2)) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == 'z' && count == 0) {
      out.append(std::min<size_t>(4, cap - std::min(cap, out.size())), '\0');
      continue;
    }
    if (c < '!' || c > 'u') return std::nullopt;
    group = group * 85 + static_cast<uint64_t>(c - '!');
    if (++count == 5) {
      if (group > 0xFFFFFFFFull) return std::nullopt;
      flush(5);
      group = 0;
      count = 0;
    }
  }
  if (count > 0) {  // a final partial group is padded with 'u'
    for (int k = count; k < 5; ++k) group = group * 85 + 84;
    flush(count);
  }
  return out;
}

std::optional<std::string> decode_z85(std::string_view text, size_t cap) {
  if (text.size() < 20 || text.size() % 5 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < text.size() && out.size() < cap; i += 5) {
    uint64_t group = 0;
    for (size_t k = 0; k < 5; ++k) {
      const int v = value(kZ85, text[i + k]);
      if (v < 0) return std::nullopt;
      group = group * 85 + static_cast<uint64_t>(v);
    }
    if (group > 0xFFFFFFFFull) return std::nullopt;
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(group >> shift));
  }
  return out;
}

namespace {

// Whether `b` is UTF-16 text and how: a BOM, or ASCII whose high bytes (every other one) are
// zero. Sets `big` and `start` (past the BOM).
bool utf16_layout(std::string_view b, bool& big, size_t& start) {
  if ((b[0] == '\xFF' && b[1] == '\xFE') || (b[0] == '\xFE' && b[1] == '\xFF')) {
    big = b[0] == '\xFE';
    start = 2;
    return true;
  }
  size_t zero_even = 0, zero_odd = 0;
  const size_t probe = std::min<size_t>(b.size() & ~size_t{1}, 64);
  for (size_t i = 0; i < probe; i += 2) {
    zero_even += b[i] == 0 ? 1 : 0;
    zero_odd += b[i + 1] == 0 ? 1 : 0;
  }
  const size_t units = probe / 2;
  start = 0;
  big = zero_even * 10 >= units * 9 && zero_odd * 10 <= units;
  const bool little = zero_odd * 10 >= units * 9 && zero_even * 10 <= units;
  return big || little;
}

}  // namespace

std::optional<std::string> decode_utf16_text(std::string_view b, size_t cap) {
  bool big = false;
  size_t start = 0;
  if (b.size() < 8 || !utf16_layout(b, big, start)) return std::nullopt;
  std::string out;
  for (size_t i = start; i + 1 < b.size() && out.size() < cap; i += 2) {
    const auto hi = static_cast<unsigned char>(b[big ? i : i + 1]);
    const auto lo = static_cast<unsigned char>(b[big ? i + 1 : i]);
    const uint32_t unit = (uint32_t{hi} << 8) | lo;
    append_utf8(out, unit >= 0xD800 && unit < 0xE000 ? 0xFFFD : unit);  // pairs not needed
  }
  return out;
}

std::optional<std::string> code_points_as_bytes(std::string_view text, size_t cap) {
  std::string out;
  for (size_t i = 0; i < text.size() && out.size() < cap;) {
    const int32_t cp = next_code_point(text, i);
    if (cp < 0 || cp > 0xFF) return std::nullopt;
    out.push_back(static_cast<char>(cp));
  }
  return out;
}

std::optional<std::string> code_units_as_bytes(std::string_view text, bool big_endian, size_t cap) {
  std::string out;
  size_t ascii = 0;
  size_t units = 0;
  for (size_t i = 0; i < text.size() && out.size() + 1 < cap;) {
    const int32_t cp = next_code_point(text, i);
    if (cp < 0 || cp > 0xFFFF) return std::nullopt;
    ascii += cp < 0x80 ? 1 : 0;
    ++units;
    const auto hi = static_cast<char>(cp >> 8);
    const auto lo = static_cast<char>(cp & 0xFF);
    out.push_back(big_endian ? hi : lo);
    out.push_back(big_endian ? lo : hi);
  }
  if (units < 4 || ascii * 2 > units) return std::nullopt;
  return out;
}

}  // namespace coalition::media
