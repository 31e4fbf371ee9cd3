#include "workflow/condition.h"

#include <gtest/gtest.h>

namespace coalition {
namespace {

using nlohmann::json;

bool holds(const char* spec, const json& context) {
  auto c = Condition::compile(json::parse(spec), "/when");
  EXPECT_TRUE(c.ok()) << spec << ": " << (c.ok() ? "" : c.error().to_string());
  return c.ok() && c->evaluate(context);
}

const json kContext = json::parse(R"({"input": {"amount": 12000, "regime": "us_sar",
    "flags": ["structuring"], "determined_at": "2026-11-02T10:00:00Z", "suspect": null}})");

TEST(Condition, Comparisons) {
  EXPECT_TRUE(holds(R"({"path": "/input/amount", "gt": 10000})", kContext));
  EXPECT_FALSE(holds(R"({"path": "/input/amount", "lt": 10000})", kContext));
  EXPECT_TRUE(holds(R"({"path": "/input/amount", "ge": 12000})", kContext));
  EXPECT_TRUE(holds(R"({"path": "/input/regime", "eq": "us_sar"})", kContext));
  EXPECT_TRUE(holds(R"({"path": "/input/regime", "ne": "au_smr"})", kContext));
  EXPECT_TRUE(holds(R"({"path": "/input/regime", "in": ["ca_str", "us_sar"]})", kContext));
  EXPECT_TRUE(holds(R"({"path": "/input/regime", "lt": "zz"})", kContext));
}

TEST(Condition, MismatchedTypesAndAbsentPathsAreFalse) {
  EXPECT_FALSE(holds(R"({"path": "/input/regime", "gt": 5})", kContext));
  EXPECT_FALSE(holds(R"({"path": "/input/nothing", "eq": null})", kContext));
  EXPECT_TRUE(holds(R"({"path": "/input/nothing", "exists": false})", kContext));
  EXPECT_TRUE(holds(R"({"path": "/input/suspect", "exists": true})", kContext));
}

TEST(Condition, TimestampsCompareAsInstants) {
  EXPECT_TRUE(holds(R"({"path": "/input/determined_at", "before": "2026-11-02T06:00:00-05:00"})",
                    kContext));
  EXPECT_FALSE(
      holds(R"({"path": "/input/determined_at", "after": "2026-11-02T11:00:00+01:00"})", kContext));
  EXPECT_FALSE(holds(R"({"path": "/input/regime", "before": "2026-11-02T06:00:00Z"})", kContext));
}

TEST(Condition, LogicAndReferences) {
  EXPECT_TRUE(holds(
      R"({"and": [{"path": "/input/amount", "gt": 1}, {"not": {"path": "/input/regime", "eq": "x"}}]})",
      kContext));
  EXPECT_TRUE(holds(
      R"({"or": [{"path": "/input/amount", "lt": 1}, {"path": "/input/flags", "eq": ["structuring"]}]})",
      kContext));
  EXPECT_TRUE(holds(R"({"path": "/input/amount", "eq": {"$path": "/input/amount"}})", kContext));
}

TEST(Condition, CompileErrorsNameThePlace) {
  auto bad_op =
      Condition::compile(json::parse(R"({"path": "/a", "near": 1})"), "/steps/2/choices/0/when");
  ASSERT_FALSE(bad_op.ok());
  EXPECT_EQ(bad_op.error().pointer(), "/steps/2/choices/0/when");
  auto bad_path = Condition::compile(json::parse(R"({"and": [{"path": "a", "eq": 1}]})"), "/w");
  ASSERT_FALSE(bad_path.ok());
  EXPECT_EQ(bad_path.error().pointer(), "/w/and/0/path");
  auto bad_time = Condition::compile(json::parse(R"({"path": "/a", "before": "yesterday"})"), "/w");
  ASSERT_FALSE(bad_time.ok());
  EXPECT_EQ(bad_time.error().pointer(), "/w/before");
  EXPECT_FALSE(Condition::compile(json::parse(R"({"and": []})"), "/w").ok());
  EXPECT_FALSE(Condition::compile(json::parse(R"({"path": "/a", "eq": 1, "ne": 2})"), "/w").ok());
}

TEST(Condition, ListsThePathsItReads) {
  auto c = Condition::compile(
      json::parse(
          R"({"or": [{"path": "/input/a", "eq": {"$path": "/b"}}, {"path": "/c", "exists": true}]})"),
      "");
  ASSERT_TRUE(c.ok());
  std::vector<std::string> paths;
  for (const auto& p : c->paths()) paths.push_back(p.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"/input/a", "/b", "/c"}));
}

}  // namespace
}  // namespace coalition
