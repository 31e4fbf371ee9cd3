#include "common/personal_data.h"

#include <gtest/gtest.h>

namespace coalition {
namespace {

TEST(PersonalData, EmailAddressesAreMasked) {
  EXPECT_EQ(mask_personal_data("sent to liaison@police-au.example.org."), "sent to [email].");
  EXPECT_EQ(mask_personal_data("a.b+tag@x-y.example.com, c_d@ex.org"), "[email], [email]");
  EXPECT_EQ(mask_personal_data("{\"to\":\"kim@bank.example\"}"), "{\"to\":\"[email]\"}");
}

TEST(PersonalData, InternationalPhoneNumbersAreMasked) {
  EXPECT_EQ(mask_personal_data("call +61 491 570 110 now"), "call [phone] now");
  EXPECT_EQ(mask_personal_data("+1 (202) 555-0143;"), "[phone];");
  EXPECT_EQ(mask_personal_data("+442079460000"), "[phone]");
}

TEST(PersonalData, IdentifiersTimesAndCountsStay) {
  for (const char* kept : {"aml_review@1", "workflow@12 started", "2026-12-07T23:59:59+11:00",
                           "+3 retries", "case AML-2026-0417", "at @ symbol", "user@localhost",
                           "+123456 items", "sha256:0c6f3d2a9b8e7f6a5d4c3b2a1908f7e6"}) {
    EXPECT_EQ(mask_personal_data(kept), kept);
  }
}

}  // namespace
}  // namespace coalition
