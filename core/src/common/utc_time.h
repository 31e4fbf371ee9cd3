// Formatting instants for people and documents.
#ifndef COALITION_COMMON_UTC_TIME_H_
#define COALITION_COMMON_UTC_TIME_H_

#include <chrono>
#include <string>

namespace coalition {

// RFC 3339 in UTC with milliseconds: "2026-11-29T02:15:00.000Z".
std::string format_utc(std::chrono::system_clock::time_point t);

}  // namespace coalition

#endif  // COALITION_COMMON_UTC_TIME_H_
