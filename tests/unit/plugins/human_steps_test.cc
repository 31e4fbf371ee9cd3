// What the human plugin asks people for and how it reads their answers.
#include "human/human_steps.h"

#include <gtest/gtest.h>

#include "schema/json_schema.h"

namespace coalition::plugins::human {
namespace {

using nlohmann::json;

json vote(const char* actor, const char* decision) {
  return {{"actor", actor},
          {"role", "reviewer"},
          {"at", "2026-12-01T09:00:00.000Z"},
          {"data", {{"decision", decision}}}};
}

TEST(Approval, WaitsForTheQuorumAndAnyRejectionDecides) {
  EXPECT_FALSE(approval_decision({{"completions", {vote("a", "approve")}}, {"quorum", 2}}));
  auto approved = approval_decision(
      {{"completions", {vote("a", "approve"), vote("b", "approve")}}, {"quorum", 2}});
  ASSERT_TRUE(approved);
  EXPECT_EQ((*approved)["decision"], "approved");
  EXPECT_EQ((*approved)["votes"].size(), 2u);
  auto rejected = approval_decision({{"completions", {vote("a", "reject")}}, {"quorum", 2}});
  ASSERT_TRUE(rejected);
  EXPECT_EQ((*rejected)["decision"], "rejected");
  EXPECT_EQ((*rejected)["decided_by"]["actor"], "a");
}

// An approval's task holds what the step was given; what it asks is the type's declared answer,
// which the engine joins in, not a copy in every task.
TEST(Approval, ItsTaskAsksThroughTheDeclaredAnswerSchema) {
  const json task = approval_task({{"title", "Approve the policy"}, {"instructions", "Read it"}});
  EXPECT_EQ(task, json({{"title", "Approve the policy"}, {"instructions", "Read it"}}));
  auto schema = JsonSchema::compile(json::parse(kApprovalAnswerSchema));
  ASSERT_TRUE(schema.ok());
  EXPECT_TRUE(schema->validate({{"decision", "approve"}, {"comment", "fine"}}).empty());
  EXPECT_FALSE(schema->validate({{"decision", "maybe"}}).empty());
  EXPECT_FALSE(schema->validate(json::object()).empty());
}

TEST(Checklist, EveryItemNeedsAnAnswerAndObservationsNeedEvidence) {
  const json task = checklist_task({{"title", "Red flags"},
                                    {"items",
                                     {{{"id", "structuring"}, {"text", "Structuring"}},
                                      {{"id", "crypto"}, {"text", "Crypto exposure"}}}}});
  auto schema = JsonSchema::compile(task["answer_schema"]);
  ASSERT_TRUE(schema.ok());
  const json complete{{"answers",
                       {{"structuring", {{"status", "observed"}, {"evidence", "TXN-REF-88"}}},
                        {"crypto", {{"status", "not_applicable"}}}}}};
  EXPECT_TRUE(schema->validate(complete).empty());
  json missing_item = complete;
  missing_item["answers"].erase("crypto");
  EXPECT_FALSE(schema->validate(missing_item).empty());
  json no_evidence = complete;
  no_evidence["answers"]["structuring"].erase("evidence");
  EXPECT_FALSE(schema->validate(no_evidence).empty());

  auto result = checklist_result({{"completions", {{{"actor", "inv.ivy"}, {"data", complete}}}}});
  EXPECT_EQ(result["observed"], json::array({"structuring"}));
  EXPECT_EQ(result["completed_by"]["actor"], "inv.ivy");
}

TEST(Form, TheAnswerSchemaIsTheFormsOwn) {
  const json schema{{"type", "object"}, {"required", {"reference"}}};
  EXPECT_EQ(form_task({{"title", "t"}, {"schema", schema}})["answer_schema"], schema);
  auto result =
      form_result({{"completions", {{{"actor", "x"}, {"data", {{"reference", "R-1"}}}}}}});
  EXPECT_EQ(result["data"]["reference"], "R-1");
}

}  // namespace
}  // namespace coalition::plugins::human
