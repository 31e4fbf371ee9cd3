#include "common/msgpack_writer.h"

#include <limits>

namespace coalition {

// The format's markers (the MessagePack specification), in the order of the sizes they take.
namespace {
constexpr uint8_t kFixMap = 0x80;
constexpr uint8_t kFixArray = 0x90;
constexpr uint8_t kFixText = 0xa0;
constexpr uint8_t kNil = 0xc0;
constexpr uint8_t kFalse = 0xc2;
constexpr uint8_t kTrue = 0xc3;
constexpr uint8_t kUint8 = 0xcc;
constexpr uint8_t kUint16 = 0xcd;
constexpr uint8_t kUint32 = 0xce;
constexpr uint8_t kUint64 = 0xcf;
constexpr uint8_t kInt8 = 0xd0;
constexpr uint8_t kInt16 = 0xd1;
constexpr uint8_t kInt32 = 0xd2;
constexpr uint8_t kInt64 = 0xd3;
constexpr uint8_t kText8 = 0xd9;
constexpr uint8_t kText16 = 0xda;
constexpr uint8_t kText32 = 0xdb;
constexpr uint8_t kArray16 = 0xdc;
constexpr uint8_t kArray32 = 0xdd;
constexpr uint8_t kMap16 = 0xde;
constexpr uint8_t kMap32 = 0xdf;
}  // namespace

void MsgpackWriter::big_endian(uint64_t value, int bytes) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) {
    byte(static_cast<uint8_t>(value >> static_cast<unsigned>(shift)));
  }
}

// A map's or an array's header: the count in the tag below 16, else after a 16- or 32-bit tag.
void MsgpackWriter::container(size_t count, uint8_t fix, uint8_t tag16, uint8_t tag32) {
  if (count < 16) {
    byte(static_cast<uint8_t>(fix | count));
  } else if (count <= std::numeric_limits<uint16_t>::max()) {
    byte(tag16);
    big_endian(count, 2);
  } else {
    byte(tag32);
    big_endian(count, 4);
  }
}

void MsgpackWriter::map(size_t entries) {
  container(entries, kFixMap, kMap16, kMap32);
}

void MsgpackWriter::array(size_t items) {
  container(items, kFixArray, kArray16, kArray32);
}

void MsgpackWriter::text(std::string_view value) {
  const size_t n = value.size();
  if (n < 32) {
    byte(static_cast<uint8_t>(kFixText | n));
  } else if (n <= std::numeric_limits<uint8_t>::max()) {
    byte(kText8);
    big_endian(n, 1);
  } else if (n <= std::numeric_limits<uint16_t>::max()) {
    byte(kText16);
    big_endian(n, 2);
  } else {
    byte(kText32);
    big_endian(n, 4);
  }
  out_.append(value);
}

void MsgpackWriter::unsigned_integer(uint64_t value) {
  if (value < 128) {
    byte(static_cast<uint8_t>(value));
  } else if (value <= std::numeric_limits<uint8_t>::max()) {
    byte(kUint8);
    big_endian(value, 1);
  } else if (value <= std::numeric_limits<uint16_t>::max()) {
    byte(kUint16);
    big_endian(value, 2);
  } else if (value <= std::numeric_limits<uint32_t>::max()) {
    byte(kUint32);
    big_endian(value, 4);
  } else {
    byte(kUint64);
    big_endian(value, 8);
  }
}

// Zero and up as unsigned, as nlohmann's writer does: the format does not tell them apart.
void MsgpackWriter::integer(int64_t value) {
  if (value >= 0) {
    unsigned_integer(static_cast<uint64_t>(value));
    return;
  }
  const auto bits = static_cast<uint64_t>(value);
  if (value >= -32) {
    byte(static_cast<uint8_t>(bits));  // negative fixint: the value's low byte
  } else if (value >= std::numeric_limits<int8_t>::min()) {
    byte(kInt8);
    big_endian(bits, 1);
  } else if (value >= std::numeric_limits<int16_t>::min()) {
    byte(kInt16);
    big_endian(bits, 2);
  } else if (value >= std::numeric_limits<int32_t>::min()) {
    byte(kInt32);
    big_endian(bits, 4);
  } else {
    byte(kInt64);
    big_endian(bits, 8);
  }
}

void MsgpackWriter::boolean(bool value) {
  byte(value ? kTrue : kFalse);
}

void MsgpackWriter::nil() {
  byte(kNil);
}

void MsgpackWriter::json(const nlohmann::json& value) {
  nlohmann::json::to_msgpack(value, out_);  // appends
}

}  // namespace coalition
