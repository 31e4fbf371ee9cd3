// Time as text for in-tree plugins: RFC 3339 instants and ISO 8601 durations, parsed and
// formatted the way the engine does, without linking the engine (plugins see only the SDK).
#ifndef COALITION_PLUGINS_SHARED_TIME_TEXT_H_
#define COALITION_PLUGINS_SHARED_TIME_TEXT_H_

#include <chrono>
#include <optional>
#include <string>

namespace coalition::plugins {

using Instant = std::chrono::sys_seconds;

// "2026-12-08T12:59:59Z", "2026-12-08T23:59:59+11:00" (fractions dropped): the engine's strict
// RFC 3339 parser (common/rfc3339.h), so plugins and engine accept exactly the same instants.
std::optional<Instant> parse_instant(const std::string& text);
// "2026-12-08T12:59:59Z".
std::string format_instant(Instant t);
// "PT48H", "P30D", "P1W", "PT1H30M": the engine's parser (common/iso_duration.h), so a span
// means the same in a plugin's table as in a workflow file; a fraction of a second is dropped.
std::optional<std::chrono::seconds> parse_iso_duration(const std::string& text);
// "P1DT2H", "PT0S".
std::string format_iso_duration(std::chrono::seconds d);

}  // namespace coalition::plugins

#endif  // COALITION_PLUGINS_SHARED_TIME_TEXT_H_
