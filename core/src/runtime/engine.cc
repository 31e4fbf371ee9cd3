#include "runtime/engine.h"

#include <fmt/format.h>
#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cstring>
#include <random>
#include <set>
#include <thread>

#include <spdlog/spdlog.h>
#include "audit/audit_chain.h"
#include "common/json_limits.h"
#include "common/sha256.h"
#include "common/text_field.h"
#include "guard/media_scan.h"
#include "guard/reference_fields.h"
#include "guard/report_disclosure.h"
#include "runtime/persisted_state.h"
#include "runtime/security_notice.h"
#include "workflow/visibility.h"

namespace coalition {

using nlohmann::json;

namespace {

// Who acts and why reach the audit log and every printed timeline: one line of valid text each.
Status check_actor(const Actor& actor) {
  if (auto s = check_text_field("actor", actor.id); !s) return s;
  if (auto s = check_text_field("role", actor.role); !s) return s;
  return check_text_field("organisation", actor.organisation);
}

// Names are compared in their normal form (common/text_field.h) everywhere after this point:
// quorum, separation of duties and the audit log see one person however it was typed.
Actor normal_actor(const Actor& given) {
  return Actor{normal_name(given.id), normal_name(given.role), normal_name(given.organisation),
               given.identity};
}

// Who acts, and why: text people type beside the data, scanned like the data.
// Built member by member: an initializer list copies every member once more, and this runs at
// every start.
nlohmann::json people_of(const Actor& actor, const std::string& justification = "") {
  nlohmann::json who = nlohmann::json::object();
  who.emplace("id", actor.id);
  who.emplace("role", actor.role);
  who.emplace("organisation", actor.organisation);
  nlohmann::json p = nlohmann::json::object();
  p.emplace("actor", std::move(who));
  if (!justification.empty()) p.emplace("justification", justification);
  return p;
}

// Execution ids are readable in logs and unique across processes sharing a store: 48 random
// bits per process (a collision is refused by the store check, never merged) plus a counter
// shared by every engine of the process (several engine nodes in one process, as the W4 node
// benchmark runs them, once drew the same ids from counters of their own).
std::string fresh_id() {
  static const uint64_t salt = (uint64_t{std::random_device{}()} << 32) ^ std::random_device{}();
  static std::atomic<uint64_t> counter{1};
  const uint64_t n = counter.fetch_add(1, std::memory_order_relaxed);
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "ex-%012llx-%llu",
                static_cast<unsigned long long>(salt & 0xffffffffffffULL),
                static_cast<unsigned long long>(n));
  return buffer;
}

}  // namespace

struct Engine::Scheduler {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::vector<std::thread> threads;
};

Engine::Engine(const PluginRegistry& registry, const WorkflowCatalog& catalog, Clock& clock,
               EngineOptions options, EventSink* sink)
    : registry_(registry),
      catalog_(catalog),
      clock_(clock),
      sink_(sink),
      store_(options.store),
      calendars_(options.calendars),
      limits_(options.limits),
      notify_(options.notify),
      journal_(options.journal),
      scheduler_(std::make_unique<Scheduler>()),
      plugin_pool_(std::max<size_t>(1, options.plugin_threads), options.max_stranded_threads),
      reload_backlog_(std::max<size_t>(1, options.reload_backlog)),
      node_(options.node),
      leases_(options.store != nullptr ? options.node.leases : nullptr) {
  for (size_t i = 0; i < std::max<size_t>(1, options.scheduler_threads); ++i) {
    scheduler_->threads.emplace_back([s = scheduler_.get()] { s->io.run(); });
  }
  if (store_ != nullptr) {
    GroupCommitter::LeaseMoved on_moved;
    if (leases_ != nullptr) on_moved = [this](StoreBatch& batch) { return take_out_moved(batch); };
    committer_ = std::make_unique<GroupCommitter>(
        *store_,
        [this](const Error& error) {
          spdlog::error("the store refused a transaction or its sync; executions stop here: {}",
                        error.message());
          store_failed_ = true;
          std::lock_guard<std::mutex> lock(idle_mutex_);
          idle_.notify_all();
        },
        std::move(on_moved));
  }
  if (leases_ != nullptr) start_keeper();
}

const CalendarSet& Engine::calendars() const {
  static const CalendarSet kNone;
  return calendars_ != nullptr ? *calendars_ : kNone;
}

void Engine::mark_dirty(std::shared_ptr<Execution> execution) {
  begin_work();
  committer_->submit(std::move(execution));
}

// After each commit: an execution with nothing left to do in memory is dropped from it (a
// finished one for good, a parked one until its next timer or the next person acting on it), so
// months-long waits cost store bytes, not RAM.
void Engine::committed(const std::shared_ptr<Execution>& execution) {
  {
    std::lock_guard<std::mutex> lock(executions_mutex_);
    auto it = executions_.find(execution->id());
    if (it != executions_.end() && it->second == execution) {
      if (auto evicted = execution->evict_if_idle()) {
        executions_.erase(it);
        if (*evicted) wake_at(execution->id(), **evicted);
        drop_lease(execution->id(), execution->lease());  // any node takes it up next
      }
    }
  }
  let_go_woken(*execution);
  end_work();
}

void Engine::let_go_woken(Execution& execution) {
  if (execution.take_woken()) woken_.fetch_sub(1);
  if (postponed_count_.load() > 0) release_postponed();
}

void Engine::wake_at(const std::string& id, TimePoint due) {
  wakeups_[id] = clock_.call_at(due, [this, id] { queue_wake(id); });
}

// Deadlines falling due together are reloaded together: one job for the wake-ups queued
// meanwhile, kReloadBatch at most (a post per wake-up, each waking the scheduler, cost more
// than a reload), and one read of the store for them (store/store.h stored_executions).
void Engine::queue_wake(const std::string& id) {
  begin_work();  // ended once reload_queued has looked at it
  bool first = false;
  {
    std::lock_guard<std::mutex> lock(wake_mutex_);
    first = wake_queue_.empty();
    wake_queue_.push_back(id);
  }
  if (first) post([this] { reload_queued(); });
}

