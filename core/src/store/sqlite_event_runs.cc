#include "store/sqlite_event_runs.h"

#include "store/stored_forms.h"

namespace coalition {

namespace {

// A JSON string of exactly `value`'s bytes. Not common/json_text.h's append_json_string, which
// replaces invalid UTF-8: a payload comes back from the run byte for byte or its digest no
// longer matches it. SQLite's JSON functions take bytes above 0x7f in a string as they are.
void append_raw_json_string(std::string& out, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t plain = 0;  // start of the bytes not copied yet, appended at once
  for (size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(value.data() + plain, i - plain);
    plain = i + 1;
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  out.append(value.data() + plain, value.size() - plain);
  out.push_back('"');
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
  text_ += std::to_string(event.seq);
  text_.push_back(',');
  text_ += std::to_string(stored_ms(event.at));
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
