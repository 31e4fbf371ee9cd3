#include "common/msgpack_view.h"

namespace coalition {

namespace {

using Kind = MsgpackView::Kind;

// What a value's first bytes say: how long its header is, how many bytes of payload (a string's,
// a binary's or an extension's data) follow it, and how many values it contains (an array's
// items, a map's keys and values), which follow in turn.
struct Head {
  Kind kind = Kind::kNil;
  size_t header = 1;
  uint64_t payload = 0;
  uint64_t children = 0;
  uint64_t scalar = 0;  // a number's bits, a boolean, a container's count
};

uint64_t big_endian(std::string_view bytes, size_t at, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(bytes[at + i]);
  return v;
}

// A number of `n` bytes after the type byte, sign-extended when `sign` says so.
Head number(std::string_view bytes, Kind kind, size_t n, bool sign, bool& ok) {
  Head h;
  h.kind = kind;
  h.header = 1 + n;
  if (bytes.size() < h.header) {
    ok = false;
    return h;
  }
  h.scalar = big_endian(bytes, 1, n);
  if (sign && n < 8 && (h.scalar >> (8 * n - 1)) != 0) h.scalar |= ~uint64_t{0} << (8 * n);
  return h;
}

// A string, binary or container whose length or count takes `n` bytes after the type byte;
// an extension's type byte follows its length (`extension`).
Head sized(std::string_view bytes, Kind kind, size_t n, bool extension, bool& ok) {
  Head h;
  h.kind = kind;
  h.header = 1 + n + (extension ? 1 : 0);
  if (bytes.size() < h.header) {
    ok = false;
    return h;
  }
  const uint64_t length = big_endian(bytes, 1, n);
  if (kind == Kind::kArray || kind == Kind::kMap) {
    h.scalar = length;
    h.children = kind == Kind::kMap ? 2 * length : length;
  } else {
    h.payload = length;
  }
  return h;
}

Head container(Kind kind, uint64_t count) {
  Head h;
  h.kind = kind;
  h.scalar = count;
  h.children = kind == Kind::kMap ? 2 * count : count;
  return h;
}

// The header at the start of `bytes` (non-empty); `ok` false when it is cut short or reserved.
Head read_head(std::string_view bytes, bool& ok) {
  const auto b = static_cast<uint8_t>(bytes[0]);
  Head h;
  if (b <= 0x7f || b >= 0xe0) {  // positive and negative fixint
    h.kind = b <= 0x7f ? Kind::kUnsigned : Kind::kSigned;
    h.scalar = b <= 0x7f ? b : static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(b)));
    return h;
  }
  if (b <= 0x8f) return container(Kind::kMap, b & 0x0fU);
  if (b <= 0x9f) return container(Kind::kArray, b & 0x0fU);
  if (b <= 0xbf) {
    h.kind = Kind::kString;
    h.payload = b & 0x1fU;
    return h;
  }
  switch (b) {
    case 0xc0: return h;
    case 0xc2:
    case 0xc3:
      h.kind = Kind::kBoolean;
      h.scalar = b == 0xc3 ? 1 : 0;
      return h;
    case 0xc4: return sized(bytes, Kind::kBinary, 1, false, ok);
    case 0xc5: return sized(bytes, Kind::kBinary, 2, false, ok);
    case 0xc6: return sized(bytes, Kind::kBinary, 4, false, ok);
    case 0xc7: return sized(bytes, Kind::kExtension, 1, true, ok);
    case 0xc8: return sized(bytes, Kind::kExtension, 2, true, ok);
    case 0xc9: return sized(bytes, Kind::kExtension, 4, true, ok);
    case 0xca: return number(bytes, Kind::kFloat, 4, false, ok);
    case 0xcb: return number(bytes, Kind::kFloat, 8, false, ok);
    case 0xcc: return number(bytes, Kind::kUnsigned, 1, false, ok);
    case 0xcd: return number(bytes, Kind::kUnsigned, 2, false, ok);
    case 0xce: return number(bytes, Kind::kUnsigned, 4, false, ok);
    case 0xcf: return number(bytes, Kind::kUnsigned, 8, false, ok);
    case 0xd0: return number(bytes, Kind::kSigned, 1, true, ok);
    case 0xd1: return number(bytes, Kind::kSigned, 2, true, ok);
    case 0xd2: return number(bytes, Kind::kSigned, 4, true, ok);
    case 0xd3: return number(bytes, Kind::kSigned, 8, true, ok);
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8:  // fixext 1, 2, 4, 8, 16: the type byte, then the data
      h.kind = Kind::kExtension;
      h.header = 2;
      h.payload = uint64_t{1} << (b - 0xd4);
      return h;
    case 0xd9: return sized(bytes, Kind::kString, 1, false, ok);
    case 0xda: return sized(bytes, Kind::kString, 2, false, ok);
    case 0xdb: return sized(bytes, Kind::kString, 4, false, ok);
    case 0xdc: return sized(bytes, Kind::kArray, 2, false, ok);
    case 0xdd: return sized(bytes, Kind::kArray, 4, false, ok);
    case 0xde: return sized(bytes, Kind::kMap, 2, false, ok);
    case 0xdf: return sized(bytes, Kind::kMap, 4, false, ok);
    default: ok = false; return h;  // 0xc1: never used
  }
}

