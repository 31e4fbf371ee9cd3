// The screen reads words, not patterns: a regular expression engine that backtracks could be
// made to run for minutes (or, in libstdc++, overflow the stack) on a crafted string, and the
// text comes from people and partners. Every rule looks at a few neighbouring words, so one
// pass over the words is enough.
//
// What it is for: the careless sentence ("SAR filed 2026-12-30, BSA ID 31000012345678") in a
// note to another member, a signal's source context or a webhook. It is not a censor of intent:
// a paraphrase ("we told the regulator") passes, and the 314(b) and signal workflows keep the
// report's data in restricted fields that never reach an outbound step in the first place.
#include "guard/report_disclosure.h"

#include <algorithm>
#include <array>
#include <deque>
#include <initializer_list>
#include <utility>
#include <vector>

namespace coalition {

namespace {

using nlohmann::json;

// A word is a view into the normalised text (or into the joined runs), so a megabyte of text
// costs a vector of small records, not a string per word.
struct Word {
  std::string_view text;
  bool capitals = false;  // every letter upper case (and at least one letter)
  bool digits = false;    // digits only
  char gap = ' ';         // what separates it from the word before: ' ', '-', '/', '.', '?'
  bool joinable = false;  // that gap is nothing but spaces, dots, underscores and hyphens
};

bool is_ascii_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
char lower(char c) {
  return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != b[i]) return false;
  }
  return true;
}
bool istarts_with(std::string_view a, std::string_view prefix) {
  return a.size() >= prefix.size() && iequals(a.substr(0, prefix.size()), prefix);
}

// What a sender can hide a word with: invisible characters inside it (zero-width spaces and
// joiners, word joiners, the soft hyphen, byte-order marks) are dropped, full-width forms
// (U+FF01-U+FF5E: "ＳＡＲ") read as ASCII.
std::string normalised(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const auto at = [&](size_t k) {
      return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0;
    };
    if (c == 0xC2 && at(1) == 0xAD) {  // U+00AD soft hyphen
      i += 2;
      continue;
    }
    if (c == 0xE2 && ((at(1) == 0x80 && at(2) >= 0x8B && at(2) <= 0x8F) ||
                      (at(1) == 0x81 && at(2) >= 0xA0 && at(2) <= 0xA4))) {
      i += 3;  // U+200B-U+200F, U+2060-U+2064
      continue;
    }
    if (c == 0xEF && at(1) == 0xBB && at(2) == 0xBF) {  // U+FEFF
      i += 3;
      continue;
    }
    if (c == 0xEF && (at(1) == 0xBC || at(1) == 0xBD) && at(2) >= 0x80 && at(2) <= 0xBF) {
      const unsigned code = 0xFF00u + ((at(1) - 0xBCu) << 6) + (at(2) - 0x80u);
      if (code >= 0xFF01 && code <= 0xFF5E) {
        out.push_back(static_cast<char>(code - 0xFF01 + 0x21));
        i += 3;
        continue;
      }
    }
    out.push_back(text[i]);
    ++i;
  }
  return out;
}

char classify_gap(std::string_view gap) {
  if (gap.size() == 1 && (gap[0] == '-' || gap[0] == '/' || gap[0] == '.')) return gap[0];
  for (char c : gap) {
    if (c != ' ' && c != ',' && c != '\t') return '?';
  }
  return ' ';
}

