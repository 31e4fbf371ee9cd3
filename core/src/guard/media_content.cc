// One string is decoded layer by layer: every decoding that could apply is tried, because a
// hostile sender picks the one we do not try. What keeps this cheap is that each decoder rules
// itself out in one pass over a string outside its alphabet, and what keeps it bounded is the
// decode budget (bytes) and the depth limit (layers), never the shape of the input.
#include "guard/media_content.h"

#include <array>
#include <cstring>
#include <vector>

#include "guard/media_decoders.h"
#include "guard/media_inflate.h"
#include "guard/media_signatures.h"
#include "guard/media_text.h"

namespace coalition::media {

namespace {

constexpr size_t kMinEncoded = 12;  // shorter strings are ids and codes, not files
// Runs of encoded characters shorter than kMinEncoded are not decoded; shorter than kMinGuess,
// they are decoded as they stand but not at guessed alignments (18 bytes hold no image, and a
// split blob is checked joined).
constexpr size_t kMinGuess = 24;
// Guessed alignments (a glued prefix) are decoded this far: the header follows the prefix, and
// a longer misaligned blob decodes to noise the binary limit refuses.
constexpr size_t kGuessWindow = 1024;
constexpr size_t kInflateCap = size_t{256} << 10;  // what one compressed blob may inflate to

// A run of base64 characters (CR/LF allowed inside, '=' padding at its end) and what else it
// could be.
struct Run {
  std::string_view text;
  size_t chars = 0;     // alphabet characters
  size_t hex_tail = 0;  // hex digits at its end (a glued prefix before hex)
  bool hex = true;
  bool base32_upper = true;
  bool base32_lower = true;
  bool base32() const { return base32_upper || base32_lower; }
  // No capital, no digit: a word or snake_case name. Any file header's base64 or base32 has
  // capitals or digits, so such a run is not decoded as either.
  bool lower_only = false;
};

// Per character: 1 base64, 2 hex digit, 4 upper-case base32, 8 lower-case base32, 16 capital
// or digit.
constexpr std::array<uint8_t, 256> kRunClass = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    if (is_base64_char(ch)) t[c] |= 1;
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) t[c] |= 2;
    if ((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7')) t[c] |= 4;
    if ((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')) t[c] |= 8;
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) t[c] |= 16;
  }
  return t;
}();

Run read_run(std::string_view t, size_t& i) {
  Run r;
  const size_t start = i;
  uint8_t all = 0xFF;
  uint8_t any = 0;
  for (; i < t.size(); ++i) {
    const char c = t[i];
    if (c == '\r' || c == '\n') continue;
    const uint8_t cls = kRunClass[static_cast<unsigned char>(c)];
    if ((cls & 1) == 0) break;
    ++r.chars;
    all &= cls;
    any |= cls;
    r.hex_tail = (cls & 2) != 0 ? r.hex_tail + 1 : 0;
  }
  while (i < t.size() && t[i] == '=') ++i;
  r.text = t.substr(start, i - start);
  r.hex = (all & 2) != 0;
  r.base32_upper = (all & 4) != 0;
  r.base32_lower = (all & 8) != 0;
  r.lower_only = (any & 16) == 0;
  return r;
}

// Base64 written in spaced groups ("iVBO Rw0K GgoA ..."): the groups joined, or nullopt for
// prose (most of whose words have no digit and no capital inside).
std::optional<std::string> spaced_base64(std::string_view t) {
  std::string joined;
  size_t tokens = 0, coded = 0, length = 0;
  bool marked = false;
  for (size_t i = 0; i <= t.size(); ++i) {
    const char c = i < t.size() ? t[i] : ' ';
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (length > 0) {
        ++tokens;
        coded += marked ? 1 : 0;
      }
      length = 0;
      marked = false;
      continue;
    }
    if (!is_base64_char(c) && c != '=') return std::nullopt;
    marked = marked || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
             (length > 0 && c >= 'A' && c <= 'Z');
    ++length;
    joined.push_back(c);
  }
  if (tokens < 2 || coded * 4 < tokens * 3 || joined.size() < kMinGuess) return std::nullopt;
  return joined;
}

// Whether text at the depth limit would still be decoded: a base64 run long enough to matter.
bool still_encoded(std::string_view t) {
  for (size_t i = 0; i < t.size();) {
    if (!is_base64_char(t[i])) {
      ++i;
      continue;
    }
    if (read_run(t, i).chars >= 64) return true;
  }
  return false;
}

class Inspector {
 public:
  explicit Inspector(ScanState& state) : state_(state) {}

  std::optional<ContentFinding> result() {
    if (found_) return found_;
    return binary_;
  }

  void json_string(std::string_view raw, const Layer& layer);
  void bytes(std::string_view b, const Layer& layer, const uint32_t* printable = nullptr);

