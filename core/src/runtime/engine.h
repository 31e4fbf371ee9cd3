// Engine: runs executions concurrently. Scheduler work (interpreting steps, recording events)
// runs on a Boost.Asio io_context with its own threads; plugin calls run on a separate pool, so
// a slow plugin never holds up the scheduler. Time comes from a Clock.
//
// With a Store the engine is durable: every change goes through a GroupCommitter, plugin calls
// wait for the commit that records them, recover() carries on every unfinished execution after a
// restart, and the acting calls (start, complete_task, signal, extend_deadline) return only once
// their effect is committed.
#ifndef COALITION_RUNTIME_ENGINE_H_
#define COALITION_RUNTIME_ENGINE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "runtime/execution.h"
#include "store/execution_leases.h"

namespace coalition {

// Several engine nodes on one database (store/execution_leases.h): an engine with leases works
// only on the executions it leases, writes each with its fence, and lets each go once it parks
// or finishes, so that any node can take it up next.
struct NodeOptions {
  ExecutionLeases* leases = nullptr;  // null: the engine works alone on its store
  std::string name = "node";          // as configured; the node's id adds a random part
  // A node whose heartbeat is older than this is taken for dead, and its executions continue
  // elsewhere. Heartbeats go every third of it.
  std::chrono::milliseconds lease{10000};
  // How long a call waits for another node that is alive to let an execution go (it parks
  // within a step's time) before it is refused as busy (kConflict, ErrorReason::kExecutionBusy).
  std::chrono::milliseconds busy_wait{5000};
  // Adopting (a server): every `poll`, claims up to `adopt_batch` executions nobody alive works
  // on that have work now (a dead node's, timers due). Not adopting (a command): only what it
  // is asked to act on.
  bool adopt = true;
  std::chrono::milliseconds poll{1000};
  size_t adopt_batch = 64;
  // Called (on the loading thread) before an execution of a workflow version the catalog does
  // not hold is restored: another node registered it; the hook adds it from the store.
  std::function<void()> on_unknown_workflow = {};
};

struct EngineOptions {
  size_t scheduler_threads = 1;
  size_t plugin_threads = 4;
  Store* store = nullptr;                  // null: in memory only
  const CalendarSet* calendars = nullptr;  // null: no business-day calendars
  ExecutionLimits limits = {};             // loops, fan-out and nesting of one execution
  // Durable: which executions this process works on (null: none kept). Must outlive the engine.
  CrashJournal* journal = nullptr;
  // Plugin-pool threads that may be abandoned to calls that never return before the pool stops
  // replacing them (PluginCallPool).
  size_t max_stranded_threads = 32;
  // Durable: the kinds of task event that owe the task's people a notification (none: off).
  std::vector<NotificationKind> notify = {};
  // Durable: how many executions timers' wake-ups may have reloaded and not yet seen through a
  // commit before the next wake-up postpones reloading its own until commits catch up.
  // Deadlines falling due together by the hundred thousand were otherwise all loaded at once,
  // each held in memory until its commit. Acting on an execution (completing, signalling, a
  // status) never waits for this.
  size_t reload_backlog = 65536;
  // Durable, several nodes on one database: see NodeOptions.
  NodeOptions node = {};
};

struct RecoveryReport {
  size_t recovered = 0;  // loaded and carrying on
  size_t parked = 0;     // waiting for people, signals or timers: left in the store until needed
  std::vector<Error> failed;  // executions that could not be restored (left untouched)
};

// The input against `workflow`'s input schema: kInvalidData naming the first violation's
// pointer, in the words Engine::start refuses it with.
Status check_input(const Workflow& workflow, const nlohmann::json& input);

class Engine final : public ExecutionHost {
 public:
  // `registry`, `catalog`, `clock` and `sink` (may be null) must outlive the engine.
  Engine(const PluginRegistry& registry, const WorkflowCatalog& catalog, Clock& clock,
         EngineOptions options = {}, EventSink* sink = nullptr);
  ~Engine() override;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Checks `input` against the workflow's input schema (kInvalidData naming the pointer of the
  // first violation; nothing runs) and starts an execution. An empty `id` gets a fresh one.
  // Durable: also registers the workflow and the sub-workflows it names (kConflict when a
  // different definition holds the same id and version), and returns once the start is
  // committed. `initiator` is the actor who started it (separation of duties, audit).
  // With `run` false the execution is only recorded (durable engines): the engine that next
  // recovers the store runs it. In memory, the execution runs on the calling thread up to its
  // first step that is not non-blocking in this process (or 256 steps): a chain of such steps
  // may have ended when start returns, and its events reach the sink on this thread. (The same
  // holds for the steps an in-memory complete_task or signal resumes.)
  Result<std::string> start(std::shared_ptr<const Workflow> workflow, nlohmann::json input,
                            std::string id = {}, std::string initiator = {}, bool run = true);

