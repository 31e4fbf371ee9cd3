#include "plugin_host/abi_check.h"

#include <gtest/gtest.h>

#include <cstddef>

namespace coalition {
namespace {

int instance;
void* create(const coalition_host_api_t*, const char*, coalition_result_t*) {
  return &instance;
}
void execute(void*, const char*, const char*, coalition_result_t*) {}
void destroy(void*) {}
void free_string(char*) {}

coalition_step_type_t valid_type() {
  return {sizeof(coalition_step_type_t),
          0,
          "aml.red_flags",
          "Red flags.",
          R"({"type":"object"})",
          nullptr,
          nullptr,
          create,
          execute,
          nullptr,
          destroy,
          nullptr};
}

struct Fixture {
  coalition_step_type_t type = valid_type();
  const coalition_step_type_t* types[1] = {&type};
  coalition_plugin_descriptor_t d = {COALITION_ABI_MAGIC,
                                     sizeof(coalition_plugin_descriptor_t),
                                     COALITION_ABI_MAJOR,
                                     COALITION_ABI_MINOR,
                                     "red_flags",
                                     "1.2.0",
                                     "Fictional Bank Ltd",
                                     "Indicator checklists.",
                                     COALITION_PARTNER_FINANCIAL,
                                     1,
                                     types,
                                     free_string};
};

TEST(AbiCheck, AcceptsAValidDescriptor) {
  Fixture f;
  EXPECT_TRUE(check_descriptor_header(&f.d, "libred_flags.so").ok());
  EXPECT_TRUE(check_descriptor_body(f.d, "libred_flags.so").ok());
}

TEST(AbiCheck, NullDescriptorIsARefusal) {
  auto status = check_descriptor_header(nullptr, "libx.so");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message(),
            "libx.so refused this engine (plugin ABI 1.2): its entry point returned no "
            "descriptor");
}

TEST(AbiCheck, WrongMagicNamesBothValues) {
  Fixture f;
  f.d.magic = 0x57465031u;
  auto status = check_descriptor_header(&f.d, "libwf.so");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code(), ErrorCode::kPluginLoad);
  EXPECT_EQ(status.error().message(),
            "libwf.so is not a Coalition plugin: its descriptor starts with magic 0x57465031 "
            "(\"WFP1\") where 0x434F414C (\"COAL\") was expected");
}

TEST(AbiCheck, OtherMajorNamesBothVersionsAndTheFile) {
  Fixture f;
  f.d.abi_major = 2;
  f.d.abi_minor = 1;
  auto status = check_descriptor_header(&f.d, "/opt/p/libnew.so");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message(),
            "/opt/p/libnew.so was built for Coalition plugin ABI 2.1 but this engine implements "
            "ABI 1.2; rebuild the plugin with a Coalition 1.x SDK");
}

TEST(AbiCheck, NewerMinorIsRefused) {
  Fixture f;
  f.d.abi_minor = COALITION_ABI_MINOR + 1;
  auto status = check_descriptor_header(&f.d, "libnewer.so");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message().find("built for Coalition plugin ABI 1.3 but this engine "
                                          "implements ABI 1.2, which is older"),
            std::string::npos);
}

TEST(AbiCheck, TooSmallDescriptorIsRefused) {
  Fixture f;
  f.d.struct_size = 16;
  auto status = check_descriptor_header(&f.d, "libsmall.so");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message().find("declares a descriptor of 16 bytes"), std::string::npos);
}

TEST(AbiCheck, LargerDescriptorFromALaterLayoutIsAccepted) {
  Fixture f;
  f.d.struct_size = sizeof(coalition_plugin_descriptor_t) + 32;  // trailing fields we ignore
  EXPECT_TRUE(check_descriptor_header(&f.d, "libbig.so").ok());
}

// A plugin built before ABI 1.2 has a step type struct that ends after `destroy`: it loads, and
// whatever lies beyond its end is never read as an answer schema.
TEST(AbiCheck, AStepTypeOfAnEarlierMinorHasNoAnswerSchema) {
  Fixture f;
  f.type.struct_size = offsetof(coalition_step_type_t, answer_schema_json);
  f.type.answer_schema_json = R"({"type":"object"})";  // stands for memory past its end
  EXPECT_TRUE(check_descriptor_body(f.d, "libold.so").ok());
  EXPECT_EQ(answer_schema_of(f.type), nullptr);
  f.type.struct_size = sizeof(coalition_step_type_t);
  EXPECT_STREQ(answer_schema_of(f.type), R"({"type":"object"})");
  f.type.struct_size = offsetof(coalition_step_type_t, answer_schema_json) - 1;
  auto status = check_descriptor_body(f.d, "libtiny.so");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message().find("smaller than the"), std::string::npos);
}

TEST(AbiCheck, BodyRefusesBadIdVersionAndPartnerType) {
  {
    Fixture f;
    f.d.id = "Red-Flags";
    EXPECT_FALSE(check_descriptor_body(f.d, "lib.so").ok());
  }
  {
    Fixture f;
    f.d.version = "1.2";
    EXPECT_FALSE(check_descriptor_body(f.d, "lib.so").ok());
  }
  {
    Fixture f;
    f.d.partner_type = 9;
    auto status = check_descriptor_body(f.d, "lib.so");
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.error().message().find("partner type 9"), std::string::npos);
  }
  {
    Fixture f;
    f.d.free_string = nullptr;
    EXPECT_FALSE(check_descriptor_body(f.d, "lib.so").ok());
  }
}

TEST(AbiCheck, BodyRefusesBrokenStepTypes) {
  {
    Fixture f;
    f.type.name = "Bad Name";
    EXPECT_FALSE(check_descriptor_body(f.d, "lib.so").ok());
  }
  {
    Fixture f;
    f.type.parameters_schema_json = nullptr;
    EXPECT_FALSE(check_descriptor_body(f.d, "lib.so").ok());
  }
  {
    Fixture f;
    f.type.capabilities = COALITION_CAP_MAY_SUSPEND;  // but no resume
    auto status = check_descriptor_body(f.d, "lib.so");
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.error().message().find("may suspend but has no resume"), std::string::npos);
  }
  {
    Fixture f;
    f.d.step_type_count = 0;
    EXPECT_FALSE(check_descriptor_body(f.d, "lib.so").ok());
  }
}

TEST(AbiCheck, StepTypeNames) {
  EXPECT_TRUE(is_valid_step_type_name("noop"));
  EXPECT_TRUE(is_valid_step_type_name("aml.red_flags"));
  EXPECT_FALSE(is_valid_step_type_name("aml..red"));
  EXPECT_FALSE(is_valid_step_type_name("1noop"));
  EXPECT_FALSE(is_valid_step_type_name(""));
}

}  // namespace
}  // namespace coalition
