// The text itself is read by common/iso_duration.cc, which the plugins compile in too.
#include "workflow/duration.h"

#include "common/iso_duration.h"

namespace coalition {

Result<Duration> parse_duration(std::string_view text) {
  std::string why;
  auto parsed = parse_iso_duration_text(text, &why);
  if (!parsed) {
    return Error::invalid_data("'" + std::string(text) + "' is not a duration (" + why +
                               "); expected ISO 8601 such as \"PT30S\", \"PT1H30M\" or \"P3D\"");
  }
  return *parsed;
}

std::string format_duration(Duration d) {
  return d.count() <= 0 ? "PT0S" : format_iso_duration_text(d);
}

}  // namespace coalition
