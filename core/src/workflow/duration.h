// Durations in workflow files: ISO 8601 ("PT30S", "PT1H30M", "P3D", "P2W", "PT0.5S").
#ifndef COALITION_WORKFLOW_DURATION_H_
#define COALITION_WORKFLOW_DURATION_H_

#include <chrono>
#include <string>
#include <string_view>

#include "common/result.h"

namespace coalition {

using Duration = std::chrono::milliseconds;

// Accepts what common/iso_duration.h reads — P[nW][nD][T[nH][nM][n[.fff]S]], designators in
// order, no sign, no years or months (their length depends on the calendar) — and fails with
// kInvalidData saying why and what was expected.
Result<Duration> parse_duration(std::string_view text);

// The shortest ISO 8601 form: 90 minutes -> "PT1H30M"; 0 and below -> "PT0S".
std::string format_duration(Duration d);

}  // namespace coalition

#endif  // COALITION_WORKFLOW_DURATION_H_