// One batch a job: between jobs the scheduler fires what the batch reloaded (and stops, when
// the engine goes, without reloading what would never run).
void Engine::reload_queued() {
  std::vector<std::string> ids;
  bool more = false;
  {
    std::lock_guard<std::mutex> lock(wake_mutex_);
    const size_t n = std::min(wake_queue_.size(), kReloadBatch);
    ids.assign(std::make_move_iterator(wake_queue_.begin()),
               std::make_move_iterator(wake_queue_.begin() + static_cast<std::ptrdiff_t>(n)));
    wake_queue_.erase(wake_queue_.begin(), wake_queue_.begin() + static_cast<std::ptrdiff_t>(n));
    more = !wake_queue_.empty();  // then no queue_wake posts: this job does
  }
  const size_t n = ids.size();
  reload_on_wake(std::move(ids), /*released=*/false);
  if (more) post([this] { reload_queued(); });
  for (size_t i = 0; i < n; ++i) end_work();
}

// A storm of deadlines due together reloads executions faster than their commits let them go
// (each reload queues the firing of its due timers behind the wake-ups already queued, so
// without a bound every execution was loaded before the first fired: 200,000 due together took
// the process from 106 MB to 1.35 GB). A postponed wake-up keeps its place in line, oldest
// first. An execution a wake-up reloads counts until its next commit (or until another node
// takes it). Only in real time: there a reloaded execution's due timers fire at once, so its
// commit follows by itself; in virtual time they wait for time to be moved, and a postponed
// wake-up could wait for a commit that only the next move of time would bring.
void Engine::reload_on_wake(std::vector<std::string> ids, bool released) {
  const bool bounded = clock_.real_time();
  size_t taken = 0;
  while (taken < ids.size() && taken < kReloadBatch &&
         !(bounded && woken_.load() + taken >= reload_backlog_)) {
    ++taken;
  }
  std::vector<std::string> rest(
      std::make_move_iterator(ids.begin() + static_cast<std::ptrdiff_t>(taken)),
      std::make_move_iterator(ids.end()));
  ids.resize(taken);
  const bool room = ids.size() == kReloadBatch || rest.empty();  // else the bound stopped it
  if (!ids.empty()) load_woken(ids);
  // Counted in waking_ until counted in woken_ (or found to need no reload).
  if (released) waking_.fetch_sub(ids.size());
  if (!rest.empty() && room) {  // a released job's next batch, posted as the queue's are
    post([this, rest = std::move(rest), released]() mutable {
      reload_on_wake(std::move(rest), released);
    });
  } else if (!rest.empty()) {  // no room: they wait for commits, ahead of later ones if released
    std::lock_guard<std::mutex> lock(postponed_mutex_);
    for (size_t i = 0; i < rest.size(); ++i) begin_work();  // ended when posted again
    if (released) {
      waking_.fetch_sub(rest.size());
      postponed_.insert(postponed_.begin(), std::make_move_iterator(rest.begin()),
                        std::make_move_iterator(rest.end()));
    } else {
      postponed_.insert(postponed_.end(), std::make_move_iterator(rest.begin()),
                        std::make_move_iterator(rest.end()));
    }
    postponed_count_.store(postponed_.size());
  }
  // The commits a postponed one waited on may all have ended meanwhile; and a wake-up that
  // loaded nothing (finished meanwhile, another node's, unreadable) counted nothing: the room
  // it was given goes to the next postponed one.
  if (postponed_count_.load() > 0) release_postponed();
}

void Engine::release_postponed() {
  std::vector<std::string> ids;
  {
    std::lock_guard<std::mutex> lock(postponed_mutex_);
    const size_t busy = woken_.load() + waking_.load();
    for (size_t room = busy < reload_backlog_ ? reload_backlog_ - busy : 0;
         room > 0 && !postponed_.empty(); --room) {
      ids.push_back(std::move(postponed_.front()));
      postponed_.pop_front();
    }
    postponed_count_.store(postponed_.size());
    waking_.fetch_add(ids.size());
  }
  if (ids.empty()) return;
  // One job for them all: a post per wake-up, from the syncing thread, each waking the
  // scheduler, cost more than the reloads it handed over.
  const size_t n = ids.size();
  post([this, ids = std::move(ids)]() mutable { reload_on_wake(std::move(ids), true); });
  for (size_t i = 0; i < n; ++i) end_work();  // the postponements', now the posted job's
}

// The wait happens with no lock held: meanwhile this node commits, evicts and lets executions
// go as usual — another node may be waiting for one of them.
Result<std::shared_ptr<Execution>> Engine::find_or_load(const std::string& id, bool wait_if_held,
                                                        bool woken) {
  const auto deadline = std::chrono::steady_clock::now() + node_.busy_wait;
  constexpr auto kMaxPause = std::chrono::milliseconds(200);
  for (auto pause = std::chrono::milliseconds(20);; pause = std::min(pause * 2, kMaxPause)) {
    auto loaded = load_once(id, woken);
    if (loaded || !wait_if_held || loaded.error().reason() != ErrorReason::kExecutionBusy ||
        std::chrono::steady_clock::now() + pause > deadline) {
      return loaded;
    }
    std::this_thread::sleep_for(pause);
  }
}

// The store is read with no lock held, so that loads of different executions overlap and
// commits (committed() takes executions_mutex_) never wait for a read; `loading_` keeps a
// second load of the same execution, a retry and a migration away from it meanwhile.
Result<std::shared_ptr<Execution>> Engine::load_once(const std::string& id, bool woken) {
  {
    std::unique_lock<std::mutex> lock(executions_mutex_);
    for (;;) {
      if (auto it = executions_.find(id); it != executions_.end()) return it->second;
      if (store_ == nullptr) return std::shared_ptr<Execution>();
      if (loading_.insert(id).second) break;
      loaded_.wait(lock);  // another thread loads it: take its copy, or try again if it failed
    }
  }
  return load_unlocked(id, woken);
}

Result<std::shared_ptr<Execution>> Engine::load_unlocked(const std::string& id, bool woken) {
  struct Loading {  // destroyed after `hold`
    Engine& engine;
    const std::string& id;
    ~Loading() { engine.end_loading(id); }
  } loading{*this, id};
  if (auto claimed = claim_locked(id); !claimed) return std::move(claimed).error();
  LeaseHold hold(*this, id);  // let go unless the execution is loaded
  return adopt_stored(id, store_->stored_execution(id), hold, woken);
}