 private:
  bool done() const { return found_.has_value(); }
  bool charge(size_t n);
  void decoded(const std::optional<std::string>& b, const Layer& layer) {
    if (b && !done()) bytes(*b, layer);
  }
  bool unwrap_binary(std::string_view b, const Layer& layer);
  void binary_data(const TextProfile& p, size_t size, const Layer& layer);
  bool inflate(std::string_view b, const Layer& layer);
  void text(std::string_view t, const Layer& layer, uint32_t flags);
  void data_uris(std::string_view t, const Layer& layer);
  void data_uri(std::string_view uri, const Layer& layer);
  void nested_json(std::string_view t, const Layer& layer);
  void runs(std::string_view t, const Layer& layer);
  void run(const Run& r, const Layer& layer);
  void whole_text_encodings(std::string_view t, const Layer& layer, uint32_t flags);

  ScanState& state_;
  std::optional<ContentFinding> found_;
  std::optional<ContentFinding> binary_;
};

// Every decode is paid for before it runs; a payload that asks for more than the budget is
// refused, so the budget cannot be used to hide what lies past it.
bool Inspector::charge(size_t n) {
  if (done()) return false;
  if (n > state_.budget_left) {
    state_.budget_left = 0;
    found_ = ContentFinding{"undetermined", "decode budget exhausted", false};
    return false;
  }
  state_.budget_left -= n;
  return true;
}

void Inspector::json_string(std::string_view raw, const Layer& layer) {
  const uint32_t flags = text_flags(raw);
  std::string storage;
  const std::string_view s = (flags & kNonAscii) != 0 ? normalise(raw, storage) : trim(raw);
  if (s.size() < kMinEncoded) return;
  if ((flags & kNonAscii) == 0) return bytes(s, layer, (flags & kControl) == 0 ? &flags : nullptr);
  if (!charge(s.size())) return;
  if (auto b = code_points_as_bytes(s, s.size())) return bytes(*b, layer.then("code points"));
  text(s, layer, flags);  // multilingual text can still hold a data URI or base64
  for (const bool big : {true, false}) {
    if (done() || !charge(s.size())) return;
    decoded(code_units_as_bytes(s, big, s.size()),
            layer.signatures_only(big ? "UTF-16BE code units" : "UTF-16LE code units"));
  }
}

// `printable`: the flags of `b` when it is known to be printable ASCII (the common case).
void Inspector::bytes(std::string_view b, const Layer& layer, const uint32_t* printable) {
  if (done()) return;
  if (auto sig = printable != nullptr ? find_text_signature(b) : find_signature(b)) {
    found_ = ContentFinding{std::string(sig->kind), describe("magic bytes", layer), false};
    return;
  }
  if (b.size() < kMinEncoded) return;  // a signature is all a few bytes could be
  // Short of the binary limit, all that matters is whether it is text: stop counting early.
  const size_t enough = b.size() > state_.options.binary_limit ? SIZE_MAX : b.size() / 8;
  const TextProfile p =
      printable != nullptr ? TextProfile{} : profile(b, layer.byte_values, enough);
  if (printable != nullptr || is_text(p, b.size())) {
    if (!layer.text_checks) return;
    if (layer.depth < state_.options.max_decode_depth) {
      return text(b, layer, printable != nullptr ? *printable : text_flags(b));
    }
    if (layer.binary_rule && still_encoded(b)) {  // deeper than the limit on purpose: refused
      found_ = ContentFinding{"undetermined", describe("decode depth exceeded", layer), false};
    }
    return;
  }
  const bool explained = layer.depth < state_.options.max_decode_depth && unwrap_binary(b, layer);
  if (!explained) binary_data(p, b.size(), layer);
}

// Binary that may be a wrapping: compressed data, or UTF-16 text. True when it unwraps to text
// (then it is no binary for the limit).
bool Inspector::unwrap_binary(std::string_view b, const Layer& layer) {
  bool text = looks_compressed(b) && inflate(b, layer);
  const bool zeros = std::memchr(b.data(), 0, std::min<size_t>(b.size(), 64)) != nullptr;
  const bool bom = b.size() >= 2 && (b.substr(0, 2) == "\xFF\xFE" || b.substr(0, 2) == "\xFE\xFF");
  auto t = zeros || bom ? decode_utf16_text(b, b.size()) : std::nullopt;
  if (t && !done() && charge(t->size())) {
    bytes(*t, layer.then("UTF-16"));
    text = text || is_text(profile(*t, false), t->size());
  }
  return text;
}

void Inspector::binary_data(const TextProfile& p, size_t size, const Layer& layer) {
  const size_t limit = state_.options.binary_limit;
  // Numbers from a byte array are only binary when they spread over the byte range: a long
  // list of small counts is not a file.
  if (!layer.binary_rule || binary_ || p.non_text <= limit || p.non_text * 4 <= size ||
      (layer.byte_values && p.distinct < 64)) {
    return;
  }
  binary_ = ContentFinding{std::string(kBinaryKind), describe("binary data", layer), true};
}

// True when the stream inflated completely to text: then the compressed bytes are no binary.
bool Inspector::inflate(std::string_view b, const Layer& layer) {
  auto inflated = inflate_prefix(b, std::min(kInflateCap, state_.budget_left));
  if (!inflated || !charge(inflated->bytes.size())) return false;
  const Layer inner = layer.then(static_cast<unsigned char>(b[0]) == 0x1F ? "gzip" : "zlib");
  bytes(inflated->bytes, inner);
  if (!inflated->complete && layer.binary_rule && !binary_) {  // past the cap: not known text
    binary_ = ContentFinding{std::string(kBinaryKind), describe("binary data", inner), true};
  }
  return inflated->complete && is_text(profile(inflated->bytes, false), inflated->bytes.size());
}

void Inspector::text(std::string_view t, const Layer& layer, uint32_t flags) {
  if (t.size() < kMinEncoded) return;
  if ((flags & kColon) != 0) data_uris(t, layer);
  if (!done()) nested_json(t, layer);
  if (!done()) runs(t, layer);
  if (!done()) whole_text_encodings(t, layer, flags);
}

void Inspector::data_uris(std::string_view t, const Layer& layer) {
  for (size_t colon = t.find(':', 4); colon != std::string_view::npos && !done();
       colon = t.find(':', colon + 1)) {
    if (starts_with_folded(t.substr(colon - 4), "data:")) data_uri(t.substr(colon + 1), layer);
  }
}

// `uri` is what follows "data:": a media type, parameters, ",", the data.
void Inspector::data_uri(std::string_view uri, const Layer& layer) {
  constexpr size_t kMaxHeader = 256;  // type and parameters: bounded, so many URIs cost little
  const size_t comma = uri.substr(0, kMaxHeader).find(',');
  const std::string type = media_type_of(uri.substr(0, comma));
  if (is_media_type(type)) {
    found_ = ContentFinding{type, describe("data URI", layer), false};
    return;
  }
  if (comma == std::string_view::npos || layer.depth >= state_.options.max_decode_depth) return;
  const std::string params = lower_ascii(uri.substr(0, comma));
  std::string_view data = uri.substr(comma + 1);
  data = data.substr(0, data.find_first_of(" \t\"')<>"));
  if (!charge(data.size())) return;
  const Layer inner = layer.then("data URI");
  if (params.find(";base64") != std::string::npos) {
    return decoded(decode_base64(data, 0, data.size()), inner);
  }
  auto percent = decode_percent(data, data.size());
  bytes(percent ? std::string_view(*percent) : data, inner);
}

void Inspector::nested_json(std::string_view t, const Layer& layer) {
  const size_t first = t.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || (t[first] != '{' && t[first] != '[' && t[first] != '"' &&
                                          static_cast<unsigned char>(t[first]) < 0x80)) {
    return;
  }
  std::string storage;
  const std::string_view s = normalise(t, storage);
  if (s.size() < 2 || layer.depth >= state_.options.max_decode_depth) return;
  const char open = s.front(), close = s.back();
  if (!((open == '{' && close == '}') || (open == '[' && close == ']') ||
        (open == '"' && close == '"'))) {
    return;
  }
  if (!charge(s.size())) return;
  const auto doc = nlohmann::json::parse(s, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return;
  if (auto inner = scan_document(doc, state_, layer.then("nested JSON"))) {
    ContentFinding f{std::move(inner->kind), std::move(inner->how), false};
    f.binary = f.kind == kBinaryKind;
    if (f.binary) {
      if (!binary_) binary_ = std::move(f);
    } else {
      found_ = std::move(f);
    }
  }
}

void Inspector::runs(std::string_view t, const Layer& layer) {
  for (size_t i = 0; i < t.size() && !done();) {
    if (!is_base64_char(t[i])) {
      ++i;
      continue;
    }
    const Run r = read_run(t, i);
    if (r.chars >= kMinEncoded) run(r, layer);
  }
}

// A hash is hex and a hex string is also valid base64, but an image's base64 is never all hex
// digits: hex runs are decoded as hex only. Offsets other than 0 catch a glued prefix; those
// decodings are guesses, checked for signatures only.
void Inspector::run(const Run& r, const Layer& layer) {
  if (!charge(r.text.size() * 2)) return;
  const size_t cap = r.text.size();
  const bool guesses = r.chars >= kMinGuess;
  const std::string_view guess = r.text.substr(0, kGuessWindow);
  if (r.hex) {  // hex of whole bytes is even; odd, it has a glued digit in front
    decoded(decode_hex(r.text, 0, cap), layer.then("hex"));
    if (guesses && r.chars % 2 == 1) {
      decoded(decode_hex(guess, 1, cap), layer.signatures_only("hex"));
    }
    return;
  }
  if (r.hex_tail >= kMinEncoded && r.hex_tail < r.chars) {
    const auto tail = r.text.substr(r.text.size() - r.hex_tail);
    decoded(decode_hex(tail, 0, cap), layer.then("hex"));
    if (r.hex_tail % 2 == 1) {
      decoded(decode_hex(tail.substr(0, kGuessWindow), 1, cap), layer.signatures_only("hex"));
    }
  }
  if (r.lower_only) return;
  if (r.base32() && !done() && charge(r.text.size() * 2)) {
    decoded(decode_base32(r.text, 0, cap), layer.then("base32"));
    for (size_t skip = 1; guesses && skip < 8 && !done(); ++skip) {
      decoded(decode_base32(guess, skip, cap), layer.signatures_only("base32"));
    }
  }
  decoded(decode_base64(r.text, 0, cap), layer.then("base64"));
  for (size_t skip = 1; guesses && skip < 4 && !done(); ++skip) {
    decoded(decode_base64(guess, skip, cap), layer.signatures_only("base64"));
  }
}

// Encodings recognised by their markers rather than by runs; the flags rule most out unread.
void Inspector::whole_text_encodings(std::string_view t, const Layer& layer, uint32_t flags) {
  const size_t cap = t.size();
  auto attempt = [&](auto decode, const Layer& next) {
    if (!done() && charge(cap)) decoded(decode(), next);
  };
  if ((flags & kPercent) != 0)
    attempt([&] { return decode_percent(t, cap); }, layer.then("percent-encoding"));
  if ((flags & kEquals) != 0)
    attempt([&] { return decode_quoted_printable(t, cap); }, layer.then("quoted-printable"));
  if ((flags & kLess) != 0 && (flags & kTilde) != 0)
    attempt([&] { return decode_ascii85(t, cap); }, layer.then("ascii85"));
  if (((flags & kSpace) != 0 && t.find("begin ") != t.npos) ||
      (t[0] == 'M' && (flags & kNewline) != 0))
    attempt([&] { return decode_uuencode(t, cap); }, layer.then("uuencode"));
  if (t.size() >= 23 && (flags & kHexSeparator) != 0)
    attempt([&] { return decode_hex_bytes(t, cap); }, layer.then("hex"));
  if (t.size() >= 20 && t.size() % 5 == 0 && (flags & kZ85Only) != 0 &&
      (flags & (kSpace | kNewline)) == 0)
    attempt([&] { return decode_z85(t, cap); }, layer.signatures_only("Z85"));
  if ((flags & kSpace) != 0) {
    if (auto joined = spaced_base64(t)) {
      attempt([&] { return decode_base64(*joined, 0, cap); }, layer.signatures_only("base64"));
    }
  }
}

}  // namespace

