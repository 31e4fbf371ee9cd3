// What a role sees of an event that names where the execution went next: a branch, a catch
// clause or an expired deadline leading to a step above the role's clearance says only that it
// moved on (the step's shown_as), never the step's name.
#include "runtime/event_view.h"

#include <gtest/gtest.h>

#include "workflow/workflow_loader.h"

namespace coalition::event_view_test {
namespace {

using nlohmann::json;

constexpr const char* kAdoption = R"({
  "id": "adoption", "version": 1, "title": "t",
  "steps": [
    {"id": "each", "kind": "map", "items": "/input/members", "result": "/out",
     "steps": [
       {"id": "attest", "kind": "task", "type": "form", "result": "/attest",
        "deadline": {"in": "P1D", "on_expiry": {"next": "overdue"}}, "next": "late"},
       {"id": "late", "kind": "choice",
        "choices": [{"when": {"path": "/attest/late", "eq": true}, "next": "overdue"}],
        "default": "fine"},
       {"id": "overdue", "kind": "task", "type": "set", "result": "/overdue",
        "visibility": {"class": "restricted", "shown_as": "follow-up"}},
       {"id": "fine", "kind": "succeed"}]}
  ]})";

Event event_of(EventType type, const std::string& step, json data) {
  Event e;
  e.type = type;
  e.step = step;
  e.payload = data.dump();
  return e;
}

TEST(EventView, AnExpiryOrBranchLeadingToARestrictedStepDoesNotNameIt) {
  auto loaded = load_workflow(kAdoption, "adoption.json");
  ASSERT_TRUE(loaded.problems.empty()) << loaded.problems.front().format("adoption.json");
  const auto policy = VisibilityPolicy::compile(*loaded.workflow, nullptr);

  const Event expired = event_of(EventType::kDeadlineExpired, "each[2]/attest",
                                 {{"task", "x.t3"}, {"action", "next:overdue"}});
  const auto member = view_event(policy, expired, Visibility::kMember);
  ASSERT_TRUE(member.has_value());  // the member's own task expired: it may know that
  EXPECT_EQ(member->data()["action"], "next");
  EXPECT_EQ(member->data()["shown_as"], "follow-up");
  EXPECT_EQ(member->payload.find("overdue"), std::string::npos);
  const auto secretariat = view_event(policy, expired, Visibility::kRestricted);
  EXPECT_EQ(secretariat->data()["action"], "next:overdue");

  const Event branch =
      event_of(EventType::kBranchTaken, "each[2]/late", {{"rule", 0}, {"next", "overdue"}});
  const auto seen = view_event(policy, branch, Visibility::kMember);
  ASSERT_TRUE(seen.has_value());
  EXPECT_FALSE(seen->data().contains("next"));
  EXPECT_FALSE(seen->data().contains("rule"));
  EXPECT_EQ(seen->data()["shown_as"], "follow-up");
  // A branch to a step the role may see keeps its name.
  const Event fine =
      event_of(EventType::kBranchTaken, "each[2]/late", {{"rule", "default"}, {"next", "fine"}});
  EXPECT_EQ(view_event(policy, fine, Visibility::kMember)->data()["next"], "fine");
  // The restricted step's own events are not shown at all.
  EXPECT_FALSE(view_event(policy,
                          event_of(EventType::kStepSucceeded, "each[2]/overdue",
                                   {{"output", {{"overdue", true}}}}),
                          Visibility::kMember)
                   .has_value());
}

}  // namespace
}  // namespace coalition::event_view_test