bool joinable_gap(std::string_view gap) {
  if (gap.empty() || gap.size() > 3) return false;
  for (char c : gap) {
    if (c != ' ' && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

// Where a run of letters and digits splits into words: "sarStatus", "SARStatus", "SAR2026",
// "bsa31000012345678" and "filedAt" are two words each.
bool splits_before(std::string_view run, size_t k) {
  const char prev = run[k - 1];
  const char cur = run[k];
  if (is_digit(prev) != is_digit(cur)) return true;
  if (is_lower(prev) && is_upper(cur)) return true;
  // "SARStatus": the last capital starts a word of two lower-case letters or more ("SARs" is
  // one word).
  return is_upper(prev) && is_upper(cur) && k + 2 < run.size() && is_lower(run[k + 1]) &&
         is_lower(run[k + 2]);
}

// Names written in mixed case that are one word: "FinCEN" is not "Fin" and "CEN".
bool whole_word(std::string_view run) {
  return iequals(run, "fincen") || iequals(run, "fintrac") || iequals(run, "austrac");
}

class Words {
 public:
  explicit Words(std::string_view text) : text_(normalised(text)) {
    std::string_view t = text_;
    size_t i = 0;
    size_t last_end = 0;
    while (i < t.size()) {
      if (!is_ascii_alnum(t[i])) {
        ++i;
        continue;
      }
      const size_t start = i;
      while (i < t.size() && is_ascii_alnum(t[i])) ++i;
      const std::string_view run = t.substr(start, i - start);
      const std::string_view gap = t.substr(last_end, start - last_end);
      size_t from = 0;
      for (size_t k = 1; k <= run.size(); ++k) {
        if (k < run.size() && (whole_word(run) || !splits_before(run, k))) continue;
        add(run.substr(from, k - from), from == 0 ? gap : std::string_view());
        from = k;
      }
      last_end = i;
    }
  }

  size_t size() const { return words_.size(); }
  const Word& operator[](size_t i) const { return words_[i]; }

 private:
  void add(std::string_view text, std::string_view gap) {
    Word w;
    w.text = text;
    w.gap = words_.empty() ? ' ' : classify_gap(gap);
    w.joinable = !words_.empty() && (gap.empty() || joinable_gap(gap));
    bool letter = false;
    bool lower_letter = false;
    w.digits = true;
    for (char c : text) {
      if (!is_digit(c)) {
        letter = true;
        lower_letter = lower_letter || is_lower(c);
        w.digits = false;
      }
    }
    w.capitals = letter && !lower_letter;
    // "S.A.R.", "S A R", "s-a-r": single letters in a row are one word (capitals across spaces,
    // any letters across dots, underscores and hyphens).
    if (!words_.empty() && text.size() == 1 && !w.digits && w.joinable && !gap.empty()) {
      Word& last = words_.back();
      const bool single_run = !last.digits && joined_ends_with_single(last);
      const bool spaces_only = gap.find_first_not_of(' ') == std::string_view::npos;
      if (single_run && (!spaces_only || (last.capitals && w.capitals))) {
        std::string& joined = joined_for(last);
        joined.push_back(text[0]);
        last.text = joined;
        last.capitals = last.capitals && w.capitals;
        return;
      }
    }
    words_.push_back(w);
  }

  // Whether `w` is a single letter, or a run of single letters joined already.
  bool joined_ends_with_single(const Word& w) const {
    return w.text.size() == 1 || (!joined_.empty() && w.text.data() == joined_.back().data());
  }
  std::string& joined_for(const Word& w) {
    if (joined_.empty() || w.text.data() != joined_.back().data()) {
      joined_.emplace_back(w.text);
    }
    return joined_.back();
  }

  std::string text_;
  std::vector<Word> words_;
  std::deque<std::string> joined_;  // stable addresses: words view into them
};

template <typename Set>
bool one_of(std::string_view w, const Set& set) {
  for (auto s : set) {
    if (iequals(w, s)) return true;
  }
  return false;
}

bool one_of(std::string_view w, std::initializer_list<std::string_view> set) {
  return one_of<std::initializer_list<std::string_view>>(w, set);
}

template <typename Set>
bool near(const Words& words, size_t at, size_t before, size_t after, const Set& set) {
  const size_t from = at > before ? at - before : 0;
  const size_t to = std::min(words.size(), at + after + 1);
  for (size_t k = from; k < to; ++k) {
    if (k != at && one_of(words[k].text, set)) return true;
  }
  return false;
}

bool near(const Words& words, size_t at, size_t before, size_t after,
          std::initializer_list<std::string_view> set) {
  return near<std::initializer_list<std::string_view>>(words, at, before, after, set);
}

int number_of(std::string_view digits) {
  int n = 0;
  for (char c : digits) n = n * 10 + (c - '0');
  return n;
}

// A day of the month: "30", or "30th".
bool is_day(const Word& w) {
  size_t n = 0;
  while (n < w.text.size() && is_digit(w.text[n])) ++n;
  if (n == 0 || n > 2) return false;
  const int d = number_of(w.text.substr(0, n));
  if (d < 1 || d > 31) return false;
  const std::string_view rest = w.text.substr(n);
  return rest.empty() || iequals(rest, "st") || iequals(rest, "nd") || iequals(rest, "rd") ||
         iequals(rest, "th");
}

bool is_month_number(const Word& w) {
  return w.digits && w.text.size() <= 2 && number_of(w.text) >= 1 && number_of(w.text) <= 12;
}

bool is_year(const Word& w, bool two_digits_too) {
  if (!w.digits) return false;
  if (w.text.size() == 2) return two_digits_too;
  return w.text.size() == 4 && (w.text.substr(0, 2) == "19" || w.text.substr(0, 2) == "20");
}

bool is_month_name(const Word& w) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "january", "february", "march",     "april",   "may",      "june",
      "july",    "august",   "september", "october", "november", "december"};
  if (w.text.size() < 3 || w.digits) return false;
  for (auto m : kMonths) {
    if (iequals(w.text, m) || iequals(w.text, m.substr(0, 3)) ||
        (m == "september" && iequals(w.text, "sept"))) {
      return true;
    }
  }
  return false;
}

// Whether a date starts at word `i` (it takes three words): 2026-12-30 (and its time),
// 30/12/2026, 12-30-26, 30.12.2026, 30th December 2026, Dec 30, 2026. The day of a numeric date
// may be followed by "th"; "30th" splits into two words, the digits alone are the day.
bool date_at(const Words& words, size_t i) {
  if (i + 2 >= words.size()) return false;
  const Word& a = words[i];
  const Word& b = words[i + 1];
  const Word& c = words[i + 2];
  const bool numeric_gaps = b.gap != ' ' && b.gap != '?' && c.gap == b.gap;
  if (numeric_gaps && is_year(a, false) && is_month_number(b) && is_day(c)) return true;
  // Day and month both of one or two digits, the year of four (or two, but not after dots: a
  // version number like 5.3.12 is no date).
  if (numeric_gaps && a.digits && a.text.size() <= 2 && b.digits && b.text.size() <= 2 &&
      is_year(c, b.gap != '.')) {
    return true;
  }
  // "30th December 2026": the ordinal suffix is a word of its own.
  const bool ordinal = i + 3 < words.size() && one_of(b.text, {"st", "nd", "rd", "th"});
  const Word& month = ordinal ? c : b;
  const Word& year = ordinal ? words[i + 3] : c;
  if (is_day(a) && a.digits && is_month_name(month) && is_year(year, false)) return true;
  if (!is_month_name(a) || !is_day(b)) return false;
  if (is_year(c, false)) return true;
  return i + 3 < words.size() && one_of(c.text, {"st", "nd", "rd", "th"}) &&
         is_year(words[i + 3], false);
}

constexpr std::array<std::string_view, 6> kFiling = {"filed",  "filing",    "filings",
                                                     "lodged", "lodgement", "lodgment"};
constexpr std::array<std::string_view, 10> kFiledWith = {
    "filed", "filing",    "filings",  "file",     "lodged",
    "lodge", "lodgement", "lodgment", "reported", "submitted"};

}  // namespace