void Engine::end_loading(const std::string& id) {
  std::lock_guard<std::mutex> lock(executions_mutex_);
  loading_.erase(id);
  loaded_.notify_all();
}

void Engine::load_woken(const std::vector<std::string>& ids) {
  // Ends the loads still marked (an id is emptied once its load has ended), after the leases
  // (`holds`, declared after it) were let go.
  struct Loading {
    Engine& engine;
    std::vector<std::string> ids;
    ~Loading() {
      for (const auto& id : ids) {
        if (!id.empty()) engine.end_loading(id);
      }
    }
    void end(size_t i) {
      engine.end_loading(ids[i]);
      ids[i].clear();
    }
  } loading{*this, {}};
  std::vector<std::string> elsewhere;  // another thread loads them: left to find_or_load
  if (store_ == nullptr) return;
  mark_loading(ids, loading.ids, elsewhere);
  const bool woken = clock_.real_time();
  const auto report = [](const std::string& id, const Error& error) {
    if (error.reason() != ErrorReason::kExecutionBusy) {  // busy: the other node's to run
      spdlog::error("cannot reload execution {}: {}", id, error.message());
    }
  };
  std::vector<size_t> claimed;  // indexes into loading.ids
  std::vector<std::string> reads;
  std::vector<std::unique_ptr<LeaseHold>> holds;
  claimed.reserve(loading.ids.size());  // no claim is made that then lacks its hold
  reads.reserve(loading.ids.size());
  holds.reserve(loading.ids.size());
  for (size_t i = 0; i < loading.ids.size(); ++i) {
    if (auto s = claim_locked(loading.ids[i]); !s) {
      report(loading.ids[i], s.error());
      loading.end(i);
      continue;
    }
    claimed.push_back(i);
    reads.push_back(loading.ids[i]);
    holds.push_back(std::make_unique<LeaseHold>(*this, loading.ids[i]));
  }
  auto stored = store_->stored_executions(reads);
  if (stored.size() != reads.size()) {  // a store breaking its contract: nothing is reloaded
    for (const auto& id : reads) {
      report(id, Error::io("store: " + std::to_string(stored.size()) + " executions read for " +
                           std::to_string(reads.size()) + " asked"));
    }
    return;
  }
  for (size_t k = 0; k < claimed.size(); ++k) {
    auto loaded = adopt_stored(reads[k], std::move(stored[k]), *holds[k], woken);
    if (!loaded) report(reads[k], loaded.error());
    holds[k].reset();
    loading.end(claimed[k]);
  }
  for (const auto& id : elsewhere) {
    auto loaded = find_or_load(id, /*wait_if_held=*/false, woken);
    if (!loaded) report(id, loaded.error());
  }
}

void Engine::mark_loading(const std::vector<std::string>& ids, std::vector<std::string>& marked,
                          std::vector<std::string>& elsewhere) {
  // Reserved first: an id marked in loading_ and then lost would hold its loads forever.
  marked.reserve(marked.size() + ids.size());
  elsewhere.reserve(elsewhere.size() + ids.size());
  std::lock_guard<std::mutex> lock(executions_mutex_);
  for (const auto& id : ids) {
    if (executions_.count(id) > 0) continue;  // in memory: nothing to reload
    if (loading_.insert(id).second) {
      marked.push_back(id);
    } else {
      elsewhere.push_back(id);
    }
  }
}

Result<std::shared_ptr<Execution>> Engine::adopt_stored(
    const std::string& id, Result<std::optional<StoredExecution>> stored, LeaseHold& hold,
    bool woken) {
  if (!stored) return std::move(stored).error();
  if (!*stored || is_finished((*stored)->record.status)) return std::shared_ptr<Execution>();
  auto restored = load(**stored);
  if (!restored) return std::move(restored).error();
  std::shared_ptr<Execution> execution = *restored;
  {
    std::lock_guard<std::mutex> lock(executions_mutex_);
    hold.keep();
    // A start under this id may have put its execution in memory meanwhile and committed it
    // before the read (retries and migrations refuse an id in loading_): its copy is the one
    // acted on.
    if (auto [it, fresh] = executions_.emplace(id, execution); !fresh) return it->second;
    if (woken) {  // before it can fire, drain and commit
      execution->mark_woken();
      woken_.fetch_add(1);
    }
    if (auto w = wakeups_.find(id); w != wakeups_.end()) {
      clock_.cancel(w->second);
      wakeups_.erase(w);
    }
  }
  if (!execution->terminal()) execution->resume_restored();
  return execution;
}

template <class T, class Act>
Result<T> Engine::acting_on(const std::string& id, const std::string& missing, Act act) {
  for (;;) {
    auto execution = find_or_load(id);
    if (!execution) return std::move(execution).error();
    if (*execution == nullptr) return Error::not_found(missing);
    Result<T> result = act(**execution);
    if (!result && result.error().code() == ErrorCode::kEvicted) continue;
    if (auto s = sync(); !s) return std::move(s).error();
    // Another node claimed it before the effect was written: nothing of it was, so the call
    // is made again where the execution is now (claiming it back, or waiting for that node).
    if ((*execution)->lost()) continue;
    return result;
  }
}

Status Engine::sync() {
  if (committer_ == nullptr) return ok_status();
  return committer_->flush();
}

CommitStats Engine::commit_stats() const {
  return committer_ != nullptr ? committer_->stats() : CommitStats{};
}

bool Engine::notifies(NotificationKind kind) const {
  return durable() && std::find(notify_.begin(), notify_.end(), kind) != notify_.end();
}

Engine::~Engine() {
  if (leases_ != nullptr) stop_keeper();
  {
    std::lock_guard<std::mutex> lock(executions_mutex_);
    for (const auto& [id, call] : wakeups_) clock_.cancel(call);
    wakeups_.clear();
  }
  plugin_pool_.join();
  scheduler_->work.reset();
  scheduler_->io.stop();
  for (auto& t : scheduler_->threads) t.join();
  if (leases_ != nullptr) {
    // Everything queued is written with its fences first; then every lease goes, so the
    // executions this node leaves unfinished continue on another at once.
    committer_.reset();
    if (auto s = leases_->leave(node_id_); !s) {
      spdlog::warn("node {} could not give its leases up (they lapse in {} ms): {}", node_id_,
                   node_.lease.count(), s.error().message());
    }
  }
}

