// Execution: one run of a workflow — its context documents, where each of its sequences stands,
// its timers and human tasks. It interprets the workflow's steps; the Engine gives it threads,
// time, plugins and (when durable) the store through ExecutionHost. All state is guarded by one
// mutex, so handlers of one execution never run at once while different executions advance in
// parallel.
//
// Every state change happens inside one handler and is recorded as an event. In durable mode the
// events, an audit entry per event and a snapshot of the state are drained by the group committer
// (CommitSource) and everything with an outside effect — plugin calls — waits until that
// transaction is committed. So a crash loses only changes nobody has acted on, and restore()
// carries on from the last snapshot: an attempt that was in flight runs again with the same
// idempotency key, a completed step never runs again.
#ifndef COALITION_RUNTIME_EXECUTION_H_
#define COALITION_RUNTIME_EXECUTION_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "calendar/business_calendar.h"
#include "common/clock.h"
#include "common/execution_limits.h"
#include "common/lazy_queue.h"
#include "guard/media_scan.h"
#include "history/event.h"
#include "plugin_host/plugin_registry.h"
#include "runtime/crash_journal.h"
#include "runtime/migration_plan.h"
#include "runtime/persisted_state.h"
#include "runtime/plugin_call_pool.h"
#include "store/group_committer.h"
#include "workflow/workflow.h"
#include "workflow/workflow_validator.h"

namespace coalition {

struct ContextLayer;

// Who does something: a person acting in a role for an organisation, or the engine itself.
struct Actor {
  std::string id = "engine";
  std::string role;
  std::string organisation;
  // How the person was identified, for the audit log: "asserted" (typed at the engine's own
  // terminal), "token:<id>", "oidc:<issuer>"; empty for the engine itself.
  std::string identity = {};
};

struct ExecutionSnapshot {
  std::string id;
  std::string workflow;  // id@version
  std::string initiator;
  ExecutionStatus status = ExecutionStatus::kRunning;
  nlohmann::json output;
  StepError error;
  size_t suspended_steps = 0;  // attempts waiting for a person or a signal
  size_t running_steps = 0;    // attempts, waits and retries in progress
  std::optional<TimePoint> next_due;
  std::vector<Event> history;  // in memory only; a durable engine reads it from the store
};

// What an execution needs from the engine. Implementations are thread-safe.
class Execution;
class VisibilityPolicy;
class ExecutionHost {
 public:
  virtual ~ExecutionHost() = default;
  virtual Clock& clock() = 0;
  virtual const PluginRegistry& registry() const = 0;
  virtual const WorkflowCatalog& catalog() const = 0;
  virtual const CalendarSet& calendars() const = 0;
  virtual const ExecutionLimits& limits() const = 0;
  // Notes, until the mark goes, that this process works on `execution_id` (the crash journal).
  virtual CrashJournal::Mark working_on(const std::string& execution_id) = 0;
  // The same for a plugin call of `execution_id`: which attempt of which frame it runs.
  virtual CrashJournal::Mark calling_plugin(const std::string& execution_id,
                                            CrashJournal::PluginCall call) = 0;
  virtual void post(std::function<void()> work) = 0;  // scheduler work: short
  // Plugin calls: may block, or never return (PluginCallPool).
  virtual void post_blocking(PluginCallPool::Job job) = 0;
  // Every event as it is recorded, in order, on the execution's thread (durable: before it is
  // committed; the store keeps the history, not this call).
  virtual void record(const std::string& execution_id, const Event& event) = 0;
  // Durable: the execution has changes to commit; the host queues it for the committer.
  virtual bool durable() const = 0;
  // Durable: whether events of `kind` owe the task's people a notification (written with the
  // event, delivered by app/notification_dispatcher.h).
  virtual bool notifies(NotificationKind /*kind*/) const { return false; }
  virtual void mark_dirty(std::shared_ptr<Execution> execution) = 0;
  // Durable: one drained source's changes are committed (balances mark_dirty).
  virtual void committed(const std::shared_ptr<Execution>& execution) = 0;
  // Who may see which of the workflow's steps, compiled once per workflow and kept as long as
  // the host: an audit entry holds the events of several steps only where members see all of
  // them or none (audit/audit_grouping.h).
  virtual const VisibilityPolicy& visibility(const std::shared_ptr<const Workflow>& workflow) = 0;
};

class Execution : public CommitSource, public std::enable_shared_from_this<Execution> {
 public:
  Execution(ExecutionHost& host, std::string id, std::shared_ptr<const Workflow> workflow,
            nlohmann::json input, std::string initiator);
  ~Execution() override;

