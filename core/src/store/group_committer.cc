#include "store/group_committer.h"

#include <algorithm>

#include "store/stored_forms.h"

namespace coalition {

namespace {
// Sources drained per round before their changes join the next batch: a writer that is idle
// starts on the first of a burst instead of waiting for all of it.
constexpr size_t kDrainRound = 64;
// Transactions committed and not yet durable, at most: the one being synced and the one written
// meanwhile. A writer further ahead would commit each drain round alone (more transactions,
// each rewriting the pages they share into the log) for no earlier acknowledgement: the next
// sync covers them all anyway.
constexpr size_t kMaxUnsynced = 2;
}  // namespace

GroupCommitter::GroupCommitter(Store& store, std::function<void(const Error&)> on_failure,
                               LeaseMoved on_lease_moved)
    : store_(store),
      on_failure_(std::move(on_failure)),
      on_lease_moved_(std::move(on_lease_moved)),
      drainer_([this] { drain_loop(); }),
      writer_([this] { write_loop(); }),
      syncer_([this] { sync_loop(); }) {}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  drainer_.join();  // drains what is queued, then says so
  writer_.join();   // writes it, then says so
  syncer_.join();   // makes it durable, then stops
}

void GroupCommitter::fail(const Error& error) {
  bool first = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    first = !failure_;
    if (first) failure_ = error;
  }
  if (first && on_failure_) on_failure_(error);
}

void GroupCommitter::submit(std::shared_ptr<CommitSource> source) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    sources_.push_back(std::move(source));
    ++submitted_;
  }
  wake_.notify_all();
}

Status GroupCommitter::flush() {
  std::unique_lock<std::mutex> lock(mutex_);
  const uint64_t target = submitted_;
  if (durable_ < target) {
    Flusher self;
    flushers_.emplace(target, &self);
    self.turn.wait(lock, [&] { return self.released; });  // release_flushers erased it
  }
  if (failure_) return *failure_;
  return ok_status();
}

// Notified under the lock: a flusher that saw `released` returns and destroys its condition, so
// notifying after unlocking could touch a condition that is gone.
void GroupCommitter::release_flushers() {
  while (!flushers_.empty() && flushers_.begin()->first <= durable_) {
    Flusher* flusher = flushers_.begin()->second;
    flushers_.erase(flushers_.begin());
    flusher->released = true;
    flusher->turn.notify_one();
  }
}

CommitStats GroupCommitter::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

// Takes sources in submission order, so that the batches carry the submissions in order and
// durable_ counts a prefix of them (flush); one already in that batch (changed again since its
// drain) stops the round until the writer has taken the batch.
void GroupCommitter::drain_loop() {
  for (;;) {
    std::vector<std::shared_ptr<CommitSource>> sources;
    std::vector<StoreBatch> spent;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      const auto drainable = [&] {
        return !sources_.empty() && pending_.count(sources_.front().get()) == 0;
      };
      wake_.wait(lock, [&] { return drainable() || (stop_ && sources_.empty()); });
      if (!drainable()) {  // stopping, nothing left
        drainer_done_ = true;
        ready_cv_.notify_all();
        return;
      }
      while (drainable() && sources.size() < kDrainRound) {
        pending_.insert(sources_.front().get());
        sources.push_back(std::move(sources_.front()));
        sources_.pop_front();
      }
      spent.swap(spent_);
    }
    spent.clear();
    Drained round;
    for (auto& source : sources) {
      source->drain(round.batch, round.after_commit);
      round.sources.push_back(source.get());
    }
    // Here, not on the writer: the writer is what every acting caller waits for.
    encode_stored_forms(round.batch);
    store_.prepare(round.batch);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      next_.batch.append(std::move(round.batch));
      next_.after_commit.insert(next_.after_commit.end(),
                                std::make_move_iterator(round.after_commit.begin()),
                                std::make_move_iterator(round.after_commit.end()));
      next_.sources.insert(next_.sources.end(), round.sources.begin(), round.sources.end());
      next_.submissions += sources.size();
    }
    ready_cv_.notify_all();
  }
}

// Whatever has been drained when the previous batch is committed is the next transaction:
// under light load a change is committed at once; under load, changes gather while the writer
// writes. The writer does not wait for the disk: the syncer makes its transactions durable
// meanwhile. After a failure it commits nothing more.
// Each round takes at least one execution out (or the hook refuses), so the loop ends.
Status GroupCommitter::commit_fenced(StoreBatch& batch) {
  for (;;) {
    Status status = store_.commit(batch);
    if (status || !on_lease_moved_ || status.error().reason() != ErrorReason::kLeaseMoved) {
      return status;
    }
    if (auto taken = on_lease_moved_(batch); !taken) return taken;
    if (batch.empty()) return ok_status();
  }
}

void GroupCommitter::write_loop() {
  uint64_t upto = 0;
  for (;;) {
    Committed done;
    size_t sources = 0;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      ready_cv_.wait(lock, [&] {
        return (!next_.sources.empty() && unsynced_ < kMaxUnsynced) ||
               (next_.sources.empty() && drainer_done_);
      });
      if (next_.sources.empty()) break;  // the drainer stopped with nothing left
      Drained drained = std::move(next_);
      next_ = Drained{};
      for (const CommitSource* source : drained.sources) pending_.erase(source);
      upto += drained.submissions;
      sources = drained.sources.size();
      done.batch = std::move(drained.batch);
      done.after_commit = std::move(drained.after_commit);
      done.upto = upto;
      done.written = !failure_;
      ++unsynced_;
    }
    wake_.notify_all();  // a source drained again may go into the next batch now
    if (done.written) {
      Status status = commit_fenced(done.batch);
      if (!status) {
        done.written = false;
        fail(status.error());
      }
    }
    if (!done.written) done.after_commit.clear();  // never released: not durable
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++stats_.transactions;
      stats_.sources += sources;
      const auto& bounds = CommitStats::kBatchBounds;
      ++stats_.batches[static_cast<size_t>(std::lower_bound(bounds.begin(), bounds.end(), sources) -
                                           bounds.begin())];
      written_.push_back(std::move(done));
    }
    written_cv_.notify_all();
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    writer_done_ = true;
  }
  written_cv_.notify_all();
}

// One sync covers every transaction committed before it: under load the syncer takes all that
// the writer committed during the previous sync. After a failed sync nothing is released again
// (a later fsync may report success for pages the kernel already dropped), and the writer stops.
void GroupCommitter::sync_loop() {
  bool failed = false;
  for (;;) {
    std::deque<Committed> group;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      written_cv_.wait(lock, [&] { return !written_.empty() || writer_done_; });
      if (written_.empty()) return;
      group.swap(written_);
    }
    const bool any =
        std::any_of(group.begin(), group.end(), [](const Committed& c) { return c.written; });
    const bool syncing = any && !failed;
    if (syncing) {
      if (Status status = store_.sync(); !status) {
        failed = true;
        fail(status.error());
      }
    }
    for (auto& c : group) {
      if (!failed) {
        for (auto& fn : c.after_commit) fn();
      }
      c.after_commit.clear();
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      durable_ = group.back().upto;
      unsynced_ -= group.size();
      if (syncing) ++stats_.syncs;
      for (auto& c : group) spent_.push_back(std::move(c.batch));
      release_flushers();
    }
    ready_cv_.notify_all();  // the writer may be waiting for room
  }
}

}  // namespace coalition
