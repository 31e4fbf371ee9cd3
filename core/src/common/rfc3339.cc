#include "common/rfc3339.h"

namespace coalition {
namespace {

using namespace std::chrono;

// `n` ASCII digits at `at`: sscanf and atoi would take "+1", " 1" or "1a" as numbers.
bool digits(std::string_view s, size_t at, size_t n, int& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

std::optional<UtcMicros> refuse(std::string* why, const char* reason) {
  if (why != nullptr) *why = reason;
  return std::nullopt;
}

// The fraction of a second after the '.', to the microsecond; moves `i` past it.
bool fraction(std::string_view s, size_t& i, int64_t& micros) {
  if (i >= s.size() || s[i] != '.') return true;
  size_t n = 0;
  micros = 0;
  for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++n) {
    if (n < 6) micros = micros * 10 + (s[i] - '0');
  }
  if (n == 0 || n > 9) return false;
  for (size_t k = n; k < 6; ++k) micros *= 10;
  return true;
}

}  // namespace

UtcMicros earliest_rfc3339() {
  return sys_days(year(1) / January / 1);
}

UtcMicros latest_rfc3339() {
  return sys_days(year(9999) / December / 31) + days(1) - microseconds(1);
}

std::optional<int64_t> parse_rfc3339_date(std::string_view s, std::string* why) {
  int y = 0, mo = 0, d = 0;
  if (s.size() != 10 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d)) {
    if (why != nullptr) *why = "not a date (YYYY-MM-DD)";
    return std::nullopt;
  }
  const year_month_day date{year(y), month(static_cast<unsigned>(mo)),
                            day(static_cast<unsigned>(d))};
  if (y < 1 || !date.ok()) {
    if (why != nullptr) *why = "no such calendar date";
    return std::nullopt;
  }
  return sys_days(date).time_since_epoch().count();
}

std::optional<UtcMicros> parse_rfc3339(std::string_view s, std::string* why) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') || !digits(s, 11, 2, h) ||
      s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, se)) {
    return refuse(why, "not an RFC 3339 timestamp (YYYY-MM-DDTHH:MM:SSZ or with +HH:MM)");
  }
  const year_month_day date{year(y), month(static_cast<unsigned>(mo)),
                            day(static_cast<unsigned>(d))};
  if (y < 1 || !date.ok()) return refuse(why, "no such calendar date");
  if (h > 23 || mi > 59 || se > 59) return refuse(why, "no such time of day");
  size_t i = 19;
  int64_t micros = 0;
  if (!fraction(s, i, micros)) return refuse(why, "a fraction of a second needs 1 to 9 digits");
  minutes offset{0};
  if (i + 1 == s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    // UTC
  } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
    int oh = 0, om = 0;
    if (!digits(s, i + 1, 2, oh) || !digits(s, i + 4, 2, om) || oh > 23 || om > 59) {
      return refuse(why, "an offset is +HH:MM or -HH:MM within 23:59");
    }
    offset = hours(oh) + minutes(om);
    if (s[i] == '-') offset = -offset;
  } else {
    return refuse(why, "a timestamp ends with Z or an offset such as +01:00");
  }
  const UtcMicros t =
      sys_days(date) + hours(h) + minutes(mi) + seconds(se) + microseconds(micros) - offset;
  if (t < earliest_rfc3339() || t > latest_rfc3339()) {
    return refuse(why, "outside the years 0001 to 9999");
  }
  return t;
}

}  // namespace coalition
