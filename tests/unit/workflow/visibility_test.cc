// Visibility classes: role clearances, step classes along paths, and field filtering where
// values travel (step results, parallel branches, map iterations, succeed templates). Every
// check asserts that a field is absent (or present) for a given clearance.
#include "workflow/visibility.h"

#include <gtest/gtest.h>

#include "workflow/workflow_loader.h"

namespace coalition {
namespace {

using nlohmann::json;

constexpr const char* kReview = R"({
  "id": "review", "version": 1, "title": "t",
  "visibility": {
    "shown_as": "compliance review in progress",
    "roles": {"rm": "public", "analyst": "member", "officer": "restricted"},
    "fields": {"/case": "public", "/case/subject": "restricted", "/notes/*/author": "restricted"}
  },
  "steps": [
    {"id": "intake", "kind": "task", "type": "form", "result": "/intake", "next": "decide",
     "visibility": "public"},
    {"id": "decide", "kind": "task", "type": "form", "result": "/decision", "next": "report",
     "visibility": {"class": "restricted", "shown_as": "decision pending"}},
    {"id": "report", "kind": "parallel", "result": "/report", "next": "each",
     "branches": [
       {"name": "file", "steps": [
         {"id": "file_it", "kind": "task", "type": "form", "result": "/filing",
          "visibility": "restricted"}]},
       {"name": "tell", "steps": [
         {"id": "notice", "kind": "task", "type": "form", "result": "/notice"}]}]},
    {"id": "each", "kind": "map", "items": "/input/members", "result": "/acks", "next": "done",
     "steps": [{"id": "ack", "kind": "task", "type": "form", "result": "/ack", "next": "secret"},
               {"id": "secret", "kind": "task", "type": "form", "result": "/why",
                "visibility": "restricted"}]},
    {"id": "done", "kind": "succeed",
     "output": {"case": {"$path": "/case"}, "ref": {"$path": "/report/file/filing/reference"},
                "ack_count": {"$path": "/acks"}}}
  ]})";

class VisibilityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = load_workflow(kReview, "review.json");
    ASSERT_TRUE(loaded.problems.empty()) << loaded.problems.front().format("review.json");
    workflow_ = loaded.workflow;
    policy_ = VisibilityPolicy::compile(*workflow_, nullptr);
  }
  json seen(const json& context, Visibility clearance) {
    return policy_.filter_context(context, "", clearance).value_or(json("nothing"));
  }
  std::shared_ptr<const Workflow> workflow_;
  VisibilityPolicy policy_;
};

TEST_F(VisibilityTest, RolesHaveTheirGrantAndUnknownRolesSeePublicOnly) {
  EXPECT_EQ(policy_.clearance("rm"), Visibility::kPublic);
  EXPECT_EQ(policy_.clearance("analyst"), Visibility::kMember);
  EXPECT_EQ(policy_.clearance("officer"), Visibility::kRestricted);
  EXPECT_EQ(policy_.clearance("someone_else"), Visibility::kPublic);
}

TEST_F(VisibilityTest, StepClassesFollowPathsAndContainersPassThemOn) {
  EXPECT_EQ(policy_.step("intake").cls, Visibility::kPublic);
  EXPECT_EQ(policy_.step("decide").cls, Visibility::kRestricted);
  EXPECT_EQ(policy_.step("decide").shown_as, "decision pending");
  EXPECT_EQ(policy_.step("report").cls, Visibility::kMember);  // the default
  EXPECT_EQ(policy_.step("report[file]/file_it").cls, Visibility::kRestricted);
  EXPECT_EQ(policy_.step("report[tell]/notice").cls, Visibility::kMember);
  EXPECT_EQ(policy_.step("each[3]/ack").cls, Visibility::kMember);
  EXPECT_EQ(policy_.step("each[3]/secret").cls, Visibility::kRestricted);
  EXPECT_EQ(policy_.step("each[3]/secret").shown_as, "compliance review in progress");
  EXPECT_EQ(policy_.step("").cls, Visibility::kPublic);  // the execution itself
  // A path that names nothing is never shown by mistake.
  EXPECT_EQ(policy_.step("no_such_step").cls, Visibility::kRestricted);
  EXPECT_EQ(policy_.step("report[nope]/file_it").cls, Visibility::kRestricted);
  EXPECT_FALSE(policy_.can_see_step("decide", Visibility::kMember));
  EXPECT_TRUE(policy_.can_see_step("decide", Visibility::kRestricted));
}

