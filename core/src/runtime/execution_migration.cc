// Moving a waiting execution to another version of its workflow.
//
// It works on the typed state of an execution restored from the store and not yet resumed —
// nothing runs, no timer is armed — in two passes: the first decides, frame by frame, where each
// active step goes in the new version and what stands in the way; the second, only when nothing
// does, rewrites the frames, joins, attempts, tasks and timers and records the event. The snapshot
// the next drain writes is then the migrated one, in the same transaction as the event, its
// audit entry and the task rows: a crash leaves the execution wholly on one version.
//
// What stays as it was, on purpose: an open task keeps its roles, organisation and title (people
// were told about it); a waiting step keeps its due time; a running sub-workflow keeps its own
// version; branches and iterations already running keep the context they started from.
#include <fmt/format.h>

#include "common/json_limits.h"
#include "common/utc_time.h"
#include "runtime/execution.h"
#include "runtime/execution_state.h"
#include "workflow/duration.h"
#include "workflow/step_walk.h"

namespace coalition {

using nlohmann::json;

namespace {

// The step as written in its workflow's file (null when the pointer does not lead there).
json written_step(const Workflow& workflow, const Step& step) {
  try {
    return workflow.document.at(json::json_pointer(step.pointer));
  } catch (const json::exception&) {
    return nullptr;
  }
}

json written_member(const json& step, const char* key) {
  if (!step.is_object()) return nullptr;
  auto it = step.find(key);
  return it == step.end() ? json(nullptr) : *it;
}

std::string branch_names(const Step& step) {
  std::string names;
  for (const Branch& b : step.branches) names += (names.empty() ? "" : ", ") + b.name;
  return names;
}

// The part of a JSON library message worth showing ("[json.exception.out_of_range.403] key
// 'x' not found" -> "key 'x' not found").
std::string patch_failure(const std::string& what) {
  const auto end = what.find("] ");
  return end == std::string::npos ? what : what.substr(end + 2);
}

}  // namespace

MigrationReport Execution::migrate(const std::shared_ptr<const Workflow>& to,
                                   const MigrationPlan& plan, bool apply, const Actor& actor,
                                   const std::string& justification) {
  const Working working(*this);
  MigrationReport report;
  report.execution = id_;
  auto cannot = [&report](std::string why) { report.problems.push_back(std::move(why)); };
  if (status_ != ExecutionStatus::kRunning) {
    cannot("it has " + std::string(to_string(status_)));
    return report;
  }
  if (workflow_->id != plan.workflow || workflow_->version != plan.from) {
    cannot("it runs " + workflow_->key() + "; the plan moves " + plan.from_key());
    return report;
  }
  const bool entered = !frames_.at(0).current.empty();
  if (entered && !parked()) {
    cannot(
        "a step is running (a plugin call, or an answer being handed to one): migrate it while "
        "it waits for people, a signal or a timer");
    return report;
  }
  const std::shared_ptr<const Workflow> from = workflow_;

  // The main context, patched.
  std::optional<Context> patched_main;
  if (!plan.context.empty()) {
    const json before = frames_.at(0).context.merged();
    try {
      json after = before.patch(plan.context);
      if (!after.is_object()) {
        cannot("the context patch leaves the context something other than an object");
      } else if (auto fits = check_json_limits(after); !fits) {
        cannot("the patched context " + fits.error().to_string());
      } else {
        std::vector<std::string> members;
        for (const auto& [key, value] : after.items()) {
          if (!before.contains(key) || before[key] != value) members.push_back(key);
        }
        for (const auto& [key, value] : before.items()) {
          if (!after.contains(key)) members.push_back(key + " (removed)");
        }
        std::string list;
        for (const auto& m : members) list += (list.empty() ? "" : ", ") + m;
        report.changes.push_back(members.empty() ? "the context patch changes nothing"
                                                 : "context members patched: " + list);
        patched_main.emplace(std::move(after));
      }
    } catch (const json::exception& e) {
      cannot("the context patch does not apply: " + patch_failure(e.what()));
    }
  }

  // Where each frame of this workflow goes. A frame is moved when it is the main sequence or a
  // branch or iteration of a moved frame's parallel or map; a sub-workflow's frames keep the
  // version they run.
  struct Move {
    const Sequence* sequence = nullptr;
    const Step* step = nullptr;  // the new current step; null when never entered
    std::string current;
    std::optional<StepDue> due;  // computed again
    bool drop_due = false;       // the new step has no deadline
  };
  std::map<int64_t, Move> moves;
  json renamed = json::array();
  for (const auto& [id, f] : frames_) {
    if (f.done) continue;
    Move move;
    if (f.parent < 0) {
      move.sequence = to->main.get();
    } else {
      auto parent = moves.find(f.parent);
      if (parent == moves.end() || parent->second.step == nullptr) continue;
      const Step& container = *parent->second.step;
      move.sequence = slot_sequence(container, f.slot);
      // Null: a sub-workflow, or a parallel whose branches changed (reported there).
      if (move.sequence == nullptr) continue;
    }
    if (f.current.empty()) {  // recorded, never entered: it starts on the new version
      moves.emplace(id, move);
      continue;
    }
    const Step& old_step = *f.sequence->find(f.current);
    const std::string path = step_path(id, f.current);
    move.current = plan.renamed(f.current);
    move.step = move.sequence->find(move.current);
    if (move.step == nullptr) {
      cannot(fmt::format("step {} is active and {} has no step '{}' in its place{}", path,
                         to->key(), move.current,
                         move.current == f.current ? " (rename it in the plan's steps)" : ""));
      continue;
    }
    const Step& new_step = *move.step;
    const std::string new_path = f.path + move.current;
    if (new_step.kind != old_step.kind) {
      cannot(fmt::format("step {} is an active {} step; {} in {} is a {} step", path,
                         to_string(old_step.kind), new_path, to->key(), to_string(new_step.kind)));
      continue;
    }
    if (move.current != f.current) {
      report.changes.push_back("step " + path + " becomes " + new_path);
      renamed.push_back({{"from", path}, {"to", new_path}});
    }
    const auto attempt = attempts_.find(id);
    const bool open = attempt != attempts_.end() && attempt->second.suspended;
    const auto joined = joins_.find(id);
    switch (old_step.kind) {
      case StepKind::kTask:
        if (attempt == attempts_.end() && move.current != f.current) {
          // Between attempts: the next one would get another idempotency key than the ones
          // before it, and a plugin that half did its work could do it again.
          cannot(
              fmt::format("step {} is waiting to retry: renamed, its next attempt would get "
                          "another idempotency key; migrate once it has run, or keep its id",
                          path));
          continue;
        }
        if (open && attempt->second.task && !attempt->second.task->completions.empty() &&
            (old_step.assign ? old_step.assign->quorum : 1) !=
                (new_step.assign ? new_step.assign->quorum : 1)) {
          cannot(
              fmt::format("task {} has {} answer(s) toward a quorum of {}; in {} the quorum "
                          "is {}: the answers given cannot be counted again",
                          attempt->second.task->id, attempt->second.task->completions.size(),
                          old_step.assign ? old_step.assign->quorum : 1, to->key(),
                          new_step.assign ? new_step.assign->quorum : 1));
          continue;
        }
        if (open && new_step.type == old_step.type &&
            host_.registry().find_for_resume(new_step.type, attempt->second.plugin_version,
                                             to->plugin_requirements) == nullptr) {
          cannot(
              fmt::format("step {} waits under plugin version {}; {} requires versions of "
                          "its plugin that exclude it, and none installed would resume it",
                          path,
                          attempt->second.plugin_version.empty() ? std::string("(unrecorded)")
                                                                 : attempt->second.plugin_version,
                          to->key()));
          continue;
        }
        if (new_step.type != old_step.type) {
          if (open) {
            cannot(fmt::format(
                "step {} waits as step type '{}' ({}); {} in {} has type '{}': what the plugin "
                "asked cannot be answered to another type",
                path, old_step.type,
                attempt->second.task ? "task " + attempt->second.task->id : "a signal", new_path,
                to->key(), new_step.type));
            continue;
          }
          report.changes.push_back(fmt::format("step {} retries as step type '{}' (was '{}')",
                                               new_path, new_step.type, old_step.type));
        } else if (written_member(written_step(*from, old_step), "parameters") !=
                   written_member(written_step(*to, new_step), "parameters")) {
          report.changes.push_back("step " + new_path + " has new parameters: " +
                                   (open ? "the waiting attempt keeps what it was started with"
                                         : "the next attempt uses them"));
        }
        if (open && attempt->second.task &&
            written_member(written_step(*from, old_step), "assign") !=
                written_member(written_step(*to, new_step), "assign")) {
          report.changes.push_back("task " + attempt->second.task->id +
                                   " keeps the people it was assigned to; the new assignment "
                                   "applies when the step is next entered");
        }
        break;
      case StepKind::kParallel:
      case StepKind::kMap:
      case StepKind::kWorkflow:
        if (joined == joins_.end()) break;
        if (move.current != f.current) {
          cannot(
              fmt::format("step {} has running {} and cannot be renamed: their step paths and "
                          "idempotency keys are made from its id",
                          path,
                          old_step.kind == StepKind::kParallel ? "branches"
                          : old_step.kind == StepKind::kMap    ? "iterations"
                                                               : "sub-workflow"));
          move.step = nullptr;  // its children are not looked at
        } else if (old_step.kind == StepKind::kParallel &&
                   branch_names(old_step) != branch_names(new_step)) {
          cannot(fmt::format("parallel step {} is running branches {}; in {} its branches are {}",
                             path, branch_names(old_step), to->key(), branch_names(new_step)));
          move.step = nullptr;
        } else if (old_step.kind == StepKind::kMap && old_step.items != new_step.items) {
          cannot(fmt::format("map step {} is iterating over {}; in {} it iterates over {}", path,
                             old_step.items, to->key(), new_step.items));
          move.step = nullptr;
        } else if (old_step.join != new_step.join || old_step.join_count != new_step.join_count ||
                   old_step.join_of != new_step.join_of || old_step.map_mode != new_step.map_mode) {
          cannot(fmt::format(
              "step {} is running its {} under one rule for when it is done; in "
              "{} the rule differs (join mode, count or branches waited for, or "
              "the map's mode): migrate once it has finished",
              path, old_step.kind == StepKind::kParallel ? "branches" : "iterations", to->key()));
          move.step = nullptr;
        } else if (old_step.kind == StepKind::kMap &&
                   old_step.max_concurrency != new_step.max_concurrency) {
          report.changes.push_back(
              fmt::format("map step {} starts its remaining iterations {}", path,
                          new_step.max_concurrency == 0
                              ? std::string("all at once")
                              : fmt::format("at most {} at a time", new_step.max_concurrency)));
        } else if (old_step.kind == StepKind::kWorkflow &&
                   (old_step.workflow_id != new_step.workflow_id ||
                    old_step.workflow_version != new_step.workflow_version)) {
          report.changes.push_back(fmt::format(
              "the running sub-workflow of {} stays on {}@{}; {}@{} is called the next time the "
              "step is entered",
              path, old_step.workflow_id, old_step.workflow_version, new_step.workflow_id,
              new_step.workflow_version));
        }
        break;
      case StepKind::kWait:
        if (old_step.wait_for != new_step.wait_for || old_step.wait_until != new_step.wait_until) {
          report.changes.push_back("the wait of " + new_path + " keeps its due time");
        }
        break;
      default: break;
    }
    // The deadline: as it stands when the definition is the same; else computed again from
    // when the step was entered, as the new version would have had it.
    const json old_deadline = written_member(written_step(*from, old_step), "deadline");
    const json new_deadline = written_member(written_step(*to, new_step), "deadline");
    if (old_deadline != new_deadline && (f.due || new_step.deadline)) {
      if (!new_step.deadline) {
        move.drop_due = true;
        report.changes.push_back("step " + new_path + " has no deadline any more (was due " +
                                 format_utc(*f.due) + ")");
      } else if (f.level > 0) {
        cannot(
            fmt::format("the deadline of step {} changed, and its task has escalated {} "
                        "time(s) under the old one: extend it instead, or migrate once it "
                        "is answered",
                        path, f.level));
      } else {
        const Context& context = id == 0 && patched_main ? *patched_main : f.context;
        auto due = resolve_step_due(*new_step.deadline, context, f.entered_at, host_.calendars());
        if (!due) {
          cannot("the new deadline of step " + new_path +
                 " cannot be computed: " + due.error().message());
        } else {
          report.changes.push_back(fmt::format(
              "step {} is due {} ({}){}", new_path, format_utc(due->due), due->basis.rule,
              f.due ? ", was " + format_utc(*f.due) : std::string(", had no deadline")));
          if (due->due <= host_.clock().now()) {
            report.changes.back() +=
                ": already passed, so it falls due when the migration is applied";
          }
          move.due = std::move(*due);
        }
      }
    }
    moves.emplace(id, std::move(move));
  }
  if (from->timeout != to->timeout) {
    if (to->timeout && started_at_ + *to->timeout <= host_.clock().now()) {
      cannot("the timeout of " + to->key() + " (" + format_duration(*to->timeout) +
             ") has passed already for an execution started " + format_utc(started_at_) +
             ": it would fail at once");
    } else {
      report.changes.push_back(to->timeout ? "the workflow times out " +
                                                 format_utc(started_at_ + *to->timeout) +
                                                 " (started " + format_utc(started_at_) +
                                                 ", timeout " + format_duration(*to->timeout) + ")"
                                           : "the workflow has no timeout any more");
    }
  }
  if (!report.problems.empty() || !apply) return report;

  // Nothing stands in the way: rewrite.
  workflow_ = to;
  visibility_ = nullptr;  // the new version's classes from now on
  if (patched_main) {
    Frame& root = frames_.at(0);
    // A running container's branches keep the layers they share; those it starts from now on
    // read the patched context, which must be frozen for them (Context::inherit).
    root.context = std::move(*patched_main);
    if (joins_.count(0) > 0) root.context.freeze();
  }
  const TimePoint now = host_.clock().now();
  for (auto& [id, move] : moves) {
    Frame& f = frames_.at(id);
    auto a = attempts_.find(id);
    // The plugin knows a waiting attempt by the key it started under: kept when the rewrite
    // (a renamed step, visits counted under another id) would derive another.
    std::string key_before;
    if (move.step != nullptr && a != attempts_.end() && a->second.suspended) {
      key_before = idempotency_key(id, *a->second.step);
    }
    f.workflow = to;
    f.sequence = move.sequence;
    std::map<std::string, uint32_t> visits;
    for (const auto& [step, n] : f.visits) {
      auto& v = visits[plan.renamed(step)];
      v = std::max(v, n);
    }
    f.visits = std::move(visits);
    if (move.step == nullptr) continue;
    f.current = move.current;
    if (a != attempts_.end()) {
      a->second.step = move.step;
      if (!key_before.empty()) {
        a->second.key.clear();
        if (idempotency_key(id, *move.step) != key_before) a->second.key = key_before;
      }
      if (a->second.task) changed_tasks_.insert(id);
    }
    if (auto j = joins_.find(id); j != joins_.end()) j->second.step = move.step;
    if (move.due || move.drop_due) {
      for (auto it = timers_.begin(); it != timers_.end();) {
        const bool deadline_timer =
            it->second.frame == id &&
            (it->second.kind == TimerKind::kDeadline || it->second.kind == TimerKind::kReminder);
        it = deadline_timer ? timers_.erase(it) : std::next(it);
      }
      f.due.reset();
      f.cap.reset();
      f.basis = {};
      f.cap_basis = {};
      f.level = 0;
    }
    if (move.due) {
      f.due = move.due->due;
      f.cap = move.due->cap;
      f.basis = std::move(move.due->basis);
      f.cap_basis = std::move(move.due->cap_basis);
      // Unarmed: resume_restored() arms every timer.
      timers_[next_timer_++] = Timer{.due = *f.due, .kind = TimerKind::kDeadline, .frame = id};
      const auto& remind = move.step->deadline->remind;
      for (size_t i = 0; i < remind.size(); ++i) {
        if (*f.due - remind[i] > now) {
          timers_[next_timer_++] = Timer{.due = *f.due - remind[i],
                                         .kind = TimerKind::kReminder,
                                         .frame = id,
                                         .reminder = static_cast<uint32_t>(i)};
        }
      }
    }
    if (move.due || move.drop_due) changed_tasks_.insert(id);
  }
  if (from->timeout != to->timeout) {
    for (auto it = timers_.begin(); it != timers_.end();) {
      it = it->second.kind == TimerKind::kWorkflowTimeout ? timers_.erase(it) : std::next(it);
    }
    if (to->timeout) {
      timers_[next_timer_++] =
          Timer{.due = started_at_ + *to->timeout, .kind = TimerKind::kWorkflowTimeout};
    }
  }
  // Separation of duties looks completed steps up by path: renamed steps keep their people.
  std::map<std::string, std::set<std::string>> actors;
  for (auto& [path, people] : actors_) {
    const auto slash = path.rfind('/');
    const std::string prefix = slash == std::string::npos ? "" : path.substr(0, slash + 1);
    const std::string step = path.substr(prefix.size());
    // Steps inside a sub-workflow ("call(other)/...") are that workflow's.
    const std::string key =
        prefix.find('(') == std::string::npos ? prefix + plan.renamed(step) : path;
    actors[key].insert(people.begin(), people.end());
  }
  actors_ = std::move(actors);
  record(EventType::kExecutionMigrated, "",
         {{"actor", actor.id},
          {"justification", justification},
          {"from", from->key()},
          {"to", to->key()},
          {"steps", std::move(renamed)},
          {"changes", report.changes}},
         actor);
  report.applied = true;
  return report;
}

}  // namespace coalition
