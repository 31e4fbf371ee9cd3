// MsgpackWriter: MessagePack written value by value into a string, for a typed structure that
// would otherwise be built as a JSON document only to be encoded and freed.
//
// Every value takes the encoding nlohmann::json::to_msgpack gives the same value (the shortest
// for its size; an integer of zero or more as an unsigned one), so a document written here reads
// back, and compares, exactly as one encoded from JSON: a map's keys must then come in the order
// a JSON object keeps them (sorted), which is the caller's to keep.
#ifndef COALITION_COMMON_MSGPACK_WRITER_H_
#define COALITION_COMMON_MSGPACK_WRITER_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace coalition {

class MsgpackWriter {
 public:
  explicit MsgpackWriter(std::string& out) : out_(out) {}

  // A map of `entries` key/value pairs follows (key, value, key, value...).
  void map(size_t entries);
  // An array of `items` values follows.
  void array(size_t items);
  void text(std::string_view value);
  void integer(int64_t value);
  void unsigned_integer(uint64_t value);
  void boolean(bool value);
  void nil();
  // Any JSON value, as nlohmann::json::to_msgpack writes it.
  void json(const nlohmann::json& value);

 private:
  void byte(uint8_t b) { out_.push_back(static_cast<char>(b)); }
  void big_endian(uint64_t value, int bytes);
  void container(size_t count, uint8_t fix, uint8_t tag16, uint8_t tag32);

  std::string& out_;
};

}  // namespace coalition

#endif  // COALITION_COMMON_MSGPACK_WRITER_H_
