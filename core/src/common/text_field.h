// Text fields people and partners fill in (actor, role, organisation, ids, signal names,
// reasons): what the engine accepts, and how it prints any text safely.
#ifndef COALITION_COMMON_TEXT_FIELD_H_
#define COALITION_COMMON_TEXT_FIELD_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"

namespace coalition {

inline constexpr size_t kMaxNameBytes = 256;     // actors, roles, organisations, ids, names
inline constexpr size_t kMaxReasonBytes = 4096;  // justifications and reasons

// OK when `value` is valid UTF-8 of at most `max_bytes`, with no control characters (C0, DEL,
// C1), no line or paragraph separators and no bidirectional overrides: such a value could
// forge lines in a timeline or a log, or print differently from what it is. Else
// kInvalidData naming `field` and what is wrong (never echoing the value).
Status check_text_field(std::string_view field, std::string_view value,
                        size_t max_bytes = kMaxNameBytes);

// The normal form in which names (people, roles, organisations) are compared and stored:
// without leading or trailing spaces, so "a.person " is not a second person beside "a.person".
std::string normal_name(std::string_view name);

// `text` as one printable line for a terminal: control characters and the characters
// check_text_field refuses become \n, \t, \x1b or \u202e escapes (a backslash doubles), and
// invalid UTF-8 bytes become \xNN. Valid text without them comes back unchanged.
std::string printable(std::string_view text);

}  // namespace coalition

#endif  // COALITION_COMMON_TEXT_FIELD_H_
