// Finds text that says a suspicious-activity report exists — its status, its BSA identifier, its
// filing date — in what leaves a member. Disclosing a SAR (US), an STR (Canada) or an SMR
// (Australia), or anything revealing one exists, is an offence ("tipping off"): the engine
// screens the fields a schema declares outbound (kOutboundKeyword) and refuses the first fact
// with its JSON Pointer. Depends on nlohmann/json and guard/schema_fields only.
#ifndef COALITION_GUARD_REPORT_DISCLOSURE_H_
#define COALITION_GUARD_REPORT_DISCLOSURE_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "guard/schema_fields.h"

namespace coalition {

// The annotation that declares a field outbound (it leaves the member: to another organisation,
// a webhook, every recipient of a signal): {"type": "string", "x-coalition-outbound": true}.
// Everything inside a declared object or array is outbound too.
inline constexpr std::string_view kOutboundKeyword = "x-coalition-outbound";
// A parameter schema's root annotation naming the parameter that confines a call to one
// organisation: {"x-coalition-confined-by": "within"}. When a step gives that parameter, the
// step type promises to deliver only inside the organisation it names, and what it carries is
// not outbound (a member's own compliance officer is told of its own filing).
inline constexpr std::string_view kConfinedByKeyword = "x-coalition-confined-by";

enum class ReportFact {
  kStatus,         // names a report or its filing: "SAR", "suspicious activity report",
                   // "reported to FinCEN", "STR lodged with FINTRAC"
  kBsaIdentifier,  // "BSA ID", "BSA identifier", "BSA" beside a number of 8 digits or more
  kFilingDate,     // a date beside "filed", "filing", "lodged" or "lodgement"
};

std::string_view to_string(ReportFact fact);

struct ReportDisclosure {
  std::string pointer;  // of the string value, or of the member whose key says it
  ReportFact fact;
};

// The first fact `text` states, if any. Words are runs of ASCII letters and digits, split where
// case or digits change ("sarStatus", "SAR2026", "bsa31000012345678"); invisible characters
// (zero-width, soft hyphen, byte-order mark) are dropped and full-width letters read as ASCII;
// single letters in a row are one word ("S.A.R.", "S A R", "s-a-r"); other characters separate
// words. "STR" counts in capitals only (a street abbreviation otherwise); SAR and SMR in any
// case, except "Hong Kong SAR" and "Macao SAR"; an authority beside "submitted" does not count
// for a 314(b) registration. Linear in the length of the text.
std::optional<ReportFact> find_report_fact(std::string_view text);

// The parameter a parameters schema names with kConfinedByKeyword at its root; empty when none.
std::string confining_parameter(const nlohmann::json& schema);

// The fields `schema` declares outbound; all of the document when the schema could not be read
// to the end (too large, or a "$ref" to another document): a missed declaration would leak.
SchemaFields outbound_fields(const nlohmann::json& schema);

// The first fact stated in the outbound fields of `doc` (objects in key order): in a value read
// with its member's key (so {"filed_at": "2026-12-30"} is a filing date and {"bsa":
// 31000012345678} an identifier) or in a key ({"sar_status": {...}}). Nothing is outbound when
// `outbound` is empty. Iterative: any depth.
std::optional<ReportDisclosure> find_report_disclosure(const nlohmann::json& doc,
                                                       const SchemaFields& outbound);

// The message of a refusal: which fact and what to do — never the text itself, nor the
// pointer (the caller's error carries it).
std::string describe(const ReportDisclosure& found);

}  // namespace coalition

#endif  // COALITION_GUARD_REPORT_DISCLOSURE_H_