TEST_F(VisibilityTest, ContextFieldsAreRemovedAboveTheClearance) {
  const json context = json::parse(R"({
      "input": {"members": ["a", "b"]},
      "case": {"id": "CASE-EX-1", "subject": "MER-EX-9"},
      "intake": {"trigger": "signal"},
      "decision": {"suspicious": true},
      "notes": [{"author": "inv.ivy", "text": "t1"}, {"author": "inv.ian", "text": "t2"}]})");
  const json rm = seen(context, Visibility::kPublic);
  ASSERT_TRUE(rm.contains("case")) << rm.dump();
  EXPECT_EQ(rm["case"]["id"], "CASE-EX-1");
  EXPECT_FALSE(rm["case"].contains("subject"));  // a finer rule closes one field
  EXPECT_EQ(rm["intake"]["trigger"], "signal");  // a public step's result
  EXPECT_FALSE(rm.contains("input"));            // default member
  EXPECT_FALSE(rm.contains("decision"));
  EXPECT_FALSE(rm.contains("notes"));

  const json analyst = seen(context, Visibility::kMember);
  ASSERT_TRUE(analyst.contains("notes")) << analyst.dump();
  EXPECT_TRUE(analyst.contains("input"));
  EXPECT_FALSE(analyst.contains("decision"));  // the result of a restricted step
  EXPECT_FALSE(analyst["case"].contains("subject"));
  ASSERT_EQ(analyst["notes"].size(), 2u);
  EXPECT_FALSE(analyst["notes"][0].contains("author"));  // "*" matches every element
  EXPECT_EQ(analyst["notes"][1]["text"], "t2");

  EXPECT_EQ(seen(context, Visibility::kRestricted), context);
}

TEST_F(VisibilityTest, RestrictedResultsStayRestrictedInsideContainerResults) {
  const json context = json::parse(R"({
      "report": {"file": {"filing": {"reference": "SAR-EX-1"}, "case": {"id": "CASE-EX-1"}},
                 "tell": {"notice": {"sent": true}}},
      "acks": [{"ack": {"ok": true}, "why": "reason"}, {"ack": {"ok": false}}]})");
  const json analyst = seen(context, Visibility::kMember);
  EXPECT_FALSE(analyst["report"]["file"].contains("filing"));
  EXPECT_EQ(analyst["report"]["file"]["case"]["id"], "CASE-EX-1");
  EXPECT_EQ(analyst["report"]["tell"]["notice"]["sent"], true);
  EXPECT_FALSE(analyst["acks"][0].contains("why"));
  EXPECT_EQ(analyst["acks"][0]["ack"]["ok"], true);
}

TEST_F(VisibilityTest, StepOutputsAreFilteredWhereTheirResultGoes) {
  // The parallel step's output is its branches' contexts: the filing inside stays hidden.
  const json out = {{"file", {{"filing", {{"reference", "SAR-EX-1"}}}}}, {"tell", json::object()}};
  auto analyst = policy_.filter_step_output("report", out, Visibility::kMember);
  ASSERT_TRUE(analyst.has_value());
  EXPECT_FALSE((*analyst)["file"].contains("filing"));
  // A restricted step's own output is not shown at all below its class.
  EXPECT_FALSE(policy_.filter_step_output("decide", json{{"suspicious", true}}, Visibility::kMember)
                   .has_value());
  EXPECT_TRUE(
      policy_.filter_step_output("decide", json{{"suspicious", true}}, Visibility::kRestricted)
          .has_value());
}

TEST_F(VisibilityTest, SucceedTemplatesKeepTheClassOfWhereEachValueWasRead) {
  const json output = json::parse(R"({"case": {"id": "CASE-EX-1", "subject": "MER-EX-9"},
      "ref": "SAR-EX-1", "ack_count": [{"ack": 1, "why": "w"}]})");
  // The relationship manager does not see the (member) step, only the execution's output.
  EXPECT_FALSE(policy_.filter_step_output("done", output, Visibility::kPublic).has_value());
  auto rm = policy_.filter_context(output, "", Visibility::kPublic);
  ASSERT_TRUE(rm.has_value());
  EXPECT_EQ((*rm)["case"]["id"], "CASE-EX-1");
  EXPECT_FALSE((*rm)["case"].contains("subject"));
  EXPECT_FALSE(rm->contains("ref"));
  auto analyst = policy_.filter_step_output("done", output, Visibility::kMember);
  EXPECT_FALSE(analyst->contains("ref"));  // read from a restricted step's result
  EXPECT_FALSE((*analyst)["ack_count"][0].contains("why"));
  // The execution's output is filtered by the same rules.
  EXPECT_FALSE(policy_.filter_context(output, "", Visibility::kMember)->contains("ref"));
}