std::string_view to_string(ReportFact fact) {
  switch (fact) {
    case ReportFact::kStatus: return "report status";
    case ReportFact::kBsaIdentifier: return "BSA identifier";
    case ReportFact::kFilingDate: return "filing date";
  }
  return "report status";
}

std::optional<ReportFact> find_report_fact(std::string_view text) {
  const Words words(text);
  std::optional<ReportFact> date_fact;
  for (size_t i = 0; i < words.size(); ++i) {
    const Word& w = words[i];
    const bool place = i > 0 && one_of(words[i - 1].text, {"kong", "macao", "macau"});
    if ((one_of(w.text, {"sar", "sars", "smr", "smrs"}) && !place) ||
        (w.capitals && one_of(w.text, {"str", "strs"}))) {
      return ReportFact::kStatus;
    }
    if (iequals(w.text, "suspicious") && i + 2 < words.size() &&
        one_of(words[i + 1].text, {"activity", "transaction", "matter"}) &&
        istarts_with(words[i + 2].text, "report")) {
      return ReportFact::kStatus;
    }
    if (iequals(w.text, "continuing") && i + 2 < words.size() &&
        iequals(words[i + 1].text, "activity") && istarts_with(words[i + 2].text, "report")) {
      return ReportFact::kStatus;
    }
    // Filed with an authority — unless it is a 314(b) registration, which is public.
    if (one_of(w.text, {"fincen", "fintrac", "austrac", "fiu", "fius"}) &&
        near(words, i, 4, 4, kFiledWith) &&
        !near(words, i, 6, 6, {"314", "registration", "registered", "certification"})) {
      return ReportFact::kStatus;
    }
    if (one_of(w.text, {"bsaid", "bsaids"})) return ReportFact::kBsaIdentifier;
    if (iequals(w.text, "bsa")) {
      for (size_t k = i + 1; k < std::min(words.size(), i + 3); ++k) {
        const Word& next = words[k];
        if (one_of(next.text, {"id", "ids", "identifier", "identifiers", "number", "no", "ref",
                               "reference"}) ||
            (next.digits && next.text.size() >= 8)) {
          return ReportFact::kBsaIdentifier;
        }
      }
    }
    // A filing date: reported only when nothing graver is found in the rest of the text.
    if (!date_fact && date_at(words, i) &&
        (near(words, i, 6, 0, kFiling) || near(words, i + 2, 0, 4, kFiling))) {
      date_fact = ReportFact::kFilingDate;
    }
  }
  return date_fact;
}

