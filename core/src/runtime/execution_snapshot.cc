// How an Execution is written to the store and read back: its state as one JSON document,
// drained together with its new events and audit entries in a group-committed transaction.
// Pointers into the workflow (sequences, steps) are stored as what they are derived from — the
// workflow key, the parent frame and slot, the current step id — so a snapshot stays valid for
// as long as the workflow version it pinned.
#include "runtime/execution.h"
#include "runtime/execution_state.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <map>
#include <set>
#include <stdexcept>
#include <vector>

#include "workflow/context.h"

namespace coalition {

using nlohmann::json;

namespace {

int64_t ms(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

TimePoint at_ms(const json& v) {
  return TimePoint(std::chrono::milliseconds(v.get<int64_t>()));
}

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

json layer_id(const std::shared_ptr<ContextLayer>& layer) {
  return layer ? json(layer->id) : json(nullptr);
}

// The context layers among an execution's state parts, each holding the one below it.
class LayerReader {
 public:
  explicit LayerReader(const std::map<std::string, json>& parts) {
    // Ids grow as layers are persisted, below first: ascending order meets each below first.
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
      layer->below = at(body->at("below"));
      layers_.emplace(id, std::move(layer));
    }
  }
  std::shared_ptr<ContextLayer> at(const json& id) const {
    if (id.is_null()) return nullptr;
    return layers_.at(id.get<uint64_t>());
  }
  std::set<uint64_t> ids() const {
    std::set<uint64_t> out;
    for (const auto& [id, layer] : layers_) out.insert(id);
    return out;
  }

 private:
  std::map<uint64_t, std::shared_ptr<ContextLayer>> layers_;
};

// A join's per-slot states as runs [[state, count], ...]: a map over many items keeps a few
// runs (done, running near the cursor, not started) instead of one number per item.
json encode_runs(const std::vector<SlotState>& state) {
  json runs = json::array();
  for (size_t i = 0; i < state.size();) {
    size_t j = i;
    while (j < state.size() && state[j] == state[i]) ++j;
    runs.push_back({slot_state_number(state[i]), j - i});
    i = j;
  }
  return runs;
}

// A slot state as a snapshot stores it; an unknown number is a corrupt snapshot.
SlotState slot_state_of(const json& number) {
  const auto state =
      number.is_number_integer() ? slot_state_from(number.get<int64_t>()) : std::nullopt;
  if (!state) throw std::invalid_argument("a join slot state other than 0-3");
  return *state;
}

// At most `slots` states: a corrupt count must not allocate without bound.
std::vector<SlotState> decode_runs(const json& runs, size_t slots) {
  std::vector<SlotState> state;
  for (const auto& r : runs) {
    const auto n = r.at(1).get<size_t>();
    if (n > slots - state.size()) throw std::invalid_argument("join runs");
    state.insert(state.end(), n, slot_state_of(r.at(0)));
  }
  return state;
}

// The snapshot versions this code reads: 1, frames holding their whole context and joins their
// outputs; 2 (written), contexts as layers, and layers and join outputs as state parts.
constexpr int kOldestSnapshotVersion = 1;
constexpr int kSnapshotVersion = 2;

// The version a snapshot says it is; nullopt (with `why`) for one this code cannot read — a
// newer engine's, which would be misread field by field, or none at all.
std::optional<int> readable_version(const json& s, std::string* why) {
  const auto v = s.find("v");
  if (v == s.end() || !v->is_number_integer()) {
    *why = "it names no snapshot version";
    return std::nullopt;
  }
  const int64_t version = v->get<int64_t>();
  if (version < kOldestSnapshotVersion || version > kSnapshotVersion) {
    *why = fmt::format(
        "its snapshot is version {}, and this engine reads versions {} to {} (was it written by "
        "a newer engine?)",
        version, kOldestSnapshotVersion, kSnapshotVersion);
    return std::nullopt;
  }
  return static_cast<int>(version);
}

}  // namespace

json Execution::state_json() const {
  json s{{"v", kSnapshotVersion},        {"workflow", workflow_->key()},  {"initiator", initiator_},
         {"status", to_string(status_)}, {"started_at", ms(started_at_)}, {"seq", seq_}};
  s["next"] = {next_frame_, next_timer_, next_task_};  // a retry numbers on from here
  if (status_ != ExecutionStatus::kRunning) return s;  // nothing left to resume
  s["map_items"] = map_items_;
  s["next_layer"] = next_layer_;
  json frames = json::array();
  for (const auto& [id, f] : frames_) {
    if (f.done) continue;
    json fj{{"id", id},
            {"wf", f.workflow->key()},
            {"parent", f.parent},
            {"slot", f.slot},
            {"path", f.path},
            {"current", f.current},
            {"visits", f.visits},
            {"entered_at", ms(f.entered_at)},
            {"own", f.context.own()},
            {"frozen", layer_id(f.context.frozen())},
            {"inherited", layer_id(f.context.inherited())}};
    if (f.due) fj["due"] = ms(*f.due);
    if (f.cap) fj["cap"] = ms(*f.cap);
    if (f.level > 0) fj["level"] = f.level;
    if (!f.basis.rule.empty()) fj["due_rule"] = f.basis.rule;
    if (!f.basis.calendar.empty()) fj["due_calendar"] = f.basis.calendar;
    if (!f.cap_basis.rule.empty()) fj["cap_rule"] = f.cap_basis.rule;
    if (!f.cap_basis.calendar.empty()) fj["cap_calendar"] = f.cap_basis.calendar;
    if (f.crashes > 0) fj["crashes"] = f.crashes;
    frames.push_back(std::move(fj));
  }
  s["frames"] = std::move(frames);
  json joins = json::array();
  for (const auto& [frame, j] : joins_) {
    // Outputs are state parts; of the children only the running ones matter (a restored
    // execution holds only live frames).
    json running = json::array();
    for (size_t i = 0; i < j.state.size(); ++i) {
      if (j.state[i] == SlotState::kRunning) running.push_back({i, j.children[i]});
    }
    joins.push_back({{"frame", frame},
                     {"items_from", layer_id(j.items_from)},
                     {"runs", encode_runs(j.state)},
                     {"running", std::move(running)},
                     {"counts", {j.succeeded, j.failed, j.running, j.next_slot}}});
  }
  s["joins"] = std::move(joins);
  json attempts = json::array();
  for (const auto& [frame, a] : attempts_) {
    json aj{{"frame", frame}, {"number", a.number}};
    if (!a.plugin_version.empty()) aj["plugin_version"] = a.plugin_version;
    if (!a.key.empty()) aj["key"] = a.key;
    if (a.suspended) {
      aj["suspended"] = true;
      if (!a.signal.empty()) aj["signal"] = a.signal;
      if (a.resume_input) aj["resume_input"] = *a.resume_input;
    }
    if (a.task) {
      aj["task"] = {{"id", a.task->id},
                    {"spec", a.task->spec},
                    {"roles", a.task->roles},
                    {"organisation", a.task->organisation},
                    {"completions", a.task->completions},
                    {"created_at", ms(a.task->created_at)}};
      if (!a.task->assignee.empty()) aj["task"]["assignee"] = a.task->assignee;
    }
    attempts.push_back(std::move(aj));
  }
  s["attempts"] = std::move(attempts);
  s["waiting"] = waiting_;
  json timers = json::array();
  for (const auto& [id, t] : timers_) {
    timers.push_back({id, ms(t.due), static_cast<int>(t.kind), t.frame, t.stored_argument()});
  }
  s["timers"] = std::move(timers);
  if (!actors_.empty()) s["actors"] = actors_;
  return s;
}

json Execution::main_context(const json& state, const std::map<std::string, json>& parts) {
  try {
    const LayerReader layers(parts);
    for (const auto& fj : state.value("frames", json::array())) {
      if (fj.at("parent").get<int64_t>() >= 0) continue;
      if (fj.contains("context")) return fj["context"];  // written before layers
      return Context::from_parts(layers.at(fj.at("frozen")), layers.at(fj.at("inherited")),
                                 fj.at("own"))
          .merged();
    }
  } catch (const json::exception&) {
  } catch (const std::logic_error&) {
  }
  return json::object();
}

// Snapshots are written by this code; a mismatch with the catalog (a workflow missing, a step
// renamed under the same version) is reported, not trusted.
Result<std::shared_ptr<Execution>> Execution::restore(ExecutionHost& host, const std::string& id,
                                                      const json& s,
                                                      const std::map<std::string, json>& parts) {
  auto bad = [&](const std::string& what) {
    return Error::invalid_data("execution " + id + " cannot be restored: " + what);
  };
  if (!s.is_object()) return bad("its snapshot is not a JSON object");
  if (std::string why; !readable_version(s, &why)) return bad(why);
  try {
    auto workflow = find_workflow(host.catalog(), s.at("workflow").get<std::string>());
    if (workflow == nullptr)
      return bad("workflow " + s.at("workflow").get<std::string>() + " is not in the store");
    auto e = std::make_shared<Execution>(host, id, workflow, json::object(),
                                         s.at("initiator").get<std::string>());
    e->frames_.clear();
    e->started_at_ = at_ms(s.at("started_at"));
    e->seq_ = s.at("seq").get<uint64_t>();
    const auto& next = s.at("next");
    e->next_frame_ = next.at(0).get<int64_t>();
    e->next_timer_ = next.at(1).get<uint64_t>();
    e->next_task_ = next.at(2).get<uint64_t>();
    e->map_items_ = s.value("map_items", size_t{0});  // absent before the limit existed
    e->next_layer_ = s.value("next_layer", uint64_t{1});
    const LayerReader layers(parts);  // none before v2: each frame held its whole context
    e->stored_layers_ = layers.ids();
    e->parts_stored_ = !parts.empty();
    e->stop_count_stored_ = true;  // unknown here: Engine::load says
    for (const auto& fj : s.at("frames")) {
      Frame f;
      f.workflow = find_workflow(host.catalog(), fj.at("wf").get<std::string>());
      if (f.workflow == nullptr)
        return bad("sub-workflow " + fj.at("wf").get<std::string>() + " is not in the store");
      f.parent = fj.at("parent").get<int64_t>();
      f.slot = fj.at("slot").get<size_t>();
      if (f.parent < 0) {
        f.sequence = f.workflow->main.get();
      } else {
        auto parent = e->frames_.find(f.parent);
        if (parent == e->frames_.end()) return bad("a frame's parent is missing");
        const Step* step = parent->second.sequence->find(parent->second.current);
        if (step == nullptr)
          return bad("step " + parent->second.current + " is not in the workflow");
        if (step->kind == StepKind::kParallel && f.slot < step->branches.size()) {
          f.sequence = step->branches[f.slot].sequence.get();
        } else if (step->kind == StepKind::kMap) {
          f.sequence = step->iterator.get();
        } else if (step->kind == StepKind::kWorkflow) {
          f.sequence = f.workflow->main.get();
        } else {
          return bad("step " + step->id + " does not start child sequences");
        }
      }
      f.path = fj.at("path").get<std::string>();
      f.current = fj.at("current").get<std::string>();
      if (!(f.parent < 0 && f.current.empty()) && f.sequence->find(f.current) == nullptr)
        return bad("step " + f.current + " is not in the workflow");
      f.visits = fj.at("visits").get<std::map<std::string, uint32_t>>();
      f.entered_at = at_ms(fj.at("entered_at"));
      const json& own = fj.contains("context") ? fj["context"] : fj.at("own");  // v1: "context"
      if (!own.is_object()) return bad("a frame's context is not an object");
      f.context = fj.contains("context") ? Context(own)
                                         : Context::from_parts(layers.at(fj.at("frozen")),
                                                               layers.at(fj.at("inherited")), own);
      if (fj.contains("due")) f.due = at_ms(fj["due"]);
      if (fj.contains("cap")) f.cap = at_ms(fj["cap"]);
      f.level = fj.value("level", 0u);
      f.basis = {fj.value("due_rule", ""), fj.value("due_calendar", "")};
      f.cap_basis = {fj.value("cap_rule", ""), fj.value("cap_calendar", "")};
      f.crashes = fj.value("crashes", 0u);
      e->frames_.emplace(fj.at("id").get<int64_t>(), std::move(f));
    }
    if (e->frames_.count(0) == 0) return bad("its main sequence is missing");
    for (const auto& jj : s.at("joins")) {
      const int64_t frame = jj.at("frame").get<int64_t>();
      if (e->frames_.count(frame) == 0) return bad("a join's frame is missing");
      Join j;
      j.step = &e->current_step(frame);
      const bool v1 = jj.contains("state");
      Context& owner = e->frames_.at(frame).context;
      // v1: the frame held its whole context. Freeze it as a container step does when it
      // begins, so that children started from now on read it, and find the map's list where the
      // step names it (the context has not changed since the map began).
      if (v1) owner.freeze();
      if (j.step->kind == StepKind::kMap) {
        j.items_from = v1 ? owner.frozen() : layers.at(jj.at("items_from"));
        j.items = Context::from_parts(j.items_from, nullptr, json::object()).find(j.step->items);
        if (j.items == nullptr || !j.items->is_array()) return bad("a map's list is missing");
      }
      const size_t slots = j.step->kind == StepKind::kMap        ? j.items->size()
                           : j.step->kind == StepKind::kParallel ? j.step->branches.size()
                                                                 : 1;
      if (v1) {
        j.outputs = jj.at("outputs").get<std::vector<json>>();
        j.state.clear();
        for (const auto& n : jj.at("state").get_ref<const json::array_t&>()) {
          j.state.push_back(slot_state_of(n));
        }
        j.children = jj.at("children").get<std::vector<int64_t>>();
        // Outputs of slots finished before the upgrade become parts at the next drain.
        if (e->host_.durable()) {
          for (size_t i = 0; i < j.outputs.size(); ++i) {
            if (!j.outputs[i].is_null()) j.unsaved.push_back(i);
          }
        }
      } else {
        j.state = decode_runs(jj.at("runs"), slots);
        j.children.assign(j.state.size(), -1);
        for (const auto& r : jj.at("running")) {
          j.children.at(r.at(0).get<size_t>()) = r.at(1).get<int64_t>();
        }
        j.outputs.assign(j.state.size(), nullptr);
        const std::string prefix = join_part_prefix(frame);
        std::vector<bool> found(j.state.size(), false);
        for (auto it = parts.lower_bound(prefix);
             it != parts.end() && it->first.rfind(prefix, 0) == 0; ++it) {
          const size_t slot = std::stoull(it->first.substr(prefix.size()));
          j.outputs.at(slot) = it->second;
          found.at(slot) = true;
        }
        for (size_t i = 0; i < j.state.size(); ++i) {
          if (j.state[i] == SlotState::kSucceeded && !found[i])
            return bad("a finished slot's output is missing");
        }
      }
      if (j.state.size() != slots || j.children.size() != slots || j.outputs.size() != slots) {
        return bad("a join does not fit its step");
      }
      const auto& c = jj.at("counts");
      j.succeeded = c.at(0).get<size_t>();
      j.failed = c.at(1).get<size_t>();
      j.running = c.at(2).get<size_t>();
      j.next_slot = c.at(3).get<size_t>();
      e->joins_.emplace(frame, std::move(j));
    }
    for (const auto& aj : s.at("attempts")) {
      const int64_t frame = aj.at("frame").get<int64_t>();
      if (e->frames_.count(frame) == 0) return bad("an attempt's frame is missing");
      Attempt a;
      a.step = &e->current_step(frame);
      a.number = aj.at("number").get<uint32_t>();
      a.token = e->next_token_++;
      a.suspended = aj.value("suspended", false);
      a.signal = aj.value("signal", "");
      a.plugin_version = aj.value("plugin_version", "");
      a.key = aj.value("key", "");
      if (aj.contains("resume_input")) a.resume_input = aj["resume_input"];
      if (aj.contains("task")) {
        const auto& tj = aj["task"];
        Task t;
        t.id = tj.at("id").get<std::string>();
        t.spec = tj.at("spec");
        t.roles = tj.at("roles").get<std::vector<std::string>>();
        t.organisation = tj.at("organisation").get<std::string>();
        t.completions = tj.at("completions");
        t.created_at = at_ms(tj.at("created_at"));
        t.assignee = tj.value("assignee", "");
        a.task = std::move(t);
      }
      e->attempts_.emplace(frame, std::move(a));
    }
    e->waiting_ = s.at("waiting").get<std::set<int64_t>>();
    for (const auto& tj : s.at("timers")) {
      const auto t = Timer::from_stored(at_ms(tj.at(1)), tj.at(2).get<int64_t>(),
                                        tj.at(3).get<int64_t>(), tj.at(4).get<uint32_t>());
      if (!t) throw std::invalid_argument("a timer kind other than 0-5");
      e->timers_.emplace(tj.at(0).get<uint64_t>(), *t);
    }
    if (s.contains("actors")) {
      e->actors_ = s["actors"].get<std::map<std::string, std::set<std::string>>>();
    }
    return e;
  } catch (const json::exception& ex) {
    return bad(ex.what());
  } catch (const std::invalid_argument& ex) {  // a value this code never writes
    return bad(std::string("it holds ") + ex.what());
  } catch (const std::logic_error& ex) {  // a layer out of order or missing (out_of_range)
    return bad(std::string("its context layers do not fit: ") + ex.what());
  }
}

void Execution::note_crashed_call(const CrashJournal::PluginCall& call, std::string cause) {
  const Working working(*this);
  crashed_calls_.insert_or_assign(call.frame, std::pair{call, std::move(cause)});
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

void Execution::resume_restored() {
  const Working working(*this);
  for (auto& [id, t] : timers_) arm(id);
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
    std::vector<uint64_t> stale;
    for (const auto& [id, t] : timers_) {
      if (t.frame == frame && t.kind == TimerKind::kAttemptTimeout) stale.push_back(id);
    }
    for (uint64_t id : stale) cancel_timer(id);
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
          {id_, layer_part_key(l.id), {{"below", layer_id(l.below)}, {"members", l.members}}});
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
  for (auto& e : pending_events_) batch.events.push_back(std::move(e));
  pending_events_.clear();
  for (auto& n : pending_notifications_) batch.notifications.push_back(std::move(n));
  pending_notifications_.clear();
  for (auto& a : pending_audit_) batch.audit.push_back(std::move(a));
  pending_audit_.clear();
  const ExecutionStatus status = parked() ? ExecutionStatus::kWaiting : status_;
  json result;
  if (status_ == ExecutionStatus::kSucceeded) result = {{"output", output_}};
  if (status_ == ExecutionStatus::kFailed || status_ == ExecutionStatus::kCancelled) {
    result = {{"error", error_.to_json()}};
  }
  write_parts(batch);  // first: the snapshot names the layers by the ids this gives them
  batch.executions.push_back(ExecutionRecord{id_, workflow_->id, workflow_->version, status,
                                             initiator_, started_at_, host_.clock().now(),
                                             next_due(), state_json(), std::move(result)});
  for (int64_t frame : changed_tasks_) {
    auto a = attempts_.find(frame);
    if (a == attempts_.end() || !a->second.task) continue;
    batch.tasks.push_back(TaskRecord{a->second.task->id, id_, step_path(frame, a->second.step->id),
                                     TaskStatus::kOpen, frames_.at(frame).due,
                                     a->second.task->created_at, task_json(frame)});
  }
  changed_tasks_.clear();
  for (auto& t : closed_tasks_) batch.tasks.push_back(std::move(t));
  closed_tasks_.clear();
  for (auto& job : held_calls_) {
    after_commit.push_back(
        [&host = host_, job = std::move(job)]() mutable { host.post_blocking(std::move(job)); });
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
