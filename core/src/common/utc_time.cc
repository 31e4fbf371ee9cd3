#include "common/utc_time.h"

#include <fmt/format.h>

namespace coalition {

UtcMicros utc_now() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

std::string format_utc(UtcMicros t) {
  using namespace std::chrono;
  // Civil calendar arithmetic, not gmtime: it floors correctly before 1970 and needs no time_t.
  const auto ms = floor<milliseconds>(t);
  const auto day = floor<days>(ms);
  const year_month_day date{day};
  const hh_mm_ss<milliseconds> time{ms - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     time.hours().count(), time.minutes().count(), time.seconds().count(),
                     time.subseconds().count());
}

std::optional<UtcMicros> parse_utc(std::string_view text, std::string* why) {
  return parse_rfc3339(text, why);
}

}  // namespace coalition
