// GroupCommitter: makes many executions' changes durable together. Sources (executions with
// unsaved changes) are queued; one thread drains every queued source into a single StoreBatch,
// applies it in one transaction, and only then releases what each source held back until its
// changes were durable (plugin calls, acknowledgements). At ~2.6 ms per fsync here, committing
// each step alone would cap a store at ~380 transitions/s; a batch carries hundreds.
#ifndef COALITION_STORE_GROUP_COMMITTER_H_
#define COALITION_STORE_GROUP_COMMITTER_H_

#include <array>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "store/store.h"

namespace coalition {

// Something with changes to persist.
class CommitSource {
 public:
  virtual ~CommitSource() = default;
  // Moves the changes made so far into `batch`, and the actions that must wait for them to be
  // durable into `after_commit`. Called on the committer's thread.
  virtual void drain(StoreBatch& batch, std::vector<std::function<void()>>& after_commit) = 0;
};

struct CommitStats {
  uint64_t transactions = 0;
  uint64_t sources = 0;  // drains, summed over transactions
  // Transactions by how many drains they carried: batches[i] counts those with at most
  // kBatchBounds[i] (and more than the bound before); the last, those above every bound.
  static constexpr std::array<uint64_t, 9> kBatchBounds{1, 2, 4, 8, 16, 32, 64, 128, 256};
  std::array<uint64_t, kBatchBounds.size() + 1> batches{};
};

class GroupCommitter {
 public:
  // `store` must outlive the committer. `on_failure` runs (on the committer thread) when a
  // transaction fails; the committer then refuses further work.
  GroupCommitter(Store& store, std::function<void(const Error&)> on_failure);
  ~GroupCommitter();  // commits what is queued, then stops
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Queues `source` to be drained into the next transaction. Thread-safe.
  void submit(std::shared_ptr<CommitSource> source);
  // Blocks until everything submitted before the call is committed; the first failure since
  // the committer started, if any.
  Status flush();
  CommitStats stats() const;

 private:
  void loop();

  Store& store_;
  std::function<void(const Error&)> on_failure_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable committed_;
  std::vector<std::shared_ptr<CommitSource>> sources_;
  uint64_t submitted_ = 0;  // submissions so far
  uint64_t durable_ = 0;    // submissions committed (or failed)
  std::optional<Error> failure_;
  CommitStats stats_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace coalition

#endif  // COALITION_STORE_GROUP_COMMITTER_H_