  // Whether the store holds a count of process deaths while working on this execution (a
  // restored one is assumed to until told): the next drain that finds it standing still clears
  // it. Counts are written only by Engine::recover, before any execution is loaded, so one
  // loaded without a count gets none while it is in memory.
  void note_stop_count(bool stored) { stop_count_stored_ = stored; }

  // Rebuilds an execution from its stored state (read_persisted_state, then rebuild()).
  // `parts` are the execution's state parts (Store::state_parts).
  static Result<std::shared_ptr<Execution>> restore(
      ExecutionHost& host, const std::string& id, const nlohmann::json& state,
      const std::map<std::string, nlohmann::json>& parts);
  // The same from the state's stored bytes (StoredExecution::state_msgpack), read straight into
  // its typed form (decode_persisted_state).
  static Result<std::shared_ptr<Execution>> restore_stored(
      ExecutionHost& host, const std::string& id, std::string_view state_msgpack,
      const std::map<std::string, nlohmann::json>& parts);
  // Rebuilds a running execution from its state as read; the workflows it names must be in the
  // host's catalog. kInvalidData, naming execution `id`, when the state has ended or does not
  // fit them or its parts.
  static Result<std::shared_ptr<Execution>> rebuild(
      ExecutionHost& host, const std::string& id, const PersistedState& state,
      const std::map<std::string, nlohmann::json>& parts);

  // Records execution_started and, if `enter_first`, enters the first step. Call once, on a
  // new execution. Without entering, the execution waits in the store for an engine to
  // recover it (coalition start, then coalition worker).
  void start(bool enter_first = true);
  // After restore(), before resume_restored(): the previous engine process died of `cause`
  // (the signal, or exit()) inside the plugin call `call` (frame, attempt, step), in process. That
  // attempt is not run again as it was: it fails with plugin.crashed (retryable, so it counts
  // against the step's max_attempts), and once the step has crashed the engine
  // limits().interruptions times the step fails for good. Other notes are ignored.
  void note_crashed_call(const CrashJournal::PluginCall& call, std::string cause);
  // After restore(): a plugin call of this execution crashed a previous process. Its calls wait
  // for the commit of their attempt from now on, even those of a non-blocking type (dispatch),
  // so that a crash is counted against an attempt the store knows.
  void note_crashed_calls();
  // After restore(): re-arms timers and runs again every attempt that was in flight.
  void resume_restored();
  // After restore(), instead of resuming: fails the execution with `code` (open tasks
  // cancelled, nothing run), for one that keeps taking the engine down.
  void set_aside(const std::string& code, const std::string& message);

  // A person completes a human task. Refused (nothing changes; the refusal is audited) when the
  // task is not open, the role or organisation does not match, the actor already completed it,
  // separation of duties forbids them, a required justification is missing, or `data` fails the
  // task's answer schema. Returns the task as it now stands.
  Result<nlohmann::json> complete_task(const std::string& task_id, const Actor& actor,
                                       const nlohmann::json& data);
  // Delivers an external event to the step waiting for signal `name`.
  Status signal(const std::string& name, const nlohmann::json& data, const Actor& actor);
  // Moves a task's deadline to `due`; refused beyond the step's cap.
  Status extend_deadline(const std::string& task_id, TimePoint due, const Actor& actor,
                         const std::string& justification);

  // A person claims an open task: until it is released or reassigned only they may complete
  // it. Refused (audited) unless they could complete it now (role, organisation, separation of
  // duties); a task that needs several people (quorum) cannot be claimed; kConflict when
  // another person holds it. Claiming a task one holds already changes nothing.
  Status claim_task(const std::string& task_id, const Actor& actor);
  // Gives a claimed task back to everyone it is assigned to: its holder may, and so may a
  // manager (`manager`: the caller's permission, decided above the engine).
  Status release_task(const std::string& task_id, const Actor& actor, bool manager);
  // Hands a task to `to`, who must be able to complete it, with a justification. Its holder
  // may (delegation), anyone who could complete an unclaimed task may, and a manager may.
  Status reassign_task(const std::string& task_id, const Actor& to, const Actor& actor,
                       const std::string& justification, bool manager);
  // Stops a running execution for good: open tasks cancelled, timers stopped, late plugin
  // answers ignored; recorded with the actor and the justification. kConflict when finished.
  Status cancel(const Actor& actor, const std::string& justification);
  // After restore() from the state the execution had before it failed (Store::retry_point):
  // records the retry and opens again the tasks the failure closed. resume_restored() then
  // runs again the attempts that were in flight, each as its next attempt number with the same
  // idempotency key.
  void note_retry(const Actor& actor, const std::string& justification, const StepError& failure);