// A counter rather than a mutex on every post: the mutex is taken only when the count reaches
// zero, so that a waiter cannot miss the notification between its check and its wait.
void Engine::begin_work() {
  work_.fetch_add(kWorkBegun + 1, std::memory_order_relaxed);
}

void Engine::end_work() {
  if ((work_.fetch_sub(1, std::memory_order_acq_rel) & kInFlight) == 1) {
    std::lock_guard<std::mutex> lock(idle_mutex_);
    idle_.notify_all();
  }
}

void Engine::post(std::function<void()> work) {
  begin_work();
  boost::asio::post(scheduler_->io, [this, work = std::move(work)] {
    work();
    end_work();
  });
}

void Engine::post_blocking(PluginCallPool::Job job) {
  begin_work();
  job.done = [this, done = std::move(job.done)] {
    if (done) done();
    end_work();
  };
  plugin_pool_.post(std::move(job));
}

void Engine::record(const std::string& execution_id, const Event& event) {
  if (sink_ != nullptr) sink_->on_event(execution_id, event);
}

// Compiled at the first drain that needs it (steps differing within one commit) and kept: a
// workflow's classes never change under its id and version.
const VisibilityPolicy& Engine::visibility(const std::shared_ptr<const Workflow>& workflow) {
  std::lock_guard<std::mutex> lock(visibility_mutex_);
  auto& [kept, policy] = visibility_[workflow->key()];
  if (!policy) {
    kept = workflow;
    policy =
        std::make_unique<const VisibilityPolicy>(VisibilityPolicy::compile(*workflow, &catalog_));
  }
  return *policy;
}

void Engine::wait_idle() {
  std::unique_lock<std::mutex> lock(idle_mutex_);
  idle_.wait(lock, [this] {
    return (work_.load(std::memory_order_acquire) & kInFlight) == 0 || store_failed_.load();
  });
}

// Work passes between the scheduler and the clock without a gap: a clock call begins the work
// it hands over before it returns (and the clock counts it pending until then), and work arms
// its calls before it ends. Two readings of the work word around one of the clock therefore
// catch any hand-over: if none was in flight at the first and none began by the second, a call
// the clock had no trace of in between cannot have handed any over, and no work was left to
// arm one.
bool Engine::settled() const {
  const uint64_t before = work_.load();
  if ((before & kInFlight) != 0) return false;
  if (clock_.next_due()) return false;
  return work_.load() == before;
}

// The workflow and every sub-workflow it can reach are stored before the execution that pins
// them, so recovery never meets an execution whose definition is missing.
Status Engine::register_workflows(const Workflow& root) {
  {
    std::lock_guard<std::mutex> lock(executions_mutex_);
    if (registered_.count(&root) > 0) return ok_status();
  }
  StoreBatch batch;
  std::set<std::string> seen;
  std::vector<const Workflow*> todo{&root};
  while (!todo.empty()) {
    const Workflow* w = todo.back();
    todo.pop_back();
    if (!seen.insert(w->key()).second) continue;
    const std::string text = w->document.dump();
    batch.workflows.push_back(WorkflowRecord{w->id, w->version, sha256_hex(text), text});
    for (const Step* call : sub_workflow_calls(*w)) {
      if (auto child = catalog_.find(call->workflow_id, call->workflow_version)) {
        todo.push_back(child.get());
      }
    }
  }
  if (auto s = store_->apply(batch); !s) return s;
  std::lock_guard<std::mutex> lock(executions_mutex_);
  registered_.insert(&root);
  return ok_status();
}

Status check_input(const Workflow& workflow, const nlohmann::json& input) {
  if (!workflow.compiled_input_schema) return ok_status();
  auto violations = workflow.compiled_input_schema->validate(input);
  if (violations.empty()) {
    // Fields the input schema declares outbound (a signal's text, sent to every recipient)
    // never say that a suspicious-activity report exists.
    const auto found = find_report_disclosure(input, workflow.outbound_input);
    if (!found) return ok_status();
    return Error::invalid_data("input of " + workflow.key() + " refused: " + describe(*found),
                               found->pointer.empty() ? "/" : found->pointer);
  }
  const auto& v = violations.front();
  std::string message = workflow.compiled_input_schema->describe(v);
  if (violations.size() > 1) message += " (and " + std::to_string(violations.size() - 1) + " more)";
  return Error::invalid_data(
      "input does not match the input schema of " + workflow.key() + ": " + message,
      v.pointer.empty() ? "/" : v.pointer);
}

Result<std::string> Engine::start(std::shared_ptr<const Workflow> workflow, nlohmann::json input,
                                  std::string id, std::string initiator, bool run) {
  initiator = normal_name(initiator);
  const bool chosen_id = !id.empty();
  if (id.empty()) id = fresh_id();
  if (initiator.empty()) initiator = "engine";
  // Who and which: text fit for the audit log before anything is written to it.
  if (auto s = check_text_field("execution id", id); !s) return std::move(s).error();
  if (auto s = check_actor(Actor{initiator, "", "", ""}); !s) return std::move(s).error();
  // Images and video never enter: refused before anything else looks at the input (its schema
  // included), before anything is stored, audited without the bytes, and the workflow's
  // security contact told. The input schema says which fields are references (exempt from the
  // binary limit only).
  if (auto s = refuse_media_from(id, people_of(Actor{initiator, "", "", ""}), "start"); !s) {
    return std::move(s).error();
  }
  if (auto found = find_media(input, reference_options(workflow->input_schema))) {
    if (store_ != nullptr) {
      StoreBatch batch;
      const json facts{{"source", "input"},
                       {"workflow", workflow->key()},
                       {"pointer", found->pointer},
                       {"kind", found->kind},
                       {"detected_by", found->how}};
      batch.audit.push_back(
          make_audit_draft(clock_.now(), initiator, "", "", id, "", "media_refused", facts));
      if (notifies(NotificationKind::kMediaRefused)) {
        if (auto n =
                security_notice(*workflow, id, clock_.now(), facts, Actor{initiator, "", "", ""})) {
          batch.notifications.push_back(std::move(*n));
        }
      }
      if (auto s = store_->apply(batch); !s) return std::move(s).error();
    }
    return Error::media_refused("media refused in the input: " + found->kind + " (" + found->how +
                                    "); Coalition accepts references only (hashes, URLs, case "
                                    "and report numbers), never images or video",
                                found->pointer.empty() ? "/" : found->pointer);
  }
  // Within the limits before anything reads all of it (the schema, the disclosure screen).
  if (auto s = check_json_limits(input); !s) {
    return Error::invalid_data("input: " + s.error().message(), s.error().pointer());
  }
  if (auto checked = check_input(*workflow, input); !checked) return std::move(checked).error();
  if (store_ != nullptr) {
    if (auto s = register_workflows(*workflow); !s) return std::move(s).error();
    if (chosen_id) {  // fresh ids are unique by construction
      auto existing = store_->execution(id);
      if (!existing) return std::move(existing).error();
      if (*existing) return Error::conflict("an execution with id " + id + " already exists");
    }
  }
  auto execution = std::make_shared<Execution>(*this, id, std::move(workflow), std::move(input),
                                               std::move(initiator));
  {
    std::lock_guard<std::mutex> lock(executions_mutex_);
    if (!executions_.emplace(id, execution).second) {
      return Error::conflict("an execution with id " + id + " already exists");
    }
  }
  lease_fresh(*execution);
  execution->start(run || store_ == nullptr);
  if (auto s = settle_start(execution, run); !s) return std::move(s).error();
  return id;
}