// Derived data keeps its source's class: a restricted map's iterations return restricted fields
// whatever their own steps write, and an iteration's /item keeps the class of its list.
constexpr const char* kFollowUps = R"({
  "id": "follow", "version": 1, "title": "t",
  "visibility": {"fields": {"/matrix/late": "restricted"}},
  "steps": [
    {"id": "matrix", "kind": "task", "type": "form", "result": "/matrix", "next": "chase"},
    {"id": "chase", "kind": "map", "items": "/matrix/late", "visibility": "restricted",
     "result": "/chased", "next": "tell",
     "steps": [{"id": "done", "kind": "succeed", "output": {"member": {"$path": "/item"}}}]},
    {"id": "tell", "kind": "map", "items": "/matrix/late", "result": "/told", "next": "out",
     "steps": [{"id": "said", "kind": "succeed",
                "output": {"member": {"$path": "/item"}, "count": {"$path": "/index"}}}]},
    {"id": "out", "kind": "succeed",
     "output": {"chased": {"$path": "/chased"}, "told": {"$path": "/told"},
                "totals": {"$path": "/matrix/totals"}}}
  ]})";

TEST(VisibilityDerived, ARestrictedMapsIterationsAndAnItemOfARestrictedListStayRestricted) {
  auto loaded = load_workflow(kFollowUps, "follow.json");
  ASSERT_TRUE(loaded.problems.empty()) << loaded.problems.front().format("follow.json");
  const auto policy = VisibilityPolicy::compile(*loaded.workflow, nullptr);
  const json context = json::parse(R"({"matrix": {"late": ["lumen"], "totals": {"late": 1}},
      "chased": [{"member": "lumen"}], "told": [{"member": "lumen", "count": 0}]})");
  const json member = *policy.filter_context(context, "", Visibility::kMember);
  EXPECT_FALSE(member.contains("chased")) << member.dump();
  EXPECT_FALSE(member["told"][0].contains("member")) << member.dump();  // /item of a late list
  EXPECT_EQ(member["told"][0]["count"], 0);                             // the index is not
  EXPECT_EQ(member["matrix"]["totals"]["late"], 1);
  // The execution's output, built by a template, keeps the same classes.
  const json output = json::parse(R"({"chased": [{"member": "lumen"}],
      "told": [{"member": "lumen", "count": 0}], "totals": {"late": 1}})");
  const json out = *policy.filter_context(output, "", Visibility::kMember);
  EXPECT_FALSE(out.contains("chased")) << out.dump();
  EXPECT_FALSE(out["told"][0].contains("member"));
  const json all = *policy.filter_context(output, "", Visibility::kRestricted);
  EXPECT_EQ(all["chased"][0]["member"], "lumen");
}

TEST(VisibilityDerived, TheWorkflowsOwnFieldsStillOpenADerivedField) {
  json doc = json::parse(kFollowUps);
  doc["visibility"]["fields"]["/chased/*/member"] = "member";
  auto loaded = load_workflow(doc.dump(), "follow.json");
  ASSERT_TRUE(loaded.problems.empty()) << loaded.problems.front().format("follow.json");
  const auto policy = VisibilityPolicy::compile(*loaded.workflow, nullptr);
  const json context = json::parse(R"({"chased": [{"member": "lumen", "note": "n"}]})");
  const json member = *policy.filter_context(context, "", Visibility::kMember);
  EXPECT_EQ(member["chased"][0]["member"], "lumen") << member.dump();
  EXPECT_FALSE(member["chased"][0].contains("note"));
}

TEST(VisibilityDefaults, WithoutABlockStepsAndFieldsAreMemberAndRolesPublic) {
  auto loaded = load_workflow(
      R"({"id": "plain", "version": 1, "title": "t", "steps": [
          {"id": "a", "kind": "task", "type": "form", "result": "/a"}]})",
      "plain.json");
  ASSERT_TRUE(loaded.workflow);
  const auto policy = VisibilityPolicy::compile(*loaded.workflow, nullptr);
  EXPECT_EQ(policy.clearance("anyone"), Visibility::kPublic);
  EXPECT_FALSE(policy.can_see_step("a", Visibility::kPublic));
  EXPECT_TRUE(policy.can_see_step("a", Visibility::kMember));
  EXPECT_FALSE(policy.filter_context(json{{"a", 1}}, "", Visibility::kPublic).has_value());
  EXPECT_EQ(policy.shown_as(), "in progress");
}

TEST(VisibilityFormat, TheLoaderRefusesUnknownClassesWithTheirPointer) {
  auto loaded = load_workflow(
      R"({"id": "bad", "version": 1, "title": "t",
          "visibility": {"roles": {"rm": "secret"}},
          "steps": [{"id": "a", "kind": "task", "type": "form", "visibility": "hidden"}]})",
      "bad.json");
  ASSERT_FALSE(loaded.workflow);
  std::string all;
  for (const auto& p : loaded.problems) all += p.pointer + " ";
  EXPECT_NE(all.find("/visibility/roles/rm"), std::string::npos) << all;
  EXPECT_NE(all.find("/steps/0/visibility"), std::string::npos) << all;
}

}  // namespace
}  // namespace coalition
