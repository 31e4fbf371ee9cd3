#include "shared/time_text.h"

#include <cstdio>

#include "common/rfc3339.h"

namespace coalition::plugins {

std::optional<Instant> parse_instant(const std::string& s) {
  auto t = parse_rfc3339(s);
  if (!t) return std::nullopt;
  return std::chrono::floor<std::chrono::seconds>(*t);
}

std::string format_instant(Instant t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{t - day};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long>(hms.hours().count()), static_cast<long>(hms.minutes().count()),
                static_cast<long>(hms.seconds().count()));
  return buf;
}

std::optional<std::chrono::seconds> parse_iso_duration(const std::string& s) {
  if (s.size() < 3 || s[0] != 'P') return std::nullopt;
  std::chrono::seconds total{0};
  bool time = false;
  bool any = false;
  long long n = -1;
  for (size_t i = 1; i < s.size(); ++i) {
    const char c = s[i];
    if (c == 'T') {
      if (time || n >= 0) return std::nullopt;
      time = true;
    } else if (c >= '0' && c <= '9') {
      n = (n < 0 ? 0 : n) * 10 + (c - '0');
      if (n > 100000000) return std::nullopt;
    } else {
      if (n < 0) return std::nullopt;
      long long unit = 0;
      if (!time && c == 'W') unit = 7 * 86400;
      if (!time && c == 'D') unit = 86400;
      if (time && c == 'H') unit = 3600;
      if (time && c == 'M') unit = 60;
      if (time && c == 'S') unit = 1;
      if (unit == 0) return std::nullopt;
      total += std::chrono::seconds(n * unit);
      n = -1;
      any = true;
    }
  }
  if (!any || n >= 0) return std::nullopt;
  return total;
}

std::string format_iso_duration(std::chrono::seconds d) {
  long long s = d.count();
  std::string out = s < 0 ? "-P" : "P";
  if (s < 0) s = -s;
  if (s >= 86400) out += std::to_string(s / 86400) + "D";
  s %= 86400;
  if (s == 0) return out.size() > 1 + (out[0] == '-') ? out : out + "T0S";
  out += "T";
  if (s >= 3600) out += std::to_string(s / 3600) + "H";
  s %= 3600;
  if (s >= 60) out += std::to_string(s / 60) + "M";
  s %= 60;
  if (s > 0) out += std::to_string(s) + "S";
  return out;
}

}  // namespace coalition::plugins