  // Durable: carries on with every execution the store has not seen finish: those with work
  // are loaded and resumed; parked ones (waiting for people, signals or timers) stay in the store
  // and are loaded when their next timer falls due or someone acts on them. Call once, before
  // anything else; the catalog must hold the workflows they pinned.
  Result<RecoveryReport> recover();

  // The acting calls: see Execution. Each returns after its effect (or the audited refusal) is
  // committed. A task id names its execution ("<execution>.t<n>").
  Result<nlohmann::json> complete_task(const std::string& task_id, const Actor& actor,
                                       const nlohmann::json& data);
  Status signal(const std::string& execution_id, const std::string& name,
                const nlohmann::json& data, const Actor& actor);
  // A request's whole body, before any route reads it (its schema included): kInvalidData with
  // the pointer when it carries an image or video anywhere (an `attachments`, `mime` or any
  // other field), audited with the actor and organisation (never the bytes), and the security
  // contact of the workflow it is about told — `workflow`, else the execution's.
  Status refuse_request_media(const nlohmann::json& body, const Actor& actor,
                              const std::string& route, const std::string& execution_id,
                              const Workflow* workflow = nullptr);
  Status extend_deadline(const std::string& task_id, TimePoint due, const Actor& actor,
                         const std::string& justification);

  // Task claims: see Execution. `manager` (release, reassign): the caller may act on any task
  // of the execution (a coordinator), decided above the engine. `to` is the person a task is
  // handed to, in the role they would complete it in.
  Status claim_task(const std::string& task_id, const Actor& actor);
  Status release_task(const std::string& task_id, const Actor& actor, bool manager);
  Status reassign_task(const std::string& task_id, const Actor& to, const Actor& actor,
                       const std::string& justification, bool manager);
  // Stops a running (or parked) execution for good, with a justification. kNotFound when the
  // store has no such execution; kConflict when it has finished.
  Status cancel(const std::string& execution_id, const Actor& actor,
                const std::string& justification);
  // Durable: carries a failed execution on from the snapshot committed before it failed: the
  // attempts then in flight run again (same idempotency keys, the context they had), tasks then
  // open are open again, and its timers are re-armed. kConflict unless it failed, when nothing
  // was committed before the failure, or when the failure was a passed deadline or the
  // workflow's timeout (its timer would fire again at once); kInvalidArgument in memory.
  Status retry(const std::string& execution_id, const Actor& actor,
               const std::string& justification);

  // Durable: moves execution `execution_id` to another version of its workflow as `plan` says
  // (runtime/migration_plan.h, Execution::migrate), or with `dry_run` only says what would
  // change. The report says why it cannot move when something stands in the way (then nothing
  // changes); applied, it returns once the migrated state is committed with its event and audit
  // entry, the new version registered in the store. kNotFound for an unknown execution or a
  // version the catalog does not hold; kInvalidData for a plan that does not fit the versions;
  // kInvalidArgument in memory.
  Result<MigrationReport> migrate(const std::string& execution_id, const MigrationPlan& plan,
                                  bool dry_run, const Actor& actor,
                                  const std::string& justification);

  // Durable: blocks until every change so far is committed; the store's failure, if any.
  Status sync();
  // Durable: commit statistics (transactions, drains).
  CommitStats commit_stats() const;

  // Blocks until no scheduler work or plugin call is pending: every execution is finished,
  // suspended, or waiting for its clock.
  // Returns early if the store failed (see sync()).
  void wait_idle();
  // Nothing in flight and nothing to come: no scheduler work, plugin call or uncommitted change,
  // and no clock call pending or running (a timer weeks ahead counts). Read so that work handed
  // from a clock call to the scheduler, or from work to a clock call, between the reads is never
  // taken for quiet: a worker told to stop once idle does not leave a retry it was about to run.
  bool settled() const;

  // In memory, else (durable) as the store has it; nullopt when unknown.
  std::optional<ExecutionSnapshot> snapshot(const std::string& id) const;
  // The executions in memory, in id order (durable engines drop finished and parked ones).
  std::vector<std::string> execution_ids() const;

