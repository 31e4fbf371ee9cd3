// MsgpackView reads what nlohmann::json::to_msgpack writes as nlohmann::json::from_msgpack
// reads it, value kind by value kind, and accepts bytes only when they are one whole value.
#include "common/msgpack_view.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

namespace coalition {
namespace {

using nlohmann::json;
using Kind = MsgpackView::Kind;

std::string msgpack_of(const json& doc) {
  std::string out;
  json::to_msgpack(doc, out);
  return out;
}

// The document a view reads back, built only from its accessors (not from document()).
json rebuilt(const MsgpackView& v) {
  switch (v.kind()) {
    case Kind::kNil: return nullptr;
    case Kind::kBoolean: return v.boolean();
    case Kind::kUnsigned: return v.unsigned_integer();
    case Kind::kSigned: return v.signed_integer();
    case Kind::kString: return std::string(v.text());
    case Kind::kArray: {
      json out = json::array();
      for (const auto& item : v.items()) out.push_back(rebuilt(item));
      return out;
    }
    case Kind::kMap: {
      json out = json::object();
      const auto members = v.members();
      EXPECT_TRUE(members.has_value());
      if (!members) return out;
      for (const auto& [key, value] : *members) out[std::string(key)] = rebuilt(value);
      return out;
    }
    default: return v.document();  // floats, binaries, extensions: as their document
  }
}

TEST(MsgpackViewTest, ReadsEveryKindAndSizeAsTheDocument) {
  std::vector<json> values = {
      nullptr,
      true,
      false,
      0,
      127,
      128,
      255,
      256,
      65535,
      65536,
      std::numeric_limits<uint32_t>::max(),
      uint64_t{1} << 32,
      std::numeric_limits<uint64_t>::max(),
      -1,
      -32,
      -33,
      -128,
      -129,
      -32768,
      -32769,
      std::numeric_limits<int32_t>::min(),
      int64_t{std::numeric_limits<int32_t>::min()} - 1,
      std::numeric_limits<int64_t>::min(),
      1.5,
      "",
      std::string(31, 'a'),
      std::string(32, 'b'),
      std::string(255, 'c'),
      std::string(256, 'd'),
      std::string(70000, 'e'),
      json::array(),
      json::object(),
      json::binary({1, 2, 3}),
      json::binary({1, 2, 3, 4}, 7),
  };
  json many = json::array();
  json wide = json::object();
  for (int i = 0; i < 70000; ++i) many.push_back(i % 3 == 0 ? json(i) : json(-i));
  for (int i = 0; i < 20; ++i) wide["k" + std::to_string(i)] = {{"nested", json::array({i})}};
  values.push_back(many);
  values.push_back(wide);
  values.push_back(json{{"a", {{"b", {{"c", {1, "two", nullptr, true}}}}}}, {"z", -7}});
  for (const auto& value : values) {
    SCOPED_TRACE(value.dump().substr(0, 60));
    const std::string bytes = msgpack_of(value);
    const auto view = MsgpackView::parse(bytes);
    ASSERT_TRUE(view.has_value());
    EXPECT_EQ(view->encoding(), bytes);
    EXPECT_EQ(rebuilt(*view), value);
    EXPECT_EQ(view->document(), value);
    // Signed and unsigned as the document has them.
    const json back = json::from_msgpack(bytes);
    if (back.is_number_unsigned()) {
      EXPECT_EQ(view->kind(), Kind::kUnsigned);
    } else if (back.is_number_integer()) {
      EXPECT_EQ(view->kind(), Kind::kSigned);
    }
  }
}

// A non-negative integer written with a signed type is read as signed, as the document does.
TEST(MsgpackViewTest, AnIntegerKeepsTheSignednessOfItsType) {
  const std::string int8_five("\xd0\x05", 2);
  const auto view = MsgpackView::parse(int8_five);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->kind(), Kind::kSigned);
  EXPECT_EQ(view->signed_integer(), 5);
  EXPECT_FALSE(json::from_msgpack(int8_five).is_number_unsigned());
  const std::string int16_minus("\xd1\xff\x00", 3);
  ASSERT_TRUE(MsgpackView::parse(int16_minus));
  EXPECT_EQ(MsgpackView::parse(int16_minus)->signed_integer(), -256);
}

TEST(MsgpackViewTest, OnlyOneWholeValueIsAccepted) {
  const std::string bytes =
      msgpack_of(json{{"frames", {{{"id", 1}, {"path", std::string(300, 'p')}}}}, {"v", 2}});
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    EXPECT_FALSE(MsgpackView::parse(std::string_view(bytes).substr(0, cut))) << "cut at " << cut;
  }
  EXPECT_FALSE(MsgpackView::parse(bytes + '\x01')) << "a second value after the first";
  EXPECT_FALSE(MsgpackView::parse(std::string("\xc1", 1))) << "the reserved byte";
  EXPECT_FALSE(MsgpackView::parse(std::string("\x91\xc1", 2))) << "the reserved byte inside";
  // A count far beyond the bytes: refused without reading (or reserving) that many.
  EXPECT_FALSE(MsgpackView::parse(std::string("\xdd\xff\xff\xff\xff\x01", 6)));
  EXPECT_FALSE(
      MsgpackView::parse(std::string("\xdb\xff\xff\xff\xff"
                                     "abc",
                                     8)));
}

TEST(MsgpackViewTest, NestingCostsNoStack) {
  std::string deep(1000000, '\x91');  // arrays of one array, a million deep
  deep.push_back('\x01');
  const auto view = MsgpackView::parse(deep);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->kind(), Kind::kArray);
  EXPECT_EQ(view->items().size(), 1u);
  deep.pop_back();
  EXPECT_FALSE(MsgpackView::parse(deep)) << "the innermost value missing";
}

TEST(MsgpackViewTest, AMapWithAKeyThatIsNotTextHasNoMembers) {
  const std::string bytes("\x81\x01\x02", 3);  // {1: 2}
  const auto view = MsgpackView::parse(bytes);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->kind(), Kind::kMap);
  EXPECT_FALSE(view->members().has_value());
}

}  // namespace
}  // namespace coalition
