// Integer arithmetic throughout: the engine's earlier parser read numbers with std::stod, which
// follows the locale and took "PT1.2.3S" for 1.2 seconds; the plugins' took designators in any
// order ("PT1S1H"). Both now read text here.
#include "common/iso_duration.h"

#include <cstdint>

namespace coalition {
namespace {

constexpr int64_t kMaxSpanMs = int64_t{100} * 366 * 24 * 3600 * 1000;  // a century is plenty

std::optional<std::chrono::milliseconds> refuse_span(std::string* why, const char* reason) {
  if (why != nullptr) *why = reason;
  return std::nullopt;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_iso_duration_text(std::string_view text,
                                                                 std::string* why) {
  if (text.empty() || text[0] != 'P') return refuse_span(why, "it must start with 'P'");
  if (text.size() == 1) return refuse_span(why, "no components");
  constexpr std::string_view kDate = "WD";
  constexpr std::string_view kTime = "HMS";
  std::string_view allowed = kDate;  // designators still allowed, in order
  bool in_time = false;
  bool any = false;
  int64_t total_ms = 0;
  size_t i = 1;
  while (i < text.size()) {
    if (text[i] == 'T') {
      if (in_time) return refuse_span(why, "'T' appears twice");
      in_time = true;
      allowed = kTime;
      if (++i == text.size()) return refuse_span(why, "nothing follows 'T'");
      continue;
    }
    int64_t whole = 0;
    size_t digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      whole = whole * 10 + (text[i] - '0');
      if (whole > kMaxSpanMs) return refuse_span(why, "longer than a century");
      ++i;
      ++digits;
    }
    int64_t fraction_ms = 0;
    bool fraction = false;
    if (i < text.size() && text[i] == '.') {
      fraction = true;
      ++i;
      size_t fraction_digits = 0;
      int64_t scale = 100;
      int64_t rest = 0;  // the digit after the milliseconds, for rounding
      while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        const int64_t d = text[i] - '0';
        if (fraction_digits < 3) {
          fraction_ms += d * scale;
          scale /= 10;
        } else if (fraction_digits == 3) {
          rest = d;
        }
        ++i;
        if (++fraction_digits > 9) return refuse_span(why, "more than 9 digits in a fraction");
      }
      if (fraction_digits == 0) return refuse_span(why, "a fraction needs digits");
      if (rest >= 5) ++fraction_ms;
    }
    if (digits == 0) return refuse_span(why, "a unit needs a number before it");
    if (i == text.size()) return refuse_span(why, "a number must be followed by a unit");
    const char unit = text[i++];
    if (unit == 'Y' || (unit == 'M' && !in_time)) {
      return refuse_span(why, "years and months depend on the calendar");
    }
    const size_t at = allowed.find(unit);
    if (at == std::string_view::npos) {
      const bool known =
          kDate.find(unit) != std::string_view::npos || kTime.find(unit) != std::string_view::npos;
      return refuse_span(why, known ? "the units must come in the order W, D, T, H, M, S, each once"
                                    : "an unknown unit");
    }
    allowed = allowed.substr(at + 1);
    if (fraction && unit != 'S') return refuse_span(why, "only seconds may have a fraction");
    int64_t unit_ms = 1000;
    switch (unit) {
      case 'W': unit_ms = int64_t{7} * 86400000; break;
      case 'D': unit_ms = 86400000; break;
      case 'H': unit_ms = 3600000; break;
      case 'M': unit_ms = 60000; break;
      default: break;
    }
    if (whole > kMaxSpanMs / unit_ms) return refuse_span(why, "longer than a century");
    total_ms += whole * unit_ms + fraction_ms;
    if (total_ms > kMaxSpanMs) return refuse_span(why, "longer than a century");
    any = true;
  }
  if (!any) return refuse_span(why, "no components");
  return std::chrono::milliseconds(total_ms);
}

std::string format_iso_duration_text(std::chrono::milliseconds d) {
  int64_t ms = d.count();
  std::string out = ms < 0 ? "-P" : "P";
  if (ms < 0) ms = ms == INT64_MIN ? INT64_MAX : -ms;
  if (ms == 0) return "PT0S";
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
      std::string fraction = std::to_string(1000 + ms % 1000).substr(1);
      while (fraction.back() == '0') fraction.pop_back();
      out += "." + fraction;
    }
    out += "S";
  }
  return out;
}

}  // namespace coalition
