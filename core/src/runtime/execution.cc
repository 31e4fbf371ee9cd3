#include "runtime/execution.h"
#include "runtime/execution_state.h"

#include <fmt/format.h>

#include <functional>

#include "common/json_text.h"
#include "common/utc_time.h"
#include "runtime/retry_delay.h"
#include "workflow/data_template.h"

namespace coalition {

using nlohmann::json;

std::string_view to_string(ExecutionStatus status) {
  switch (status) {
    case ExecutionStatus::kRunning: return "running";
    case ExecutionStatus::kSucceeded: return "succeeded";
    case ExecutionStatus::kFailed: return "failed";
  }
  return "unknown";
}

namespace {

json error_json(const StepError& e, const std::string& step) {
  json doc{{"code", e.code}, {"message", e.message}};
  if (!step.empty()) doc["step"] = step;
  return doc;
}

bool retryable_by(const RetryPolicy& policy, const StepError& error) {
  if (policy.retryable.empty()) return true;
  for (const auto& code : policy.retryable) {
    if (code == error.code) return true;
  }
  return false;
}

}  // namespace

Execution::Execution(ExecutionHost& host, std::string id, std::shared_ptr<const Workflow> workflow,
                     json input)
    : host_(host), id_(std::move(id)), workflow_(std::move(workflow)) {
  Frame root;
  root.sequence = workflow_->main.get();
  root.workflow = workflow_;
  root.context = json{{"input", std::move(input)}};
  frames_.emplace(next_frame_++, std::move(root));
}

Execution::~Execution() = default;

void Execution::start() {
  schedule([](Execution& self) {
    self.record(EventType::kExecutionStarted, "",
                {{"workflow", self.workflow_->key()}, {"input", self.frames_[0].context["input"]}});
    if (self.workflow_->timeout) {
      self.after(self.host_.clock().now() + *self.workflow_->timeout, [](Execution& s) {
        s.finish_execution(false, nullptr,
                           make_error("workflow.timeout",
                                      "the workflow ran longer than its "
                                      "timeout of " +
                                          format_duration(*s.workflow_->timeout)));
      });
    }
    self.enter(0, self.frames_[0].sequence->start);
  });
}

bool Execution::terminal() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return status_ != ExecutionStatus::kRunning;
}

ExecutionSnapshot Execution::snapshot() const {
  std::lock_guard<std::mutex> lock(mutex_);
  ExecutionSnapshot s;
  s.id = id_;
  s.workflow = workflow_->key();
  s.status = status_;
  s.output = output_;
  s.error = error_;
  s.history = history_;
  s.running_steps = attempts_.size() + waiting_.size();
  for (const auto& [frame, attempt] : attempts_) {
    if (attempt.token == 0) ++s.suspended_steps;
  }
  s.running_steps -= s.suspended_steps;
  return s;
}

void Execution::schedule(std::function<void(Execution&)> fn) {
  host_.post([self = shared_from_this(), fn = std::move(fn)] {
    std::lock_guard<std::mutex> lock(self->mutex_);
    if (self->status_ != ExecutionStatus::kRunning) return;
    fn(*self);
  });
}

uint64_t Execution::after(TimePoint when, std::function<void(Execution&)> fn) {
  std::weak_ptr<Execution> weak = shared_from_this();
  auto id = std::make_shared<uint64_t>(0);
  *id = host_.clock().call_at(when, [weak, fn = std::move(fn), id] {
    if (auto self = weak.lock()) {
      self->schedule([fn, id](Execution& s) {
        s.timers_.erase(*id);
        fn(s);
      });
    }
  });
  timers_.insert(*id);
  return *id;
}

void Execution::record(EventType type, const std::string& step, json data) {
  Event event{history_.size() + 1, host_.clock().now(), type, step, std::move(data)};
  host_.record(id_, event);
  history_.push_back(std::move(event));
}

std::string Execution::step_path(int64_t frame, const std::string& step_id) const {
  return frames_.at(frame).path + step_id;
}

