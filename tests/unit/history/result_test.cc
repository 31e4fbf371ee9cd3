// How an execution ended, as its record keeps it: written and read back unchanged, and a stored
// document of a shape the engine never writes refused where it is wrong.
#include <gtest/gtest.h>

#include "history/execution_result.h"

namespace coalition {
namespace {

using nlohmann::json;

TEST(ExecutionResult, WhatIsWrittenIsReadBackUnchanged) {
  const std::vector<ExecutionResult> results = {
      ExecutionResult{},
      ExecutionResult::succeeded({{"acks", {1, 2}}}),
      ExecutionResult::succeeded(nullptr),  // an output that is null is still an output
      ExecutionResult::failed({"workflow.timeout", "the workflow's timeout struck", ""}),
      ExecutionResult::failed({"plugin.invalid", "a parameter is wrong", "/parameters/to"}),
  };
  for (const auto& r : results) {
    const json doc = to_json(r);
    auto read = read_execution_result(json::parse(doc.dump()));
    ASSERT_TRUE(read.ok()) << doc.dump() << ": " << read.error().to_string();
    EXPECT_EQ(*read, r) << doc.dump();
  }
  EXPECT_EQ(to_json(ExecutionResult{}), json::object());
  EXPECT_FALSE(to_json(results[3])["error"].contains("pointer"));  // none: not written
}

// Records written before results were typed hold null for a running execution, and {} after
// a purge: both are "neither".
TEST(ExecutionResult, NullAndAnEmptyObjectReadAsNeither) {
  for (const json& doc : {json(nullptr), json::object()}) {
    auto read = read_execution_result(doc);
    ASSERT_TRUE(read.ok()) << doc.dump();
    EXPECT_TRUE(read->empty());
  }
}

TEST(ExecutionResult, AShapeTheEngineNeverWritesIsRefusedWhereItIsWrong) {
  const std::vector<std::pair<json, std::string>> cases = {
      {json::array(), ""},
      {json{{"outcome", 1}}, "/outcome"},
      {json{{"error", "timeout"}}, "/error"},
      {json{{"error", {{"message", "no code"}}}}, "/error/code"},
      {json{{"error", {{"code", "x.y"}, {"message", 5}}}}, "/error/message"},
      {json{{"error", {{"code", "x.y"}, {"message", "m"}, {"pointer", true}}}}, "/error/pointer"},
  };
  for (const auto& [doc, pointer] : cases) {
    auto read = read_execution_result(doc);
    ASSERT_FALSE(read.ok()) << doc.dump();
    EXPECT_EQ(read.error().code(), ErrorCode::kInvalidData) << doc.dump();
    EXPECT_EQ(read.error().pointer(), pointer) << doc.dump() << ": " << read.error().message();
  }
}

}  // namespace
}  // namespace coalition