// How many bytes the value at the start of `bytes` takes, nested values and all; nullopt when it
// does not end within them. A count of values still to read replaces recursion: a document
// nested a million deep costs no stack, and every value read takes at least one byte, so a
// count no bytes back cannot keep the loop going.
std::optional<size_t> checked_extent(std::string_view bytes) {
  size_t at = 0;
  uint64_t pending = 1;
  while (pending > 0) {
    if (at >= bytes.size()) return std::nullopt;
    bool ok = true;
    const Head h = read_head(bytes.substr(at), ok);
    if (!ok || h.header > bytes.size() - at || h.payload > bytes.size() - at - h.header) {
      return std::nullopt;
    }
    at += h.header + h.payload;
    pending = pending - 1 + h.children;
  }
  return at;
}

}  // namespace

std::optional<MsgpackView> MsgpackView::parse(std::string_view bytes) {
  const auto extent = checked_extent(bytes);
  if (!extent || *extent != bytes.size()) return std::nullopt;
  return at(bytes);
}

MsgpackView MsgpackView::at(std::string_view encoding) {
  bool ok = true;
  const Head h = read_head(encoding, ok);
  MsgpackView v;
  v.kind_ = h.kind;
  v.encoding_ = encoding;
  v.scalar_ = h.scalar;
  v.payload_ = encoding.substr(h.header);
  return v;
}

std::vector<MsgpackView> MsgpackView::items() const {
  std::vector<MsgpackView> out;
  out.reserve(size());
  std::string_view rest = payload_;
  for (size_t i = 0; i < size(); ++i) {
    const size_t n = *checked_extent(rest);  // checked by parse(): within the bytes
    out.push_back(at(rest.substr(0, n)));
    rest.remove_prefix(n);
  }
  return out;
}

std::optional<std::vector<std::pair<std::string_view, MsgpackView>>> MsgpackView::members() const {
  std::vector<std::pair<std::string_view, MsgpackView>> out;
  out.reserve(size());
  std::string_view rest = payload_;
  for (size_t i = 0; i < size(); ++i) {
    const size_t k = *checked_extent(rest);
    const MsgpackView key = at(rest.substr(0, k));
    if (key.kind() != Kind::kString) return std::nullopt;
    rest.remove_prefix(k);
    const size_t n = *checked_extent(rest);
    out.emplace_back(key.text(), at(rest.substr(0, n)));
    rest.remove_prefix(n);
  }
  return out;
}

nlohmann::json MsgpackView::document() const {
  return nlohmann::json::from_msgpack(encoding_, /*strict=*/true, /*allow_exceptions=*/false);
}

}  // namespace coalition