// Stable across retries and restarts: derived from the execution id and the step's place
// (branch names and item indexes included), plus the visit number when a loop re-enters it.
std::string Execution::idempotency_key(int64_t frame, const Step& step) const {
  const Frame& f = frames_.at(frame);
  std::string key = id_ + "/" + f.path + step.id;
  auto it = f.visits.find(step.id);
  if (it != f.visits.end() && it->second > 1) key += "#" + std::to_string(it->second);
  return key;
}

void Execution::enter(int64_t frame, const std::string& step_id) {
  Frame& f = frames_.at(frame);
  const Step* step = f.sequence->find(step_id);
  f.current = step_id;
  ++f.visits[step_id];
  const std::string path = step_path(frame, step_id);
  record(EventType::kStepScheduled, path, {{"kind", to_string(step->kind)}});
  switch (step->kind) {
    case StepKind::kTask: run_task(frame, *step, 1); return;
    case StepKind::kChoice: {
      for (size_t i = 0; i < step->choices.size(); ++i) {
        if (step->choices[i].when.evaluate(f.context)) {
          record(EventType::kBranchTaken, path, {{"rule", i}, {"next", step->choices[i].next}});
          enter(frame, step->choices[i].next);
          return;
        }
      }
      if (!step->default_next.empty()) {
        record(EventType::kBranchTaken, path, {{"rule", "default"}, {"next", step->default_next}});
        enter(frame, step->default_next);
        return;
      }
      on_step_error(frame, *step,
                    make_error("choice.no_match", "no rule of choice step '" + step->id +
                                                      "' holds and it "
                                                      "has no default"));
      return;
    }
    case StepKind::kParallel:
    case StepKind::kMap:
    case StepKind::kWorkflow: start_join(frame, *step); return;
    case StepKind::kWait: run_wait(frame, *step); return;
    case StepKind::kSucceed: {
      json output = f.context;
      if (step->output) {
        auto resolved = resolve_template(*step->output, f.context);
        if (!resolved) {
          on_step_error(frame, *step,
                        make_error("reference.missing", resolved.error().to_string()));
          return;
        }
        output = std::move(*resolved);
      }
      record(EventType::kStepSucceeded, path, {{"output", output}});
      finish_frame(frame, true, std::move(output), {});
      return;
    }
    case StepKind::kFail: {
      StepError error = make_error(step->error_code, step->error_message);
      record(EventType::kStepFailed, path, {{"error", error_json(error, "")}});
      finish_frame(frame, false, nullptr, error);
      return;
    }
  }
}

void Execution::advance(int64_t frame, const std::string& next) {
  if (next.empty()) {
    finish_frame(frame, true, frames_.at(frame).context, {});
  } else {
    enter(frame, next);
  }
}

void Execution::complete_step(int64_t frame, const Step& step, json output) {
  Frame& f = frames_.at(frame);
  if (!step.result.empty()) {
    if (auto s = write_at(f.context, step.result, output); !s) {
      on_step_error(frame, step, make_error("result.unwritable", s.error().message()));
      return;
    }
  }
  record(EventType::kStepSucceeded, step_path(frame, step.id), {{"output", std::move(output)}});
  advance(frame, step.next);
}

void Execution::run_task(int64_t frame, const Step& step, uint32_t number) {
  Frame& f = frames_.at(frame);
  const std::string path = step_path(frame, step.id);
  auto params = resolve_template(step.parameters, f.context);
  if (!params) {
    on_step_error(frame, step,
                  make_error("reference.missing", "parameters" + params.error().to_string()));
    return;
  }
  const StepType* type = host_.registry().find(step.type);
  if (type == nullptr) {
    on_step_error(
        frame, step,
        make_error("step.unknown_type", "step type '" + step.type + "' is not installed"));
    return;
  }
  StepContext context;
  context.execution_id = id_;
  context.step_id = path;
  context.attempt = number;
  context.idempotency_key = idempotency_key(frame, step);
  if (step.timeout) context.deadline = host_.clock().now() + *step.timeout;
  context.task_token = context.idempotency_key;

  Attempt attempt{&step, number, next_token_++, 0};
  record(EventType::kAttemptStarted, path,
         {{"attempt", number}, {"idempotency_key", context.idempotency_key}});
  if (step.timeout) {
    const uint64_t token = attempt.token;
    attempt.timeout_timer = after(*context.deadline, [frame, token, &step](Execution& s) {
      s.on_outcome(frame, token,
                   StepOutcome::failed(
                       StepStatus::kRetryableError, "step.timeout",
                       "the attempt did not finish within " + format_duration(*step.timeout)));
    });
  }
  attempts_[frame] = attempt;
  host_.post_blocking([self = shared_from_this(), type, frame, token = attempt.token,
                       params = std::move(*params), context = std::move(context)] {
    StepOutcome outcome = type->execute(params, context);
    self->schedule([frame, token, outcome = std::move(outcome)](Execution& s) mutable {
      s.on_outcome(frame, token, std::move(outcome));
    });
  });
}

