#include "data/data_steps.h"

#include <gtest/gtest.h>

namespace coalition::plugins::data {
namespace {

using nlohmann::json;

TEST(DataMerge, LaterObjectsWinKeyByKey) {
  auto merged = merge(json::object(), json::parse(R"([{"priority": "P2", "tier": {"a": 1}},
                                                      {"priority": "P0", "tier": {"b": 2}}])"));
  EXPECT_EQ(merged, json::parse(R"({"priority": "P0", "tier": {"a": 1, "b": 2}})"));
}

TEST(DataMerge, NullRemovesAKey) {
  auto merged = merge(json::object(), json::parse(R"([{"a": 1, "b": 2}, {"b": null}])"));
  EXPECT_EQ(merged, json::parse(R"({"a": 1})"));
}

TEST(DataMerge, ArraysAreReplacedNotConcatenated) {
  auto merged = merge(json::object(), json::parse(R"([{"l": [1, 2]}, {"l": [3]}])"));
  EXPECT_EQ(merged["l"], json::parse("[3]"));
}

}  // namespace
}  // namespace coalition::plugins::data
