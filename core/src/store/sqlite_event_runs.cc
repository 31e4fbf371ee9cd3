#include "store/sqlite_event_runs.h"

#include <charconv>
#include <cstring>

#include "store/stored_forms.h"

namespace coalition {

namespace {

// A JSON string of exactly `value`'s bytes. Not common/json_text.h's append_json_string, which
// replaces invalid UTF-8: a payload comes back from the run byte for byte or its digest no
// longer matches it. SQLite's JSON functions take bytes above 0x7f in a string as they are.
void append_raw_json_string(std::string& out, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  // Measured first, then written through a pointer into exactly that room: a payload is mostly
  // keys in quotes, and appending around each escape was most of the writer's cost of an event.
  size_t length = value.size() + 2;
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      length += 1;
    } else if (c < 0x20) {
      length += 5;
    }
  }
  const size_t start = out.size();
  out.resize(start + length);
  char* to = out.data() + start;
  *to++ = '"';
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c != '"' && c != '\\') {
      *to++ = ch;
    } else if (c == '"' || c == '\\') {
      *to++ = '\\';
      *to++ = ch;
    } else {
      std::memcpy(to, "\\u00", 4);
      to[4] = kHex[c >> 4];
      to[5] = kHex[c & 0xF];
      to += 6;
    }
  }
  *to = '"';
}

template <class Integer>
void append_number(std::string& out, Integer value) {
  char digits[24];
  const auto written = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, written.ptr);
}

}  // namespace

std::string stored_event_query() {
  return std::string("SELECT 1 FROM event_runs r, json_each(r.events) e WHERE r.rowid = ") +
         kRunThatMayHold + " AND e.value ->> 0 = ?2";
}

void EventRunText::clear() {
  text_.clear();
  count_ = 0;
}

void EventRunText::add(const Event& event) {
  if (count_ == 0) {
    text_.assign("[");
  } else {
    text_.back() = ',';  // the array's closing bracket, now between two events
  }
  text_.push_back('[');
  append_number(text_, event.seq);
  text_.push_back(',');
  append_number(text_, stored_ms(event.at));
  text_.push_back(',');
  append_raw_json_string(text_, to_string(event.type));
  text_.push_back(',');
  append_raw_json_string(text_, event.step);
  text_.push_back(',');
  append_raw_json_string(text_, event.payload);
  text_ += "]]";
  ++count_;
}

}  // namespace coalition
