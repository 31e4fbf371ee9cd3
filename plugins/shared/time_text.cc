#include "shared/time_text.h"

#include <cstdio>

#include "common/iso_duration.h"
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
  auto parsed = parse_iso_duration_text(s);
  if (!parsed) return std::nullopt;
  return std::chrono::floor<std::chrono::seconds>(*parsed);
}

std::string format_iso_duration(std::chrono::seconds d) {
  return format_iso_duration_text(std::chrono::duration_cast<std::chrono::milliseconds>(d));
}

}  // namespace coalition::plugins
