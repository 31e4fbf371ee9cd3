// The private state of an Execution, shared by the files that implement it. Everything here is
// plain data so that execution_snapshot.cc can write it to the store and read it back.
#ifndef COALITION_RUNTIME_EXECUTION_STATE_H_
#define COALITION_RUNTIME_EXECUTION_STATE_H_

#include <cstdint>
#include <optional>

#include "runtime/deadline.h"
#include "runtime/execution.h"
#include "workflow/context.h"

namespace coalition {

using nlohmann::json;

// The keys of an execution's state parts (store.h StatePart): a frozen context layer, and the
// outputs of a join's finished slots ("out/<frame>/<slot>").
// Layer ids are zero-padded to one width, so a key is never the prefix of another and a drop
// by prefix removes exactly one layer.
inline std::string layer_part_key(uint64_t id) {
  std::string digits = std::to_string(id);
  return "layer/" + std::string(20 - digits.size(), '0') + digits;
}
inline std::string join_part_prefix(int64_t frame) {
  return "out/" + std::to_string(frame) + "/";
}

// An error raised by the engine itself (not by a plugin) while interpreting a step.
inline StepError make_error(std::string code, std::string message) {
  return {std::move(code), std::move(message), {}};
}

// One running sequence: the workflow's main steps, a parallel branch, a map iteration or a
// sub-workflow. Each has its own context; a branch or iteration shares its parent's (as it
// stood when the container step began) through frozen layers instead of copying it. A finished
// child frame keeps no context: its output has gone to the join.
struct Execution::Frame {
  const Sequence* sequence = nullptr;
  std::shared_ptr<const Workflow> workflow;  // owner of `sequence` (differs in sub-workflows)
  Context context;
  std::string path;  // prefix of its step paths: "", "fanout[bank]/", "each[2]/"
  int64_t parent = -1;
  size_t slot = 0;  // branch or item index in the parent's join
  std::string current;
  TimePoint entered_at;  // of `current`: deadlines without an anchor count from it
  // The current step's deadline, when it declares one.
  std::optional<TimePoint> due;
  std::optional<TimePoint> cap;            // an extension may not go beyond
  uint32_t level = 0;                      // escalation tiers passed
  DueBasis basis;                          // how `due` was reached, and under which calendar
  DueBasis cap_basis;                      // how `cap` was
  std::map<std::string, uint32_t> visits;  // so a step entered again gets a new key
  // Times a plugin call of the current step took the engine process down (in process).
  uint32_t crashes = 0;
  bool done = false;
};

// Where one slot of a join (a branch, a map item, the sub-workflow) stands. The numbers are what
// a snapshot stores; slot_state_from() refuses any other.
enum class SlotState : uint8_t { kNotStarted = 0, kRunning = 1, kSucceeded = 2, kFailed = 3 };

inline int slot_state_number(SlotState s) {
  return static_cast<int>(s);
}
inline std::optional<SlotState> slot_state_from(int64_t n) {
  if (n < 0 || n > 3) return std::nullopt;
  return static_cast<SlotState>(n);
}

// A parallel, map or sub-workflow step waiting for its child frames.
struct Execution::Join {
  const Step* step = nullptr;
  // map: the list, inside `items_from` (the parent's context frozen when the map began, kept
  // alive here so the pointer stays valid)
  std::shared_ptr<ContextLayer> items_from;
  const json* items = nullptr;
  std::vector<json> outputs;     // per slot
  std::vector<size_t> unsaved;   // durable: slots whose output no snapshot has written yet
  std::vector<SlotState> state;  // per slot
  std::vector<int64_t> children;
  size_t succeeded = 0;
  size_t failed = 0;
  size_t running = 0;
  size_t next_slot = 0;
};

// A human task opened by a suspended attempt.
struct Execution::Task {
  std::string id;
  json spec;                         // title, instructions, answer_schema: from the plugin
  std::vector<std::string> roles;    // who may complete it now (changes on escalation)
  std::string organisation;          // empty: any
  json completions = json::array();  // {actor, role, organisation, at, data}
  std::string assignee;              // who claimed it or had it reassigned; empty: nobody
  TimePoint created_at;
};

struct Execution::Attempt {
  const Step* step = nullptr;
  uint32_t number = 1;
  uint64_t token = 0;  // in this process: matches the outcome to the attempt
  bool suspended = false;
  std::string signal;  // a signal name, when it waits for one
  std::optional<Task> task;
  // While a completion or signal is being handed to the plugin: what it was given, so a
  // restart hands it over again.
  std::optional<json> resume_input;
  // The version of the plugin the attempt started under: a suspended step resumes under the
  // same major (PluginRegistry::find_for_resume). Empty in snapshots older than versions.
  std::string plugin_version;
  // The idempotency key (and task token) the attempt started under, when a migration has since
  // renamed its step: the plugin still knows the attempt by it. Empty: derived as usual.
  std::string key;
};

// Numbered as snapshots store them.
enum class Execution::TimerKind : int {
  kWorkflowTimeout = 0,
  kAttemptTimeout = 1,
  kRetry = 2,
  kWait = 3,
  kDeadline = 4,
  kReminder = 5,
};

struct Execution::Timer {
  TimePoint due;
  TimerKind kind = TimerKind::kWait;
  int64_t frame = 0;
  uint32_t attempt = 0;   // kAttemptTimeout: the attempt it times out; kRetry: the one it starts
  uint32_t level = 0;     // kDeadline: the escalation level the deadline applies to
  uint32_t reminder = 0;  // kReminder: its index in the deadline's remind list
  uint64_t clock_id = 0;  // in this process

  // The one number a snapshot keeps beside the kind: the field above that the kind uses.
  uint32_t stored_argument() const {
    switch (kind) {
      case TimerKind::kAttemptTimeout:
      case TimerKind::kRetry: return attempt;
      case TimerKind::kDeadline: return level;
      case TimerKind::kReminder: return reminder;
      case TimerKind::kWorkflowTimeout:
      case TimerKind::kWait: return 0;
    }
    return 0;
  }
  // A timer as a snapshot kept it (stored_argument() back into its field); nullopt for a kind
  // this code never writes.
  static std::optional<Timer> from_stored(TimePoint due, int64_t kind, int64_t frame,
                                          uint32_t argument) {
    if (kind < static_cast<int>(TimerKind::kWorkflowTimeout) ||
        kind > static_cast<int>(TimerKind::kReminder)) {
      return std::nullopt;
    }
    Timer t{.due = due, .kind = static_cast<TimerKind>(kind), .frame = frame};
    switch (t.kind) {
      case TimerKind::kAttemptTimeout:
      case TimerKind::kRetry: t.attempt = argument; break;
      case TimerKind::kDeadline: t.level = argument; break;
      case TimerKind::kReminder: t.reminder = argument; break;
      case TimerKind::kWorkflowTimeout:
      case TimerKind::kWait: break;
    }
    return t;
  }
};

}  // namespace coalition

#endif  // COALITION_RUNTIME_EXECUTION_STATE_H_