namespace {

// "died of SIGSEGV (Segmentation fault)", "called exit()".
std::string describe_fault(int fault) {
  if (fault == CrashJournal::kExited) return "ended: exit() was called";
  const char* abbrev = ::sigabbrev_np(fault);
  const char* words = ::strsignal(fault);
  return fmt::format("died of SIG{} ({})", abbrev != nullptr ? abbrev : std::to_string(fault),
                     words != nullptr ? words : "a signal");
}

}  // namespace

Status Engine::count_interruptions() {
  if (journal_ == nullptr) return ok_status();
  const auto left = journal_->take_left_by_previous();
  // When the previous process saw what ended it (a fault or an abort on one of its threads, or
  // exit() called there), only the work of that thread is to blame; what ran beside it was
  // merely there. Otherwise (SIGKILL, the out-of-memory killer) every piece of work counts.
  const bool seen = std::any_of(left.begin(), left.end(),
                                [](const CrashJournal::Interrupted& w) { return w.fault != 0; });
  StoreBatch batch;
  std::set<std::string> counted;
  for (const auto& work : left) {
    if (seen && work.fault == 0) continue;
    if (work.call) {
      if (work.fault != 0) {
        spdlog::warn(
            "the previous engine process {} in a plugin call of execution {}: that attempt "
            "fails with plugin.crashed",
            describe_fault(work.fault), work.execution_id);
        std::lock_guard<std::mutex> lock(crashed_mutex_);
        crashed_calls_[work.execution_id].push_back({*work.call, describe_fault(work.fault)});
        crashed_executions_.insert(work.execution_id);
        continue;
      }
    }
    if (!counted.insert(work.execution_id).second) continue;
    auto stops = store_->interruptions(work.execution_id);
    if (!stops) return std::move(stops).error();
    batch.interruptions.emplace_back(work.execution_id, *stops + 1);
    spdlog::warn(
        "the previous engine process stopped while working on execution {} ({} of {} such "
        "stops before it is set aside)",
        work.execution_id, *stops + 1, limits_.interruptions);
  }
  return batch.empty() ? ok_status() : store_->apply(batch);
}

Result<std::shared_ptr<Execution>> Engine::load(const StoredExecution& stored) {
  const ExecutionRecord& record = stored.record;
  const uint32_t stops = stored.interruptions;
  if (node_.on_unknown_workflow && !catalog_.find(record.workflow_id, record.workflow_version)) {
    node_.on_unknown_workflow();
  }
  const auto mark = working_on(record.id);  // restoring is work too: it may be what crashes
  auto execution =
      stored.state_msgpack.empty()
          ? Execution::restore(*this, record.id, record.state, stored.parts)
          : Execution::restore_stored(*this, record.id, stored.state_msgpack, stored.parts);
  if (!execution) return execution;
  lease_copy(**execution);
  (*execution)->note_stop_count(stops > 0);
  std::vector<CrashedCall> crashed;
  bool crashed_before = false;
  {
    std::lock_guard<std::mutex> lock(crashed_mutex_);
    if (auto it = crashed_calls_.find(record.id); it != crashed_calls_.end()) {
      crashed = std::move(it->second);
      crashed_calls_.erase(it);
    }
    crashed_before = crashed_executions_.contains(record.id);
  }
  for (auto& c : crashed) (*execution)->note_crashed_call(c.call, std::move(c.cause));
  if (crashed_before) (*execution)->note_crashed_calls();
  if (stops >= limits_.interruptions) {
    spdlog::error("execution {} set aside: the engine stopped {} times while working on it",
                  record.id, stops);
    (*execution)
        ->set_aside(
            kExecutionSetAside,
            fmt::format(
                "the engine stopped {} times while working on this execution (a crash, an "
                "abort or running out of memory); it was set aside so that the others carry "
                "on (limits.interruptions)",
                stops));
  }
  return execution;
}

Result<RecoveryReport> Engine::recover() {
  RecoveryReport report;
  if (store_ == nullptr) return report;
  if (auto s = count_interruptions(); !s) return std::move(s).error();
  if (leases_ != nullptr) return recover_as_node();
  auto records = store_->active_executions();
  if (!records) return std::move(records).error();
  std::vector<std::shared_ptr<Execution>> restored;
  for (const auto& record : *records) {
    if (record.status == ExecutionStatus::kWaiting) {  // parked: stays in the store until needed
      std::lock_guard<std::mutex> lock(executions_mutex_);
      if (record.next_due) wake_at(record.id, *record.next_due);
      ++report.parked;
      continue;
    }
    auto stored = store_->stored_execution(record.id);
    if (stored && !*stored) {  // gone since it was listed (purged meanwhile)
      spdlog::warn("recovery: execution {} left the store after it was listed", record.id);
      continue;
    }
    auto execution =
        stored ? load(**stored) : Result<std::shared_ptr<Execution>>(std::move(stored).error());
    if (!execution) {
      spdlog::error("recovery: {}", execution.error().message());
      report.failed.push_back(std::move(execution).error());
      continue;
    }
    std::lock_guard<std::mutex> lock(executions_mutex_);
    executions_.emplace(record.id, *execution);
    restored.push_back(*execution);
  }
  for (auto& e : restored) {
    if (!e->terminal()) e->resume_restored();
  }
  report.recovered = restored.size();
  return report;
}