  // After restore(), before resume_restored(): moves the execution to `to` (the plan's new
  // version) as `plan` says. Says what would change and, when something stands in the way, why
  // it cannot move — then nothing changes, and nothing changes either unless `apply`. Applied,
  // the change is one event (execution_migrated, with the actor and justification) committed
  // with the new state; resume_restored() then arms the timers as they now stand.
  // It cannot move while anything runs (a plugin call, an answer being handed over); when an
  // active step has no place in `to`, or changes kind; when a waiting task's step type changes;
  // when a running parallel, map or sub-workflow step is renamed, a parallel's branches change
  // or a map's list moves; when a changed deadline must be computed again for a task already
  // escalated, or cannot be; or when the context patch does not apply.
  MigrationReport migrate(const std::shared_ptr<const Workflow>& to, const MigrationPlan& plan,
                          bool apply, const Actor& actor, const std::string& justification);

  ExecutionSnapshot snapshot() const;
  // The main sequence's context as a stored state (ExecutionRecord::state) holds it, every
  // layer merged; an empty object when the state holds none (finished, or unreadable).
  static nlohmann::json main_context(const nlohmann::json& state,
                                     const std::map<std::string, nlohmann::json>& parts);
  bool terminal() const;

  // Called after each commit of a drain of this execution. Durable engines keep only executions
  // that have work in memory. When this one is finished,
  // or parked (nothing in flight: attempts wait for people or signals, other frames for timers;
  // nothing uncommitted — neither undrained nor drained into a batch not yet written), stops its
  // timers, marks itself evicted — every later call on it is refused with ErrorCode::kEvicted,
  // which the engine answers by loading it again — and returns
  // its next due time (the engine reloads it then, or when someone acts on it). Else nullopt,
  // also when a timer of it is already due (it would come straight back).
  std::optional<std::optional<TimePoint>> evict_if_idle();
  // Another engine node claimed this execution (store/execution_leases.h): its work since the
  // last commit is void. Stops its timers, refuses every later call as evicted (the engine
  // loads it again, which means claiming it back) and drains nothing more: what is still
  // unwritten, plugin calls that waited for a commit included, is dropped.
  void mark_lost();
  bool lost() const { return lost_.load(); }
  // Set when a timer's wake-up reloaded this execution, taken by the engine at its next commit:
  // the engine counts such executions against EngineOptions::reload_backlog.
  void mark_woken() { woken_.store(true); }
  bool take_woken() { return woken_.exchange(false); }
  // Several engine nodes: the lease this copy was loaded (or started) under, written with each
  // of its changes (ExecutionFence). Bound to the copy, not looked up by id: a copy left behind
  // when the node claims the execution again writes with its own, stale fence, and is refused.
  void set_lease(ExecutionFence lease);
  std::optional<ExecutionFence> lease() const;
  static constexpr const char* kEvicted = "execution was evicted from memory; reload it";
  const std::string& id() const { return id_; }

  // CommitSource: events, audit entries, the state snapshot and changed tasks; plugin calls
  // held back until now go to after_commit.
  void drain(StoreBatch& batch, std::vector<std::function<void()>>& after_commit) override;

