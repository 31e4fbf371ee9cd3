// Visibility: who may see what of an execution. A workflow classes its context fields and its
// steps as public, member or restricted, and grants each role a clearance (the highest class it
// may see). Status, history, timeline and export views of a role keep only what its clearance
// allows; exports never carry restricted data. The classes come from the workflow's
// `visibility` block (docs/workflow-format.md, "Who sees what"):
//
//   "visibility": {"default": "member", "shown_as": "compliance review in progress",
//                  "roles": {"relationship_manager": "public", "bsa_officer": "restricted"},
//                  "fields": {"/report": "restricted"}}
//   step: "visibility": "restricted"  or  {"class": "restricted", "shown_as": "..."}
//
// The engine derives the rest so that a workflow cannot forget it: a step's class covers every
// step inside it (branches, iterations, sub-workflows), and the field its `result` writes, also
// where that field travels inside a parallel, map or sub-workflow result.
#ifndef COALITION_WORKFLOW_VISIBILITY_H_
#define COALITION_WORKFLOW_VISIBILITY_H_

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workflow/problem.h"
#include "workflow/workflow.h"
#include "workflow/workflow_validator.h"

namespace coalition {

enum class Visibility { kPublic = 0, kMember = 1, kRestricted = 2 };

std::string_view to_string(Visibility v);
std::optional<Visibility> parse_visibility(std::string_view text);

// A role's clearance when a command runs without --view: the operator's own view, everything.
inline constexpr Visibility kFullClearance = Visibility::kRestricted;

class VisibilityPolicy {
 public:
  // `catalog` resolves sub-workflows (nullptr: their steps take the calling step's class).
  static VisibilityPolicy compile(const Workflow& workflow, const WorkflowCatalog* catalog);

  // The role's clearance: its grant in the workflow, else public (least privilege).
  Visibility clearance(const std::string& role) const;

  struct StepView {
    const Step* step = nullptr;  // nullptr: the path names no step of this workflow
    Visibility cls = Visibility::kPublic;
    std::string shown_as;  // what a role below `cls` reads instead
  };
  // The step an event's path names (`review/signoff`, `notify[bank]/send`,
  // `each_member[2]/ack`, `escalate(escalation_run)/page`); "" is the execution itself (public).
  // A path that names nothing is treated as restricted: never shown by mistake.
  StepView step(const std::string& path) const;
  bool can_see_step(const std::string& path, Visibility clearance) const {
    return step(path).cls <= clearance;
  }

  // `value` as `clearance` may see it, where `value` sits at `pointer` of the main context
  // ("" for the whole context, "/input" for the input). Fields above the clearance are
  // removed; nullopt when nothing of it may be seen.
  std::optional<nlohmann::json> filter_context(const nlohmann::json& value,
                                               const std::string& pointer,
                                               Visibility clearance) const;
  // The output of the step at `path` as `clearance` may see it (its fields classed as they
  // will be where its `result` puts them).
  std::optional<nlohmann::json> filter_step_output(const std::string& path,
                                                   const nlohmann::json& output,
                                                   Visibility clearance) const;
  // A frame's context (frame path as in the snapshot: "" for the main sequence, else the
  // container's path ending in '/').
  std::optional<nlohmann::json> filter_frame_context(const std::string& frame_path,
                                                     const nlohmann::json& context,
                                                     Visibility clearance) const;

  // Whether `role` is one of the policy's followers ("visibility.followers"): roles that follow
  // the workflow's executions in their own organisation without acting on them (app/access.h).
  bool followed_by(const std::string& role) const {
    return std::find(followers_.begin(), followers_.end(), role) != followers_.end();
  }
  const std::vector<std::string>& followers() const { return followers_; }

  const std::string& shown_as() const { return shown_as_; }
  Visibility default_class() const { return default_; }

  // Task titles that read context fields above their step's class (`{"$path"}`,
  // `{"$template"}`): a title is shown wherever its task is — inboxes, the timeline, the
  // history — so it may not carry what the step's viewers may not see. One problem per title,
  // at its pointer.
  Problems check_task_titles(const Workflow& workflow) const;

  // A rule: the fields a pattern of tokens ("*" matches any one token) reach have this class.
  struct Rule {
    std::vector<std::string> tokens;
    Visibility cls;
    bool stated = false;  // the workflow's own `fields`: wins a tie with a derived rule
  };

 private:
  class Compiler;  // compile()'s steps (visibility.cc)

  std::optional<nlohmann::json> filter(const nlohmann::json& value,
                                       std::vector<std::string>& tokens,
                                       const std::vector<Rule>& rules, Visibility clearance) const;
  const std::vector<Rule>& rules_of(const Sequence* sequence) const;

  Visibility default_ = Visibility::kMember;
  std::string shown_as_ = "in progress";
  std::map<std::string, Visibility> roles_;
  std::vector<std::string> followers_;
  const Workflow* workflow_ = nullptr;
  const WorkflowCatalog* catalog_ = nullptr;
  std::map<const Sequence*, std::vector<Rule>> rules_;               // per sequence context
  std::map<const Step*, std::pair<Visibility, std::string>> steps_;  // own class, shown_as
};

}  // namespace coalition

#endif  // COALITION_WORKFLOW_VISIBILITY_H_