bool Engine::at_work_locked(const std::string& id) const {
  if (auto it = executions_.find(id); it != executions_.end() && !it->second->terminal()) {
    return true;
  }
  return loading_.count(id) > 0;
}

std::shared_ptr<Execution> Engine::find(const std::string& id) const {
  std::lock_guard<std::mutex> lock(executions_mutex_);
  auto it = executions_.find(id);
  return it == executions_.end() ? nullptr : it->second;
}

namespace {

std::string execution_of_task(const std::string& task_id) {
  const auto dot = task_id.rfind(".t");
  return dot == std::string::npos ? std::string() : task_id.substr(0, dot);
}

}  // namespace

Status Engine::refuse_media_from(const std::string& execution_id, const nlohmann::json& people,
                                 const std::string& source) {
  auto found = find_media(people);
  if (!found) return ok_status();
  if (store_ != nullptr) {
    StoreBatch batch;
    batch.audit.push_back(make_audit_draft(clock_.now(), "(withheld)", "", "", execution_id, "",
                                           "media_refused",
                                           {{"source", source},
                                            {"pointer", found->pointer},
                                            {"kind", found->kind},
                                            {"detected_by", found->how}}));
    if (auto s = store_->apply(batch); !s) return s;
  }
  return Error::media_refused("media refused in the " + source + ": " + found->kind + " (" +
                                  found->how + "); names, roles and reasons are text",
                              found->pointer);
}

Status Engine::refuse_request_media(const nlohmann::json& body, const Actor& given,
                                    const std::string& route, const std::string& execution_id,
                                    const Workflow* workflow) {
  // No schema is at hand here to say which fields are references, so only what is media
  // whatever a schema says: types, data URIs, signatures — never the binary limit, which the
  // engine applies once the route hands the data on with its schema.
  auto found = find_request_media(body);
  if (!found) return ok_status();
  const Actor actor = normal_actor(given);
  if (store_ != nullptr) {
    json facts{{"source", "request"},
               {"route", route},
               {"pointer", found->pointer},
               {"kind", found->kind},
               {"detected_by", found->how}};
    if (!actor.identity.empty()) facts["identity"] = actor.identity;
    StoreBatch batch;
    batch.audit.push_back(make_audit_draft(clock_.now(), actor.id, actor.role, actor.organisation,
                                           execution_id, "", "media_refused", facts));
    // The security contact of the workflow the request is about: the execution's, or the one
    // it starts.
    std::shared_ptr<const Workflow> of_execution;
    if (workflow == nullptr && !execution_id.empty()) {
      if (auto record = store_->execution(execution_id); record && *record) {
        of_execution = catalog_.find((*record)->workflow_id, (*record)->workflow_version);
        workflow = of_execution.get();
      }
    }
    if (workflow != nullptr && notifies(NotificationKind::kMediaRefused)) {
      const std::string about = execution_id.empty() ? "(not started)" : execution_id;
      if (auto n = security_notice(*workflow, about, clock_.now(), facts, actor)) {
        batch.notifications.push_back(std::move(*n));
      }
    }
    if (auto s = store_->apply(batch); !s) return s;
  }
  return Error::media_refused("media refused in the request body: " + found->kind + " (" +
                                  found->how +
                                  "); Coalition accepts references only (hashes, URLs, case and "
                                  "report numbers), never images or video",
                              found->pointer.empty() ? "/" : found->pointer);
}

Result<nlohmann::json> Engine::complete_task(const std::string& task_id, const Actor& given,
                                             const nlohmann::json& data) {
  const Actor actor = normal_actor(given);
  if (auto s = refuse_media_from(execution_of_task(task_id), people_of(actor), "completion"); !s) {
    return std::move(s).error();
  }
  if (auto s = check_text_field("task id", task_id); !s) return std::move(s).error();
  if (auto s = check_actor(actor); !s) return std::move(s).error();
  if (auto s = check_json_limits(data); !s) {
    return Error::invalid_data("answer: " + s.error().message(), s.error().pointer());
  }
  return acting_on<nlohmann::json>(
      execution_of_task(task_id), "no open task " + task_id,
      [&](Execution& e) { return e.complete_task(task_id, actor, data); });
}

Status Engine::signal(const std::string& execution_id, const std::string& name,
                      const nlohmann::json& data, const Actor& given) {
  const Actor actor = normal_actor(given);
  if (auto s = refuse_media_from(execution_id, people_of(actor), "signal"); !s) return s;
  if (auto s = check_text_field("execution id", execution_id); !s) return s;
  if (auto s = check_text_field("signal name", name); !s) return s;
  if (auto s = check_actor(actor); !s) return s;
  if (auto s = check_json_limits(data); !s) {
    return Error::invalid_data("signal data: " + s.error().message(), s.error().pointer());
  }
  return acting_on<Ok>(execution_id, "execution " + execution_id + " is not running",
                       [&](Execution& e) { return e.signal(name, data, actor); });
}

Status Engine::extend_deadline(const std::string& task_id, TimePoint due, const Actor& given,
                               const std::string& justification) {
  const Actor actor = normal_actor(given);
  if (auto s = refuse_media_from(execution_of_task(task_id), people_of(actor, justification),
                                 "extension");
      !s) {
    return s;
  }
  if (auto s = check_actor(actor); !s) return s;
  if (auto s = check_text_field("justification", justification, kMaxReasonBytes); !s) return s;
  return acting_on<Ok>(execution_of_task(task_id), "no open task " + task_id, [&](Execution& e) {
    return e.extend_deadline(task_id, due, actor, justification);
  });
}

namespace {

// Checks shared by the calls that hand a task on or act on a whole execution with a reason.
Status check_reason(const std::string& justification, const std::string& what) {
  if (justification.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Error::invalid_data(what + " needs a justification", "/justification");
  }
  return check_text_field("justification", justification, kMaxReasonBytes);
}

}  // namespace