 private:
  // The execution's lock, and the crash journal's note that this process works on it: every
  // handler holds one. Before it lets go, the outcomes of the pure calls the handler made are
  // applied (settle_inline), so they are part of what the next drain takes, and an execution
  // the handler ended lets go of what it no longer needs (release_ended): no reference into
  // its frames is held any more at that point.
  struct Working {
    explicit Working(Execution& e)
        : execution(e), lock(e.mutex_), mark(e.host_.working_on(e.id_)) {}
    ~Working() {
      execution.settle_inline();
      execution.release_ended();
    }
    Working(const Working&) = delete;
    Working& operator=(const Working&) = delete;
    Execution& execution;
    std::lock_guard<std::mutex> lock;
    CrashJournal::Mark mark;
  };
  // What a const member holds instead: the lock and the journal's note, nothing to settle.
  struct Reading {
    explicit Reading(const Execution& e) : lock(e.mutex_), mark(e.host_.working_on(e.id_)) {}
    std::lock_guard<std::mutex> lock;
    CrashJournal::Mark mark;
  };
  struct Frame;
  struct Join;
  struct Attempt;
  using Task = PersistedTask;
  using Timer = ExecutionTimer;
  using TimerKind = coalition::TimerKind;
  using Layers = std::map<uint64_t, std::shared_ptr<ContextLayer>>;  // stored, by id

