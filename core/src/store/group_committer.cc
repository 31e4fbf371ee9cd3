#include "store/group_committer.h"

#include <algorithm>

namespace coalition {

namespace {
// Sources drained per round before their changes join the next batch: a writer that is idle
// starts on the first of a burst instead of waiting for all of it.
constexpr size_t kDrainRound = 64;
}  // namespace

GroupCommitter::GroupCommitter(Store& store, std::function<void(const Error&)> on_failure)
    : store_(store),
      on_failure_(std::move(on_failure)),
      drainer_([this] { drain_loop(); }),
      writer_([this] { write_loop(); }) {}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  drainer_.join();  // drains what is queued, then says so
  writer_.join();   // writes it, then stops
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
  committed_.wait(lock, [&] { return durable_ >= target; });
  if (failure_) return *failure_;
  return ok_status();
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

// Whatever has been drained when the previous batch is durable is the next transaction: under
// light load a change is committed at once; under load, changes gather while the writer writes.
void GroupCommitter::write_loop() {
  uint64_t upto = 0;
  for (;;) {
    Drained drained;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      ready_cv_.wait(lock, [&] { return !next_.sources.empty() || drainer_done_; });
      if (next_.sources.empty()) return;  // the drainer stopped with nothing left
      drained = std::move(next_);
      next_ = Drained{};
      for (const CommitSource* source : drained.sources) pending_.erase(source);
      upto += drained.submissions;
    }
    wake_.notify_all();  // a source drained again may go into the next batch now
    Status status = ok_status();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (failure_) status = *failure_;
    }
    if (status) status = store_.apply(drained.batch);
    if (status) {
      for (auto& fn : drained.after_commit) fn();
    } else {
      bool first = false;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        first = !failure_;
        if (first) failure_ = status.error();
      }
      if (first && on_failure_) on_failure_(status.error());
    }
    drained.after_commit.clear();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      durable_ = upto;
      ++stats_.transactions;
      stats_.sources += drained.sources.size();
      const auto& bounds = CommitStats::kBatchBounds;
      ++stats_.batches[static_cast<size_t>(
          std::lower_bound(bounds.begin(), bounds.end(), drained.sources.size()) - bounds.begin())];
      spent_.push_back(std::move(drained.batch));
    }
    committed_.notify_all();
  }
}

}  // namespace coalition