  // ExecutionHost
  Clock& clock() override { return clock_; }
  const PluginRegistry& registry() const override { return registry_; }
  const WorkflowCatalog& catalog() const override { return catalog_; }
  const CalendarSet& calendars() const override;
  const ExecutionLimits& limits() const override { return limits_; }
  const VisibilityPolicy& visibility(const std::shared_ptr<const Workflow>& workflow) override;
  CrashJournal::Mark working_on(const std::string& execution_id) override {
    return journal_ != nullptr ? journal_->mark(execution_id) : CrashJournal::Mark();
  }
  CrashJournal::Mark calling_plugin(const std::string& execution_id,
                                    CrashJournal::PluginCall call) override {
    return journal_ != nullptr ? journal_->mark_call(execution_id, call) : CrashJournal::Mark();
  }
  void post(std::function<void()> work) override;
  void post_blocking(PluginCallPool::Job job) override;
  void record(const std::string& execution_id, const Event& event) override;
  bool durable() const override { return committer_ != nullptr; }
  bool notifies(NotificationKind kind) const override;
  void mark_dirty(std::shared_ptr<Execution> execution) override;
  void committed(const std::shared_ptr<Execution>& execution) override;

  // Several nodes: this node's id ("<name>/<random>"), empty when the engine works alone.
  const std::string& node_id() const { return node_id_; }
  // Several nodes: claims up to NodeOptions::adopt_batch executions nobody alive works on that
  // have work now and takes them up; how many. The server's poll does this; a test may too.
  Result<size_t> adopt_orphans();

 private:
  // --- Several nodes (engine_leases.cc) ---
  // Lets the lease on an execution go when it goes, unless kept (the execution stays in
  // memory). An empty id holds nothing.
  class LeaseHold {
   public:
    // `claimed` false: nothing to let go (a dry run reads only).
    LeaseHold(Engine& engine, std::string id, bool claimed = true)
        : engine_(engine), id_(claimed ? std::move(id) : std::string()) {}
    ~LeaseHold() {
      if (!kept_ && !id_.empty()) engine_.drop_lease(id_);
    }
    LeaseHold(const LeaseHold&) = delete;
    LeaseHold& operator=(const LeaseHold&) = delete;
    void keep() { kept_ = true; }

   private:
    Engine& engine_;
    std::string id_;
    bool kept_ = false;
  };
  // Claims `id` for this node unless it holds it already: ok (held, or nothing to lease), or
  // kConflict/kExecutionBusy naming the node that works on it (never waits: a wait holding
  // executions_mutex_ would stop this node's commits). Called with executions_mutex_ held, or
  // by load_unlocked with `id` in loading_.
  Status claim_locked(const std::string& id);
  // find_or_load's one attempt (with leases: kConflict/kExecutionBusy when another node holds
  // the execution). A second call for an execution being loaded waits for that load.
  // `woken`: a timer's wake-up loads it (counted against reload_backlog_ until its commit).
  Result<std::shared_ptr<Execution>> load_once(const std::string& id, bool woken = false);
  // load_once's claim, read and restore, with `id` in loading_ and no lock held meanwhile;
  // puts the restored execution in memory and resumes it (null when none is stored or it has
  // finished).
  Result<std::shared_ptr<Execution>> load_unlocked(const std::string& id, bool woken);
  bool holds_lease(const std::string& id) const;
  // The lease this node holds on `id` (its latest claim), if any.
  std::optional<ExecutionFence> held_lease(const std::string& id) const;
  // Lets the lease on `id` go (queued for the keeper thread), if this node holds it — only the
  // lease `copy` was loaded under, when given: a stale copy never lets a newer claim go.
  void drop_lease(const std::string& id, const std::optional<ExecutionFence>& copy = {});
  // A migration: the stored record, claimed first (claim_locked) when `claim`.
  Result<std::optional<ExecutionRecord>> claim_and_read(const std::string& id, bool claim);
  // A retry: kConflict when the execution is at work (at_work_locked), else claim_locked.
  Status claim_idle_locked(const std::string& id);
  // In memory with work in flight, or being loaded (executions_mutex_ held).
  bool at_work_locked(const std::string& id) const;
  // A copy restored from the store writes under the lease this node holds on it (if any).
  void lease_copy(Execution& copy) const;
  // A start: its first write makes this node the owner, with fence 1.
  void lease_fresh(Execution& execution);
  // After a start: its commit (sync()); kConflict when another node wrote an execution under
  // its id first; one only recorded (`run` false) leaves memory and its lease goes.
  Status settle_start(const std::shared_ptr<Execution>& execution, bool run);
  // recover() with leases: what nobody alive works on is taken up (a server); parked
  // executions stay for whichever node they are needed on.
  Result<RecoveryReport> recover_as_node();
  // GroupCommitter's LeaseMoved: takes the executions other nodes claimed out of `batch` and
  // out of memory (Execution::mark_lost).
  Status take_out_moved(StoreBatch& batch);
  // The keeper thread: heartbeats, releases, adoption.
  void keep_leases();
  void start_keeper();
  // Stops the keeper, then (after the committer's last commit) releases every lease left.
  void stop_keeper();