void Execution::on_outcome(int64_t frame, uint64_t token, StepOutcome outcome) {
  auto it = attempts_.find(frame);
  if (it == attempts_.end() || it->second.token != token || frames_.at(frame).done) return;
  Attempt attempt = it->second;
  if (attempt.timeout_timer != 0) {
    host_.clock().cancel(attempt.timeout_timer);
    timers_.erase(attempt.timeout_timer);
  }
  const Step& step = *attempt.step;
  const std::string path = step_path(frame, step.id);
  switch (outcome.status) {
    case StepStatus::kOk:
      attempts_.erase(it);
      complete_step(frame, step, std::move(outcome.output));
      return;
    case StepStatus::kSuspend:
      it->second.token = 0;  // waits for a completion (durable executions issue)
      record(EventType::kStepSuspended, path,
             {{"wait", outcome.output}, {"task_token", idempotency_key(frame, step)}});
      return;
    case StepStatus::kRetryableError:
      if (attempt.number < step.retry.max_attempts && retryable_by(step.retry, outcome.error)) {
        const Duration delay =
            retry_delay(step.retry, attempt.number, idempotency_key(frame, step));
        attempts_.erase(it);
        waiting_.insert(frame);
        record(EventType::kRetryScheduled, path,
               {{"attempt", attempt.number},
                {"delay", format_duration(delay)},
                {"error", error_json(outcome.error, "")}});
        const uint32_t next = attempt.number + 1;
        after(host_.clock().now() + delay, [frame, &step, next](Execution& s) {
          s.waiting_.erase(frame);
          if (!s.frames_.at(frame).done) s.run_task(frame, step, next);
        });
        return;
      }
      [[fallthrough]];
    case StepStatus::kPermanentError:
    case StepStatus::kInvalidParameters:
      attempts_.erase(it);
      on_step_error(frame, step, outcome.error);
      return;
  }
}

// After retries: a matching catch clause routes the error, else the frame fails with it.
void Execution::on_step_error(int64_t frame, const Step& step, const StepError& error) {
  const std::string path = step_path(frame, step.id);
  record(EventType::kStepFailed, path, {{"error", error_json(error, "")}});
  for (const auto& clause : step.catches) {
    for (const auto& code : clause.errors) {
      if (code != "*" && code != error.code) continue;
      if (!clause.result.empty()) {
        (void)write_at(frames_.at(frame).context, clause.result, error_json(error, path));
      }
      record(EventType::kCatchTaken, path, {{"error", error.code}, {"next", clause.next}});
      enter(frame, clause.next);
      return;
    }
  }
  finish_frame(frame, false, nullptr, error);
}

void Execution::run_wait(int64_t frame, const Step& step) {
  TimePoint until = host_.clock().now();
  if (step.wait_for) {
    until += *step.wait_for;
  } else {
    const json* value = find_at(frames_.at(frame).context, step.wait_until);
    std::optional<TimePoint> parsed;
    if (value != nullptr && value->is_string()) parsed = parse_utc(value->get<std::string>());
    if (!parsed) {
      on_step_error(
          frame, step,
          make_error("wait.invalid_instant", step.wait_until + " does not hold an RFC 3339 "
                                                               "timestamp"));
      return;
    }
    until = *parsed;
  }
  record(EventType::kWaitStarted, step_path(frame, step.id), {{"until", format_utc(until)}});
  waiting_.insert(frame);
  after(until, [frame, &step](Execution& s) {
    s.waiting_.erase(frame);
    if (!s.frames_.at(frame).done) s.complete_step(frame, step, nullptr);
  });
}

}  // namespace coalition
