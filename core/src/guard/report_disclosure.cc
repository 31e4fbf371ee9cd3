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
#include <cctype>
#include <initializer_list>
#include <utility>
#include <vector>

namespace coalition {

namespace {

using nlohmann::json;

struct Word {
  std::string lower;
  bool capitals = false;  // every letter upper case (and at least one letter)
  bool digits = false;    // digits only
  char gap = ' ';         // what separates it from the word before: ' ', '-', '/', '.', '?'
};

bool is_alnum(unsigned char c) {
  return std::isalnum(c) != 0 && c < 0x80;
}

char classify_gap(std::string_view gap) {
  if (gap.size() == 1 && (gap[0] == '-' || gap[0] == '/' || gap[0] == '.')) return gap[0];
  for (char c : gap) {
    if (c != ' ' && c != ',' && c != '\t') return '?';
  }
  return ' ';
}

std::vector<Word> words_of(std::string_view text) {
  std::vector<Word> words;
  size_t i = 0;
  size_t last_end = 0;
  while (i < text.size()) {
    if (!is_alnum(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    const size_t start = i;
    while (i < text.size() && is_alnum(static_cast<unsigned char>(text[i]))) ++i;
    Word w;
    w.gap = words.empty() ? ' ' : classify_gap(text.substr(last_end, start - last_end));
    bool letter = false;
    bool lower_letter = false;
    w.digits = true;
    for (size_t k = start; k < i; ++k) {
      const auto c = static_cast<unsigned char>(text[k]);
      if (std::isalpha(c) != 0) {
        letter = true;
        lower_letter = lower_letter || std::islower(c) != 0;
        w.digits = false;
      }
      w.lower.push_back(static_cast<char>(std::tolower(c)));
    }
    w.capitals = letter && !lower_letter;
    words.push_back(std::move(w));
    last_end = i;
  }
  // "S.A.R." and "S A R": single capitals in a row are one word.
  std::vector<Word> joined;
  for (size_t k = 0; k < words.size(); ++k) {
    const auto single_capital = [&](size_t at) {
      return words[at].capitals && words[at].lower.size() == 1;
    };
    if (!single_capital(k)) {
      joined.push_back(std::move(words[k]));
      continue;
    }
    Word run = words[k];
    while (k + 1 < words.size() && single_capital(k + 1) &&
           (words[k + 1].gap == ' ' || words[k + 1].gap == '.')) {
      run.lower += words[++k].lower;
    }
    joined.push_back(std::move(run));
  }
  return joined;
}

template <typename Set>
bool one_of(const std::string& w, const Set& set) {
  for (auto s : set) {
    if (w == s) return true;
  }
  return false;
}

bool one_of(const std::string& w, std::initializer_list<std::string_view> set) {
  return one_of<std::initializer_list<std::string_view>>(w, set);
}

template <typename Set>
bool near(const std::vector<Word>& words, size_t at, size_t before, size_t after, const Set& set) {
  const size_t from = at > before ? at - before : 0;
  const size_t to = std::min(words.size(), at + after + 1);
  for (size_t k = from; k < to; ++k) {
    if (k != at && one_of(words[k].lower, set)) return true;
  }
  return false;
}

int number_of(std::string_view digits) {
  int n = 0;
  for (char c : digits) n = n * 10 + (c - '0');
  return n;
}

// Leading digits of a word: "30" of "30th" or of "30t08" (an ISO time follows the day).
std::string_view leading_digits(const std::string& w) {
  size_t n = 0;
  while (n < w.size() && std::isdigit(static_cast<unsigned char>(w[n])) != 0) ++n;
  return std::string_view(w).substr(0, n);
}

bool is_day(const Word& w) {
  const auto lead = leading_digits(w.lower);
  if (lead.empty() || lead.size() > 2) return false;
  const int d = number_of(lead);
  if (d < 1 || d > 31) return false;
  const std::string_view rest = std::string_view(w.lower).substr(lead.size());
  return rest.empty() || rest == "st" || rest == "nd" || rest == "rd" || rest == "th" ||
         (rest.size() > 1 && rest[0] == 't' && std::isdigit(static_cast<unsigned char>(rest[1])));
}

bool is_month_number(const Word& w) {
  return w.digits && w.lower.size() <= 2 && number_of(w.lower) >= 1 && number_of(w.lower) <= 12;
}

bool is_year(const Word& w, bool two_digits_too) {
  if (!w.digits) return false;
  if (w.lower.size() == 2) return two_digits_too;
  return w.lower.size() == 4 && (w.lower.rfind("19", 0) == 0 || w.lower.rfind("20", 0) == 0);
}

bool is_month_name(const Word& w) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "january", "february", "march",     "april",   "may",      "june",
      "july",    "august",   "september", "october", "november", "december"};
  if (w.lower.size() < 3 || w.digits) return false;
  for (auto m : kMonths) {
    if (w.lower == m || w.lower == m.substr(0, 3) || (m == "september" && w.lower == "sept")) {
      return true;
    }
  }
  return false;
}

// Whether a date starts at word `i` (it takes three words): 2026-12-30, 30/12/2026, 12.30.26,
// 30 December 2026, Dec 30, 2026.
bool date_at(const std::vector<Word>& words, size_t i) {
  if (i + 2 >= words.size()) return false;
  const Word& a = words[i];
  const Word& b = words[i + 1];
  const Word& c = words[i + 2];
  const bool numeric_gaps = b.gap != ' ' && b.gap != '?' && c.gap == b.gap;
  if (numeric_gaps && is_year(a, false) && is_month_number(b) && is_day(c)) return true;
  if (numeric_gaps && a.digits && a.lower.size() <= 2 && b.digits && b.lower.size() <= 2 &&
      is_year(c, true)) {
    return true;
  }
  if (is_day(a) && is_month_name(b) && is_year(c, false)) return true;
  return is_month_name(a) && is_day(b) && is_year(c, false);
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
  const std::vector<Word> words = words_of(text);
  std::optional<ReportFact> date_fact;
  for (size_t i = 0; i < words.size(); ++i) {
    const Word& w = words[i];
    if (one_of(w.lower, {"sar", "sars", "smr", "smrs"}) ||
        (w.capitals && one_of(w.lower, {"str", "strs"}))) {
      return ReportFact::kStatus;
    }
    if (w.lower == "suspicious" && i + 2 < words.size() &&
        one_of(words[i + 1].lower, {"activity", "transaction", "matter"}) &&
        words[i + 2].lower.rfind("report", 0) == 0) {
      return ReportFact::kStatus;
    }
    if (w.lower == "continuing" && i + 2 < words.size() && words[i + 1].lower == "activity" &&
        words[i + 2].lower.rfind("report", 0) == 0) {
      return ReportFact::kStatus;
    }
    if (one_of(w.lower, {"fincen", "fintrac", "austrac", "fiu", "fius"}) &&
        near(words, i, 4, 4, kFiledWith)) {
      return ReportFact::kStatus;
    }
    if (w.lower == "bsaid" || w.lower == "bsaids") return ReportFact::kBsaIdentifier;
    if (w.lower == "bsa") {
      for (size_t k = i + 1; k < std::min(words.size(), i + 3); ++k) {
        const Word& next = words[k];
        if (one_of(next.lower, {"id", "ids", "identifier", "identifiers", "number", "no", "ref",
                                "reference"}) ||
            (next.digits && next.lower.size() >= 8)) {
          return ReportFact::kBsaIdentifier;
        }
      }
    }
    // A filing date: reported only when nothing graver is found in the rest of the text.
    if (!date_fact && date_at(words, i) &&
        (near(words, i, 6, 0, kFiling) || near(words, i + 2, 0, 3, kFiling))) {
      date_fact = ReportFact::kFilingDate;
    }
  }
  return date_fact;
}

SchemaFields outbound_fields(const json& schema) {
  return SchemaFields::declared_by(schema, [](const json& node) {
    auto it = node.find(kOutboundKeyword);
    return it != node.end() && *it == true;
  });
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
      } else if (!key.empty() && !v.is_structured()) {
        if (auto fact = find_report_fact(key)) {
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
    // Pushed in reverse, so the first in document order is found first.
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
