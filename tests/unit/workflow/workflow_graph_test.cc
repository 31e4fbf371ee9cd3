#include "workflow/workflow_graph.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "workflow/workflow_loader.h"

namespace coalition {
namespace {

constexpr const char* kWorkflow = R"({"id": "g", "version": 3, "title": "Graph \"test\"", "steps": [
  {"id": "route", "kind": "choice", "choices": [{"when": {"path": "/input/p", "eq": "P0"}, "next": "fan"}], "default": "stop"},
  {"id": "fan", "kind": "parallel", "branches": [{"name": "bank", "steps": [{"id": "call", "kind": "task", "type": "noop"}]}],
   "catch": [{"errors": ["parallel.branch_failed"], "next": "stop"}], "next": "done"},
  {"id": "done", "kind": "succeed"},
  {"id": "stop", "kind": "fail", "error": "x.stopped", "message": "stopped"}]})";

TEST(WorkflowGraph, DotHasStepsRulesCatchEdgesAndBranchClusters) {
  auto loaded = load_workflow(kWorkflow, "g.json");
  ASSERT_TRUE(loaded.workflow);
  const std::string dot = render_graph(*loaded.workflow, GraphFormat::kDot);
  EXPECT_EQ(dot.rfind("digraph \"g\" {", 0), 0u);
  EXPECT_NE(dot.find("Graph \\\"test\\\""), std::string::npos);
  EXPECT_NE(dot.find("n_route -> n_fan [label=\"rule 1\"]"), std::string::npos) << dot;
  EXPECT_NE(dot.find("n_route -> n_stop [label=\"default\"]"), std::string::npos);
  EXPECT_NE(dot.find("n_fan -> n_stop [label=\"catch parallel.branch_failed\", style=dashed]"),
            std::string::npos);
  EXPECT_NE(dot.find("subgraph cluster_"), std::string::npos);
  EXPECT_NE(dot.find("n_fan -> n_fan__bank__call [label=\"bank\"]"), std::string::npos);
  EXPECT_EQ(dot.back(), '\n');
}

TEST(WorkflowGraph, MermaidIsAFlowchart) {
  auto loaded = load_workflow(kWorkflow, "g.json");
  const std::string m = render_graph(*loaded.workflow, GraphFormat::kMermaid);
  EXPECT_EQ(m.rfind("flowchart TD\n", 0), 0u);
  EXPECT_NE(m.find("n_route -->|\"rule 1\"| n_fan"), std::string::npos) << m;
  EXPECT_NE(m.find("n_fan -.->|\"catch parallel.branch_failed\"| n_stop"), std::string::npos);
  EXPECT_NE(m.find("subgraph "), std::string::npos);
  EXPECT_NE(m.find("  end\n"), std::string::npos);
}

TEST(WorkflowGraph, JsonHasTheSameNodesEdgesAndGroupsAsData) {
  auto loaded = load_workflow(kWorkflow, "g.json");
  ASSERT_TRUE(loaded.workflow);
  const nlohmann::json g = graph_document(*loaded.workflow);
  auto node = [&](const std::string& id) {
    for (const auto& n : g["nodes"]) {
      if (n["id"] == id) return n;
    }
    return nlohmann::json();
  };
  EXPECT_EQ(node("n_route")["lines"], (nlohmann::json{"route", "choice"}));
  EXPECT_EQ(node("n___start")["terminal"], true);
  EXPECT_EQ(node("n_fan__bank__call")["group"], "n_fan__bank____group");
  EXPECT_FALSE(node("n_fan").contains("group"));
  EXPECT_EQ(g["groups"],
            (nlohmann::json{{{"id", "n_fan__bank____group"}, {"label", "fan / bank"}}}));
  const nlohmann::json caught{{"from", "n_fan"},
                              {"to", "n_stop"},
                              {"label", "catch parallel.branch_failed"},
                              {"dashed", true}};
  EXPECT_NE(std::find(g["edges"].begin(), g["edges"].end(), caught), g["edges"].end()) << g.dump();
  // One edge in the data for each edge in the drawing.
  const std::string m = render_graph(*loaded.workflow, GraphFormat::kMermaid);
  size_t arrows = 0;
  for (size_t at = 0; (at = m.find("-", at)) != std::string::npos; ++at) {
    if (m.compare(at, 3, "-->") == 0 || m.compare(at, 4, "-.->") == 0) ++arrows;
  }
  EXPECT_EQ(g["edges"].size(), arrows);
  EXPECT_EQ(nlohmann::json::parse(render_graph(*loaded.workflow, GraphFormat::kJson)), g);
}

