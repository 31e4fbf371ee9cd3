// Instants given as command-line options: an RFC 3339 instant, or a date alone where the option
// means a whole day (common/instant_text.h). A date is read in UTC here — these options search
// or bound across executions kept in UTC — and the reading is said on the notes stream, so a
// person sees which moment was meant while standard output stays what a script parses.
#ifndef COALITION_CLI_INSTANT_OPTION_H_
#define COALITION_CLI_INSTANT_OPTION_H_

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "common/instant_text.h"
#include "common/result.h"

namespace coalition::cli {

// nullopt for an empty `text` (the option was not given); kInvalidArgument naming `option` and
// the forms it takes otherwise.
Result<std::optional<UtcMicros>> instant_option(std::string_view option, const std::string& text,
                                                DateAlone date, std::ostream& notes);

// "--due-before 2025-05-10: read as 2025-05-10T00:00:00.000Z, the start of 2025-05-10 in UTC"
std::string reading_note(std::string_view option, std::string_view text, const InstantText& read);

}  // namespace coalition::cli

#endif  // COALITION_CLI_INSTANT_OPTION_H_
