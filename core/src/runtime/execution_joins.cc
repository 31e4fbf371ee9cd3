// The parts of Execution that fork and join: parallel branches, map iterations, sub-workflows,
// and how a finished sequence reports to whoever started it.
#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "common/json_text.h"
#include "guard/report_disclosure.h"
#include "history/event_payload.h"
#include "runtime/execution.h"
#include "runtime/execution_state.h"
#include "workflow/data_template.h"

namespace coalition {

using nlohmann::json;

namespace {

// How many successes complete the step, for a join over `n` slots.
size_t needed(const Step& step, size_t n) {
  if (step.kind == StepKind::kMap && settles_on_one(step.map_mode)) return 1;
  if (step.kind != StepKind::kParallel) return n;
  switch (step.join) {
    case JoinMode::kAll: return step.join_of.empty() ? n : step.join_of.size();
    case JoinMode::kAny: return 1;
    case JoinMode::kAtLeast: return step.join_count;
  }
  return n;
}

// How many children may run at once: one for a first_success map (a fallback chain),
// max_concurrency for a map that sets it, and never more than `most` (limits.map_concurrency):
// a map over 100,000 items must not hold 100,000 live frames and calls at once.
size_t concurrency_limit(const Step& step, size_t slots, size_t most) {
  if (step.kind != StepKind::kMap) return slots;
  if (step.map_mode == MapMode::kFirstSuccess) return 1;
  size_t limit = step.max_concurrency > 0 ? step.max_concurrency : slots;
  return std::min({limit, slots, std::max<size_t>(most, 1)});
}

// Whether the join waits for `slot`: every slot, except the supporting branches of a parallel
// step whose join names the branches it waits `of`.
bool awaited(const Step& step, size_t slot) {
  if (step.kind != StepKind::kParallel || step.join_of.empty()) return true;
  return std::find(step.join_of.begin(), step.join_of.end(), slot) != step.join_of.end();
}

}  // namespace

size_t Execution::workflow_depth(int64_t frame) const {
  // Each sub-workflow adds "<step>(<workflow id>)/" to its frames' path, and ids cannot hold
  // a parenthesis (the format's id pattern): the count of them is the nesting.
  const std::string& path = frames_.at(frame).path;
  return static_cast<size_t>(std::count(path.begin(), path.end(), '('));
}

void Execution::start_join(int64_t frame, const Step& step) {
  Frame& f = frames_.at(frame);
  Join join;
  join.step = &step;
  size_t slots = 0;
  if (step.kind != StepKind::kWorkflow) f.context.freeze();  // its children read it as it is now
  if (step.kind == StepKind::kParallel) {
    slots = step.branches.size();
  } else if (step.kind == StepKind::kMap) {
    const json* items = f.context.find(step.items);
    if (items == nullptr || !items->is_array()) {
      on_step_error(
          frame, step,
          make_error("map.items_not_a_list", step.items + " does not hold a list to iterate over"));
      return;
    }
    const size_t limit = host_.limits().map_items;
    if (items->size() > limit - std::min(limit, map_items_)) {
      on_step_error(frame, step,
                    make_error(kLimitMapItems,
                               fmt::format("mapping {} more items would pass the {} map "
                                           "iterations one execution may start "
                                           "(limits.map_items_per_execution); {} started so far",
                                           items->size(), limit, map_items_)));
      return;
    }
    map_items_ += items->size();
    join.items_from = f.context.frozen();
    join.items = items;
    slots = items->size();
  } else {  // sub-workflow
    if (workflow_depth(frame) >= host_.limits().workflow_depth) {
      on_step_error(
          frame, step,
          make_error(kLimitWorkflowDepth, fmt::format("sub-workflows nested more than {} deep "
                                                      "(limits.workflow_depth)",
                                                      host_.limits().workflow_depth)));
      return;
    }
    auto child = host_.catalog().find(step.workflow_id, step.workflow_version);
    if (child == nullptr) {
      on_step_error(frame, step,
                    make_error("workflow.not_found", "workflow " + step.workflow_id + " version " +
                                                         std::to_string(step.workflow_version) +
                                                         " is not known"));
      return;
    }
    slots = 1;
  }
  join.outputs.assign(slots, nullptr);
  join.state.assign(slots, SlotState::kNotStarted);
  join.children.assign(slots, -1);
  joins_[frame] = std::move(join);
  if (slots == 0) {  // an empty list maps to an empty list
    joins_.erase(frame);
    complete_step(frame, step, json::array());
    return;
  }
  // next_slot is the only cursor: a child that finishes while it is being started (a choice
  // straight to succeed) may start the next slot itself, and this loop must not start it again.
  for (;;) {
    auto it = joins_.find(frame);
    // Settled already (a branch that finished at once satisfied an "any" join), and perhaps
    // the frame has moved on to another container step with its own join.
    if (it == joins_.end() || it->second.step != &step) break;
    const Join& j = it->second;
    if (j.next_slot >= slots ||
        j.running >= concurrency_limit(step, slots, host_.limits().map_concurrency))
      break;
    start_child(frame, step, j.next_slot);
  }
}

void Execution::start_child(int64_t frame, const Step& step, size_t slot) {
  Join& join = joins_.at(frame);
  const Frame& parent = frames_.at(frame);
  Frame child;
  child.parent = frame;
  child.slot = slot;
  child.workflow = parent.workflow;
  if (step.kind == StepKind::kParallel) {
    child.sequence = step.branches[slot].sequence.get();
    child.context = Context::inherit(parent.context, json());
    child.path = parent.path + step.id + "[" + step.branches[slot].name + "]/";
  } else if (step.kind == StepKind::kMap) {
    child.sequence = step.iterator.get();
    child.context =
        Context::inherit(parent.context, json{{"item", (*join.items)[slot]}, {"index", slot}});
    child.path = parent.path + step.id + "[" + std::to_string(slot) + "]/";
  } else {
    auto workflow = host_.catalog().find(step.workflow_id, step.workflow_version);
    auto input = resolve_template(step.input, parent.context);
    StepError error;
    if (!input) {
      error = make_error("reference.missing", "input" + input.error().to_string());
    } else if (workflow->compiled_input_schema) {
      auto violations = workflow->compiled_input_schema->validate(*input);
      if (!violations.empty()) {
        error = make_error("workflow.invalid_input", "input for " + workflow->key() + " at '" +
                                                         violations.front().pointer +
                                                         "': " + violations.front().message);
      } else if (auto found = find_report_disclosure(*input, workflow->outbound_input)) {
        // What the child sends on (a signal to every recipient) is screened as at a start.
        error =
            make_error("disclosure.refused", "input for " + workflow->key() + " at '" +
                                                 (found->pointer.empty() ? "/" : found->pointer) +
                                                 "': " + describe(*found));
      }
    }
    if (!error.code.empty()) {
      joins_.erase(frame);
      on_step_error(frame, step, error);
      return;
    }
    child.workflow = workflow;
    child.sequence = workflow->main.get();
    child.context = Context(json{{"input", std::move(*input)}});
    child.path = parent.path + step.id + "(" + workflow->id + ")/";
  }
  const int64_t id = next_frame_++;
  const std::string start = child.sequence->start;
  frames_.emplace(id, std::move(child));
  join.children[slot] = id;
  join.state[slot] = SlotState::kRunning;
  ++join.running;
  join.next_slot = std::max(join.next_slot, slot + 1);
  enter(id, start);
}

void Execution::finish_frame(int64_t frame, bool ok, json output, const StepError& error) {
  Frame& f = frames_.at(frame);
  if (f.done) return;
  f.done = true;
  if (f.parent < 0) {
    finish_execution(ok, std::move(output), error);
  } else {
    // Its output is taken: the context (and the layers it alone held) can go now, not when the
    // whole execution ends — a map keeps one finished frame per item.
    f.context = Context();
    f.visits.clear();
    on_child_done(frame, ok, std::move(output), error);
  }
}

namespace {

// Why a join that can no longer succeed failed, in its step's words: which branch, item or
// iteration, and with what.
StepError join_failure(const Step& step, size_t slot, size_t slots, const StepError& error) {
  if (step.kind == StepKind::kParallel) {
    return make_error("parallel.branch_failed",
                      fmt::format("branch '{}' failed with {}: {}", step.branches[slot].name,
                                  error.code, error.message));
  }
  if (step.kind == StepKind::kMap && settles_on_one(step.map_mode)) {
    return make_error("map.none_succeeded",
                      fmt::format("none of the {} items succeeded; the last failed with {}: {}",
                                  slots, error.code, error.message));
  }
  if (step.kind == StepKind::kMap) {
    return make_error("map.iteration_failed", fmt::format("iteration {} failed with {}: {}", slot,
                                                          error.code, error.message));
  }
  return error;
}

}  // namespace

void Execution::on_child_done(int64_t child, bool ok, json output, const StepError& error) {
  const Frame& c = frames_.at(child);
  const int64_t parent = c.parent;
  auto it = joins_.find(parent);
  if (it == joins_.end()) return;  // the join already settled
  Join& join = it->second;
  const Step& step = *join.step;
  const size_t slot = c.slot;
  --join.running;
  join.state[slot] = ok ? SlotState::kSucceeded : SlotState::kFailed;
  if (ok && host_.durable()) join.unsaved.push_back(slot);
  if (!awaited(step, slot)) {  // a supporting branch: its outcome changes nothing
    if (ok) join.outputs[slot] = std::move(output);
    return;
  }
  if (ok) {
    ++join.succeeded;
    join.outputs[slot] = std::move(output);
  } else {
    ++join.failed;
  }
  const size_t slots = step.join_of.empty() ? join.state.size() : step.join_of.size();
  const size_t need = needed(step, slots);
  if (!ok && slots - join.failed < need) {  // success is out of reach
    end_join(it);
    on_step_error(parent, step, join_failure(step, slot, slots, error));
    return;
  }
  if (join.succeeded >= need) {
    json result = join_output(join, slot);
    end_join(it);
    complete_step(parent, step, std::move(result));
    return;
  }
  if (step.kind == StepKind::kMap && join.next_slot < join.state.size() &&
      join.running < concurrency_limit(step, join.state.size(), host_.limits().map_concurrency)) {
    start_child(parent, step, join.next_slot);
  }
}

// What a settled join hands on: the branches' outputs by name, the one item that settled a
// first_success map, every iteration's output in order, or the sub-workflow's output. The
// outputs are moved out: the join ends right after.
json Execution::join_output(Join& join, size_t slot) {
  const Step& step = *join.step;
  if (step.kind == StepKind::kParallel) {
    json result = json::object();
    if (step.branches_by_name.size() == join.state.size()) {  // in order: each at the end
      auto& members = result.get_ref<json::object_t&>();
      for (size_t i : step.branches_by_name) {
        if (join.state[i] == SlotState::kSucceeded) {
          members.emplace_hint(members.end(), step.branches[i].name, std::move(join.outputs[i]));
        }
      }
      return result;
    }
    for (size_t i = 0; i < join.state.size(); ++i) {
      if (join.state[i] == SlotState::kSucceeded) {
        result[step.branches[i].name] = std::move(join.outputs[i]);
      }
    }
    return result;
  }
  if (step.kind == StepKind::kMap && settles_on_one(step.map_mode)) {
    return {
        {"index", slot}, {"item", (*join.items)[slot]}, {"output", std::move(join.outputs[slot])}};
  }
  if (step.kind == StepKind::kMap) {
    json result = json::array();
    for (auto& o : join.outputs) result.push_back(std::move(o));
    return result;
  }
  return std::move(join.outputs[0]);
}

void Execution::end_join(std::map<int64_t, Join>::iterator it) {
  const int64_t frame = it->first;
  // Only running children: finished ones may already be gone from memory (a restored
  // execution keeps only live frames), and there is nothing to cancel in them.
  std::vector<int64_t> running;
  for (size_t i = 0; i < it->second.children.size(); ++i) {
    if (it->second.children[i] >= 0 && it->second.state[i] == SlotState::kRunning) {
      running.push_back(it->second.children[i]);
    }
  }
  joins_.erase(it);
  drop_join_parts(frame);
  for (int64_t other : running) cancel_frame_tree(other);
}

void Execution::drop_join_parts(int64_t frame) {
  if (host_.durable()) dropped_parts_.push_back(join_part_prefix(frame));
}

// Stops a frame and everything below it; their late plugin results and timers are ignored.
void Execution::cancel_frame_tree(int64_t frame) {
  // A restored execution holds only the frames that were live: a finished child is not there.
  auto found = frames_.find(frame);
  if (found == frames_.end()) return;
  Frame& f = found->second;
  f.done = true;
  f.context = Context();
  close_task(frame, TaskStatus::kCancelled);
  cancel_frame_timers(frame);
  attempts_.erase(frame);
  waiting_.erase(frame);
  auto join = joins_.find(frame);
  if (join == joins_.end()) return;
  std::vector<int64_t> children = join->second.children;
  joins_.erase(join);
  drop_join_parts(frame);
  for (int64_t child : children) {
    if (child >= 0) cancel_frame_tree(child);
  }
}

void Execution::set_aside(const std::string& code, const std::string& message) {
  const Working working(*this);
  finish_execution(false, nullptr, make_error(code, message));
}

void Execution::stop_everything() {
  // Plugin calls still waiting for the commit never start: nothing runs for an execution that
  // has ended (and a retry runs again what was in flight from its own snapshot).
  held_calls_.clear();
  for (auto& [id, frame] : frames_) frame.done = true;
  for (const auto& [frame, attempt] : attempts_) close_task(frame, TaskStatus::kCancelled);
  for (const auto& [id, timer] : timers_) host_.clock().cancel(timer.clock_id);
  timers_.clear();
  attempts_.clear();
  waiting_.clear();
  joins_.clear();
}

void Execution::release_ended() {
  if (!is_finished(status_)) return;
  for (auto it = frames_.begin(); it != frames_.end();) {
    it = it->first == 0 ? std::next(it) : frames_.erase(it);
  }
  if (history_.capacity() > 2 * history_.size()) history_.shrink_to_fit();
}

Status Execution::cancel(const Actor& actor, const std::string& justification) {
  const Working working(*this);
  if (evicted_) return Error::evicted(kEvicted);
  if (status_ != ExecutionStatus::kRunning) {
    return Error::conflict("execution " + id_ + " has already " + std::string(to_string(status_)));
  }
  stop_everything();
  // The justification is the event's and the audit entry's, not the result's every reader sees.
  error_ = std::make_unique<const StepError>(
      make_error("execution.cancelled", "cancelled by " + actor.id));
  record(EventType::kExecutionCancelled, "",
         {{"actor", actor.id}, {"justification", justification}}, actor);
  status_ = ExecutionStatus::kCancelled;
  return ok_status();
}

void Execution::note_retry(const Actor& actor, const std::string& justification,
                           const StepError& failure) {
  const Working working(*this);
  json steps = json::array();
  for (auto& [frame, a] : attempts_) {
    // A retry is one more attempt, numbered on (same idempotency key): the step's retry policy
    // counts it, so a policy that was spent gives it this one try.
    if (!a.suspended) {
      ++a.number;
      steps.push_back(step_path(frame, a.step->id));
    }
    // The failure closed the task as cancelled: it is open again, as it stood.
    if (a.task) changed_tasks_.insert(frame);
  }
  record(EventType::kExecutionRetried, "",
         {{"actor", actor.id},
          {"justification", justification},
          {"error", failure.code},
          {"steps", std::move(steps)}},
         actor);
}

void Execution::finish_execution(bool ok, json output, const StepError& error) {
  if (status_ != ExecutionStatus::kRunning) return;
  stop_everything();
  if (ok) {
    json visible = std::move(output);
    output_ = visible;
    record_text(EventType::kExecutionCompleted, "", output_payload(visible), "{}");
    status_ = ExecutionStatus::kSucceeded;
  } else {
    error_ = std::make_unique<const StepError>(error);
    record(EventType::kExecutionFailed, "",
           {{"error", {{"code", error.code}, {"message", error.message}}}});
    status_ = ExecutionStatus::kFailed;
  }
}

}  // namespace coalition
