// Formatting instants for people and documents.
#ifndef COALITION_COMMON_UTC_TIME_H_
#define COALITION_COMMON_UTC_TIME_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace coalition {

// RFC 3339 in UTC with milliseconds: "2026-11-29T02:15:00.000Z".
std::string format_utc(std::chrono::system_clock::time_point t);

// Parses RFC 3339 ("2026-11-29T02:15:00Z", "2026-11-29T03:15:00.250+01:00"). nullopt when the
// text is not such a timestamp.
std::optional<std::chrono::system_clock::time_point> parse_utc(std::string_view text);

}  // namespace coalition

#endif  // COALITION_COMMON_UTC_TIME_H_
