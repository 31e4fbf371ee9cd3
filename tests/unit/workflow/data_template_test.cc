#include "workflow/data_template.h"

#include <gtest/gtest.h>

namespace coalition {
namespace {

using nlohmann::json;

TEST(DataTemplate, ResolvesReferencesAtAnyDepthAndKeepsLiterals) {
  const json context = json::parse(R"({"input": {"case_id": "FC-7", "tiers": [1, 2]}})");
  auto out = resolve_template(json::parse(R"({"case": {"$path": "/input/case_id"}, "n": 3,
      "list": [{"$path": "/input/tiers/1"}, "x"], "opt": {"$path": "/input/none", "$default": "P2"},
      "raw": {"$literal": {"$path": "/kept"}}})"),
                              context);
  ASSERT_TRUE(out.ok()) << out.error().to_string();
  EXPECT_EQ(*out, json::parse(R"({"case": "FC-7", "n": 3, "list": [2, "x"], "opt": "P2",
      "raw": {"$path": "/kept"}})"));
}

TEST(DataTemplate, MissingPathIsAnErrorNamingBothPlaces) {
  auto out =
      resolve_template(json::parse(R"({"a": [{"$path": "/input/missing"}]})"), json::object());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().pointer(), "/a/0");
  EXPECT_NE(out.error().message().find("/input/missing"), std::string::npos);
}

TEST(DataTemplate, CheckListsReferencesAndRefusesBadOnes) {
  auto refs = check_template(
      json::parse(R"({"a": {"$path": "/x"}, "b": [{"$path": "/y", "$default": 1}]})"), "/p");
  ASSERT_TRUE(refs.ok());
  ASSERT_EQ(refs->size(), 2u);
  EXPECT_EQ((*refs)[0].at, "/p/a");
  EXPECT_EQ((*refs)[1].path, "/y");
  EXPECT_TRUE((*refs)[1].has_default);
  EXPECT_FALSE(check_template(json::parse(R"({"$path": "x"})"), "").ok());
  EXPECT_FALSE(check_template(json::parse(R"({"$path": "/x", "other": 1})"), "").ok());
  EXPECT_FALSE(check_template(json::parse(R"({"$literal": 1, "other": 1})"), "").ok());
}

TEST(DataTemplate, WriteAtCreatesObjectsAndRefusesToTunnelThroughValues) {
  json doc = json::object();
  ASSERT_TRUE(write_at(doc, "/review/outcome", "approved").ok());
  EXPECT_EQ(doc["review"]["outcome"], "approved");
  EXPECT_FALSE(write_at(doc, "/review/outcome/deeper", 1).ok());
  EXPECT_FALSE(write_at(doc, "no-slash", 1).ok());
}

}  // namespace
}  // namespace coalition