std::string confining_parameter(const json& schema) {
  if (!schema.is_object()) return {};
  const auto by = schema.find(kConfinedByKeyword);
  return by != schema.end() && by->is_string() ? by->get<std::string>() : std::string();
}

SchemaFields outbound_fields(const json& schema) {
  SchemaFields fields = SchemaFields::declared_by(schema, [](const json& node) {
    auto it = node.find(kOutboundKeyword);
    return it != node.end() && *it == true;
  });
  // A declaration the walk could not reach may exist: read everything rather than miss it.
  if (!fields.complete()) fields.cover_everything();
  return fields;
}

std::optional<ReportDisclosure> find_report_disclosure(const json& doc,
                                                       const SchemaFields& outbound) {
  if (outbound.empty()) return std::nullopt;
  // Pointers are spelled only when needed (a document thousands of levels deep would make
  // spelling each one quadratic): each node keeps its parent and its token.
  struct Node {
    size_t parent;
    std::string token;
  };
  std::vector<Node> nodes{{0, ""}};
  const auto pointer_of = [&nodes](size_t at) {
    std::vector<const std::string*> tokens;
    for (; at != 0; at = nodes[at].parent) tokens.push_back(&nodes[at].token);
    std::string pointer;
    for (auto it = tokens.rbegin(); it != tokens.rend(); ++it) {
      pointer.push_back('/');
      for (char c : **it) {
        if (c == '~') {
          pointer += "~0";
        } else if (c == '/') {
          pointer += "~1";
        } else {
          pointer.push_back(c);
        }
      }
    }
    return pointer;
  };
  struct Item {
    const json* value;
    size_t node;
    size_t depth;
    const std::string* key;  // the member's key (an array's items keep their array's)
    bool covered;
  };
  std::vector<Item> stack{{&doc, 0, 0, nullptr, outbound.covers("")}};
  std::vector<Item> children;
  while (!stack.empty()) {
    const Item item = stack.back();
    stack.pop_back();
    const json& v = *item.value;
    const std::string no_key;
    const std::string& key = item.key != nullptr ? *item.key : no_key;
    if (item.covered) {
      if (v.is_string()) {
        if (auto fact = find_report_fact(key + " : " + v.get_ref<const std::string&>())) {
          return ReportDisclosure{pointer_of(item.node), *fact};
        }
      } else if (!v.is_structured()) {
        // A number or a flag is read with its key: {"bsa": 31000012345678}.
        if (auto fact = find_report_fact(key + " : " + v.dump())) {
          return ReportDisclosure{pointer_of(item.node), *fact};
        }
      }
    }
    if (!v.is_structured()) continue;
    // Below the deepest declaration, nothing not yet covered can become covered.
    if (!item.covered && item.depth >= outbound.depth()) continue;
    children.clear();
    const auto add = [&](const json& child, std::string token, const std::string* child_key) {
      nodes.push_back({item.node, std::move(token)});
      const size_t node = nodes.size() - 1;
      const bool covered = item.covered || outbound.covers(pointer_of(node));
      children.push_back({&child, node, item.depth + 1, child_key, covered});
    };
    if (v.is_object()) {
      for (const auto& member : v.items()) {
        const std::string& name = member.key();
        add(member.value(), name, &name);
        // A structured member's key is read here, once: a string is read with its own key.
        if (children.back().covered && member.value().is_structured()) {
          if (auto fact = find_report_fact(name)) {
            return ReportDisclosure{pointer_of(children.back().node), *fact};
          }
        }
      }
    } else {
      size_t index = 0;
      for (const auto& child : v) add(child, std::to_string(index++), item.key);
    }
    // Pushed in reverse, so the first in key order (objects keep their keys sorted) is found
    // first.
    for (auto it = children.rbegin(); it != children.rend(); ++it) stack.push_back(*it);
  }
  return std::nullopt;
}

std::string describe(const ReportDisclosure& found) {
  return "this text would tell someone outside the member that a suspicious-activity report "
         "exists (" +
         std::string(to_string(found.fact)) +
         "); a report's status, BSA identifier and filing date never leave the member (no "
         "tipping off): say what is needed without them, or keep the message within the "
         "member's organisation";
}

}  // namespace coalition
