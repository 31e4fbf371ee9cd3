// Execution: one run of a workflow — its context documents, where each of its sequences stands,
// and its history. It interprets the workflow's steps; the Engine gives it threads, time and
// plugins through ExecutionHost. All state is guarded by one mutex, so handlers of one execution
// never run at once while different executions advance in parallel.
#ifndef COALITION_RUNTIME_EXECUTION_H_
#define COALITION_RUNTIME_EXECUTION_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "plugin_host/plugin_registry.h"
#include "runtime/clock.h"
#include "runtime/event.h"
#include "workflow/workflow.h"
#include "workflow/workflow_validator.h"

namespace coalition {

enum class ExecutionStatus { kRunning, kSucceeded, kFailed };
std::string_view to_string(ExecutionStatus status);

struct ExecutionSnapshot {
  std::string id;
  std::string workflow;  // id@version
  ExecutionStatus status = ExecutionStatus::kRunning;
  nlohmann::json output;
  StepError error;
  size_t suspended_steps = 0;  // attempts waiting for an external completion
  size_t running_steps = 0;    // attempts, waits and retries in progress
  std::vector<Event> history;
};

// What an execution needs from the engine. Implementations are thread-safe.
class ExecutionHost {
 public:
  virtual ~ExecutionHost() = default;
  virtual Clock& clock() = 0;
  virtual const PluginRegistry& registry() const = 0;
  virtual const WorkflowCatalog& catalog() const = 0;
  virtual void post(std::function<void()> work) = 0;           // scheduler work: short
  virtual void post_blocking(std::function<void()> work) = 0;  // plugin calls: may block
  virtual void record(const std::string& execution_id, const Event& event) = 0;
};

class Execution : public std::enable_shared_from_this<Execution> {
 public:
  Execution(ExecutionHost& host, std::string id, std::shared_ptr<const Workflow> workflow,
            nlohmann::json input);
  ~Execution();
  // Records execution_started and schedules the first step. Call once.
  void start();
  ExecutionSnapshot snapshot() const;
  bool terminal() const;

 private:
  struct Frame;
  struct Join;
  struct Attempt;

  // All private members run with mutex_ held.
  void record(EventType type, const std::string& step,
              nlohmann::json data = nlohmann::json::object());
  void enter(int64_t frame, const std::string& step_id);
  void advance(int64_t frame, const std::string& next);
  void run_task(int64_t frame, const Step& step, uint32_t attempt);
  void on_outcome(int64_t frame, uint64_t token, StepOutcome outcome);
  void on_step_error(int64_t frame, const Step& step, const StepError& error);
  void complete_step(int64_t frame, const Step& step, nlohmann::json output);
  void start_join(int64_t frame, const Step& step);
  void start_child(int64_t frame, const Step& step, size_t slot);
  void on_child_done(int64_t child, bool ok, nlohmann::json output, const StepError& error);
  void finish_frame(int64_t frame, bool ok, nlohmann::json output, const StepError& error);
  void finish_execution(bool ok, nlohmann::json output, const StepError& error);
  void cancel_frame_tree(int64_t frame);
  void run_wait(int64_t frame, const Step& step);
  uint64_t after(TimePoint when, std::function<void(Execution&)> fn);
  void schedule(std::function<void(Execution&)> fn);
  std::string step_path(int64_t frame, const std::string& step_id) const;
  std::string idempotency_key(int64_t frame, const Step& step) const;

  ExecutionHost& host_;
  const std::string id_;
  const std::shared_ptr<const Workflow> workflow_;
  mutable std::mutex mutex_;
  ExecutionStatus status_ = ExecutionStatus::kRunning;
  nlohmann::json output_;
  StepError error_;
  std::vector<Event> history_;
  std::map<int64_t, Frame> frames_;
  std::map<int64_t, Join> joins_;        // frame -> the join its current step waits on
  std::map<int64_t, Attempt> attempts_;  // frame -> its task attempt in flight
  std::set<int64_t> waiting_;            // frames in a wait step or a retry delay
  std::set<uint64_t> timers_;
  int64_t next_frame_ = 0;
  uint64_t next_token_ = 1;
};

}  // namespace coalition

#endif  // COALITION_RUNTIME_EXECUTION_H_
