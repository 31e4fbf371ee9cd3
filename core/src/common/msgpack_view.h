// MsgpackView: one MessagePack value inside bytes someone else owns, read where it lies instead
// of being built into a JSON document first (nlohmann::json::from_msgpack builds a tree node, a
// map node and a key string per member, all to be read once and freed).
//
// parse() checks the whole value once — every length within the bytes, no reserved byte — so a
// view it returns, and every view read from that one, lies within the bytes. Values read back as
// nlohmann::json::from_msgpack reads them: an integer written with an unsigned type is kUnsigned,
// one written with a signed type is kSigned whatever its sign. The view keeps pointers into the
// bytes: they must outlive it.
#ifndef COALITION_COMMON_MSGPACK_VIEW_H_
#define COALITION_COMMON_MSGPACK_VIEW_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace coalition {

class MsgpackView {
 public:
  enum class Kind {
    kNil,
    kBoolean,
    kUnsigned,
    kSigned,
    kFloat,
    kString,
    kBinary,
    kArray,
    kMap,
    kExtension
  };

  // The value `bytes` hold, which must be all of them; nullopt when they are not one whole
  // value (cut short, followed by more, a reserved byte).
  static std::optional<MsgpackView> parse(std::string_view bytes);

  Kind kind() const { return kind_; }
  // The value's own encoding, from its first byte to its last.
  std::string_view encoding() const { return encoding_; }

  bool boolean() const { return scalar_ != 0; }
  uint64_t unsigned_integer() const { return scalar_; }                     // kUnsigned
  int64_t signed_integer() const { return static_cast<int64_t>(scalar_); }  // kSigned
  std::string_view text() const { return payload_; }                        // kString
  // Items of an array, members of a map.
  size_t size() const { return static_cast<size_t>(scalar_); }

  std::vector<MsgpackView> items() const;  // kArray
  // A map's members in the order written; nullopt when a key is not a string.
  std::optional<std::vector<std::pair<std::string_view, MsgpackView>>> members() const;  // kMap

  // The value as the document nlohmann::json::from_msgpack would give.
  nlohmann::json document() const;

 private:
  MsgpackView() = default;
  // The view of a value whose encoding, checked, is exactly `encoding`.
  static MsgpackView at(std::string_view encoding);

  Kind kind_ = Kind::kNil;
  std::string_view encoding_;
  std::string_view payload_;  // a string's, binary's or extension's bytes; a container's items
  uint64_t scalar_ = 0;       // a number's bits, a boolean, a container's count
};

}  // namespace coalition

#endif  // COALITION_COMMON_MSGPACK_VIEW_H_
