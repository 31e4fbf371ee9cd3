#include "common/instant_text.h"

#include <algorithm>

#include "common/text_field.h"
#include "common/utc_time.h"

namespace coalition {

namespace {

constexpr int64_t kSecondsPerDay = 86400;
constexpr std::string_view kInstantExamples = "2025-05-10T17:00:00Z or 2025-05-10T17:00:00+10:00";

std::string quoted_input(std::string_view text) {
  // The person's own text, but never a terminal escape, and never a page of it.
  return "\"" + printable(text.substr(0, 64)) + (text.size() > 64 ? "...\"" : "\"");
}

std::string meaning_of(DateAlone date) {
  switch (date) {
    case DateAlone::kStartOfDay: return "the start of that day";
    case DateAlone::kEndOfDay: return "the end of that day, 23:59:59";
    case DateAlone::kThroughDay: return "up to the end of that day";
    case DateAlone::kRefused: break;
  }
  return {};
}

}  // namespace

Result<InstantText> parse_instant_text(std::string_view text, std::string_view name, DateAlone date,
                                       const TimeZone& zone) {
  std::string instant_why;
  if (auto at = parse_rfc3339(text, &instant_why)) return InstantText{*at, {}};
  std::string date_why;
  const auto day = parse_rfc3339_date(text, &date_why);
  const std::string label(name);
  if (date == DateAlone::kRefused) {
    if (day) {
      return Error::invalid_argument(
          label + ": " + quoted_input(text) +
          " is a date alone, and this needs a moment of the day: expected an RFC 3339 instant "
          "with a time and an offset, such as " +
          std::string(kInstantExamples));
    }
    return Error::invalid_argument(label + ": expected an RFC 3339 instant such as " +
                                   std::string(kInstantExamples) + ", got " + quoted_input(text) +
                                   ": " + instant_why);
  }
  if (!day) {
    // A ten-character text was most likely meant as a date: say what is wrong with it as one.
    const std::string& why = text.size() == 10 ? date_why : instant_why;
    return Error::invalid_argument(label + ": expected a date (2025-05-10, " + meaning_of(date) +
                                   " in " + zone.name() + ") or an RFC 3339 instant (" +
                                   std::string(kInstantExamples) + "), got " + quoted_input(text) +
                                   ": " + why);
  }
  const std::string day_text(text);
  InstantText out;
  switch (date) {
    case DateAlone::kStartOfDay:
      out.at = zone.from_local(*day * kSecondsPerDay);
      out.reading = "the start of " + day_text + " in " + zone.name();
      break;
    case DateAlone::kEndOfDay:
      // One second before the next day starts: where clocks go back at midnight, 23:59:59
      // happens twice and the day ends at the later one.
      out.at = zone.from_local((*day + 1) * kSecondsPerDay) - std::chrono::seconds(1);
      out.reading = "the end of " + day_text + " (23:59:59) in " + zone.name();
      break;
    case DateAlone::kThroughDay:
      // An exclusive bound: past the last day a timestamp can name, the last instant stands in.
      out.at = std::min(zone.from_local((*day + 1) * kSecondsPerDay), latest_rfc3339());
      out.reading = "up to the end of " + day_text + " in " + zone.name();
      break;
    case DateAlone::kRefused: break;
  }
  if (out.at < earliest_rfc3339() || out.at > latest_rfc3339()) {
    return Error::invalid_argument(label + ": " + out.reading + " falls outside the years 0001 " +
                                   "to 9999");
  }
  return out;
}

}  // namespace coalition