TEST(WorkflowGraph, JsonNestsAMapInsideABranchUnderItsGroup) {
  auto loaded = load_workflow(R"({"id": "n", "version": 1, "title": "nested", "steps": [
    {"id": "fan", "kind": "parallel", "branches": [{"name": "bank", "steps": [
      {"id": "each", "kind": "map", "items": "/input/list", "steps": [
        {"id": "call", "kind": "task", "type": "noop"}]}]}], "next": "done"},
    {"id": "done", "kind": "succeed"}]})",
                              "n.json");
  ASSERT_TRUE(loaded.workflow);
  const nlohmann::json g = graph_document(*loaded.workflow);
  const nlohmann::json groups{{{"id", "n_fan__bank____group"}, {"label", "fan / bank"}},
                              {{"id", "n_fan__bank__each__each____group"},
                               {"label", "each / each"},
                               {"parent", "n_fan__bank____group"}}};
  EXPECT_EQ(g["groups"], groups);
  for (const auto& n : g["nodes"]) {
    if (n["id"] == "n_fan__bank__each__each__call") {
      EXPECT_EQ(n["group"], "n_fan__bank__each__each____group");  // the innermost
    }
    if (n["id"] == "n_fan__bank__each") {
      EXPECT_EQ(n["group"], "n_fan__bank____group");
    }
    if (n["id"] == "n_done") {
      EXPECT_FALSE(n.contains("group"));  // closed again
    }
  }
}

// A task with a deadline: who may complete it, when it is due, its reminders, each escalation
// tier and the step its expiry leads to (otherwise reachable from nowhere) are all drawn.
constexpr const char* kDeadlines = R"({"id": "d", "version": 1, "title": "Deadlines", "steps": [
  {"id": "review", "kind": "task", "type": "approval", "parameters": {"title": "Review"},
   "assign": {"roles": ["analyst", "lead"], "organisation": {"$path": "/input/member"}, "quorum": 2},
   "deadline": {"in": {"business_days": 2, "calendar": "us-federal"}, "from": "/input/at",
                "remind": ["PT24H", "PT4H"],
                "escalate": [{"roles": ["deputy"], "in": "PT48H"}, {"roles": ["cco"], "at": "/input/cap"}],
                "on_expiry": {"next": "board"}},
   "next": "done"},
  {"id": "done", "kind": "succeed"},
  {"id": "board", "kind": "fail", "error": "x.expired", "message": "expired"}]})";

TEST(WorkflowGraph, DeadlinesDrawRemindersEscalationTiersAndTheExpiryEdgeWithAssignees) {
  auto loaded = load_workflow(kDeadlines, "d.json");
  ASSERT_TRUE(loaded.workflow) << loaded.problems.front().message;
  const std::string dot = render_graph(*loaded.workflow, GraphFormat::kDot);
  EXPECT_NE(dot.find("n_review [label=\"review\\napproval\\nroles analyst, lead of /input/member, "
                     "quorum 2\\ndue 2 business days (us-federal) after /input/at\"]"),
            std::string::npos)
      << dot;
  EXPECT_NE(dot.find("n_review -> n_review____remind [label=\"reminder\", style=dashed]"),
            std::string::npos);
  EXPECT_NE(dot.find("n_review____remind [label=\"remind P1D, PT4H\\nbefore due\", "
                     "shape=note, style=dashed]"),
            std::string::npos);
  EXPECT_NE(dot.find("n_review -> n_review____escalate_1 [label=\"overdue\", style=dashed]"),
            std::string::npos);
  EXPECT_NE(dot.find("n_review____escalate_1 -> n_review____escalate_2 [label=\"still overdue\", "
                     "style=dashed]"),
            std::string::npos);
  EXPECT_NE(dot.find("escalate to cco\\ndue at /input/cap"), std::string::npos);
  EXPECT_NE(dot.find("n_review____escalate_2 -> n_board [label=\"deadline expired\", "
                     "style=dashed]"),
            std::string::npos);

  const std::string m = render_graph(*loaded.workflow, GraphFormat::kMermaid);
  EXPECT_NE(m.find("n_review____escalate_1>\"escalate to deputy<br/>due P2D\"]"), std::string::npos)
      << m;
  EXPECT_NE(m.find("n_review____escalate_2 -.->|\"deadline expired\"| n_board"), std::string::npos);

  const nlohmann::json g = graph_document(*loaded.workflow);
  nlohmann::json review;
  nlohmann::json tier;
  for (const auto& n : g["nodes"]) {
    if (n["id"] == "n_review") review = n;
    if (n["id"] == "n_review____escalate_1") tier = n;
  }
  EXPECT_EQ(review["assignees"], (nlohmann::json{{"roles", {"analyst", "lead"}},
                                                 {"organisation_from", "/input/member"},
                                                 {"quorum", 2}}));
  EXPECT_EQ(review["lines"].size(), 4u);
  EXPECT_EQ(tier["timer"], true);
  const nlohmann::json expiry{{"from", "n_review____escalate_2"},
                              {"to", "n_board"},
                              {"label", "deadline expired"},
                              {"dashed", true}};
  EXPECT_NE(std::find(g["edges"].begin(), g["edges"].end(), expiry), g["edges"].end());
}

}  // namespace
}  // namespace coalition
