#include "cli/instant_option.h"

#include <ostream>

#include "common/text_field.h"
#include "common/utc_time.h"

namespace coalition::cli {

Result<std::optional<UtcMicros>> instant_option(std::string_view option, const std::string& text,
                                                DateAlone date, std::ostream& notes) {
  if (text.empty()) return std::optional<UtcMicros>();
  auto read = parse_instant_text(text, option, date, TimeZone::utc());
  if (!read) return std::move(read).error();
  if (!read->reading.empty()) notes << reading_note(option, text, *read) << "\n";
  return std::optional<UtcMicros>(read->at);
}

std::string reading_note(std::string_view option, std::string_view text, const InstantText& read) {
  return std::string(option) + " " + printable(text) + ": read as " + format_utc(read.at) + ", " +
         read.reading;
}

}  // namespace coalition::cli
