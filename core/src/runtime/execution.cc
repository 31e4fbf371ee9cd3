#include "runtime/execution.h"

#include "runtime/execution_state.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

#include "audit/audit_chain.h"
#include "common/json_limits.h"
#include "common/json_text.h"
#include "common/utc_time.h"
#include "guard/reference_fields.h"
#include "guard/report_disclosure.h"
#include "history/event_payload.h"
#include "runtime/retry_delay.h"
#include "workflow/data_template.h"

namespace coalition {

// An execution and its shared_ptr's control block come in one allocation (make_shared). At
// 1,008 bytes or more that is a "large" request to glibc's malloc, which first consolidates
// every freed small block of its arena: at 1,224 bytes it was 5% of the scheduler's samples
// when parked executions were reloaded. Rarely used state therefore lives behind a pointer
// (error_, lease_) and the queues are LazyQueues.
static_assert(sizeof(Execution) + 16 < 1008, "an execution's allocation must stay a small one");

using nlohmann::json;

namespace {

// Whether `doc` holds the string `s` anywhere (iteratively: payloads nest without bound).
bool holds_string(const json& doc, const std::string& s) {
  std::vector<const json*> stack{&doc};
  while (!stack.empty()) {
    const json* v = stack.back();
    stack.pop_back();
    if (v->is_string() && v->get_ref<const std::string&>() == s) return true;
    if (v->is_structured()) {
      for (const auto& child : *v) stack.push_back(&child);
    }
  }
  return false;
}

// The references of a plugin's output: what its output schema declares, and what it echoes of
// the completions its task accepted (those passed the guard under the task's answer schema).
MediaScanOptions output_references(const json& output, const json* schema,
                                   const json* completions) {
  MediaScanOptions options = schema != nullptr ? reference_options(*schema) : MediaScanOptions{};
  if (completions == nullptr) return options;
  options.is_reference = [declared = std::move(options.is_reference), &output,
                          completions](const std::string& pointer) {
    if (declared && declared(pointer)) return true;
    const json::json_pointer at(pointer);
    if (!output.contains(at) || !output.at(at).is_string()) return false;
    return holds_string(*completions, output.at(at).get_ref<const std::string&>());
  };
  return options;
}

// What a step's parameters would say outside the member of a suspicious-activity report:
// checked in the fields its type declares outbound, unless the step gives the parameter that
// confines the call to one organisation (x-coalition-confined-by).
std::optional<ReportDisclosure> outbound_disclosure(const StepType& type, const json& params) {
  if (!type.confining_parameter().empty()) {
    auto within = params.find(type.confining_parameter());
    if (within != params.end() && within->is_string() &&
        !within->get_ref<const std::string&>().empty()) {
      return std::nullopt;
    }
  }
  return find_report_disclosure(params, type.outbound_parameters());
}

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

// What the audit log keeps of an event: the identifiers and codes needed to follow it, never
// outputs, inputs or answers (they may carry personal or case data). Its kind, step and seq are
// the entry's own fields (or its item's, in an entry of several events), not repeated here:
// for most engine events there is nothing more to say.
json audit_summary(const json& data) {
  json s = json::object();
  if (!data.is_object()) return s;
  for (const char* key : {"attempt", "task", "roles", "due", "level", "name", "rule", "next",
                          "workflow", "action", "previous", "votes", "recovered", "assignee",
                          "released", "justification", "steps", "from", "to"}) {
    auto it = data.find(key);
    if (it != data.end()) s[key] = *it;
  }
  if (auto it = data.find("error"); it != data.end()) {
    s["error"] = it->is_object() ? json(it->value("code", "")) : *it;
  }
  return s;
}

}  // namespace

Execution::Execution(ExecutionHost& host, std::string id, std::shared_ptr<const Workflow> workflow,
                     json input, std::string initiator)
    : host_(host),
      id_(std::move(id)),
      workflow_(std::move(workflow)),
      initiator_(std::move(initiator)) {
  Frame root;
  root.sequence = workflow_->main.get();
  root.workflow = workflow_;
  json document = json::object();
  document.emplace("input", std::move(input));  // an initializer list would copy the input
  root.context = Context(std::move(document));
  frames_.emplace(next_frame_++, std::move(root));
}

Execution::~Execution() = default;

void Execution::start(bool enter_first) {
  const Working working(*this);
  started_at_ = host_.clock().now();
  Actor initiator;
  initiator.id = initiator_;
  const std::string workflow = workflow_->key();
  std::string summary;  // the audit entry's, so only for a durable execution
  if (host_.durable()) {
    summary = R"({"workflow":)";
    append_json_string(summary, workflow);
    summary.push_back('}');
  }
  record_text(EventType::kExecutionStarted, "",
              execution_started_payload(workflow, *frames_[0].context.member("input")),
              std::move(summary), initiator);
  if (workflow_->timeout) {
    add_timer({.due = started_at_ + *workflow_->timeout, .kind = TimerKind::kWorkflowTimeout});
  }
  if (enter_first) enter(0, frames_[0].sequence->start);
}

bool Execution::terminal() const {
  const Reading reading(*this);
  return status_ != ExecutionStatus::kRunning;
}

ExecutionSnapshot Execution::snapshot() const {
  const Reading reading(*this);
  ExecutionSnapshot s;
  s.id = id_;
  s.workflow = workflow_->key();
  s.initiator = initiator_;
  s.status = status_;
  s.output = output_;
  if (error_) s.error = *error_;
  s.history = history_;
  for (const auto& [frame, attempt] : attempts_) {
    if (attempt.suspended) ++s.suspended_steps;
  }
  s.running_steps = attempts_.size() + waiting_.size() - s.suspended_steps;
  s.next_due = next_due();
  return s;
}

void Execution::schedule(std::function<void(Execution&)> fn) {
  host_.post([self = shared_from_this(), fn = std::move(fn)] {
    const Working working(*self);
    // An evicted copy never acts: the engine reloads the execution from the store, and its
    // timers (re-armed there) fire again.
    if (self->status_ != ExecutionStatus::kRunning || self->evicted_) return;
    fn(*self);
  });
}

void Execution::mark_dirty() {
  if (dirty_) return;
  dirty_ = true;
  host_.mark_dirty(shared_from_this());
}

namespace {

// A plugin's execute or resume, marked in the crash journal while it runs: should it take the
// process down, the journal says whose call it was, and the fault handlers say it was this call
// that did. What it throws (invokers catch what plugins throw: this is an engine bug) fails it.
StepOutcome marked_call(ExecutionHost& host, const std::string& id,
                        const CrashJournal::PluginCall& journalled,
                        const std::function<StepOutcome()>& call) {
  const auto mark = host.calling_plugin(id, journalled);
  try {
    return call();
  } catch (const std::exception& e) {
    return StepOutcome::failed(
        StepStatus::kPermanentError, "engine.internal",
        std::string("the plugin call failed inside the engine: ") + e.what());
  }
}

}  // namespace

// In durable mode a plugin call waits for the commit of the transaction that records its
// attempt_started: no side effect ever happens for a state the store does not know, and every
// step's start is on record before the step runs. A call of a non-blocking step type in this
// process is the exception: it computes its answer from what it is handed and acts on nothing,
// so there is no effect to put on record first. It runs at once and its outcome is committed
// with its attempt (settle_inline): a start and the pure steps after it up to the first that
// waits, or a person's decision and the step it finishes, are one transaction, not one a step.
// A crash in such a call leaves its attempt unknown to the store, so the crash journal could not
// count it against that attempt: once a process has died working on an execution (the handler
// that made the call was on the same thread, so the death counts as a stop of the execution,
// which the store keeps until it stands still) or one of its calls crashed the previous process,
// its calls wait for their commit again (calls_at_once). Then the next crash is one counted
// attempt, whichever of its calls it is and however many crash. And past
// kMostCallsAtOnceUndrained calls at once between two drains the next wait for a commit too:
// what the calls lead to stays in memory until a drain takes it, so a run of pure steps with no
// end in sight (a map of 100,000 items) is committed in pieces, not in one transaction.
//
// In memory, a non-blocking step in this process runs at once the same way, its outcome applied
// when the handler ends (settle_inline, a loop: a chain of such steps never deepens the stack).
// Posting each outcome as a handler of its own had cost a hand-off per step, and two hand-offs
// between threads per execution run one at a time (the start's caller to the scheduler and
// back): a chain of them now runs to its end, or to its first step that waits, on the thread
// that started it.
//
// The job holds the execution weakly: a call abandoned to its thread may return after the
// engine is gone, and must then touch nothing but its own state.
void Execution::dispatch(int64_t frame, uint64_t token, uint32_t attempt, const std::string& key,
                         std::chrono::milliseconds time_limit, std::function<StepOutcome()> call,
                         bool inline_call) {
  if (calls_at_once(inline_call) && call_at_once(frame, token, attempt, key, call)) return;
  hand_over(frame, token, attempt, key, time_limit, std::move(call), inline_call);
}

void Execution::hand_over(int64_t frame, uint64_t token, uint32_t attempt, const std::string& key,
                          std::chrono::milliseconds time_limit, std::function<StepOutcome()> call,
                          bool inline_call) {
  const CrashJournal::PluginCall journalled{frame, attempt, CrashJournal::step_key(key)};
  std::weak_ptr<Execution> weak = shared_from_this();
  PluginCallPool::Job job;
  job.time_limit = time_limit;
  job.call = [weak, &host = host_, id = id_, frame, token, journalled,
              call = std::move(call)]() -> std::function<void()> {
    StepOutcome outcome = marked_call(host, id, journalled, call);
    return [weak, frame, token, outcome = std::move(outcome)]() mutable {
      if (auto self = weak.lock()) {
        self->schedule([frame, token, outcome = std::move(outcome)](Execution& s) mutable {
          s.on_outcome(frame, token, std::move(outcome));
        });
      }
    };
  };
  job.overdue = [weak, frame, token, time_limit] {
    auto self = weak.lock();
    if (!self) return;
    self->schedule([frame, token, time_limit](Execution& s) {
      s.on_outcome(
          frame, token,
          StepOutcome::failed(StepStatus::kRetryableError, "plugin.timed_out",
                              "the plugin did not return within " + format_duration(time_limit) +
                                  " (the step's timeout, else plugins.step_timeout); the call was "
                                  "abandoned to its thread"));
    });
  };
  if (host_.durable()) {
    held_calls_.push_back(HeldCall{std::move(job), inline_call});
    mark_dirty();
  } else {
    host_.post_blocking(std::move(job));
  }
}

bool Execution::calls_at_once(bool inline_call) const {
  if (!inline_call) return false;
  if (!host_.durable()) return true;
  return !stop_count_stored_ && !calls_crashed_ &&
         calls_at_once_undrained_ < kMostCallsAtOnceUndrained;
}

bool Execution::call_at_once(int64_t frame, uint64_t token, uint32_t attempt,
                             const std::string& key, const std::function<StepOutcome()>& call) {
  const CrashJournal::PluginCall journalled{frame, attempt, CrashJournal::step_key(key)};
  if (!host_.durable()) {  // built in its place: an outcome is a few strings and a document
    inline_outcomes_.push({frame, token, marked_call(host_, id_, journalled, call)});
    return true;
  }
  ++calls_at_once_undrained_;
  StepOutcome outcome = marked_call(host_, id_, journalled, call);
  // Durable, a failure would be committed with whatever led to the call, and a retry goes back
  // to the snapshot committed before the failure (Store::retry_point): to the last step that
  // waited, not to this one. The call acts on nothing, so it is made again once its attempt is
  // committed (hand_over), and that answer is the one applied.
  if (outcome.status != StepStatus::kOk && outcome.status != StepStatus::kSuspend) return false;
  inline_outcomes_.push({frame, token, std::move(outcome)});
  return true;
}

// Runs under the handler's lock, as its last act. An execution that stopped running (or was
// evicted) meanwhile takes no outcome, as a posted handler would not (schedule).
void Execution::settle_inline() {
  for (size_t settled = 0; !inline_outcomes_.empty(); ++settled) {
    if (settled == kMaxInlineOutcomes) {
      for (auto& rest : inline_outcomes_.rest()) {
        schedule([frame = rest.frame, token = rest.token, outcome = std::move(rest.outcome)](
                     Execution& s) mutable { s.on_outcome(frame, token, std::move(outcome)); });
      }
      inline_outcomes_.clear();
      return;
    }
    InlineOutcome next = inline_outcomes_.pop();
    if (status_ != ExecutionStatus::kRunning || evicted_) continue;
    on_outcome(next.frame, next.token, std::move(next.outcome));
  }
}

void Execution::record(EventType type, const std::string& step, json data, const Actor& actor) {
  Event event{++seq_, host_.clock().now(), type, step, to_text(data)};
  std::string summary;
  if (host_.durable()) {
    json s = audit_summary(data);
    if (!actor.identity.empty()) s["identity"] = actor.identity;
    summary = s.dump();
  }
  keep(std::move(event), std::move(summary), actor, &data);
}

void Execution::record_text(EventType type, const std::string& step, std::string payload,
                            std::string summary, const Actor& actor) {
  if (host_.durable() && !actor.identity.empty()) {  // people act through record(): rare here
    json s = json::parse(summary);
    s["identity"] = actor.identity;
    summary = s.dump();
  }
  keep(Event{++seq_, host_.clock().now(), type, step, std::move(payload)}, std::move(summary),
       actor, nullptr);
}

void Execution::record_text_at(TimePoint at, EventType type, const std::string& step,
                               std::string payload, std::string summary) {
  keep(Event{++seq_, at, type, step, std::move(payload)}, std::move(summary), Actor{}, nullptr);
}

namespace {

// What an execution of `workflow` will likely record: three events a step (scheduled, attempt
// started, settled) and two more. A hint, not a bound: loops and map iterations record more.
size_t expected_events(const Workflow& workflow) {
  constexpr size_t kLeast = 16;   // a workflow built by hand, without its count
  constexpr size_t kMost = 4096;  // beyond that, doubling costs little next to the run
  return std::clamp<size_t>(3 * workflow.step_count + 2, kLeast, kMost);
}

}  // namespace

void Execution::keep(Event event, std::string summary, const Actor& actor, const json* data) {
  host_.record(id_, event);  // the engine's sink (metrics), durable or not
  if (!host_.durable()) {
    // Room for the whole run at once, as its workflow's size foretells (three events a step,
    // the start and the end): growing by doubling moved every event each time, and a parallel
    // step of 100 branches (300 events) paid six reallocations and five moves of the history.
    if (history_.empty()) history_.reserve(expected_events(*workflow_));
    history_.push_back(std::move(event));
    return;
  }
  // Unhashed: most of these are folded into an entry for their run when the execution is
  // drained, which hashes what it hands on (audit/audit_grouping.h).
  pending_audit_.push_back(AuditDraft{.at = event.at,
                                      .actor = actor.id,
                                      .role = actor.role,
                                      .organisation = actor.organisation,
                                      .execution_id = id_,
                                      .step = event.step,
                                      .type = std::string(to_string(event.type)),
                                      .summary = std::move(summary),
                                      .summary_hash = {},
                                      .event_seq = event.seq,
                                      .event_count = 1});
  if (auto kind = notification_kind(event.type); kind && host_.notifies(*kind)) {
    owe_notification(*kind, event, data != nullptr ? *data : event.data());
  }
  pending_events_.push_back(StoredEvent{id_, std::move(event)});
  mark_dirty();
}

void Execution::audit_only(const std::string& type, const std::string& step, json summary,
                           const Actor& actor) {
  if (!host_.durable()) return;
  if (!actor.identity.empty()) summary["identity"] = actor.identity;
  pending_audit_.push_back(make_audit_draft(host_.clock().now(), actor.id, actor.role,
                                            actor.organisation, id_, step, type, summary));
  mark_dirty();
}

uint64_t Execution::add_timer(Timer timer) {
  const uint64_t id = next_timer_++;
  timers_[id] = timer;
  arm(id);
  return id;
}

// In real time, a timer already due (one restored after its instant passed, a wait until a past
// instant) is queued to fire at once instead of going through the clock: with a crowd of parked
// executions reloaded as their deadlines pass, the round trip through the clock's thread (a
// wake-up of it per timer) took a fifth of the scheduler's time. fire() ignores a timer
// cancelled meanwhile. In virtual time a due timer still waits for time to be moved.
void Execution::arm(uint64_t timer_id) {
  Timer& timer = timers_.at(timer_id);
  if (host_.clock().real_time() && timer.due <= host_.clock().now()) {
    timer.clock_id = 0;  // no clock call to cancel
    schedule([timer_id](Execution& s) { s.fire(timer_id); });
    return;
  }
  std::weak_ptr<Execution> weak = shared_from_this();
  timer.clock_id = host_.clock().call_at(timer.due, [weak, timer_id] {
    if (auto self = weak.lock()) {
      self->schedule([timer_id](Execution& s) { s.fire(timer_id); });
    }
  });
}

void Execution::cancel_timer(uint64_t timer_id) {
  auto it = timers_.find(timer_id);
  if (it == timers_.end()) return;
  host_.clock().cancel(it->second.clock_id);
  timers_.erase(it);
}

void Execution::cancel_frame_timers(int64_t frame) {
  std::vector<uint64_t> ids;
  for (const auto& [id, t] : timers_) {
    if (t.frame == frame && t.kind != TimerKind::kWorkflowTimeout) ids.push_back(id);
  }
  for (uint64_t id : ids) cancel_timer(id);
}

std::optional<TimePoint> Execution::next_due() const {
  std::optional<TimePoint> due;
  for (const auto& [id, t] : timers_) {
    if (!due || t.due < *due) due = t.due;
  }
  return due;
}

void Execution::fire(uint64_t timer_id) {
  auto it = timers_.find(timer_id);
  if (it == timers_.end()) return;  // cancelled after it was queued
  const Timer t = it->second;
  timers_.erase(it);
  // Even a timer that changes nothing else (an attempt timeout for an attempt that has since
  // suspended) is gone from the snapshot now; the commit also offers the execution eviction.
  if (host_.durable()) mark_dirty();
  switch (t.kind) {
    case TimerKind::kWorkflowTimeout:
      finish_execution(
          false, nullptr,
          make_error("workflow.timeout", "the workflow ran longer than its timeout of " +
                                             format_duration(*workflow_->timeout)));
      return;
    case TimerKind::kAttemptTimeout: {
      auto a = attempts_.find(t.frame);
      if (a == attempts_.end() || a->second.number != t.attempt || a->second.suspended) return;
      const Step& step = *a->second.step;
      on_outcome(t.frame, a->second.token,
                 StepOutcome::failed(
                     StepStatus::kRetryableError, "step.timeout",
                     "the attempt did not finish within " + format_duration(*step.timeout)));
      return;
    }
    case TimerKind::kRetry:
      waiting_.erase(t.frame);
      if (!frames_.at(t.frame).done) run_task(t.frame, current_step(t.frame), t.attempt);
      return;
    case TimerKind::kWait:
      waiting_.erase(t.frame);
      if (!frames_.at(t.frame).done) complete_step(t.frame, current_step(t.frame), nullptr);
      return;
    case TimerKind::kDeadline: on_deadline(t.frame, t.level); return;
    case TimerKind::kReminder: on_reminder(t.frame, t.reminder); return;
  }
}

std::string Execution::step_path(int64_t frame, const std::string& step_id) const {
  return frames_.at(frame).path + step_id;
}

const Step& Execution::current_step(int64_t frame) const {
  const Frame& f = frames_.at(frame);
  return *f.sequence->find(f.current);
}

// Stable across retries and restarts: derived from the execution id and the step's place
// (branch names and item indexes included), plus the visit number when a loop re-enters it.
std::string Execution::idempotency_key(int64_t frame, const Step& step) const {
  if (auto a = attempts_.find(frame);
      a != attempts_.end() && a->second.step == &step && !a->second.key.empty()) {
    return a->second.key;  // started before a migration renamed the step
  }
  const Frame& f = frames_.at(frame);
  std::string key;  // built in place: one allocation per attempt instead of three
  key.reserve(id_.size() + 1 + f.path.size() + step.id.size() + 11);
  key += id_;
  key += '/';
  key += f.path;
  key += step.id;
  auto it = f.visits.find(step.id);
  if (it != f.visits.end() && it->second > 1) {
    key += '#';
    key += std::to_string(it->second);
  }
  return key;
}

void Execution::enter(int64_t frame, const std::string& step_id) {
  if (entering_ >= kMaxNestedEntries) {
    deferred_entries_.emplace(frame, step_id);
    return;
  }
  ++entering_;
  enter_now(frame, step_id);
  --entering_;
  if (entering_ > 0) return;
  while (!deferred_entries_.empty() && status_ == ExecutionStatus::kRunning) {
    auto [f, id] = deferred_entries_.pop();
    // Its frame may have been cancelled (a join settled) while the entry waited.
    auto it = frames_.find(f);
    if (it == frames_.end() || it->second.done) continue;
    ++entering_;
    enter_now(f, std::move(id));
    --entering_;
  }
  deferred_entries_.clear();
}

void Execution::enter_now(int64_t frame, std::string step_id) {
  // A choice leads straight to another step: follow it in this loop rather than by calling
  // enter again, so a loop of choices cannot grow the stack; the visit limit ends it.
  for (;;) {
    Frame& f = frames_.at(frame);
    const Step* step = f.sequence->find(step_id);
    f.current = step_id;
    const TimePoint now = host_.clock().now();
    f.entered_at = now;
    f.due.reset();
    f.cap.reset();
    f.level = 0;
    f.basis = {};
    f.cap_basis = {};
    f.crashes = 0;
    const size_t visits = ++f.visits[step_id];
    const std::string path = step_path(frame, step_id);
    record_text_at(now, EventType::kStepScheduled, path,
                   step_scheduled_payload(to_string(step->kind)), "{}");
    if (visits > host_.limits().visits_per_step) {
      on_step_error(frame, *step,
                    make_error(kLimitVisitsPerStep,
                               fmt::format("step '{}' was entered more than {} times (the "
                                           "limits.visits_per_step of the configuration)",
                                           step->id, host_.limits().visits_per_step)));
      return;
    }
    if (step->kind != StepKind::kChoice) {
      enter_kind(frame, *step, path);
      return;
    }
    auto next = choose(frame, *step, path);
    if (!next) return;
    step_id = std::move(*next);
  }
}

std::optional<std::string> Execution::choose(int64_t frame, const Step& step,
                                             const std::string& path) {
  const Frame& f = frames_.at(frame);
  for (size_t i = 0; i < step.choices.size(); ++i) {
    if (step.choices[i].when.evaluate(f.context)) {
      record(EventType::kBranchTaken, path, {{"rule", i}, {"next", step.choices[i].next}});
      return step.choices[i].next;
    }
  }
  if (!step.default_next.empty()) {
    record(EventType::kBranchTaken, path, {{"rule", "default"}, {"next", step.default_next}});
    return step.default_next;
  }
  on_step_error(frame, step,
                make_error("choice.no_match",
                           "no rule of choice step '" + step.id + "' holds and it has no default"));
  return std::nullopt;
}

// The engine's entry per step kind (workflow/step_kinds.h): a switch over every kind, which the
// compiler checks is complete. Each kind's own code is in its own place: tasks in
// execution_tasks.cc, the kinds that start children and join them in execution_joins.cc.
void Execution::enter_kind(int64_t frame, const Step& step, const std::string& path) {
  switch (step.kind) {
    case StepKind::kTask: run_task(frame, step, 1); return;
    case StepKind::kChoice: return;  // enter_now follows choices itself
    case StepKind::kParallel:
    case StepKind::kMap:
    case StepKind::kWorkflow: start_join(frame, step); return;
    case StepKind::kWait: run_wait(frame, step); return;
    case StepKind::kSucceed: run_succeed(frame, step, path); return;
    case StepKind::kFail: run_fail(frame, step, path); return;
  }
}

void Execution::run_succeed(int64_t frame, const Step& step, const std::string& path) {
  const Frame& f = frames_.at(frame);
  // Without an output: what the sequence added to the context it started from (the whole
  // context for the main sequence and sub-workflows).
  json output = step.output ? json() : f.context.added();
  if (step.output) {
    auto resolved = resolve_template(*step.output, f.context);
    if (!resolved) {
      on_step_error(frame, step, make_error("reference.missing", resolved.error().to_string()));
      return;
    }
    output = std::move(*resolved);
  }
  if (auto s = check_json_limits(output); !s) {
    on_step_error(frame, step, make_error(kLimitValue, "output" + s.error().to_string()));
    return;
  }
  record_text(EventType::kStepSucceeded, path, output_payload(output), "{}");
  finish_frame(frame, true, std::move(output), {});
}

void Execution::run_fail(int64_t frame, const Step& step, const std::string& path) {
  StepError error = make_error(step.error_code, step.error_message);
  record(EventType::kStepFailed, path, {{"error", error_json(error, "")}});
  finish_frame(frame, false, nullptr, error);
}

void Execution::advance(int64_t frame, const std::string& next) {
  if (next.empty()) {
    finish_frame(frame, true, frames_.at(frame).context.added(), {});
  } else {
    enter(frame, next);
  }
}

void Execution::complete_step(int64_t frame, const Step& step, json output) {
  Frame& f = frames_.at(frame);
  // Values built at run time (templates, plugin outputs, joins of many children) stay inside
  // the limits that documents from outside are parsed under, counting the depth at which the
  // result is written: everything that walks the context may then recurse.
  JsonLimits limits = json_limits();
  const size_t at_depth = split_pointer(step.result).size();
  limits.max_depth = limits.max_depth > at_depth ? limits.max_depth - at_depth : 1;
  if (auto s = check_json_limits(output, limits); !s) {
    on_step_error(frame, step,
                  make_error(kLimitValue, "the step's output at " +
                                              (s.error().pointer().empty() ? std::string("/")
                                                                           : s.error().pointer()) +
                                              ": " + s.error().message()));
    return;
  }
  if (!step.result.empty()) {
    if (auto s = f.context.write(step.result, output); !s) {
      on_step_error(frame, step, make_error("result.unwritable", s.error().message()));
      return;
    }
  }
  record_text(EventType::kStepSucceeded, step_path(frame, step.id), output_payload(output), "{}");
  advance(frame, step.next);
}

StepContext Execution::step_context(int64_t frame, const Step& step, uint32_t number) const {
  StepContext context;
  context.execution_id = id_;
  context.step_id = step_path(frame, step.id);
  context.attempt = number;
  context.idempotency_key = idempotency_key(frame, step);
  context.now = host_.clock().now();
  if (step.timeout) context.deadline = *context.now + *step.timeout;
  context.time_limit = step.timeout ? *step.timeout : host_.limits().step_timeout;
  return context;
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
  const PluginRequirements& required = f.workflow->plugin_requirements;
  const StepType* type = host_.registry().find(step.type, required);
  const StepType* newest = type != nullptr ? type : host_.registry().find(step.type);
  if (newest == nullptr) {
    on_step_error(
        frame, step,
        make_error("step.unknown_type", "step type '" + step.type + "' is not installed"));
    return;
  }
  if (type == nullptr) {  // validated at start; the plugins installed since do not satisfy it
    const std::string& plugin = newest->info().plugin_id;
    on_step_error(frame, step,
                  make_error("plugin.version_unavailable",
                             "no installed version of plugin '" + plugin + "' satisfies '" +
                                 required.find(plugin)->second.text() +
                                 "', which the workflow "
                                 "requires"));
    return;
  }
  if (auto found = outbound_disclosure(*type, *params)) {
    on_step_error(frame, step,
                  make_error("disclosure.refused",
                             "parameters" + (found->pointer.empty() ? "/" : found->pointer) + ": " +
                                 describe(*found) + "; nothing was sent"));
    return;
  }
  if (number == 1 && step.deadline && !start_deadline(frame, step)) return;
  StepContext context = step_context(frame, step, number);
  Attempt attempt;
  attempt.step = &step;
  attempt.number = number;
  attempt.token = next_token_++;
  attempt.plugin_version = type->info().plugin_version;
  record_text_at(*context.now, EventType::kAttemptStarted, path,
                 attempt_started_payload(number, context.idempotency_key, type->plugin_identity()),
                 R"({"attempt":)" + std::to_string(number) + "}");
  if (step.timeout) {
    add_timer({.due = *context.deadline,
               .kind = TimerKind::kAttemptTimeout,
               .frame = frame,
               .attempt = number});
  }
  attempts_[frame] = attempt;
  if (calls_at_once(type->runs_inline())) {
    // Borrowed, not moved into a call of its own: a non-blocking step called at once runs here, and
    // the owning closure (allocated, its context moved in, then freed) was a twentieth of its
    // cost. One pointer fits std::function's own storage.
    const struct {
      const StepType* type;
      const json* params;
      const StepContext* context;
    } borrowed{type, &*params, &context};
    if (call_at_once(frame, attempt.token, number, context.idempotency_key, [&borrowed] {
          return borrowed.type->execute(*borrowed.params, *borrowed.context);
        })) {
      return;
    }
  }
  const std::chrono::milliseconds limit = context.time_limit;
  const std::string key = context.idempotency_key;
  hand_over(
      frame, attempt.token, number, key, limit,
      [type, params = std::move(*params), context = std::move(context)] {
        return type->execute(params, context);
      },
      type->runs_inline());
}

// No plugin can bring images or video into the store: an output that holds any is dropped
// unrecorded and fails the step. Its output schema declares which fields are references (exempt
// from the binary limit). An empty output, what most steps answer, holds nothing to look at.
void Execution::refuse_output_media(const Attempt& attempt, const std::string& path,
                                    StepOutcome& outcome) {
  if (outcome.status != StepStatus::kOk && outcome.status != StepStatus::kSuspend) return;
  if (outcome.output.is_object() && outcome.output.empty()) return;
  const StepType* type = host_.registry().find(attempt.step->type);
  const json* schema = nullptr;
  if (outcome.status == StepStatus::kOk && type != nullptr && type->output_schema()) {
    schema = &type->output_schema()->document();
  }
  const MediaScanOptions options = output_references(
      outcome.output, schema, attempt.task ? &attempt.task->completions : nullptr);
  if (auto s = refuse_media(path, outcome.output, "source", "plugin output", Actor{}, options);
      !s) {
    outcome =
        StepOutcome::failed(StepStatus::kPermanentError, "media.refused", s.error().message());
  }
}

void Execution::on_outcome(int64_t frame, uint64_t token, StepOutcome outcome) {
  auto it = attempts_.find(frame);
  if (it == attempts_.end() || it->second.token != token || frames_.at(frame).done) return;
  Attempt& attempt = it->second;
  if (attempt.resume_input) {  // the plugin answered what it was handed: persist that
    attempt.resume_input.reset();
    if (host_.durable()) mark_dirty();
  }
  for (auto t = timers_.begin(); t != timers_.end();) {
    const bool timeout = t->second.frame == frame && t->second.kind == TimerKind::kAttemptTimeout;
    ++t;
    if (timeout) cancel_timer(std::prev(t)->first);
  }
  const Step& step = *attempt.step;
  const std::string path = step_path(frame, step.id);
  if (outcome.status == StepStatus::kSuspend && !attempt.suspended) {
    drop_declared_answer(frame, attempt, outcome.output);
  }
  refuse_output_media(attempt, path, outcome);
  switch (outcome.status) {
    case StepStatus::kOk:
      close_task(frame, TaskStatus::kCompleted);
      cancel_frame_timers(frame);
      attempts_.erase(frame);
      complete_step(frame, step, std::move(outcome.output));
      return;
    case StepStatus::kSuspend:
      if (attempt.suspended) return;  // a resume that needs more completions (quorum)
      on_suspend(frame, outcome.output);
      return;
    case StepStatus::kRetryableError:
      if (!attempt.suspended && attempt.number < step.retry.max_attempts &&
          retryable_by(step.retry, outcome.error)) {
        const Duration delay =
            retry_delay(step.retry, attempt.number, idempotency_key(frame, step));
        const uint32_t failed = attempt.number;
        const uint32_t next = failed + 1;
        attempts_.erase(it);  // `attempt` dangles from here on
        waiting_.insert(frame);
        record(EventType::kRetryScheduled, path,
               {{"attempt", failed},
                {"delay", format_duration(delay)},
                {"error", error_json(outcome.error, "")}});
        add_timer({.due = host_.clock().now() + delay,
                   .kind = TimerKind::kRetry,
                   .frame = frame,
                   .attempt = next});
        return;
      }
      [[fallthrough]];
    case StepStatus::kPermanentError:
    case StepStatus::kInvalidParameters:
      close_task(frame, TaskStatus::kFailed);
      cancel_frame_timers(frame);
      attempts_.erase(frame);
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
        (void)frames_.at(frame).context.write(clause.result, error_json(error, path));
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
    auto end = add_calendar_period(until, *step.wait_for);
    if (!end) {
      on_step_error(frame, step, make_error("wait.invalid_instant", end.error().message()));
      return;
    }
    until = *end;
  } else {
    const json* value = frames_.at(frame).context.find(step.wait_until);
    std::optional<TimePoint> parsed;
    if (value != nullptr && value->is_string()) parsed = parse_utc(value->get<std::string>());
    if (!parsed) {
      on_step_error(frame, step,
                    make_error("wait.invalid_instant",
                               step.wait_until + " does not hold an RFC 3339 timestamp"));
      return;
    }
    until = *parsed;
  }
  record(EventType::kWaitStarted, step_path(frame, step.id), {{"until", format_utc(until)}});
  waiting_.insert(frame);
  add_timer({.due = until, .kind = TimerKind::kWait, .frame = frame});
}

}  // namespace coalition
