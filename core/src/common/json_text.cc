#include "common/json_text.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>

#include "common/utf8.h"

namespace coalition {
namespace {

// nlohmann reports the byte offset one past the offending character; people count lines and
// columns, so translate.
std::string position_of(std::string_view text, size_t byte) {
  size_t line = 1;
  size_t column = 1;
  const size_t end = std::min(byte == 0 ? 0 : byte - 1, text.size());
  for (size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error while parsing
// value - invalid literal; last read: 'x'" -> "syntax error while parsing value - ...". The
// library's own prefix means nothing to the person who wrote the document.
std::string reason_of(const nlohmann::detail::exception& e) {
  if (e.id == 406) return "a number too large to represent";
  std::string what = e.what();
  if (auto bracket = what.find("] ");
      what.rfind("[json.exception.", 0) == 0 && bracket != std::string::npos) {
    what.erase(0, bracket + 2);
  }
  if (what.rfind("parse error", 0) == 0) {
    if (auto colon = what.find(": "); colon != std::string::npos) what.erase(0, colon + 2);
  }
  return what;
}

// Builds the document from the parser's events, checking the limits as it goes, so a document
// nested a million deep is refused at depth max_depth + 1 instead of being built first. Object
// keys are unique: a second "visibility" block must not silently replace the first.
class DocumentBuilder {
 public:
  DocumentBuilder(std::string_view text, const JsonLimits& limits) : text_(text), limits_(limits) {}

  bool null() { return add(nullptr) != nullptr; }
  bool boolean(bool v) { return add(v) != nullptr; }
  bool number_integer(int64_t v) { return add(v) != nullptr; }
  bool number_unsigned(uint64_t v) { return add(v) != nullptr; }
  bool number_float(double v, const std::string& literal) {
    // The parser falls back to a double for an integer too large for 64 bits, which rounds it:
    // an account number or an amount would silently change.
    if (literal.find_first_of(".eE") == std::string::npos) {
      return fail("limits.number", "an integer outside the 64-bit range: " + literal);
    }
    return add(v) != nullptr;
  }
  bool string(std::string& v) {
    if (v.size() > limits_.max_string_bytes) {
      return fail(kLimitStringBytes,
                  "a string longer than " + std::to_string(limits_.max_string_bytes) + " bytes");
    }
    return add(std::move(v)) != nullptr;
  }
  bool binary(nlohmann::json::binary_t& v) { return add(nlohmann::json::binary(v)) != nullptr; }
  bool start_object(size_t /*size*/) { return open(nlohmann::json::object()); }
  bool start_array(size_t /*size*/) { return open(nlohmann::json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(std::string& k);
  bool parse_error(size_t position, const std::string& last_token,
                   const nlohmann::detail::exception& e) {
    std::string reason = reason_of(e);
    if (e.id == 406) reason += " (" + last_token.substr(0, 64) + ")";
    error_ =
        Error::invalid_data("malformed JSON at " + position_of(text_, position) + ": " + reason)
            .with_reason(ErrorReason::kMalformedJson);
    return false;
  }

  Result<nlohmann::json> take() && {
    if (error_) return std::move(*error_);
    return std::move(root_);
  }

 private:
  nlohmann::json* add(nlohmann::json v);
  bool open(nlohmann::json container);
  bool close() {
    open_.pop_back();
    tokens_.pop_back();
    return true;
  }
  bool fail(const char* limit, const std::string& what, std::string pointer = {}) {
    if (pointer.empty()) pointer = here();
    error_ = Error::invalid_data(std::string(limit) + ": " + what, std::move(pointer));
    return false;
  }
  // The pointer of the value about to be added.
  std::string here() const {
    std::string pointer;
    for (size_t i = 1; i < tokens_.size(); ++i) pointer = pointer_append(pointer, tokens_[i]);
    if (open_.empty()) return pointer;
    const nlohmann::json& top = *open_.back();
    return top.is_object() ? pointer_append(pointer, key_) : pointer_append(pointer, top.size());
  }

  std::string_view text_;
  const JsonLimits& limits_;
  nlohmann::json root_;
  std::vector<nlohmann::json*> open_;  // the containers being filled, outermost first
  std::vector<std::string> tokens_;    // each open container's token in its parent
  std::string key_;                    // the key of the object member being read
  std::optional<Error> error_;
};

bool DocumentBuilder::key(std::string& k) {
  nlohmann::json& object = *open_.back();
  if (k.size() > limits_.max_string_bytes) {
    return fail(kLimitStringBytes,
                "an object key longer than " + std::to_string(limits_.max_string_bytes) + " bytes");
  }
  if (object.size() >= limits_.max_object_members) {
    return fail(kLimitObjectMembers, "an object of more than " +
                                         std::to_string(limits_.max_object_members) + " members");
  }
  key_ = std::move(k);
  if (object.contains(key_)) {
    return fail("json.duplicate_key", "the key \"" + key_ +
                                          "\" appears twice in the same object (the second would "
                                          "silently replace the first)");
  }
  return true;
}

nlohmann::json* DocumentBuilder::add(nlohmann::json v) {
  if (open_.empty()) {
    root_ = std::move(v);
    return &root_;
  }
  nlohmann::json& top = *open_.back();
  if (top.is_object()) return &(top[key_] = std::move(v));
  if (top.size() >= limits_.max_array_items) {
    fail(kLimitArrayItems,
         "an array of more than " + std::to_string(limits_.max_array_items) + " items");
    return nullptr;
  }
  top.push_back(std::move(v));
  return &top.back();
}

bool DocumentBuilder::open(nlohmann::json container) {
  if (open_.size() + 1 > limits_.max_depth) {
    return fail(kLimitDepth, "nested deeper than " + std::to_string(limits_.max_depth) + " levels");
  }
  std::string token;
  if (!open_.empty()) {
    const nlohmann::json& top = *open_.back();
    token = top.is_object() ? key_ : std::to_string(top.size());
  }
  nlohmann::json* placed = add(std::move(container));
  if (placed == nullptr) return false;
  open_.push_back(placed);
  tokens_.push_back(std::move(token));
  return true;
}

}  // namespace

Result<nlohmann::json> parse_json(std::string_view text) {
  return parse_json(text, json_limits());
}

Result<nlohmann::json> parse_json(std::string_view text, const JsonLimits& limits) {
  if (text.size() > limits.max_document_bytes) {
    return Error::invalid_data(std::string(kLimitDocumentBytes) + ": a document of " +
                               std::to_string(text.size()) + " bytes, more than the " +
                               std::to_string(limits.max_document_bytes) + " allowed");
  }
  // The empty object is what most steps answer and most parameters are: returned without a
  // parser (whose construction alone reads the locale), it is what the parser would build.
  if (text == "{}" && limits.max_depth >= 1) return nlohmann::json::object();
  DocumentBuilder builder(text, limits);
  try {
    nlohmann::json::sax_parse(text.begin(), text.end(), &builder);
  } catch (const nlohmann::json::exception& e) {  // boundary: the library, should it throw
    return Error::invalid_data("malformed JSON: " + reason_of(e))
        .with_reason(ErrorReason::kMalformedJson);
  }
  return std::move(builder).take();
}

std::string to_text(const nlohmann::json& value) {
  if (value.is_object() && value.empty()) return "{}";  // as dump() writes it, without a serializer
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {

// The bytes a JSON string cannot hold as they are: control characters, '"' and '\\' (escaped),
// and the bytes of multi-byte characters (checked whole). A table: one load per byte instead of
// four comparisons, on text written for every event of every step.
constexpr std::array<bool, 256> kNotPlain = [] {
  std::array<bool, 256> table{};
  for (size_t b = 0; b < table.size(); ++b)
    table[b] = b < 0x20 || b >= 0x80 || b == '"' || b == '\\';
  return table;
}();

// Whether any of the 8 bytes in `word` is one kNotPlain names: a byte with its top bit set, one
// below 0x20, '"' or '\\'. Each test is exact for bytes below 0x80 (a borrow can only start at a
// byte that is itself named), so a word it passes is plain; one it fails is looked at byte by
// byte.
bool word_needs_escape(uint64_t word) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  const auto has_zero = [](uint64_t v) { return (v - kOnes) & ~v & kHigh; };
  const uint64_t below_space = (word - kOnes * 0x20) & ~word & kHigh;
  return ((word & kHigh) | below_space | has_zero(word ^ (kOnes * '"')) |
          has_zero(word ^ (kOnes * '\\'))) != 0;
}

size_t plain_run_end(std::string_view value, size_t from) {
  // Eight bytes at a time while they are all plain (ids, paths, keys and times are).
  while (from + 8 <= value.size()) {
    uint64_t word = 0;
    std::memcpy(&word, value.data() + from, sizeof word);
    if (word_needs_escape(word)) break;
    from += 8;
  }
  while (from < value.size() && !kNotPlain[static_cast<unsigned char>(value[from])]) ++from;
  return from;
}

}  // namespace

void append_json_string(std::string& out, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  const size_t start = out.size();
  size_t plain = plain_run_end(value, 0);
  if (plain == value.size()) {  // most strings: nothing to escape, one copy between quotes
    out.append(value.size() + 2, '"');
    if (!value.empty()) std::memcpy(out.data() + start + 1, value.data(), value.size());
    return;
  }
  out.reserve(start + value.size() + 8);
  out.push_back('"');
  for (size_t i = 0; i < value.size();) {
    plain = plain_run_end(value, i);  // a run of bytes copied as they are, appended at once
    out.append(value.data() + i, plain - i);
    if (plain == value.size()) break;
    i = plain;
    const auto c = static_cast<unsigned char>(value[i]);
    if (c >= 0x80) {  // a valid character is copied whole
      const auto ch = decode_utf8(value, i);
      if (!ch) {  // rare: the serializer's own replacement, from the start
        out.resize(start);
        out += to_text(nlohmann::json(std::string(value)));
        return;
      }
      out.append(value.substr(i, ch->length));
      i += ch->length;
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:  // the other control characters
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
    ++i;
  }
  out.push_back('"');
}

std::string pointer_append(std::string_view pointer, std::string_view token) {
  std::string out(pointer);
  out.push_back('/');
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string pointer_append(std::string_view pointer, size_t index) {
  return std::string(pointer) + "/" + std::to_string(index);
}

std::vector<std::string> split_pointer(std::string_view pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  size_t start = 1;
  while (start <= pointer.size()) {
    size_t end = pointer.find('/', start);
    if (end == std::string_view::npos) end = pointer.size();
    std::string token;
    for (size_t i = start; i < end; ++i) {
      if (pointer[i] == '~' && i + 1 < end && (pointer[i + 1] == '0' || pointer[i + 1] == '1')) {
        token.push_back(pointer[++i] == '0' ? '~' : '/');
      } else {
        token.push_back(pointer[i]);
      }
    }
    tokens.push_back(std::move(token));
    start = end + 1;
  }
  return tokens;
}

Result<std::string> read_text_file(const std::string& path, size_t max_bytes) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever. The type
  // is checked on the descriptor, not the path, so nothing can be swapped in between.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return Error::io("cannot open " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error::io("cannot read " + path + ": not a regular file");
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return Error::invalid_data(std::string(kLimitDocumentBytes) + ": " + path + " has " +
                               std::to_string(st.st_size) + " bytes, more than the " +
                               std::to_string(max_bytes) + " allowed");
  }
  std::string text;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return Error::io("cannot read " + path + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    // The file may grow after fstat: the bound holds on what is read, not on what was seen.
    if (text.size() + static_cast<size_t>(n) > max_bytes) {
      ::close(fd);
      return Error::invalid_data(std::string(kLimitDocumentBytes) + ": " + path +
                                 " has more than the " + std::to_string(max_bytes) +
                                 " bytes allowed");
    }
    text.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return text;
}

Result<std::string> read_text_file(const std::string& path) {
  return read_text_file(path, json_limits().max_document_bytes);
}

Result<std::string> read_stream(std::istream& in, const std::string& name, size_t max_bytes) {
  std::string text;
  char buffer[65536];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    if (text.size() + static_cast<size_t>(in.gcount()) > max_bytes) {
      return Error::invalid_data(std::string(kLimitDocumentBytes) + ": " + name +
                                 " has more than the " + std::to_string(max_bytes) +
                                 " bytes allowed");
    }
    text.append(buffer, static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) return Error::io("cannot read " + name);
  return text;
}

}  // namespace coalition
