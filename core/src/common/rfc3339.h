// RFC 3339 timestamps: the one parser of instants for the engine and the in-tree plugins (which
// compile this file into their own library; it depends on the standard library only).
#ifndef COALITION_COMMON_RFC3339_H_
#define COALITION_COMMON_RFC3339_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace coalition {

// An instant in UTC to the microsecond: wide enough for every year from 0001 to 9999.
using UtcMicros = std::chrono::sys_time<std::chrono::microseconds>;

// The first and last instants a timestamp may name: 0001-01-01T00:00:00Z to
// 9999-12-31T23:59:59.999999Z.
UtcMicros earliest_rfc3339();
UtcMicros latest_rfc3339();

// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" strictly: digits only where digits
// go (no signs or spaces), a real calendar date (2026-02-30 is refused), hours 00-23, minutes
// and seconds 00-59 (no leap second), an offset within ±23:59, at most 9 fraction digits (kept
// to the microsecond), years 0001-9999 after the offset is applied; "T" and "Z" in either case.
// nullopt otherwise, with the reason in `*why` when given.
std::optional<UtcMicros> parse_rfc3339(std::string_view text, std::string* why = nullptr);

// Parses an RFC 3339 full-date, "YYYY-MM-DD", as strictly (a real date, years 0001-9999, digits
// only): the day as days since 1970-01-01. nullopt otherwise, with the reason in `*why`.
std::optional<int64_t> parse_rfc3339_date(std::string_view text, std::string* why = nullptr);

}  // namespace coalition

#endif  // COALITION_COMMON_RFC3339_H_