  void begin_work();
  void end_work();
  std::shared_ptr<Execution> find(const std::string& id) const;
  // Durable: the execution in memory, else loaded from the store (nullptr if unknown or
  // finished; kInvalidData if its snapshot cannot be restored).
  // With leases, claims it first: waits up to NodeOptions::busy_wait while another node that
  // is alive works on it (unless `wait_if_held` is false: a timer's reload leaves it to that
  // node), then kConflict/kExecutionBusy.
  Result<std::shared_ptr<Execution>> find_or_load(const std::string& id, bool wait_if_held = true,
                                                  bool woken = false);
  // Runs `act` on the execution, reloading it if it was evicted in the meantime.
  template <class T, class Act>
  Result<T> acting_on(const std::string& id, const std::string& missing, Act act);
  void wake_at(const std::string& id, TimePoint due);  // executions_mutex_ held
  // A timer's wake-up (on the clock's thread): queues `id` for reload_queued(), posting that
  // unless the queue held some already.
  void queue_wake(const std::string& id);
  // The first kReloadBatch wake-ups queue_wake() queued, reloaded (on the scheduler); posts
  // itself again while more are queued.
  void reload_queued();
  // Timers' wake-ups of parked executions (on the scheduler), oldest first: reloads the first
  // kReloadBatch together, or postpones them while EngineOptions::reload_backlog executions
  // other wake-ups reloaded wait for a commit; released ones beyond the batch are posted again.
  // `released`: they come from release_postponed(), each counted in waking_ until reloaded.
  void reload_on_wake(std::vector<std::string> ids, bool released);
  // load_unlocked for several executions at once, as woken ones: each claimed and marked in
  // loading_, the store read once for all of them, then each restored and resumed. One that
  // another thread is loading meanwhile is left to find_or_load.
  void load_woken(const std::vector<std::string>& ids);
  // load_woken's first step: each of `ids` neither in memory nor being loaded is marked in
  // loading_ and added to `marked`; one being loaded by another thread goes to `elsewhere`.
  void mark_loading(const std::vector<std::string>& ids, std::vector<std::string>& marked,
                    std::vector<std::string>& elsewhere);
  // The end of a load: `stored` (what the store holds for `id`) restored and put in memory,
  // its lease kept, and resumed; null when none is stored or it has finished.
  Result<std::shared_ptr<Execution>> adopt_stored(const std::string& id,
                                                  Result<std::optional<StoredExecution>> stored,
                                                  LeaseHold& hold, bool woken);
  // `id` leaves loading_, and the loads waiting for it go on (after its lease was let go, when
  // it was, so that the next load's claim is never the one let go).
  void end_loading(const std::string& id);
  // Posts postponed wake-ups while the backlog has room; safe from any thread.
  void release_postponed();
  // `execution` no longer counts against the backlog (committed, or lost to another node).
  void let_go_woken(Execution& execution);
  Status register_workflows(const Workflow& workflow);
  // Counts, durably, a death of the previous process against each execution the crash journal
  // says it was working on — only against the work whose thread the death came from, when the
  // process saw it (a fault, an abort); and a plugin call that crashed it is kept in
  // crashed_calls_ for its execution to fail that attempt when it is loaded, the execution in
  // crashed_executions_.
  Status count_interruptions();
  // Restores `stored` (Store::stored_execution) and resumes it, or sets it aside when processes
  // died working on it limits().interruptions times.
  Result<std::shared_ptr<Execution>> load(const StoredExecution& stored);
  // Images and video never enter, not even in the words people type beside the data (who they
  // are, why they act): refuses `people` ({"actor": ..., "justification": ...}) carrying one,
  // audited with the actor withheld, before anything else looks at the request.
  Status refuse_media_from(const std::string& execution_id, const nlohmann::json& people,
                           const std::string& source);