Layer Layer::then(std::string_view how) const {
  Layer next = *this;
  ++next.depth;
  next.parent = this;
  next.method = how;
  return next;
}

Layer Layer::signatures_only(std::string_view how) const {
  Layer next = then(how);
  next.binary_rule = false;
  return next;
}

Layer Layer::at(std::string_view place, bool keep_binary_rule) const {
  Layer next = *this;
  next.parent = this;
  next.method = place;
  next.binary_rule = binary_rule && keep_binary_rule;
  return next;
}

std::string Layer::chain() const {
  std::vector<std::string_view> methods;
  for (const Layer* l = this; l != nullptr; l = l->parent) {
    if (!l->method.empty()) methods.push_back(l->method);
  }
  std::string out;
  for (auto it = methods.rbegin(); it != methods.rend(); ++it) {
    if (!out.empty()) out += '+';
    out += *it;
  }
  return out;
}

std::string describe(std::string_view what, const Layer& layer) {
  std::string how(what);
  const std::string chain = layer.chain();
  if (!chain.empty()) how += " (" + chain + ")";
  return how;
}

std::optional<ContentFinding> inspect_string(std::string_view text, ScanState& state,
                                             const Layer& layer) {
  Inspector inspector(state);
  inspector.json_string(text, layer);
  return inspector.result();
}

std::optional<ContentFinding> inspect_bytes(std::string_view bytes, ScanState& state,
                                            const Layer& layer) {
  Inspector inspector(state);
  inspector.bytes(bytes, layer);
  return inspector.result();
}

}  // namespace coalition::media
