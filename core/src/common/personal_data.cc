// Deliberately narrow, so it can run on every log line: a byte scan, no regular expressions.
// An address needs a dot in its domain ("id@version" is not one); a phone number needs the
// leading '+' of the international form the directory stores, because bare digit runs are
// case numbers, timestamps and counts far more often than phone numbers.
#include "common/personal_data.h"

#include <cctype>

namespace coalition {

namespace {

bool local_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '%' ||
         c == '+' || c == '-';
}
bool domain_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
}
bool digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

std::string mask_personal_data(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t copied = 0;  // text[copied, i) is still to be copied
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '@') {
      size_t start = i;
      while (start > copied && local_char(text[start - 1])) --start;
      size_t end = i + 1;
      while (end < text.size() && domain_char(text[end])) ++end;
      while (end > i + 1 && text[end - 1] == '.') --end;  // a sentence's full stop
      const std::string_view domain = text.substr(i + 1, end - i - 1);
      if (start < i && !domain.empty() && domain.find('.') != std::string_view::npos &&
          domain.front() != '.') {
        out.append(text.substr(copied, start - copied));
        out.append("[email]");
        copied = end;
        i = end - 1;
      }
    } else if (text[i] == '+' && i + 1 < text.size() && digit(text[i + 1])) {
      size_t end = i + 1;
      size_t digits = 0;
      size_t last_digit = i;
      while (end < text.size() && (digit(text[end]) || text[end] == ' ' || text[end] == '-' ||
                                   text[end] == '.' || text[end] == '(' || text[end] == ')')) {
        if (digit(text[end])) {
          ++digits;
          last_digit = end;
        }
        ++end;
      }
      if (digits >= 7 && digits <= 15) {
        out.append(text.substr(copied, i - copied));
        out.append("[phone]");
        copied = last_digit + 1;
        i = last_digit;
      }
    }
  }
  out.append(text.substr(copied));
  return out;
}

}  // namespace coalition
