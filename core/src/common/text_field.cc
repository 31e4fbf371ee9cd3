#include "common/text_field.h"

#include <fmt/format.h>

#include <optional>

namespace coalition {
namespace {

struct Decoded {
  char32_t code_point;
  size_t length;
};

// One UTF-8 sequence at `i`: nullopt for an invalid one (truncated, overlong, a surrogate or
// beyond U+10FFFF), which the caller then treats as a single bad byte.
std::optional<Decoded> decode_at(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) return Decoded{b0, 1};
  size_t length = 0;
  char32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    length = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    length = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    length = 4;
    cp = b0 & 0x07;
  } else {
    return std::nullopt;
  }
  if (i + length > s.size()) return std::nullopt;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr char32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMinimum[length] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    return std::nullopt;
  }
  return Decoded{cp, length};
}

// Characters that move the cursor, end a line or reorder what follows on a terminal.
bool unprintable(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
         cp == 0x200F || cp == 0x061C;
}

}  // namespace

Status check_text_field(std::string_view field, std::string_view value, size_t max_bytes) {
  if (value.size() > max_bytes) {
    return Error::invalid_data(fmt::format("{}: longer than {} bytes", field, max_bytes));
  }
  for (size_t i = 0; i < value.size();) {
    auto d = decode_at(value, i);
    if (!d) {
      return Error::invalid_data(
          fmt::format("{}: not valid UTF-8 (byte {} of the text)", field, i + 1));
    }
    if (unprintable(d->code_point)) {
      return Error::invalid_data(
          fmt::format("{}: holds a control character (U+{:04X}); names and reasons are one "
                      "line of printable text",
                      field, static_cast<uint32_t>(d->code_point)));
    }
    i += d->length;
  }
  return ok_status();
}

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    auto d = decode_at(text, i);
    if (!d) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(text[i]));
      ++i;
      continue;
    }
    const char32_t cp = d->code_point;
    if (cp == '\\') {
      out += "\\\\";
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp < 0x100 && unprintable(cp)) {
      out += fmt::format("\\x{:02x}", static_cast<uint32_t>(cp));
    } else if (unprintable(cp)) {
      out += fmt::format("\\u{:04x}", static_cast<uint32_t>(cp));
    } else {
      out.append(text.substr(i, d->length));
    }
    i += d->length;
  }
  return out;
}

}  // namespace coalition
