#include "common/text_field.h"

#include <fmt/format.h>

#include <optional>

#include "common/utf8.h"

namespace coalition {
namespace {

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
    auto d = decode_utf8(value, i);
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
    auto d = decode_utf8(text, i);
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

std::string normal_name(std::string_view name) {
  constexpr std::string_view kSpaces = " \t\r\n\f\v";
  const auto first = name.find_first_not_of(kSpaces);
  if (first == std::string_view::npos) return {};
  const auto last = name.find_last_not_of(kSpaces);
  return std::string(name.substr(first, last - first + 1));
}

}  // namespace coalition
