// The private state of an Execution, shared by the files that implement it. Everything here is
// plain data, which execution_snapshot.cc turns into a PersistedState and back. (Tasks and
// timers are held in their persisted form: runtime/persisted_state.h, runtime/execution_timer.h.)
#ifndef COALITION_RUNTIME_EXECUTION_STATE_H_
#define COALITION_RUNTIME_EXECUTION_STATE_H_

#include <cstdint>
#include <optional>

#include "runtime/deadline.h"
#include "runtime/execution.h"
#include "runtime/persisted_state.h"
#include "runtime/slot_state.h"
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

}  // namespace coalition

#endif  // COALITION_RUNTIME_EXECUTION_STATE_H_