  const PluginRegistry& registry_;
  const WorkflowCatalog& catalog_;
  Clock& clock_;
  EventSink* sink_;
  Store* store_;
  const CalendarSet* calendars_;
  const ExecutionLimits limits_;
  const std::vector<NotificationKind> notify_;
  CrashJournal* journal_;
  // The scheduler's io_context and its threads (in the .cc file: only it compiles Asio).
  struct Scheduler;
  std::unique_ptr<Scheduler> scheduler_;
  PluginCallPool plugin_pool_;
  struct CrashedCall {
    CrashJournal::PluginCall call;
    std::string cause;
  };
  std::mutex crashed_mutex_;
  std::map<std::string, std::vector<CrashedCall>> crashed_calls_;  // until loaded
  // The executions one of whose plugin calls crashed the previous process, kept for this
  // process's life: every copy loaded, the first and each reload of one that left memory
  // meanwhile, calls its steps only once their attempts are committed
  // (Execution::note_crashed_calls).
  std::set<std::string> crashed_executions_;

  mutable std::mutex executions_mutex_;
  // Hashed, not ordered: a wake-up storm looks ids up among a million parked ones under this
  // lock, where a tree's string comparisons (one cache miss each) were 7% of the scheduler.
  std::unordered_map<std::string, std::shared_ptr<Execution>> executions_;
  // Being read from the store (load_once, or a batch of wake-ups: load_woken).
  std::unordered_set<std::string> loading_;
  std::condition_variable loaded_;        // a load ended (with executions_mutex_)
  std::set<const Workflow*> registered_;  // in the store already (the catalog owns them)
  // Evicted execution -> the clock call that reloads it.
  std::unordered_map<std::string, uint64_t> wakeups_;

  std::mutex visibility_mutex_;  // only the catalog is read under it (compiling a policy)
  // By workflow key, with the workflow the policy points into.
  std::map<std::string,
           std::pair<std::shared_ptr<const Workflow>, std::unique_ptr<const VisibilityPolicy>>>
      visibility_;

  std::mutex idle_mutex_;
  std::condition_variable idle_;
  // Posted work and uncommitted changes: how many are in flight (the low 32 bits) and how many
  // ever began (the high bits, wrapping), in one word so that settled() sees both at once.
  std::atomic<uint64_t> work_{0};
  static constexpr uint64_t kWorkBegun = uint64_t{1} << 32;
  static constexpr uint64_t kInFlight = kWorkBegun - 1;
  std::atomic<bool> store_failed_{false};
  // Wake-ups and the backlog they wait on (reload_on_wake). Each postponed wake-up stays counted
  // in work_ until it is posted again, so the engine is not idle while one waits. The counters
  // are sequentially consistent: a commit lowers the backlog and then looks for postponed
  // wake-ups, a wake-up postpones itself and then looks at the backlog, so one of the two always
  // sees the other and none is left behind.
  const size_t reload_backlog_;
  std::atomic<size_t> woken_{0};   // executions wake-ups reloaded (Execution::mark_woken)
  std::atomic<size_t> waking_{0};  // postponed wake-ups posted again, not yet run
  // The most wake-ups one job reloads, read together: enough for a reader's pages to be shared
  // (the tables' upper levels, read once a batch), few enough that a job keeps the scheduler
  // from firing what it reloaded only briefly.
  static constexpr size_t kReloadBatch = 64;
  std::mutex wake_mutex_;
  std::deque<std::string> wake_queue_;  // due wake-ups for reload_queued, each counted in work_
  std::mutex postponed_mutex_;
  std::deque<std::string> postponed_;       // oldest first
  std::atomic<size_t> postponed_count_{0};  // its size, read without the lock
  // Several nodes.
  const NodeOptions node_;
  ExecutionLeases* leases_;
  std::string node_id_;
  mutable std::mutex leases_mutex_;             // a leaf: nothing else is locked while it is held
  std::map<std::string, ExecutionFence> held_;  // by execution id
  std::mutex keeper_mutex_;
  std::condition_variable keeper_cv_;
  std::vector<ExecutionFence> releases_;  // for the keeper thread
  bool keeper_stop_ = false;
  std::thread keeper_;

  std::unique_ptr<GroupCommitter> committer_;  // last: destroyed first, after the threads
};

}  // namespace coalition

#endif  // COALITION_RUNTIME_ENGINE_H_