Status Engine::claim_task(const std::string& task_id, const Actor& given) {
  const Actor actor = normal_actor(given);
  if (auto s = refuse_media_from(execution_of_task(task_id), people_of(actor), "claim"); !s) {
    return s;
  }
  if (auto s = check_text_field("task id", task_id); !s) return s;
  if (auto s = check_actor(actor); !s) return s;
  return acting_on<Ok>(execution_of_task(task_id), "no open task " + task_id,
                       [&](Execution& e) { return e.claim_task(task_id, actor); });
}

Status Engine::release_task(const std::string& task_id, const Actor& given, bool manager) {
  const Actor actor = normal_actor(given);
  if (auto s = refuse_media_from(execution_of_task(task_id), people_of(actor), "release"); !s) {
    return s;
  }
  if (auto s = check_text_field("task id", task_id); !s) return s;
  if (auto s = check_actor(actor); !s) return s;
  return acting_on<Ok>(execution_of_task(task_id), "no open task " + task_id,
                       [&](Execution& e) { return e.release_task(task_id, actor, manager); });
}

Status Engine::reassign_task(const std::string& task_id, const Actor& given_to, const Actor& given,
                             const std::string& justification, bool manager) {
  const Actor actor = normal_actor(given);
  const Actor to = normal_actor(given_to);
  nlohmann::json people = people_of(actor, justification);
  people["to"] = people_of(to)["actor"];
  if (auto s = refuse_media_from(execution_of_task(task_id), people, "reassignment"); !s) return s;
  if (auto s = check_text_field("task id", task_id); !s) return s;
  if (auto s = check_actor(actor); !s) return s;
  if (auto s = check_actor(to); !s) return s;
  if (to.id.empty() || to.id == "engine") {
    return Error::invalid_argument("a task is handed to a person, not to '" + to.id + "'");
  }
  if (auto s = check_reason(justification, "reassigning a task"); !s) return s;
  return acting_on<Ok>(execution_of_task(task_id), "no open task " + task_id, [&](Execution& e) {
    return e.reassign_task(task_id, to, actor, justification, manager);
  });
}

Status Engine::cancel(const std::string& execution_id, const Actor& given,
                      const std::string& justification) {
  const Actor actor = normal_actor(given);
  if (auto s = refuse_media_from(execution_id, people_of(actor, justification), "cancellation");
      !s) {
    return s;
  }
  if (auto s = check_text_field("execution id", execution_id); !s) return s;
  if (auto s = check_actor(actor); !s) return s;
  if (auto s = check_reason(justification, "cancelling an execution"); !s) return s;
  if (store_ != nullptr) {  // a finished one is not loaded: say how it ended
    auto record = store_->execution(execution_id);
    if (!record) return std::move(record).error();
    if (!*record) return Error::not_found("no execution " + execution_id);
    if (is_finished((*record)->status)) {
      return Error::conflict("execution " + execution_id + " has already " +
                             std::string(to_string((*record)->status)));
    }
  }
  return acting_on<Ok>(execution_id, "execution " + execution_id + " is not running",
                       [&](Execution& e) { return e.cancel(actor, justification); });
}

namespace {

Status check_failed(const std::string& execution_id, const ExecutionRecord& r) {
  if (r.status == ExecutionStatus::kFailed) return ok_status();
  const std::string status(to_string(r.status));
  return Error::conflict(
      "execution " + execution_id + " has " +
      (is_finished(r.status) ? "not failed: it " + status : "not failed: it is " + status) +
      "; only a failed execution can be retried");
}

// Whether a passed deadline or the workflow's timeout failed the execution, however deep in
// branches and iterations it struck, after the snapshot numbered `from`: its restored timer
// would fire again at once.
Result<bool> timed_out_after(Store& store, const std::string& execution_id, uint64_t from,
                             const std::string& failure_code) {
  if (failure_code == "workflow.timeout") return true;
  auto events = store.history(execution_id);
  if (!events) return std::move(events).error();
  return std::any_of(events->begin(), events->end(), [from](const Event& ev) {
    return ev.seq > from && ev.type == EventType::kDeadlineExpired &&
           ev.data().value("action", "") == "fail";
  });
}

// The state a retry goes back to: the last snapshot committed while the execution ran
// (Store::retry_point), numbered on after the events and tasks recorded up to the failure.
Result<PersistedState> state_to_retry(Store& store, const std::string& execution_id,
                                      const ExecutionRecord& r, const std::string& failure_code) {
  auto point = store.retry_point(execution_id);
  if (!point) return std::move(point).error();
  if (!*point) {
    return Error::conflict("execution " + execution_id +
                           " failed before any of its state was committed (or its records "
                           "were purged): there is nothing to go back to");
  }
  auto kept = read_persisted_state(**point);
  if (!kept) {
    return Error::invalid_data("execution " + execution_id +
                                   " cannot be retried: the state kept from before it failed is "
                                   "not one this engine reads: " +
                                   kept.error().message(),
                               kept.error().pointer());
  }
  auto failed_state = read_persisted_state(r.state);
  if (!failed_state) {
    return Error::invalid_data("execution " + execution_id +
                                   " cannot be retried: its state is not one this engine reads: " +
                                   failed_state.error().message(),
                               failed_state.error().pointer());
  }
  auto timed_out = timed_out_after(store, execution_id, kept->seq, failure_code);
  if (!timed_out) return std::move(timed_out).error();
  if (*timed_out) {
    return Error::conflict("execution " + execution_id +
                           " failed because a deadline passed or its timeout struck: the timer "
                           "would fire again at once; start a new execution");
  }
  kept->number_on_after(*failed_state);
  return std::move(*kept);
}

}  // namespace

