// Names and reasons are one line of valid UTF-8; anything printed is escaped.
#include "common/text_field.h"

#include <gtest/gtest.h>

namespace coalition {
namespace {

TEST(CheckTextField, AcceptsNamesInAnyScript) {
  EXPECT_TRUE(check_text_field("actor", "bsa.officer@northwind").ok());
  EXPECT_TRUE(check_text_field("actor", "Zoë Ångström-Łukasiewicz").ok());
  EXPECT_TRUE(check_text_field("organisation", "Banco Ficticio 北风").ok());
  EXPECT_TRUE(check_text_field("role", "").ok());
}

TEST(CheckTextField, RefusesControlCharactersNamingTheField) {
  for (const char* bad : {"ana\nanalyst  approved", "ana\r", "ana\x1b[2J", "tab\there", "del\x7f",
                          "c1\xc2\x85", "rtl\xe2\x80\xae", "sep\xe2\x80\xa8"}) {
    auto s = check_text_field("--as", bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().code(), ErrorCode::kInvalidData);
    EXPECT_EQ(s.error().message().rfind("--as: holds a control character", 0), 0u)
        << s.error().message();
  }
}

TEST(CheckTextField, RefusesInvalidUtf8AndOverlongText) {
  for (const char* bad : {"\xff", "caf\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80"}) {
    auto s = check_text_field("signal name", bad);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message().find("signal name: not valid UTF-8"), std::string::npos);
  }
  EXPECT_TRUE(check_text_field("actor", std::string(kMaxNameBytes, 'a')).ok());
  auto s = check_text_field("actor", std::string(kMaxNameBytes + 1, 'a'));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("longer than 256 bytes"), std::string::npos);
}

TEST(Printable, EscapesWhatWouldForgeLinesOrMoveTheCursor) {
  EXPECT_EQ(printable("plain ascii"), "plain ascii");
  EXPECT_EQ(printable("Zoë"), "Zoë");
  EXPECT_EQ(printable("a\nb"), "a\\nb");
  EXPECT_EQ(printable("\x1b[31mred"), "\\x1b[31mred");
  EXPECT_EQ(printable("back\\slash"), "back\\\\slash");
  EXPECT_EQ(printable("rtl\xe2\x80\xae"
                      "evil"),
            "rtl\\u202eevil");
  EXPECT_EQ(printable("bad\xff"), "bad\\xff");
}

TEST(NormalNameTest, ATrailingSpaceIsNotASecondPerson) {
  EXPECT_EQ(normal_name("ana "), "ana");
  EXPECT_EQ(normal_name("\t ana\n"), "ana");
  EXPECT_EQ(normal_name("ana lee"), "ana lee");  // inner spaces are part of the name
  EXPECT_EQ(normal_name("   "), "");
  EXPECT_EQ(normal_name(""), "");
}

}  // namespace
}  // namespace coalition
