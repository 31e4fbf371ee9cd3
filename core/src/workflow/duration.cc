#include "workflow/duration.h"

#include <cctype>
#include <cstdint>
#include <limits>

namespace coalition {
namespace {

Error bad(std::string_view text, const std::string& why) {
  return Error::invalid_data("'" + std::string(text) + "' is not a duration (" + why +
                             "); expected ISO 8601 such as \"PT30S\", \"PT1H30M\" or \"P3D\"");
}

constexpr int64_t kMaxMs = int64_t{100} * 366 * 24 * 3600 * 1000;  // a century is plenty

}  // namespace

Result<Duration> parse_duration(std::string_view text) {
  if (text.size() < 3 || text[0] != 'P') return bad(text, "it must start with 'P'");
  bool in_time = false;
  bool any = false;
  double total_ms = 0;
  std::string order = "WD";  // allowed designators, in order, for the current part
  size_t i = 1;
  while (i < text.size()) {
    if (text[i] == 'T') {
      if (in_time) return bad(text, "'T' appears twice");
      in_time = true;
      order = "HMS";
      ++i;
      if (i == text.size()) return bad(text, "nothing follows 'T'");
      continue;
    }
    size_t start = i;
    while (i < text.size() &&
           (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) {
      ++i;
    }
    if (start == i || i == text.size()) return bad(text, "a number must be followed by a unit");
    const std::string number(text.substr(start, i - start));
    if (number.find('.') != std::string::npos && text[i] != 'S') {
      return bad(text, "only seconds may have a fraction");
    }
    const char unit = text[i++];
    const auto pos = order.find(unit);
    if (pos == std::string::npos) return bad(text, std::string("unexpected unit '") + unit + "'");
    order = order.substr(pos + 1);
    double value = 0;
    try {
      value = std::stod(number);
    } catch (...) {
      return bad(text, "malformed number");
    }
    double unit_ms = 0;
    switch (unit) {
      case 'W': unit_ms = 7.0 * 86400000; break;
      case 'D': unit_ms = 86400000; break;
      case 'H': unit_ms = 3600000; break;
      case 'M': unit_ms = 60000; break;
      case 'S': unit_ms = 1000; break;
    }
    total_ms += value * unit_ms;
    any = true;
    if (total_ms > static_cast<double>(kMaxMs)) return bad(text, "longer than a century");
  }
  if (!any) return bad(text, "no components");
  return Duration(static_cast<int64_t>(total_ms + 0.5));
}

std::string format_duration(Duration d) {
  int64_t ms = d.count();
  if (ms <= 0) return "PT0S";
  std::string out = "P";
  const int64_t days = ms / 86400000;
  ms %= 86400000;
  if (days > 0) out += std::to_string(days) + "D";
  if (ms == 0) return out;
  out += "T";
  const int64_t hours = ms / 3600000;
  ms %= 3600000;
  const int64_t minutes = ms / 60000;
  ms %= 60000;
  if (hours > 0) out += std::to_string(hours) + "H";
  if (minutes > 0) out += std::to_string(minutes) + "M";
  if (ms > 0) {
    out += std::to_string(ms / 1000);
    if (ms % 1000 != 0) {
      std::string frac = std::to_string(1000 + ms % 1000).substr(1);
      while (frac.back() == '0') frac.pop_back();
      out += "." + frac;
    }
    out += "S";
  }
  return out;
}

}  // namespace coalition