Status Engine::retry(const std::string& execution_id, const Actor& given,
                     const std::string& justification) {
  const Actor actor = normal_actor(given);
  if (auto s = refuse_media_from(execution_id, people_of(actor, justification), "retry"); !s) {
    return s;
  }
  if (auto s = check_text_field("execution id", execution_id); !s) return s;
  if (auto s = check_actor(actor); !s) return s;
  if (auto s = check_reason(justification, "retrying an execution"); !s) return s;
  if (store_ == nullptr) {
    return Error::invalid_argument("retrying needs a durable engine: a store keeps the state");
  }
  // One retry at a time: the lock is held from the check that it failed to the moment the
  // restored execution is in memory, where a second retry finds it running.
  std::shared_ptr<Execution> execution;
  {
    std::lock_guard<std::mutex> lock(executions_mutex_);
    if (auto s = claim_idle_locked(execution_id); !s) return s;
    LeaseHold hold(*this, execution_id);
    auto record = store_->execution(execution_id);
    if (!record) return std::move(record).error();
    if (!*record) return Error::not_found("no execution " + execution_id);
    const ExecutionRecord& r = **record;
    if (auto s = check_failed(execution_id, r); !s) return s;
    StepError failure;
    if (r.result.error) {
      failure = {r.result.error->code, r.result.error->message, r.result.error->pointer};
    }
    auto kept = state_to_retry(*store_, execution_id, r, failure.code);
    if (!kept) return std::move(kept).error();
    const auto mark = working_on(execution_id);  // restoring is work too: it may be what crashes
    auto parts = store_->state_parts(execution_id);
    if (!parts) return std::move(parts).error();
    auto restored = Execution::rebuild(*this, execution_id, *kept, *parts);
    if (!restored) return std::move(restored).error();
    execution = *restored;
    lease_copy(*execution);
    hold.keep();
    execution->note_retry(actor, justification, failure);
    executions_[execution_id] = execution;
    if (auto w = wakeups_.find(execution_id); w != wakeups_.end()) {
      clock_.cancel(w->second);
      wakeups_.erase(w);
    }
    // Still under the lock: the commit of the retry's changes may not evict the execution
    // (Engine::committed) before its timers are armed and its attempts dispatched.
    execution->resume_restored();
  }
  // Outside the lock: the commit it waits for takes it (Engine::committed).
  return sync();
}

Result<MigrationReport> Engine::migrate(const std::string& execution_id, const MigrationPlan& plan,
                                        bool dry_run, const Actor& given,
                                        const std::string& justification) {
  const Actor actor = normal_actor(given);
  if (auto s = refuse_media_from(execution_id, people_of(actor, justification), "migration"); !s) {
    return std::move(s).error();
  }
  if (auto s = check_text_field("execution id", execution_id); !s) return std::move(s).error();
  if (auto s = check_actor(actor); !s) return std::move(s).error();
  if (!dry_run) {
    if (auto s = check_reason(justification, "migrating an execution"); !s) {
      return std::move(s).error();
    }
  }
  if (store_ == nullptr) {
    return Error::invalid_argument("migrating needs a durable engine: a store keeps the state");
  }
  auto from = catalog_.find(plan.workflow, plan.from);
  auto to = catalog_.find(plan.workflow, plan.to);
  for (const auto& [wf, version] : {std::pair{from, plan.from}, std::pair{to, plan.to}}) {
    if (wf == nullptr) {
      return Error::not_found("workflow " + plan.workflow + " version " + std::to_string(version) +
                              " is not in the store");
    }
  }
  if (auto s = check_migration_plan(plan, *from, *to); !s) return std::move(s).error();
  if (!dry_run) {  // before anything names it: another process must find it in the store
    if (auto s = register_workflows(*to); !s) return std::move(s).error();
  }
  // A parked execution leaves memory once its last change is committed: after this, one still
  // in memory has work in flight.
  if (auto s = sync(); !s) return std::move(s).error();
  MigrationReport report;
  report.execution = execution_id;
  {
    // As for a retry: the lock is held from the check that it waits in the store to the moment
    // the migrated execution is in memory, so no other call loads the old state meanwhile.
    std::lock_guard<std::mutex> lock(executions_mutex_);
    if (at_work_locked(execution_id)) {
      report.problems.push_back(
          "it is at work in this process (a step running, or a change not yet committed): "
          "migrate it while it waits for people, a signal or a timer");
      return report;
    }
    LeaseHold hold(*this, execution_id, /*claimed=*/!dry_run);
    auto record = claim_and_read(execution_id, /*claim=*/!dry_run);
    if (!record) return std::move(record).error();
    if (!*record) return Error::not_found("no execution " + execution_id);
    const ExecutionRecord& r = **record;
    if (is_finished(r.status)) {
      report.problems.push_back("it has " + std::string(to_string(r.status)));
      return report;
    }
    const auto mark = working_on(execution_id);
    auto parts = store_->state_parts(execution_id);
    if (!parts) return std::move(parts).error();
    auto restored = Execution::restore(*this, execution_id, r.state, *parts);
    if (!restored) {
      report.problems.push_back(restored.error().message());
      return report;
    }
    report = (*restored)->migrate(to, plan, !dry_run, actor, justification);
    if (!report.applied) return report;
    lease_copy(**restored);
    hold.keep();
    executions_[execution_id] = *restored;
    if (auto w = wakeups_.find(execution_id); w != wakeups_.end()) {
      clock_.cancel(w->second);
      wakeups_.erase(w);
    }
    // Still under the lock, as for a retry: its timers are armed before a commit may evict it.
    (*restored)->resume_restored();
  }
  if (auto s = sync(); !s) return std::move(s).error();
  return report;
}

std::optional<ExecutionSnapshot> Engine::snapshot(const std::string& id) const {
  if (auto execution = find(id)) return execution->snapshot();
  if (store_ == nullptr) return std::nullopt;
  // Evicted (finished or parked): what the store knows.
  auto record = store_->execution(id);
  if (!record || !*record) return std::nullopt;
  const ExecutionRecord& r = **record;
  ExecutionSnapshot s;
  s.id = r.id;
  s.workflow = r.workflow_id + "@" + std::to_string(r.workflow_version);
  s.initiator = r.initiator;
  // Parked is running, as an execution in memory says it.
  s.status = r.status == ExecutionStatus::kWaiting ? ExecutionStatus::kRunning : r.status;
  s.output = r.result.output.value_or(nullptr);
  if (r.result.error) {
    s.error = {r.result.error->code, r.result.error->message, r.result.error->pointer};
  }
  if (const auto state = read_persisted_state(r.state)) {  // not a purged one
    for (const auto& a : state->attempts) s.suspended_steps += a.suspended ? 1 : 0;
  }
  s.next_due = r.next_due;
  return s;
}

std::vector<std::string> Engine::execution_ids() const {
  std::lock_guard<std::mutex> lock(executions_mutex_);
  std::vector<std::string> ids;
  ids.reserve(executions_.size());
  for (const auto& [id, e] : executions_) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace coalition
