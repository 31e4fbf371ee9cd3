// Engine with several nodes on one database: leases (store/execution_leases.h).
//
// What a node holds is what it has in memory: an execution is claimed when it is loaded (a
// call acts on it, its timer falls due, or it is adopted from a node that died) and let go when
// it leaves memory (parked or finished), so that whichever node a person or a partner reaches
// next takes it up from the store. Its work is written with the fence its claim gave; when the
// store refuses a batch because another node claimed one of its executions meanwhile (this node
// paused past its lease), that execution's writes are taken out, its copy here is dropped, and
// the rest of the batch is written.
//
// One thread keeps the node: heartbeats every third of the lease, gives up the leases the
// engine lets go (off the committer's threads: a release is a round trip), and, for a server,
// polls for executions nobody alive works on.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <random>
#include <thread>

#include "runtime/engine.h"

namespace coalition {

namespace {

// "<name>/<8 hex digits>": one per process, so a node restarted under the same name is a new
// owner and never mistakes the leases of its previous life for its own.
std::string fresh_node_id(const std::string& name) {
  std::random_device random;
  return fmt::format("{}/{:08x}", name, random());
}

}  // namespace

std::optional<ExecutionFence> Engine::held_lease(const std::string& id) const {
  if (leases_ == nullptr) return std::nullopt;
  std::lock_guard<std::mutex> lock(leases_mutex_);
  auto it = held_.find(id);
  if (it == held_.end()) return std::nullopt;
  return it->second;
}

bool Engine::holds_lease(const std::string& id) const {
  std::lock_guard<std::mutex> lock(leases_mutex_);
  return held_.count(id) > 0;
}

Status Engine::claim_locked(const std::string& id) {
  if (leases_ == nullptr || holds_lease(id)) return ok_status();
  auto claim = leases_->claim(node_id_, id);
  if (!claim) return std::move(claim).error();
  if (claim->outcome == LeaseClaim::Outcome::kUnknown) return ok_status();  // nothing to hold
  if (claim->outcome == LeaseClaim::Outcome::kHeld) {
    return Error::conflict("execution " + id + " is being worked on by engine node " +
                           claim->holder + "; try again in a moment")
        .with_reason(ErrorReason::kExecutionBusy);
  }
  std::lock_guard<std::mutex> lock(leases_mutex_);
  held_[id] = claim->lease;
  return ok_status();
}

Status Engine::claim_idle_locked(const std::string& id) {
  if (at_work_locked(id)) return Error::conflict("execution " + id + " is running");
  return claim_locked(id);
}

Result<std::optional<ExecutionRecord>> Engine::claim_and_read(const std::string& id, bool claim) {
  if (claim) {
    if (auto s = claim_locked(id); !s) return std::move(s).error();
  }
  return store_->execution(id);
}

void Engine::lease_copy(Execution& copy) const {
  if (auto lease = held_lease(copy.id())) copy.set_lease(std::move(*lease));
}

void Engine::lease_fresh(Execution& execution) {
  if (leases_ == nullptr) return;
  const ExecutionFence lease{execution.id(), node_id_, 1, true};
  execution.set_lease(lease);
  std::lock_guard<std::mutex> lock(leases_mutex_);
  held_[execution.id()] = lease;
}

Status Engine::settle_start(const std::shared_ptr<Execution>& execution, bool run) {
  if (auto s = sync(); !s) return s;
  const std::string& id = execution->id();
  if (execution->lost()) return Error::conflict("an execution with id " + id + " already exists");
  if (leases_ == nullptr || run) return ok_status();
  // Recorded for any node to run: out of memory, its lease let go for one that adopts.
  {
    std::lock_guard<std::mutex> lock(executions_mutex_);
    if (auto it = executions_.find(id); it != executions_.end() && it->second == execution) {
      executions_.erase(it);
    }
  }
  drop_lease(id, execution->lease());
  return ok_status();
}

Result<RecoveryReport> Engine::recover_as_node() {
  RecoveryReport report;
  if (!node_.adopt) return report;
  for (;;) {
    auto adopted = adopt_orphans();
    if (!adopted) return std::move(adopted).error();
    report.recovered += *adopted;
    if (*adopted < node_.adopt_batch) return report;
  }
}

void Engine::drop_lease(const std::string& id, const std::optional<ExecutionFence>& copy) {
  if (leases_ == nullptr) return;
  ExecutionFence lease;
  {
    std::lock_guard<std::mutex> lock(leases_mutex_);
    auto it = held_.find(id);
    if (it == held_.end() || (copy && copy->fence != it->second.fence)) return;
    lease = std::move(it->second);
    held_.erase(it);
  }
  {
    std::lock_guard<std::mutex> lock(keeper_mutex_);
    releases_.push_back(std::move(lease));
  }
  keeper_cv_.notify_all();
}

Status Engine::take_out_moved(StoreBatch& batch) {
  auto moved = leases_->moved(batch.fences);
  if (!moved) return std::move(moved).error();
  if (moved->empty()) {
    return Error::internal(
        "the store refused a batch for a lease that has not moved (an execution written "
        "without its lease?)");
  }
  const std::set<std::string> ids(moved->begin(), moved->end());
  std::map<std::string, uint64_t> fences;  // the fence each moved execution was written with
  for (const auto& f : batch.fences) {
    if (ids.count(f.execution_id) > 0) fences[f.execution_id] = f.fence;
  }
  batch.remove_executions(ids);
  for (const auto& id : ids) {
    const uint64_t fence = fences[id];
    spdlog::warn(
        "execution {} was claimed by another engine node while this one ({}) worked on it: "
        "this node's unwritten work on it is dropped, the other node carries on",
        id, node_id_);
    // Only the copy written under that fence is lost (a copy loaded since under a newer claim
    // of this node stays), and only that claim is forgotten.
    std::shared_ptr<Execution> lost;
    {
      std::lock_guard<std::mutex> lock(executions_mutex_);
      if (auto it = executions_.find(id); it != executions_.end()) {
        const auto lease = it->second->lease();
        if (!lease || lease->fence == fence) {
          lost = it->second;
          executions_.erase(it);
        }
      }
    }
    {
      std::lock_guard<std::mutex> lock(leases_mutex_);
      if (auto it = held_.find(id); it != held_.end() && it->second.fence == fence) held_.erase(it);
    }
    if (lost) {
      lost->mark_lost();
      let_go_woken(*lost);
    }
  }
  return ok_status();
}

Result<size_t> Engine::adopt_orphans() {
  if (leases_ == nullptr) return size_t{0};
  auto claimed = leases_->claim_orphans(node_id_, clock_.now(), node_.adopt_batch);
  if (!claimed) return std::move(claimed).error();
  for (const auto& lease : *claimed) {
    // A copy still in memory is one this node was working on when another took it (this node
    // paused): stale whatever it holds, it goes before the execution is loaded again.
    std::shared_ptr<Execution> stale;
    {
      std::lock_guard<std::mutex> lock(executions_mutex_);
      if (auto it = executions_.find(lease.execution_id); it != executions_.end()) {
        stale = it->second;
        executions_.erase(it);
      }
      if (auto w = wakeups_.find(lease.execution_id); w != wakeups_.end()) {
        clock_.cancel(w->second);
        wakeups_.erase(w);
      }
    }
    if (stale) {
      stale->mark_lost();
      let_go_woken(*stale);
    }
    {
      std::lock_guard<std::mutex> lock(leases_mutex_);
      held_[lease.execution_id] = lease;
    }
    post([this, id = lease.execution_id] {
      auto loaded = find_or_load(id, /*wait_if_held=*/false);
      if (!loaded) {
        spdlog::error("node {} cannot take up execution {}: {}", node_id_, id,
                      loaded.error().message());
      } else if (*loaded == nullptr) {
        drop_lease(id);
      }
    });
  }
  if (!claimed->empty()) {
    spdlog::info("node {} took up {} execution(s) nobody else worked on", node_id_,
                 claimed->size());
  }
  return claimed->size();
}

void Engine::start_keeper() {
  node_id_ = fresh_node_id(node_.name);
  // Alive before the first claim: a claim by a node the others do not know yet would look
  // abandoned to them.
  if (auto s = leases_->heartbeat(node_id_, node_.name, node_.lease); !s) {
    spdlog::error("node {}: first heartbeat failed (retried): {}", node_id_, s.error().message());
  }
  keeper_ = std::thread([this] { keep_leases(); });
}

void Engine::stop_keeper() {
  {
    std::lock_guard<std::mutex> lock(keeper_mutex_);
    keeper_stop_ = true;
  }
  keeper_cv_.notify_all();
  if (keeper_.joinable()) keeper_.join();
}

void Engine::keep_leases() {
  using Steady = std::chrono::steady_clock;
  const auto beat_every = std::max(std::chrono::milliseconds(10), node_.lease / 3);
  auto next_beat = Steady::now() + beat_every;
  auto next_poll = Steady::now() + node_.poll;
  std::unique_lock<std::mutex> lock(keeper_mutex_);
  while (!keeper_stop_) {
    std::vector<ExecutionFence> releases;
    releases.swap(releases_);
    lock.unlock();
    for (const auto& lease : releases) {
      if (auto s = leases_->release(lease); !s) {
        spdlog::warn(
            "node {} could not let execution {} go (its lease lapses with the node's): "
            "{}",
            node_id_, lease.execution_id, s.error().message());
      }
    }
    if (Steady::now() >= next_beat) {
      if (auto s = leases_->heartbeat(node_id_, node_.name, node_.lease); !s) {
        spdlog::error("node {}: heartbeat failed: {}", node_id_, s.error().message());
      }
      next_beat = Steady::now() + beat_every;
    }
    if (node_.adopt && Steady::now() >= next_poll) {
      if (auto adopted = adopt_orphans(); !adopted) {
        spdlog::error("node {}: looking for executions to take up failed: {}", node_id_,
                      adopted.error().message());
      }
      next_poll = Steady::now() + node_.poll;
    }
    lock.lock();
    const auto until = node_.adopt ? std::min(next_beat, next_poll) : next_beat;
    keeper_cv_.wait_until(lock, until, [this] { return keeper_stop_ || !releases_.empty(); });
  }
}

}  // namespace coalition
