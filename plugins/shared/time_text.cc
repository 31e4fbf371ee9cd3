#include "shared/time_text.h"

#include <cstdio>

namespace coalition::plugins {

namespace {

bool digits(const std::string& s, size_t at, size_t n, int& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

std::optional<Instant> parse_instant(const std::string& s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (s.size() < 20 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') || !digits(s, 11, 2, h) ||
      s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, se)) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(mo),
                                        std::chrono::day(d)};
  if (!ymd.ok() || h > 23 || mi > 59 || se > 60) return std::nullopt;
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  }
  std::chrono::seconds offset{0};
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z') && i + 1 == s.size()) {
  } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
    int oh = 0, om = 0;
    if (!digits(s, i + 1, 2, oh) || !digits(s, i + 4, 2, om)) return std::nullopt;
    offset = std::chrono::hours(oh) + std::chrono::minutes(om);
    if (s[i] == '-') offset = -offset;
  } else {
    return std::nullopt;
  }
  return std::chrono::sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) +
         std::chrono::seconds(se) - offset;
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
