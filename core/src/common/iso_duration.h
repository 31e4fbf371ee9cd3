// ISO 8601 durations as text: the one parser of spans for the engine and the in-tree plugins
// (which compile this file into their own library, like rfc3339.cc; it depends on the standard
// library only), so a span a workflow file and a plugin's table both write means one thing.
#ifndef COALITION_COMMON_ISO_DURATION_H_
#define COALITION_COMMON_ISO_DURATION_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace coalition {

// Parses P[nW][nD][T[nH][nM][n[.fff]S]] strictly: an upper-case "P", at least one component,
// the designators in that order and each once, digits only (no sign, no spaces), a fraction on
// the seconds only (a dot and up to 9 digits, as the workflow format's pattern says; kept to
// the millisecond, rounded), nothing after an empty
// "T", at most a century in all. Years and months are refused: their length depends on the
// calendar (workflow/calendar_period.h reads them where calendar arithmetic is meant). nullopt
// otherwise, with the reason in `*why` when given.
std::optional<std::chrono::milliseconds> parse_iso_duration_text(std::string_view text,
                                                                 std::string* why = nullptr);

// The shortest form: 90 minutes -> "PT1H30M", 36 hours -> "P1DT12H", 1.5 s -> "PT1.5S",
// 0 -> "PT0S"; a negative span is written with a leading "-" ("-PT1H").
std::string format_iso_duration_text(std::chrono::milliseconds d);

}  // namespace coalition

#endif  // COALITION_COMMON_ISO_DURATION_H_