  // All private members run with mutex_ held.
  void record(EventType type, const std::string& step,
              nlohmann::json data = nlohmann::json::object(), const Actor& actor = {});
  // The same for an event whose data is already text (history/event_payload.h) and whose audit
  // summary is `summary` (JSON text: what audit_summary would take from the data): the events
  // of every step, which build no document.
  void record_text(EventType type, const std::string& step, std::string payload,
                   std::string summary, const Actor& actor = {});
  // The same, by the engine, at `at`: an instant the caller has just read from the clock for
  // the same moment (a step's entry, an attempt's context), so one reading serves both.
  void record_text_at(TimePoint at, EventType type, const std::string& step, std::string payload,
                      std::string summary);
  // Hands `event` to the engine's sink and keeps it: in the history (in memory) or, durable,
  // for the next commit with its audit draft (`summary`: the summary's text) and the
  // notification it owes (read from `data`, the event's data as a document, when the caller has
  // it; parsed from the payload otherwise).
  void keep(Event event, std::string summary, const Actor& actor, const nlohmann::json* data);
  // OK, or kInvalidData (with the pointer) after auditing "media_refused" when `payload`
  // carries an image or video (or undeclared binary, under `options`). The audit entry names
  // where the payload came from as {fact: value} ({"task": id}, {"source": "plugin output"}):
  // built only on a refusal, as every step's output passes through here.
  Status refuse_media(const std::string& path, const nlohmann::json& payload, std::string_view fact,
                      std::string_view value, const Actor& actor,
                      const MediaScanOptions& options = {});
  // Fails `outcome` (media.refused) when its output carries an image or video.
  void refuse_output_media(const Attempt& attempt, const std::string& path, StepOutcome& outcome);
  void audit_only(const std::string& type, const std::string& step, nlohmann::json summary,
                  const Actor& actor);
  void mark_dirty();
  // Runs `call` (a plugin's execute or resume for attempt `attempt` of `frame`) on the plugin
  // pool — durable: once the transaction recording the attempt is committed — and hands its
  // outcome to on_outcome(frame, token). A call still running `time_limit` (plus the pool's
  // grace) later is given up on: the attempt fails with a retryable plugin.timed_out.
  // `key`: the attempt's idempotency key, which names the step visit in the crash journal.
  // `inline_call` (a non-blocking step type in this process, StepType::runs_inline): the call
  // runs here, with no hand-off between threads, and its outcome is applied when the handler
  // ends (settle_inline). Such a type only computes its answer from what it is handed and acts
  // on nothing (COALITION_CAP_NON_BLOCKING), so durable it does not wait for the commit of its
  // attempt_started either: the attempt, its answer and what follows are committed together,
  // and a crash before that commit leaves nothing of them to redo but the computation. A start
  // and the pure steps after it, or a person's decision and the step it finishes, are one
  // transaction, not one per step. A call that fails is made again once its attempt is
  // committed (call_at_once), so that a retry of the execution starts from it. And the calls of
  // an execution that a process died working on (its stop count is stored: note_stop_count) or
  // one of whose calls crashed the previous process (note_crashed_calls) wait for their commit
  // again until it stands still, so that a crash in one is on record against its attempt and
  // counted (fail_crashed_call): however many of its calls crash, each is counted in turn.
  // Past kMostCallsAtOnceUndrained calls at once between two drains, the next wait for a commit,
  // so that a long run of pure steps (a wide map's) is committed in pieces of bounded size.
  void dispatch(int64_t frame, uint64_t token, uint32_t attempt, const std::string& key,
                std::chrono::milliseconds time_limit, std::function<StepOutcome()> call,
                bool inline_call = false);
  // Whether dispatch() runs a call at once (see above), and running one so: a caller that
  // knows it will can hand over a call that borrows its arguments instead of one that owns them.
  bool calls_at_once(bool inline_call) const;
  // False when the call failed in durable mode: its answer is dropped, and the caller hands the
  // call over (hand_over) to be made again once its attempt is committed, so that a retry of
  // the execution starts from this step.
  bool call_at_once(int64_t frame, uint64_t token, uint32_t attempt, const std::string& key,
                    const std::function<StepOutcome()>& call);
  // What dispatch() does with a call it does not make at once.
  void hand_over(int64_t frame, uint64_t token, uint32_t attempt, const std::string& key,
                 std::chrono::milliseconds time_limit, std::function<StepOutcome()> call,
                 bool inline_call);
  // Applies the outcomes of the inline calls made since the handler began, in order (each may
  // lead to more). Past kMaxInlineOutcomes in one handler the rest are posted as handlers of
  // their own, so no handler holds the lock for an unbounded run of them.
  void settle_inline();
  // Once the execution has ended, frees every frame but the main sequence's (nothing runs in
  // them again, no snapshot names them, and each branch or map item kept one, with its path,
  // deadline basis and visits, for as long as the execution stayed in memory) and the history's
  // room beyond twice what it used (reserved from the workflow's size, which counts choices and
  // handlers a run may never take). Called only as a handler ends (Working), when no reference
  // into frames_ is held.
  void release_ended();
  // A restored attempt whose plugin call crashed the previous process: fails it (see
  // note_crashed_call), unless attempt `number` of `frame` has been settled since.
  void fail_crashed_call(int64_t frame, uint32_t number, const std::string& cause);
  // Enters a step. Steps that finish at once (choices, joins whose children finish at once)
  // lead straight into the next: past kMaxNestedEntries nested calls the entry is queued and
  // run by the outermost call instead, so no workflow can grow the stack without bound.
  void enter(int64_t frame, const std::string& step_id);
  void enter_now(int64_t frame, std::string step_id);
  void enter_kind(int64_t frame, const Step& step, const std::string& path);
  // The next step a choice leads to; nullopt when it failed the step instead.
  std::optional<std::string> choose(int64_t frame, const Step& step, const std::string& path);
  void advance(int64_t frame, const std::string& next);
  void run_task(int64_t frame, const Step& step, uint32_t attempt);
  void on_outcome(int64_t frame, uint64_t token, StepOutcome outcome);
  void on_suspend(int64_t frame, const nlohmann::json& wait);
  // The step type `a` (the attempt of `frame`) runs under: the version it started with, or the
  // newest of that major the workflow admits; nullptr when none is installed.
  const StepType* attempt_type(int64_t frame, const Attempt& a) const;
  // Removes from a task's `wait` the answer schema its step type declares: the type holds it
  // for every task (check_completion, task_json), so the history, the snapshot and the resumed
  // plugin carry no copy of it. A schema of the task's own stays.
  void drop_declared_answer(int64_t frame, const Attempt& a, nlohmann::json& wait) const;
  void on_step_error(int64_t frame, const Step& step, const StepError& error);
  void complete_step(int64_t frame, const Step& step, nlohmann::json output);
  void start_join(int64_t frame, const Step& step);
  size_t workflow_depth(int64_t frame) const;  // sub-workflow frames above and including it
  void start_child(int64_t frame, const Step& step, size_t slot);
  void on_child_done(int64_t child, bool ok, nlohmann::json output, const StepError& error);
  nlohmann::json join_output(Join& join, size_t slot);  // a settled join hands on
  void finish_frame(int64_t frame, bool ok, nlohmann::json output, const StepError& error);
  void finish_execution(bool ok, nlohmann::json output, const StepError& error);
  void stop_everything();  // every frame done, tasks cancelled, timers stopped
  // Who could complete the frame's task now, before looking at an answer: the role and
  // organisation, quorum, claims, separation of duties.
  Status check_person(int64_t frame, const Actor& actor) const;
  // Audits a refusal to act on task `task_id` ("task_refused", with its code and words) and
  // returns it.
  Error refuse_task(const std::string& path, const std::string& task_id, Error error,
                    const Actor& actor);
  // Runs act(frame, task, quorum, step path) on open task `task_id` under the execution's lock
  // (claim, release, reassign); a task that is not open is refused, audited.
  template <class Act>
  Status on_open_task(const std::string& task_id, const Actor& actor, Act act);
  // Finds the open task for claim, release and reassign; audits a refusal as "task_refused".
  Attempt* open_task_or_refuse(const std::string& task_id, const Actor& actor, int64_t* frame);
  void cancel_frame_tree(int64_t frame);
  void close_task(int64_t frame, TaskStatus status);
  void run_wait(int64_t frame, const Step& step);
  // succeed: the output (its template resolved, or what the sequence added) ends the frame.
  void run_succeed(int64_t frame, const Step& step, const std::string& path);
  // fail: the step's error ends the frame.
  void run_fail(int64_t frame, const Step& step, const std::string& path);
  bool start_deadline(int64_t frame, const Step& step);  // false: the step failed
  void arm_deadline_timers(int64_t frame);
  void on_deadline(int64_t frame, uint32_t level);
  void on_reminder(int64_t frame, uint32_t index);
  void resume_attempt(int64_t frame, nlohmann::json completion);
  Status check_completion(int64_t frame, const Actor& actor, const nlohmann::json& data) const;
  uint64_t add_timer(Timer timer);  // arms it
  void arm(uint64_t timer_id);
  void cancel_timer(uint64_t timer_id);
  void cancel_frame_timers(int64_t frame);
  void fire(uint64_t timer_id);
  void schedule(std::function<void(Execution&)> fn);
  std::string step_path(int64_t frame, const std::string& step_id) const;
  std::string idempotency_key(int64_t frame, const Step& step) const;
  const Step& current_step(int64_t frame) const;
  StepContext step_context(int64_t frame, const Step& step, uint32_t attempt) const;
  Attempt* find_task(const std::string& task_id, int64_t* frame);
  // Durable, for an event of a task that notifies: the notification it owes, written with it.
  void owe_notification(NotificationKind kind, const Event& event, const nlohmann::json& data);
  // The state a drain writes, and the steps that rebuild one from it (each kInvalidData, saying
  // what does not fit, on a state this engine would not have written).
  PersistedState persisted_state() const;
  PersistedFrame persisted_frame(int64_t id, const Frame& f) const;
  PersistedJoin persisted_join(int64_t frame, const Join& j) const;
  PersistedAttempt persisted_attempt(int64_t frame, const Attempt& a) const;
  Status restore_frames(const std::vector<PersistedFrame>& stored, const Layers& layers);
  Result<const Sequence*> stored_sequence(const Frame& f) const;  // of a frame being restored
  Status restore_joins(const std::vector<PersistedJoin>& stored, const Layers& layers,
                       const std::map<std::string, nlohmann::json>& parts);
  Status restore_join_slots(const PersistedJoin& stored, const Layers& layers, Join& j);
  Status restore_join_outputs(int64_t frame, Join& j, const PersistedJoin& stored,
                              const std::map<std::string, nlohmann::json>& parts);
  Status restore_attempts(const std::vector<PersistedAttempt>& stored);
  // The task as shown (the frame's attempt has one), with the declared answer schema when the
  // task names none of its own; without its form (`answer_schema`, `instructions`, `items`)
  // when `with_form` is false.
  nlohmann::json task_json(int64_t frame, bool with_form = true) const;
  // The task as the store keeps it, in `status`: its summary as a document, its form as the
  // text the store writes (TaskRecord::form_encoded), the declared schema spliced in as the
  // step type wrote it once rather than copied into a document and printed again at every
  // commit of the task.
  TaskRecord task_record(int64_t frame, TaskStatus status) const;
  std::optional<TimePoint> next_due() const;
  bool parked() const;

