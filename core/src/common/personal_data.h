// Personal data in text: e-mail addresses and international phone numbers, the contact channels
// the coalition's directory holds. Every log line passes through mask_personal_data() before it
// is written (common/logging.cc), so an address that reaches a message — from the engine, a
// plugin or a workflow's own log step — never appears in clear.
#ifndef COALITION_COMMON_PERSONAL_DATA_H_
#define COALITION_COMMON_PERSONAL_DATA_H_

#include <string>
#include <string_view>

namespace coalition {

// `text` with every e-mail address replaced by "[email]" and every phone number written in
// international form (a '+' and 7 to 15 digits, spaces, dots, dashes or brackets between them)
// by "[phone]". Identifiers such as "aml_review@1", timestamps and offsets ("+10:00") stay.
std::string mask_personal_data(std::string_view text);

}  // namespace coalition

#endif  // COALITION_COMMON_PERSONAL_DATA_H_
