#include "common/utc_time.h"

#include <fmt/format.h>

#include <iterator>

namespace coalition {

UtcMicros utc_now() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

std::string format_utc(UtcMicros t) {
  std::string text;
  append_utc(text, t);
  return text;
}

void append_utc(std::string& out, UtcMicros t) {
  using namespace std::chrono;
  // Civil calendar arithmetic, not gmtime: it floors correctly before 1970 and needs no time_t.
  const auto ms = floor<milliseconds>(t);
  const auto day = floor<days>(ms);
  const year_month_day date{day};
  const hh_mm_ss<milliseconds> time{ms - day};
  const int year = static_cast<int>(date.year());
  if (year >= 0 && year <= 9999) {  // every instant in practice: digits by hand, no format string
    char text[] = "0000-00-00T00:00:00.000Z";
    auto put = [&text](size_t at, unsigned value, size_t width) {
      for (size_t i = width; i-- > 0; value /= 10)
        text[at + i] = static_cast<char>('0' + value % 10);
    };
    put(0, static_cast<unsigned>(year), 4);
    put(5, static_cast<unsigned>(date.month()), 2);
    put(8, static_cast<unsigned>(date.day()), 2);
    put(11, static_cast<unsigned>(time.hours().count()), 2);
    put(14, static_cast<unsigned>(time.minutes().count()), 2);
    put(17, static_cast<unsigned>(time.seconds().count()), 2);
    put(20, static_cast<unsigned>(time.subseconds().count()), 3);
    out.append(text, sizeof(text) - 1);
    return;
  }
  fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                 static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                 static_cast<unsigned>(date.day()), time.hours().count(), time.minutes().count(),
                 time.seconds().count(), time.subseconds().count());
}

std::optional<UtcMicros> parse_utc(std::string_view text, std::string* why) {
  return parse_rfc3339(text, why);
}

}  // namespace coalition
