// The private state of an Execution, shared by the files that implement it.
#ifndef COALITION_RUNTIME_EXECUTION_STATE_H_
#define COALITION_RUNTIME_EXECUTION_STATE_H_

#include "runtime/execution.h"

namespace coalition {

using nlohmann::json;

// An error raised by the engine itself (not by a plugin) while interpreting a step.
inline StepError make_error(std::string code, std::string message) {
  return {std::move(code), std::move(message), {}};
}

// One running sequence: the workflow's main steps, a parallel branch, a map iteration or a
// sub-workflow. Each has its own context document.
struct Execution::Frame {
  const Sequence* sequence = nullptr;
  std::shared_ptr<const Workflow> workflow;  // owner of `sequence` (differs in sub-workflows)
  json context;
  std::string path;  // prefix of its step paths: "", "fanout[bank]/", "each[2]/"
  int64_t parent = -1;
  size_t slot = 0;  // branch or item index in the parent's join
  std::string current;
  std::map<std::string, uint32_t> visits;  // so a step entered again gets a new key
  bool done = false;
};

// A parallel, map or sub-workflow step waiting for its child frames.
struct Execution::Join {
  const Step* step = nullptr;
  json items;                 // map: the list
  std::vector<json> outputs;  // per slot
  std::vector<int> state;     // per slot: 0 not started, 1 running, 2 succeeded, 3 failed
  std::vector<int64_t> children;
  size_t succeeded = 0;
  size_t failed = 0;
  size_t running = 0;
  size_t next_slot = 0;
};

struct Execution::Attempt {
  const Step* step = nullptr;
  uint32_t number = 1;
  uint64_t token = 0;
  uint64_t timeout_timer = 0;
};

}  // namespace coalition

#endif  // COALITION_RUNTIME_EXECUTION_STATE_H_
