// InstantText: a moment as a person types it on the command line or in a form. An RFC 3339
// instant is always accepted; a date alone only where a whole day is meant, read in a named
// zone and said back, so nobody has to guess which moment of the day the engine took.
#ifndef COALITION_COMMON_INSTANT_TEXT_H_
#define COALITION_COMMON_INSTANT_TEXT_H_

#include <string>
#include <string_view>

#include "common/result.h"
#include "common/rfc3339.h"
#include "common/time_zone.h"

namespace coalition {

// What a date alone means where it is given.
enum class DateAlone {
  kRefused,     // a moment of the day is needed (--now): a date alone is refused
  kStartOfDay,  // a lower bound, or "before that day": 00:00:00 local
  kEndOfDay,    // a deadline on that day: 23:59:59 local, where business-day deadlines end too
  kThroughDay,  // an exclusive upper bound that takes the whole day in: the next day's 00:00:00
};

struct InstantText {
  UtcMicros at;
  // How a date alone was read ("the end of 2025-05-10 (23:59:59) in Australia/Sydney"); empty
  // when the text was an instant.
  std::string reading;
};

// Parses `text` given as `name` (an option such as "--to", or a field). kInvalidArgument naming
// `name` and the exact forms expected (with an example of each) when it is neither form, or a
// date alone where `date` is kRefused.
Result<InstantText> parse_instant_text(std::string_view text, std::string_view name, DateAlone date,
                                       const TimeZone& zone);

}  // namespace coalition

#endif  // COALITION_COMMON_INSTANT_TEXT_H_
