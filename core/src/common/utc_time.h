// Instants as text for people and documents, and the current time.
#ifndef COALITION_COMMON_UTC_TIME_H_
#define COALITION_COMMON_UTC_TIME_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "common/rfc3339.h"

namespace coalition {

// The wall clock, to the microsecond.
UtcMicros utc_now();

// RFC 3339 in UTC with milliseconds: "2026-11-29T02:15:00.000Z" (years 0001-9999 with four
// digits; an instant outside them still prints, with its year as it is).
std::string format_utc(UtcMicros t);
// Appends format_utc(t) to `out`, with no string of its own (a step's context carries one).
void append_utc(std::string& out, UtcMicros t);

// Parses RFC 3339 strictly (common/rfc3339.h: real dates, offsets within ±23:59, years
// 0001-9999). nullopt when the text is not such a timestamp; `why` says what is wrong.
std::optional<UtcMicros> parse_utc(std::string_view text, std::string* why = nullptr);

}  // namespace coalition

#endif  // COALITION_COMMON_UTC_TIME_H_
