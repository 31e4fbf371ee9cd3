// Workflow: a checked, immutable workflow definition (docs/workflow-format.md).
#ifndef COALITION_WORKFLOW_WORKFLOW_H_
#define COALITION_WORKFLOW_WORKFLOW_H_

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "guard/schema_fields.h"
#include "plugin_host/plugin_version.h"
#include "schema/json_schema.h"
#include "workflow/calendar_period.h"
#include "workflow/condition.h"
#include "workflow/duration.h"

namespace coalition {

enum class StepKind { kTask, kChoice, kParallel, kMap, kWorkflow, kWait, kSucceed, kFail };
std::string_view to_string(StepKind kind);

struct RetryPolicy {
  uint32_t max_attempts = 3;  // including the first
  Duration initial_interval = std::chrono::seconds(1);
  double backoff_coefficient = 2.0;
  Duration max_interval = std::chrono::minutes(1);
  double jitter = 0.0;                 // 0..1: each delay varies by up to ± this fraction
  std::vector<std::string> retryable;  // error codes; empty = every retryable error
};

struct CatchClause {
  std::vector<std::string> errors;  // codes, or "*" for any
  std::string next;
  std::string result;  // where the error object goes in the context; empty = nowhere
};

// How long, in calendar time or in business days of a named calendar.
struct Span {
  std::optional<Duration> fixed;
  uint32_t business_days = 0;
  std::string calendar;
};

// "PT24H", "3 business days (au-national)".
std::string describe(const Span& span);

// Who may complete a human task, and the rules the engine enforces on each completion.
// A completion the engine refuses with `code` when `when` holds over
// {"answer": ..., "context": ..., "actor": {"id", "role", "organisation"}}.
struct CompletionRule {
  Condition when;
  std::string code;
  std::string message;
};

struct AssignSpec {
  std::vector<std::string> roles;
  nlohmann::json roles_ref;  // null, or a reference resolved when the task opens (wins over roles)
  nlohmann::json organisation;  // null, a string, or a template resolved when the task opens
  uint32_t quorum = 1;
  std::vector<std::string> separate_from;  // step ids in the same sequence
  bool not_initiator = false;
  bool justification = false;
  std::vector<CompletionRule> refuse;
};

// When something is due: `in` (a span, or a reference to one) after `from` (a context pointer;
// empty: when the step starts), or `at`, a context pointer to the instant itself.
struct DueSpec {
  Span in;
  nlohmann::json in_ref;  // null, or a reference to a span resolved when the step starts
  std::string from;
  std::string at;
};

struct EscalationTier {
  std::vector<std::string> roles;
  DueSpec due;  // `from` is unused: a tier runs from the moment it escalates
};

struct DeadlineSpec {
  DueSpec due;
  std::optional<DueSpec> cap;
  std::vector<std::string> extend_roles;  // who may move it; empty: the task's current roles
  std::vector<Duration> remind;           // before the due time
  std::vector<EscalationTier> escalate;
  std::string on_expiry_next;  // empty: fail with deadline.expired (unless keep_open)
  // "keep_open": past the last tier the task stays open with the last tier's roles, overdue and
  // said so (deadline_expired, action keep_open): an internal target never fails a case.
  bool on_expiry_keep_open = false;
};

struct ChoiceRule {
  Condition when;
  std::string next;
};

enum class JoinMode { kAll, kAny, kAtLeast };

// How a map step treats its items: all of them; one at a time until one succeeds; or all at
// once until one succeeds (the others are then cancelled).
enum class MapMode { kEach, kFirstSuccess, kAnySuccess };

// Whether the map settles on the first item that succeeds ({index, item, output}).
inline bool settles_on_one(MapMode mode) {
  return mode != MapMode::kEach;
}

struct Step;

// An ordered list of steps with one entry; parallel branches and map iterations are sequences.
struct Sequence {
  std::vector<Step> steps;
  std::map<std::string, size_t> index;  // step id -> position
  std::string start;                    // id of the first step to run
  const Step* find(const std::string& id) const;
};

struct Branch {
  std::string name;
  std::shared_ptr<const Sequence> sequence;
};

struct Step {
  std::string id;
  StepKind kind = StepKind::kTask;
  std::string pointer;  // where it is in the file, for messages
  std::string next;     // empty: the end of its sequence
  std::string result;   // where the output goes in the context; empty: discarded

  // task
  std::string type;
  nlohmann::json parameters = nlohmann::json::object();
  RetryPolicy retry;
  std::optional<Duration> timeout;
  std::vector<CatchClause> catches;
  std::optional<AssignSpec> assign;
  std::optional<DeadlineSpec> deadline;
  // choice
  std::vector<ChoiceRule> choices;
  std::string default_next;
  // parallel
  std::vector<Branch> branches;
  // The indexes of `branches` in the order of their names, as a join's output lists them (read
  // once, so a join writes its output in order instead of searching it branch by branch). A
  // step built without it (empty) is joined all the same.
  std::vector<size_t> branches_by_name;
  JoinMode join = JoinMode::kAll;
  uint32_t join_count = 0;
  std::vector<size_t> join_of;  // kAll: indexes of the branches waited for; empty: every branch
  // map
  std::string items;  // context pointer of the list
  std::shared_ptr<const Sequence> iterator;
  uint32_t max_concurrency = 0;  // 0: no limit
  MapMode map_mode = MapMode::kEach;
  // sub-workflow
  std::string workflow_id;
  int64_t workflow_version = 0;
  nlohmann::json input = nlohmann::json::object();
  // wait
  std::optional<CalendarPeriod> wait_for;  // years and months on the calendar (a review in P12M)
  std::string wait_until;                  // context pointer of an RFC 3339 instant
  // succeed
  std::optional<nlohmann::json> output;
  // fail
  std::string error_code;
  std::string error_message;
};

struct Workflow {
  std::string id;
  int64_t version = 0;
  std::string title;
  std::string description;
  nlohmann::json input_schema = nlohmann::json::object();
  std::optional<JsonSchema> compiled_input_schema;
  // The input fields that leave the member (x-coalition-outbound), read once at load.
  SchemaFields outbound_input;
  std::optional<Duration> timeout;
  // "requires": the versions of plugins it needs, by plugin id (plugin_host/plugin_version.h).
  PluginRequirements plugin_requirements;
  std::shared_ptr<const Sequence> main;
  // Its steps in every sequence (each branch and a map's iteration counted once), counted at
  // load: how much history an execution will likely record. 0 for a workflow built by hand.
  size_t step_count = 0;
  // "security_contact": {roles, organisation?}, told when media is refused in an execution of
  // it (runtime/engine.h); null when the workflow names none.
  nlohmann::json security_contact;
  std::string source;       // file it came from
  nlohmann::json document;  // as written

  std::string key() const { return id + "@" + std::to_string(version); }
};

// The sub-workflow steps of `workflow`, in every sequence (branches and map iterations too), in
// file order.
std::vector<const Step*> sub_workflow_calls(const Workflow& workflow);

}  // namespace coalition

#endif  // COALITION_WORKFLOW_WORKFLOW_H_
