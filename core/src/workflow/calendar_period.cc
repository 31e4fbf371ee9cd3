#include "workflow/calendar_period.h"

#include <cctype>
#include <chrono>

namespace coalition {
namespace {

constexpr int kMaxPeriodMonths = 100 * 12;  // a century, like the longest plain duration

Error bad_period(std::string_view text, const std::string& why) {
  return Error::invalid_data("'" + std::string(text) + "' is not a period (" + why +
                             "); expected ISO 8601 such as \"P5Y\", \"P18M\", \"P1Y6M\" or "
                             "\"P30D\"");
}

}  // namespace

Result<CalendarPeriod> parse_calendar_period(std::string_view text) {
  if (text.size() < 3 || text[0] != 'P') return bad_period(text, "it must start with 'P'");
  CalendarPeriod period;
  // Years and months come first and are whole numbers; what follows is a plain duration.
  size_t i = 1;
  std::string allowed = "YM";
  bool calendar_part = false;
  while (i < text.size() && text[i] != 'T') {
    size_t end = i;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
    if (end == i || end == text.size()) break;
    const char unit = text[end];
    const auto pos = allowed.find(unit);
    if (pos == std::string::npos) break;  // W or D: the duration part begins
    if (end - i > 4) return bad_period(text, "longer than a century");
    const int value = std::stoi(std::string(text.substr(i, end - i)));
    (unit == 'Y' ? period.years : period.months) = value;
    allowed = allowed.substr(pos + 1);
    calendar_part = true;
    i = end + 1;
  }
  if (int64_t{period.years} * 12 + period.months > kMaxPeriodMonths) {
    return bad_period(text, "longer than a century");
  }
  if (i < text.size()) {
    auto rest = parse_duration("P" + std::string(text.substr(i)));
    if (!rest) {
      // The plain duration's own words, about the text as written.
      if (!calendar_part) return std::move(rest).error();
      return bad_period(text, "what follows the years and months is not a duration");
    }
    period.rest = *rest;
  } else if (!calendar_part) {
    return bad_period(text, "no components");
  }
  return period;
}

std::string format_calendar_period(const CalendarPeriod& period) {
  if (period.years == 0 && period.months == 0) return format_duration(period.rest);
  std::string out = "P";
  if (period.years > 0) out += std::to_string(period.years) + "Y";
  if (period.months > 0) out += std::to_string(period.months) + "M";
  if (period.rest.count() > 0) out += format_duration(period.rest).substr(1);
  return out;
}

Result<UtcMicros> add_calendar_period(UtcMicros from, const CalendarPeriod& period) {
  using namespace std::chrono;
  const auto day = floor<days>(from);
  const auto time_of_day = from - day;
  const year_month_day ymd{day};
  const year_month shifted =
      year_month{ymd.year(), ymd.month()} + months{int64_t{period.years} * 12 + period.months};
  if (!shifted.ok() || int(shifted.year()) < 1 || int(shifted.year()) > 9999) {
    return Error::invalid_data("the date falls outside the years 0001 to 9999");
  }
  const year_month_day_last last{shifted.year(), month_day_last{shifted.month()}};
  const year_month_day target = ymd.day() <= last.day()
                                    ? year_month_day{shifted.year(), shifted.month(), ymd.day()}
                                    : year_month_day{last};
  const UtcMicros moved = UtcMicros(sys_days(target)) + time_of_day;
  const UtcMicros out = moved + duration_cast<UtcMicros::duration>(period.rest);
  if (int(year_month_day{floor<days>(out)}.year()) > 9999) {
    return Error::invalid_data("the date falls outside the years 0001 to 9999");
  }
  return out;
}

}  // namespace coalition
