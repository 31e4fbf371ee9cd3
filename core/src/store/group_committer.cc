#include "store/group_committer.h"

#include <algorithm>

namespace coalition {

namespace {
constexpr auto kLinger = std::chrono::microseconds(1000);
constexpr size_t kFullBatch = 512;
}  // namespace

GroupCommitter::GroupCommitter(Store& store, std::function<void(const Error&)> on_failure)
    : store_(store), on_failure_(std::move(on_failure)), thread_([this] { loop(); }) {}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void GroupCommitter::submit(std::shared_ptr<CommitSource> source) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    sources_.push_back(std::move(source));
    ++submitted_;
  }
  wake_.notify_one();
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

// The batch is what queued while the previous transaction was being written, plus — only when
// that one carried several sources, i.e. under load — what queues within a short linger. Under
// light load a change is committed at once; under load the linger turns a stream of small
// transactions into fewer large ones (measured in bench/, W4).
void GroupCommitter::loop() {
  size_t last_batch = 0;
  for (;;) {
    std::vector<std::shared_ptr<CommitSource>> sources;
    uint64_t upto = 0;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || !sources_.empty(); });
      if (sources_.empty()) return;  // stopping, nothing left
      if (last_batch > 1 && !stop_) {
        const auto until = std::chrono::steady_clock::now() + kLinger;
        wake_.wait_until(lock, until, [&] { return stop_ || sources_.size() >= kFullBatch; });
      }
      sources.swap(sources_);
      upto = submitted_;
    }
    StoreBatch batch;
    std::vector<std::function<void()>> after_commit;
    for (auto& source : sources) source->drain(batch, after_commit);
    Status status = ok_status();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (failure_) status = *failure_;
    }
    if (status) status = store_.apply(batch);
    if (status) {
      for (auto& fn : after_commit) fn();
    } else {
      bool first = false;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        first = !failure_;
        if (first) failure_ = status.error();
      }
      if (first && on_failure_) on_failure_(status.error());
    }
    last_batch = sources.size();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      durable_ = upto;
      ++stats_.transactions;
      stats_.sources += sources.size();
      const auto& bounds = CommitStats::kBatchBounds;
      ++stats_.batches[static_cast<size_t>(
          std::lower_bound(bounds.begin(), bounds.end(), sources.size()) - bounds.begin())];
    }
    committed_.notify_all();
  }
}

}  // namespace coalition