  ExecutionHost& host_;
  const std::string id_;
  std::shared_ptr<const Workflow> workflow_;
  const VisibilityPolicy* visibility_ = nullptr;  // workflow_'s, fetched when a drain needs it
  std::string initiator_;
  mutable std::mutex mutex_;
  ExecutionStatus status_ = ExecutionStatus::kRunning;  // never kWaiting: parked() says that
  nlohmann::json output_;
  std::unique_ptr<const StepError> error_;  // once it failed or was cancelled
  TimePoint started_at_;
  uint64_t seq_ = 0;            // events recorded
  std::vector<Event> history_;  // in memory only
  std::map<int64_t, Frame> frames_;
  std::map<int64_t, Join> joins_;        // frame -> the join its current step waits on
  std::map<int64_t, Attempt> attempts_;  // frame -> its task attempt in flight or suspended
  std::set<int64_t> waiting_;            // frames in a wait step or a retry delay
  std::map<uint64_t, Timer> timers_;
  std::map<std::string, std::set<std::string>> actors_;  // step path -> who completed it
  int64_t next_frame_ = 0;
  uint64_t next_token_ = 1;
  uint64_t next_timer_ = 1;
  uint64_t next_task_ = 1;
  size_t map_items_ = 0;              // map iterations ever started (limits.map_items)
  uint64_t next_layer_ = 1;           // the id the next persisted context layer gets
  std::set<uint64_t> stored_layers_;  // layer ids the store holds as state parts
  static constexpr size_t kMaxNestedEntries = 32;
  size_t entering_ = 0;  // nested enter() calls on this thread
  LazyQueue<std::pair<int64_t, std::string>> deferred_entries_;
  // Outcomes of inline calls made by the running handler, applied when it ends (see dispatch).
  struct InlineOutcome {
    int64_t frame = 0;
    uint64_t token = 0;
    StepOutcome outcome;
  };
  static constexpr size_t kMaxInlineOutcomes = 256;
  LazyQueue<InlineOutcome> inline_outcomes_;
  // Durable: calls made at once since the last drain. Past kMostCallsAtOnceUndrained the next
  // ones wait for a commit like any other call (calls_at_once): what they lead to (events, audit
  // drafts, task and state changes) stays in memory until a drain takes it, and a map of 100,000
  // pure steps had run to its end between two drains, holding three times the memory.
  static constexpr size_t kMostCallsAtOnceUndrained = 1024;
  size_t calls_at_once_undrained_ = 0;

