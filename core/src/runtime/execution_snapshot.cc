// How an Execution is written to the store and read back: its state as a PersistedState (one
// reader and one writer: runtime/persisted_state.cc), drained together with its new events and
// audit entries in a group-committed transaction. Pointers into the workflow (sequences, steps)
// are stored as what they are derived from — the workflow key, the parent frame and slot, the
// current step id — so a snapshot stays valid for as long as the workflow version it pinned.
#include "runtime/execution.h"
#include "runtime/execution_state.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <vector>

#include "audit/audit_grouping.h"
#include "workflow/context.h"
#include "workflow/step_walk.h"
#include "workflow/visibility.h"

namespace coalition {

using nlohmann::json;

namespace {

std::shared_ptr<const Workflow> find_workflow(const WorkflowCatalog& catalog,
                                              const std::string& key) {
  const auto at = key.rfind('@');
  if (at == std::string::npos) return nullptr;
  try {
    return catalog.find(key.substr(0, at), std::stoll(key.substr(at + 1)));
  } catch (const std::exception&) {
    return nullptr;
  }
}

std::optional<uint64_t> layer_id(const std::shared_ptr<ContextLayer>& layer) {
  return layer ? std::optional(layer->id) : std::nullopt;
}

// The context layers among an execution's state parts, each holding the one below it. Ids grow
// as layers are persisted, below first: ascending order meets each below first. A layer naming
// one below it that is not there throws std::out_of_range.
std::map<uint64_t, std::shared_ptr<ContextLayer>> read_layers(
    const std::map<std::string, json>& parts) {
  std::map<uint64_t, std::shared_ptr<ContextLayer>> layers;
  std::map<uint64_t, const json*> bodies;
  for (auto it = parts.lower_bound("layer/");
       it != parts.end() && it->first.rfind("layer/", 0) == 0; ++it) {
    bodies.emplace(std::stoull(it->first.substr(6)), &it->second);
  }
  for (const auto& [id, body] : bodies) {
    auto layer = std::make_shared<ContextLayer>();
    layer->id = id;
    layer->members = body->at("members");
    if (!layer->members.is_object()) throw std::invalid_argument("layer members");
    const json& below = body->at("below");
    if (!below.is_null()) layer->below = layers.at(below.get<uint64_t>());
    layers.emplace(id, std::move(layer));
  }
  return layers;
}

// The layer a state names (nullptr: none); one missing from the parts throws out_of_range.
std::shared_ptr<ContextLayer> layer_at(
    const std::map<uint64_t, std::shared_ptr<ContextLayer>>& layers,
    const std::optional<uint64_t>& id) {
  return id ? layers.at(*id) : nullptr;
}

// A join's per-slot states from runs, at most `slots` of them: a corrupt count must not
// allocate without bound. nullopt when the runs say more.
std::optional<std::vector<SlotState>> decode_runs(
    const std::vector<std::pair<SlotState, uint64_t>>& runs, size_t slots) {
  std::vector<SlotState> state;
  for (const auto& [s, n] : runs) {
    if (n > slots - state.size()) return std::nullopt;
    state.insert(state.end(), n, s);
  }
  return state;
}

std::vector<std::pair<SlotState, uint64_t>> encode_runs(const std::vector<SlotState>& state) {
  std::vector<std::pair<SlotState, uint64_t>> runs;
  for (const SlotState s : state) {
    if (!runs.empty() && runs.back().first == s) {
      ++runs.back().second;
    } else {
      runs.emplace_back(s, 1);
    }
  }
  return runs;
}

Error misfit(std::string what) {
  return Error::invalid_data(std::move(what));
}

}  // namespace

PersistedFrame Execution::persisted_frame(int64_t id, const Frame& f) const {
  return {.id = id,
          .workflow = f.workflow->key(),
          .parent = f.parent,
          .slot = f.slot,
          .path = f.path,
          .current = f.current,
          .visits = f.visits,
          .entered_at = f.entered_at,
          .own = f.context.own(),
          .frozen = layer_id(f.context.frozen()),
          .inherited = layer_id(f.context.inherited()),
          .due = f.due,
          .cap = f.cap,
          .level = f.level,
          .basis = f.basis,
          .cap_basis = f.cap_basis,
          .crashes = f.crashes};
}

// Outputs are state parts; of the children only the running ones matter (a restored execution
// holds only live frames).
PersistedJoin Execution::persisted_join(int64_t frame, const Join& j) const {
  PersistedJoin p{.frame = frame,
                  .items_from = layer_id(j.items_from),
                  .runs = encode_runs(j.state),
                  .running = {},
                  .succeeded = j.succeeded,
                  .failed = j.failed,
                  .running_count = j.running,
                  .next_slot = j.next_slot,
                  .inline_outputs = std::nullopt};
  for (size_t i = 0; i < j.state.size(); ++i) {
    if (j.state[i] == SlotState::kRunning) p.running.emplace_back(i, j.children[i]);
  }
  return p;
}

PersistedAttempt Execution::persisted_attempt(int64_t frame, const Attempt& a) const {
  PersistedAttempt p{.frame = frame,
                     .number = a.number,
                     .suspended = a.suspended,
                     .signal = {},
                     .resume_input = std::nullopt,
                     .plugin_version = a.plugin_version,
                     .key = a.key,
                     .task = a.task};
  if (a.suspended) {  // what it waits for matters only while it waits
    p.signal = a.signal;
    p.resume_input = a.resume_input;
  }
  return p;
}

PersistedState Execution::persisted_state() const {
  PersistedState s;
  s.workflow = workflow_->key();
  s.initiator = initiator_;
  s.status = status_;
  s.started_at = started_at_;
  s.seq = seq_;
  s.next_frame = next_frame_;
  s.next_timer = next_timer_;
  s.next_task = next_task_;
  if (status_ != ExecutionStatus::kRunning) return s;  // nothing left to resume
  s.map_items = map_items_;
  s.next_layer = next_layer_;
  for (const auto& [id, f] : frames_) {
    if (!f.done) s.frames.push_back(persisted_frame(id, f));
  }
  for (const auto& [frame, j] : joins_) s.joins.push_back(persisted_join(frame, j));
  for (const auto& [frame, a] : attempts_) s.attempts.push_back(persisted_attempt(frame, a));
  s.waiting = waiting_;
  for (const auto& [id, t] : timers_) {
    Timer stored = t;
    stored.clock_id = 0;  // this process's
    s.timers.emplace(id, stored);
  }
  s.actors = actors_;
  return s;
}

json Execution::main_context(const json& state, const std::map<std::string, json>& parts) {
  auto s = read_persisted_state(state);
  if (!s) return json::object();
  try {
    const auto layers = read_layers(parts);
    for (const auto& f : s->frames) {
      if (f.parent >= 0) continue;
      return Context::from_parts(layer_at(layers, f.frozen), layer_at(layers, f.inherited), f.own)
          .merged();
    }
  } catch (const json::exception&) {
  } catch (const std::logic_error&) {
  }
  return json::object();
}

namespace {

Result<PersistedState> restorable(const std::string& id, Result<PersistedState> s) {
  if (s) return s;
  return Error::invalid_data("execution " + id + " cannot be restored: " + s.error().message(),
                             s.error().pointer());
}

}  // namespace

Result<std::shared_ptr<Execution>> Execution::restore(ExecutionHost& host, const std::string& id,
                                                      const json& state,
                                                      const std::map<std::string, json>& parts) {
  auto s = restorable(id, read_persisted_state(state));
  if (!s) return std::move(s).error();
  return rebuild(host, id, *s, parts);
}

Result<std::shared_ptr<Execution>> Execution::restore_stored(
    ExecutionHost& host, const std::string& id, std::string_view state_msgpack,
    const std::map<std::string, json>& parts) {
  auto s = restorable(id, decode_persisted_state(state_msgpack));
  if (!s) return std::move(s).error();
  return rebuild(host, id, *s, parts);
}

// States are written by this code; a mismatch with the catalog (a workflow missing, a step
// renamed under the same version) or with the parts is reported, not trusted.
Result<std::shared_ptr<Execution>> Execution::rebuild(ExecutionHost& host, const std::string& id,
                                                      const PersistedState& s,
                                                      const std::map<std::string, json>& parts) {
  auto bad = [&id](const std::string& what) {
    return Error::invalid_data("execution " + id + " cannot be restored: " + what);
  };
  if (is_finished(s.status)) {
    return bad("it has " + std::string(to_string(s.status)) + ": nothing is left to resume");
  }
  auto workflow = find_workflow(host.catalog(), s.workflow);
  if (workflow == nullptr) return bad("workflow " + s.workflow + " is not in the store");
  auto e = std::make_shared<Execution>(host, id, workflow, json::object(), s.initiator);
  e->frames_.clear();
  e->started_at_ = s.started_at;
  e->seq_ = s.seq;
  e->next_frame_ = s.next_frame;
  e->next_timer_ = s.next_timer;
  e->next_task_ = s.next_task;
  e->map_items_ = s.map_items;
  e->next_layer_ = s.next_layer;
  e->parts_stored_ = !parts.empty();
  e->stop_count_stored_ = true;  // unknown here: Engine::load says
  try {
    const Layers layers = read_layers(parts);  // none before version 2
    for (const auto& [layer, body] : layers) e->stored_layers_.insert(layer);
    Status restored = e->restore_frames(s.frames, layers);
    if (restored) restored = e->restore_joins(s.joins, layers, parts);
    if (restored) restored = e->restore_attempts(s.attempts);
    if (!restored) return bad(restored.error().message());
  } catch (const json::exception& ex) {  // a part's body
    return bad(std::string("its state parts do not fit: ") + ex.what());
  } catch (const std::logic_error& ex) {  // a layer out of order or missing, a part key
    return bad(std::string("its context layers do not fit: ") + ex.what());
  }
  e->waiting_ = s.waiting;
  e->timers_ = s.timers;
  e->actors_ = s.actors;
  return e;
}

Result<const Sequence*> Execution::stored_sequence(const Frame& f) const {
  if (f.parent < 0) return f.workflow->main.get();
  auto parent = frames_.find(f.parent);
  if (parent == frames_.end()) return misfit("a frame's parent is missing");
  const Step* step = parent->second.sequence->find(parent->second.current);
  if (step == nullptr) return misfit("step " + parent->second.current + " is not in the workflow");
  if (const Sequence* held = slot_sequence(*step, f.slot)) return held;
  if (info(step->kind).children == StepChildren::kSubWorkflow) return f.workflow->main.get();
  return misfit("step " + step->id + " does not start child sequences");
}

Status Execution::restore_frames(const std::vector<PersistedFrame>& stored, const Layers& layers) {
  for (const PersistedFrame& p : stored) {
    Frame f;
    f.workflow = find_workflow(host_.catalog(), p.workflow);
    if (f.workflow == nullptr) return misfit("sub-workflow " + p.workflow + " is not in the store");
    f.parent = p.parent;
    f.slot = p.slot;
    auto sequence = stored_sequence(f);
    if (!sequence) return std::move(sequence).error();
    f.sequence = *sequence;
    f.path = p.path;
    f.current = p.current;
    if (!(f.parent < 0 && f.current.empty()) && f.sequence->find(f.current) == nullptr)
      return misfit("step " + f.current + " is not in the workflow");
    f.visits = p.visits;
    f.entered_at = p.entered_at;
    // Version 1 held the whole context in `own`, and no layers: the same context.
    f.context =
        Context::from_parts(layer_at(layers, p.frozen), layer_at(layers, p.inherited), p.own);
    f.due = p.due;
    f.cap = p.cap;
    f.level = p.level;
    f.basis = p.basis;
    f.cap_basis = p.cap_basis;
    f.crashes = p.crashes;
    frames_.emplace(p.id, std::move(f));
  }
  if (frames_.count(0) == 0) return misfit("its main sequence is missing");
  return ok_status();
}

Status Execution::restore_joins(const std::vector<PersistedJoin>& stored, const Layers& layers,
                                const std::map<std::string, json>& parts) {
  for (const PersistedJoin& p : stored) {
    if (frames_.count(p.frame) == 0) return misfit("a join's frame is missing");
    Join j;
    j.step = &current_step(p.frame);
    if (auto slots = restore_join_slots(p, layers, j); !slots) return slots;
    if (auto outputs = restore_join_outputs(p.frame, j, p, parts); !outputs) return outputs;
    j.succeeded = p.succeeded;
    j.failed = p.failed;
    j.running = p.running_count;
    j.next_slot = p.next_slot;
    joins_.emplace(p.frame, std::move(j));
  }
  return ok_status();
}

// A map's list, and each slot's state and running child; as many slots as the step has.
Status Execution::restore_join_slots(const PersistedJoin& p, const Layers& layers, Join& j) {
  const bool v1 = p.inline_outputs.has_value();
  Context& owner = frames_.at(p.frame).context;
  // Version 1: the frame held its whole context. Freeze it as a container step does when it
  // begins, so that children started from now on read it, and find the map's list where the
  // step names it (the context has not changed since the map began).
  if (v1) owner.freeze();
  if (j.step->kind == StepKind::kMap) {
    j.items_from = v1 ? owner.frozen() : layer_at(layers, p.items_from);
    j.items = Context::from_parts(j.items_from, nullptr, json::object()).find(j.step->items);
    if (j.items == nullptr || !j.items->is_array()) return misfit("a map's list is missing");
  }
  const size_t slots = j.step->kind == StepKind::kMap        ? j.items->size()
                       : j.step->kind == StepKind::kParallel ? j.step->branches.size()
                                                             : 1;
  auto state = decode_runs(p.runs, slots);
  if (!state || state->size() != slots) return misfit("a join does not fit its step");
  j.state = std::move(*state);
  j.children.assign(slots, -1);
  for (const auto& [slot, child] : p.running) {
    if (slot >= slots) return misfit("a join's running slot is past its last");
    j.children[slot] = child;
  }
  return ok_status();
}

// Version 1 kept a join's outputs in the snapshot; version 2 keeps each finished slot's as a
// state part, which must be there.
Status Execution::restore_join_outputs(int64_t frame, Join& j, const PersistedJoin& stored,
                                       const std::map<std::string, json>& parts) {
  const size_t slots = j.state.size();
  if (stored.inline_outputs) {
    j.outputs = *stored.inline_outputs;
    if (j.outputs.size() != slots) return misfit("a join does not fit its step");
    // Outputs of slots finished before the upgrade become parts at the next drain.
    if (host_.durable()) {
      for (size_t i = 0; i < slots; ++i) {
        if (!j.outputs[i].is_null()) j.unsaved.push_back(i);
      }
    }
    return ok_status();
  }
  j.outputs.assign(slots, nullptr);
  const std::string prefix = join_part_prefix(frame);
  std::vector<bool> found(slots, false);
  for (auto it = parts.lower_bound(prefix); it != parts.end() && it->first.rfind(prefix, 0) == 0;
       ++it) {
    const size_t slot = std::stoull(it->first.substr(prefix.size()));
    if (slot >= slots) return misfit("a join's output is past its last slot");
    j.outputs[slot] = it->second;
    found[slot] = true;
  }
  for (size_t i = 0; i < slots; ++i) {
    if (j.state[i] == SlotState::kSucceeded && !found[i])
      return misfit("a finished slot's output is missing");
  }
  return ok_status();
}

Status Execution::restore_attempts(const std::vector<PersistedAttempt>& stored) {
  for (const PersistedAttempt& p : stored) {
    if (frames_.count(p.frame) == 0) return misfit("an attempt's frame is missing");
    Attempt a;
    a.step = &current_step(p.frame);
    a.number = p.number;
    a.token = next_token_++;
    a.suspended = p.suspended;
    a.signal = p.signal;
    a.plugin_version = p.plugin_version;
    a.key = p.key;
    a.resume_input = p.resume_input;
    a.task = p.task;
    attempts_.emplace(p.frame, std::move(a));
  }
  return ok_status();
}

void Execution::note_crashed_call(const CrashJournal::PluginCall& call, std::string cause) {
  const Working working(*this);
  crashed_calls_.insert_or_assign(call.frame, std::pair{call, std::move(cause)});
}

// Whether or not the store knows the crashed call's attempt (a call made at once is committed
// with its answer, so a crash in it leaves none), the execution's calls now wait for their
// commit. Kept by the engine for its life: the stop count that does the same is cleared when the
// execution stands still (waiting for a retry's timer, say), and the reload after it would call
// the same step at once again.
void Execution::note_crashed_calls() {
  const Working working(*this);
  calls_crashed_ = true;
}

// The call is not made again as it was: that would crash the engine again, on every start. It
// is one failed attempt (the retry policy decides, like for a crash in an isolated host), and
// after limits().interruptions crashes the step fails whatever its policy says; a resume that
// crashed is handed over again until then.
void Execution::fail_crashed_call(int64_t frame, uint32_t number, const std::string& cause) {
  auto found = attempts_.find(frame);
  // Settled meanwhile (a sibling's failure cancelled it, the execution ended): nothing to fail.
  if (found == attempts_.end() || found->second.number != number || frames_.at(frame).done) return;
  Frame& f = frames_.at(frame);
  Attempt& a = found->second;
  ++f.crashes;
  const uint32_t limit = static_cast<uint32_t>(host_.limits().interruptions);
  const bool last = f.crashes >= limit;
  const std::string message = fmt::format(
      "the engine process {} while step type '{}' ran attempt {} in process (crash {} of at "
      "most {}: limits.interruptions)",
      cause, a.step->type, a.number, f.crashes, limit);
  spdlog::error("execution {}: {}", id_, message);
  if (host_.durable()) mark_dirty();  // the crash count is part of the state
  if (a.suspended && !last) {
    json input = *a.resume_input;
    resume_attempt(frame, std::move(input));
    return;
  }
  on_outcome(frame, a.token,
             StepOutcome::failed(last ? StepStatus::kPermanentError : StepStatus::kRetryableError,
                                 "plugin.crashed", message));
}

namespace {

// The timers in due order: those already due (`at_once`: time moves by itself) are returned, for
// the caller to fire at once, their clock calls cleared; `arm` is called for each of the others.
template <class Arm>
std::vector<uint64_t> due_in_order(std::map<uint64_t, ExecutionTimer>& timers, bool at_once,
                                   TimePoint now, Arm arm) {
  std::vector<std::pair<TimePoint, uint64_t>> order;
  order.reserve(timers.size());
  for (const auto& [id, t] : timers) order.emplace_back(t.due, id);
  std::sort(order.begin(), order.end());
  std::vector<uint64_t> due;
  for (const auto& [when, id] : order) {
    if (at_once && when <= now) {
      timers.at(id).clock_id = 0;  // no clock call to cancel
      due.push_back(id);
    } else {
      arm(id);
    }
  }
  return due;
}

// The ids of frame `frame`'s timers of kind `kind`.
std::vector<uint64_t> timers_of(const std::map<uint64_t, ExecutionTimer>& timers, int64_t frame,
                                TimerKind kind) {
  std::vector<uint64_t> ids;
  for (const auto& [id, t] : timers) {
    if (t.frame == frame && t.kind == kind) ids.push_back(id);
  }
  return ids;
}

}  // namespace

void Execution::resume_restored() {
  const Working working(*this);
  // In real time the timers already due fire at once (see arm), in the order the clock would
  // have run them (a reminder before the deadline it reminds of): one job fires them all in due
  // order, against one reading of the time, whatever number of scheduler threads runs it. A
  // firing that ends the execution clears the timers, so the rest find nothing to do.
  std::vector<uint64_t> due = due_in_order(timers_, host_.clock().real_time(), host_.clock().now(),
                                           [this](uint64_t id) { arm(id); });
  if (!due.empty()) {
    schedule([due = std::move(due)](Execution& s) {
      for (const uint64_t id : due) s.fire(id);
    });
  }
  Frame& root = frames_.at(0);
  if (root.current.empty() && !root.done) {  // started by `coalition start`, never entered
    enter(0, root.sequence->start);
    return;
  }
  std::vector<std::pair<int64_t, uint32_t>> in_flight;
  std::vector<std::pair<int64_t, json>> resuming;
  struct Crashed {
    int64_t frame;
    uint32_t number;
    std::string cause;
  };
  std::vector<Crashed> crashed;
  for (const auto& [frame, a] : attempts_) {
    auto c = crashed_calls_.find(frame);
    if (c != crashed_calls_.end() && c->second.first.attempt == a.number &&
        c->second.first.step == CrashJournal::step_key(idempotency_key(frame, *a.step)) &&
        (!a.suspended || a.resume_input)) {
      crashed.push_back({frame, a.number, c->second.second});
      continue;
    }
    if (!a.suspended) in_flight.emplace_back(frame, a.number);
    if (a.suspended && a.resume_input) resuming.emplace_back(frame, *a.resume_input);
  }
  crashed_calls_.clear();
  // A crashed call fails in a handler of its own, once every other attempt is on its way again:
  // what its failure leads to (a catch, a branch whose failure cancels its siblings, a failed
  // execution) then happens as after any failure, never under the loops below.
  for (auto& c : crashed) {
    schedule([frame = c.frame, number = c.number, cause = std::move(c.cause)](Execution& s) {
      s.fail_crashed_call(frame, number, cause);
    });
  }
  // A completion or signal was accepted but the plugin's answer to it never committed: hand it
  // over again (at-least-once, like any attempt).
  for (auto& [frame, input] : resuming) resume_attempt(frame, std::move(input));
  for (const auto& [frame, number] : in_flight) {
    for (const uint64_t id : timers_of(timers_, frame, TimerKind::kAttemptTimeout)) {
      cancel_timer(id);
    }
    attempts_.erase(frame);
    run_task(frame, current_step(frame), number);
  }
  // The tasks of suspended attempts are already in the store; nothing to re-announce.
}

void Execution::write_parts(StoreBatch& batch) {
  if (status_ == ExecutionStatus::kFailed) {
    // A retry goes back to the snapshot committed before the failure (Store::retry_point): the
    // parts it names stay, untouched — even those the failure itself let go (a settled join's
    // outputs) — until the execution ends otherwise or is purged.
    dropped_parts_.clear();
    return;
  }
  for (auto& prefix : dropped_parts_) batch.part_drops.push_back({id_, std::move(prefix)});
  dropped_parts_.clear();
  if (status_ != ExecutionStatus::kRunning) {  // nothing left to resume from
    if (parts_stored_) batch.part_drops.push_back({id_, ""});
    parts_stored_ = false;
    return;
  }
  const size_t parts_before = batch.parts.size();  // the batch carries other executions' too
  // Layers are persisted below first, so everything under a layer with an id has one too.
  auto persist = [this, &batch](const std::shared_ptr<ContextLayer>& top) {
    std::vector<ContextLayer*> fresh;
    for (ContextLayer* l = top.get(); l != nullptr && l->id == 0; l = l->below.get()) {
      fresh.push_back(l);
    }
    for (auto it = fresh.rbegin(); it != fresh.rend(); ++it) {
      ContextLayer& l = **it;
      l.id = next_layer_++;
      stored_layers_.insert(l.id);
      batch.parts.push_back(
          {id_,
           layer_part_key(l.id),
           {{"below", l.below ? json(l.below->id) : json(nullptr)}, {"members", l.members}}});
    }
  };
  for (const auto& [frame, f] : frames_) {
    if (f.done) continue;
    persist(f.context.frozen());
    persist(f.context.inherited());
  }
  for (auto& [frame, j] : joins_) {
    persist(j.items_from);
  }
  // Layers no frame or join reaches any more (a finished branch's, one folded into another)
  // leave the store in the same transaction as the snapshot that stopped naming them.
  std::set<uint64_t> reachable;
  auto reach = [&reachable](const std::shared_ptr<ContextLayer>& top) {
    const ContextLayer* l = top.get();
    while (l != nullptr && reachable.insert(l->id).second) l = l->below.get();
  };
  for (const auto& [frame, f] : frames_) {
    if (!f.done) reach(f.context.frozen());
  }
  for (const auto& [frame, j] : joins_) reach(j.items_from);
  for (auto it = stored_layers_.begin(); it != stored_layers_.end();) {
    if (reachable.count(*it) == 0) {
      batch.part_drops.push_back({id_, layer_part_key(*it)});
      it = stored_layers_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& [frame, j] : joins_) {
    for (size_t slot : j.unsaved) {
      batch.parts.push_back({id_, join_part_prefix(frame) + std::to_string(slot), j.outputs[slot]});
    }
    j.unsaved.clear();
  }
  if (batch.parts.size() > parts_before) parts_stored_ = true;
}

void Execution::drain(StoreBatch& batch, std::vector<std::function<void()>>& after_commit) {
  const Working working(*this);
  calls_at_once_undrained_ = 0;
  if (lost_) {
    // Claimed by another node: nothing of this copy is written, no call it held is made.
    pending_events_.clear();
    pending_notifications_.clear();
    pending_audit_.clear();
    changed_tasks_.clear();
    closed_tasks_.clear();
    held_calls_.clear();
    dropped_parts_.clear();
    after_commit.push_back([&host = host_, self = shared_from_this()] { host.committed(self); });
    dirty_ = false;
    ++uncommitted_drains_;
    return;
  }
  if (lease_) batch.fences.push_back(*lease_);
  for (auto& e : pending_events_) batch.events.push_back(std::move(e));
  pending_events_.clear();
  for (auto& n : pending_notifications_) batch.notifications.push_back(std::move(n));
  pending_notifications_.clear();
  // An entry for each run of events by one actor, not one per event (audit/audit_grouping.h):
  // a step's end, the next step's start and the execution's end, committed together, are one
  // row and seal. Steps mix only where members see all of them or none.
  append_grouped_audit(batch.audit, std::move(pending_audit_),
                       [this](const std::string& a, const std::string& b) {
                         if (visibility_ == nullptr) visibility_ = &host_.visibility(workflow_);
                         return visibility_->can_see_step(a, Visibility::kMember) ==
                                visibility_->can_see_step(b, Visibility::kMember);
                       });
  const ExecutionStatus status = parked() ? ExecutionStatus::kWaiting : status_;
  ExecutionResult result;
  if (status_ == ExecutionStatus::kSucceeded) result = ExecutionResult::succeeded(output_);
  if (status_ == ExecutionStatus::kFailed || status_ == ExecutionStatus::kCancelled) {
    const StepError none;
    const StepError& e = error_ ? *error_ : none;
    result = ExecutionResult::failed({e.code, e.message, e.pointer});
  }
  write_parts(batch);  // first: the snapshot names the layers by the ids this gives them
  // The state goes as its stored bytes, written from the structs: building it as a document
  // only to encode and free it was a third of the drain.
  batch.executions.push_back(ExecutionRecord{id_, workflow_->id, workflow_->version, status,
                                             initiator_, started_at_, host_.clock().now(),
                                             next_due(), json(), std::move(result)});
  batch.executions.back().state_encoded = encode_persisted_state(persisted_state());
  for (int64_t frame : changed_tasks_) {
    auto a = attempts_.find(frame);
    if (a == attempts_.end() || !a->second.task) continue;
    batch.tasks.push_back(task_record(frame, TaskStatus::kOpen));
  }
  changed_tasks_.clear();
  for (auto& t : closed_tasks_) batch.tasks.push_back(std::move(t));
  closed_tasks_.clear();
  for (auto& held : held_calls_) {
    if (held.inline_call) {
      // A non-blocking step's call held for its commit (its answer at once was a failure, or
      // a process died working on the execution: dispatch) is over in microseconds: it runs on
      // the committer's thread, its outcome posted to the scheduler, and the next round's
      // commit waits that long.
      after_commit.push_back([job = std::move(held.job)]() mutable { job.call()(); });
    } else {
      after_commit.push_back([&host = host_, job = std::move(held.job)]() mutable {
        host.post_blocking(std::move(job));
      });
    }
  }
  held_calls_.clear();
  // Standing still (finished, or waiting for people, signals or timers): a death from now on is
  // not this execution's doing.
  if (stop_count_stored_ && (status_ != ExecutionStatus::kRunning || parked())) {
    batch.interruptions.emplace_back(id_, 0);
    stop_count_stored_ = false;
  }
  after_commit.push_back([&host = host_, self = shared_from_this()] { host.committed(self); });
  dirty_ = false;
  ++uncommitted_drains_;
}

// Nothing runs until a person acts, a signal arrives or a timer falls due: every attempt is
// suspended with nothing handed to its plugin, and no call waits for a commit. (A frame in a
// wait step or a retry delay only waits for its timer, which the store keeps.)
bool Execution::parked() const {
  if (status_ != ExecutionStatus::kRunning || !held_calls_.empty()) return false;
  if (attempts_.empty() && waiting_.empty()) return false;  // recorded, never entered

  for (const auto& [frame, a] : attempts_) {
    if (!a.suspended || a.resume_input) return false;
  }
  return true;
}

void Execution::set_lease(ExecutionFence lease) {
  const Working working(*this);
  lease_ = std::make_unique<const ExecutionFence>(std::move(lease));
}

std::optional<ExecutionFence> Execution::lease() const {
  const Reading reading(*this);
  return lease_ ? std::optional<ExecutionFence>(*lease_) : std::nullopt;
}

void Execution::mark_lost() {
  const Working working(*this);
  lost_ = true;
  evicted_ = true;
  for (const auto& [id, t] : timers_) host_.clock().cancel(t.clock_id);
}

std::optional<std::optional<TimePoint>> Execution::evict_if_idle() {
  const Working working(*this);
  if (uncommitted_drains_ > 0) --uncommitted_drains_;
  // Drained again while the store wrote the previous drain: reloading now would read the
  // store without the changes still on their way.
  if (dirty_ || evicted_ || uncommitted_drains_ > 0 ||
      (status_ == ExecutionStatus::kRunning && !parked())) {
    return std::nullopt;
  }
  // A timer already due would reload it at once: reading back every state part of a map whose
  // iterations wait, once per iteration. It stays, and its own timers fire.
  if (const auto due = next_due();
      status_ == ExecutionStatus::kRunning && due && *due <= host_.clock().now()) {
    return std::nullopt;
  }
  for (const auto& [id, t] : timers_) host_.clock().cancel(t.clock_id);
  evicted_ = true;
  return next_due();
}

}  // namespace coalition