  // Durable mode: what the next drain hands to the committer.
  bool dirty_ = false;
  bool evicted_ = false;
  std::atomic<bool> lost_{false};
  std::atomic<bool> woken_{false};
  std::unique_ptr<const ExecutionFence> lease_;  // several nodes only: most have none
  size_t uncommitted_drains_ = 0;  // drained into a batch the store has not written yet
  // Whether the store may hold state parts of this execution, or a count of process deaths
  // while working on it: only then does a drain delete them (when it ends, when it stands still).
  bool parts_stored_ = false;
  bool stop_count_stored_ = false;
  std::vector<StoredEvent> pending_events_;
  std::vector<NotificationRecord> pending_notifications_;  // committed with pending_events_
  std::vector<AuditDraft> pending_audit_;
  std::set<int64_t> changed_tasks_;  // frames whose task changed
  std::vector<TaskRecord> closed_tasks_;
  // Plugin calls waiting for the commit of their attempt_started. `inline_call` (a non-blocking
  // step's, held because its answer at once was a failure or a process died working on the
  // execution: dispatch): run it where the commit completes (the group committer's thread),
  // not on the pool.
  struct HeldCall {
    PluginCallPool::Job job;
    bool inline_call = false;
  };
  std::vector<HeldCall> held_calls_;
  // Restored only: frame -> the plugin call that crashed the previous process, and how.
  std::map<int64_t, std::pair<CrashJournal::PluginCall, std::string>> crashed_calls_;
  // A plugin call of this execution crashed a previous process: its calls wait for the commit of
  // their attempt for as long as this copy lives (dispatch).
  bool calls_crashed_ = false;
  std::vector<std::string> dropped_parts_;  // state part key prefixes no longer needed
  // A join that settled: forgets it and its state parts, and cancels the children still running.
  void end_join(std::map<int64_t, Join>::iterator it);
  // Durable mode: the state parts of a settled join can go (its outputs were consumed).
  void drop_join_parts(int64_t frame);
  // Durable mode: writes to `batch` every context layer and join output not yet persisted.
  void write_parts(StoreBatch& batch);
};

}  // namespace coalition

#endif  // COALITION_RUNTIME_EXECUTION_H_
