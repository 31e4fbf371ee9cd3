// GroupCommitter: makes many executions' changes durable together. Sources (executions with
// unsaved changes) are queued; one thread drains them as they come into the next batch, a second
// commits that batch in one transaction whenever the previous one is committed, and a third
// makes the committed transactions durable (Store::sync) and only then releases what each
// source held back until its changes were durable (plugin calls, acknowledgements). At ~2.6 ms
// per fsync here, committing each step alone would cap a store at ~380 transitions/s; a batch
// carries hundreds, and the writer writes the next batch while the previous one is fsynced, so
// a transaction costs the longer of the two, not their sum. The writer is what every acting
// caller waits for, so it only writes: snapshots are built and encoded, event payloads printed
// and digested (store/stored_forms.h), and spent batches freed, on the draining thread while it
// writes.
#ifndef COALITION_STORE_GROUP_COMMITTER_H_
#define COALITION_STORE_GROUP_COMMITTER_H_

#include <array>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "store/store.h"

namespace coalition {

// Something with changes to persist.
class CommitSource {
 public:
  virtual ~CommitSource() = default;
  // Moves the changes made so far into `batch`, and the actions that must wait for them to be
  // durable into `after_commit`. Called on the committer's draining thread; the batch may still
  // be waiting for the store when the source changes again and is drained into the next one.
  virtual void drain(StoreBatch& batch, std::vector<std::function<void()>>& after_commit) = 0;
};

struct CommitStats {
  uint64_t transactions = 0;
  uint64_t syncs = 0;    // each made one or more transactions durable
  uint64_t sources = 0;  // drains, summed over transactions
  // Transactions by how many drains they carried: batches[i] counts those with at most
  // kBatchBounds[i] (and more than the bound before); the last, those above every bound.
  static constexpr std::array<uint64_t, 9> kBatchBounds{1, 2, 4, 8, 16, 32, 64, 128, 256};
  std::array<uint64_t, kBatchBounds.size() + 1> batches{};
};

class GroupCommitter {
 public:
  // `store` must outlive the committer. `on_failure` runs (on the committer's writing or syncing
  // thread) when a transaction or its sync fails; the committer then releases nothing more and
  // commits nothing it takes afterwards.
  // `on_lease_moved` (optional; several engine nodes, store/execution_leases.h) runs on the
  // writing thread when the store refused a batch because another node claimed executions it
  // carries (ErrorReason::kLeaseMoved): it takes their writes out of the batch, which is then
  // committed again; an error from it (none of them moved: the refusal stands) fails the
  // committer as any refusal does.
  using LeaseMoved = std::function<Status(StoreBatch& batch)>;
  GroupCommitter(Store& store, std::function<void(const Error&)> on_failure,
                 LeaseMoved on_lease_moved = {});
  ~GroupCommitter();  // commits what is queued, then stops
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Queues `source` to be drained into the next transaction. Thread-safe.
  void submit(std::shared_ptr<CommitSource> source);
  // Blocks until everything submitted before the call is durable (or failed); the first failure
  // since the committer started, if any.
  Status flush();
  CommitStats stats() const;

 private:
  // Drained changes on their way to the store.
  struct Drained {
    StoreBatch batch;
    std::vector<std::function<void()>> after_commit;
    std::vector<const CommitSource*> sources;  // each at most once
    uint64_t submissions = 0;  // how many it carries: always the next ones, in order
  };
  // A transaction the writer committed (or failed to), waiting for the syncer.
  struct Committed {
    StoreBatch batch;
    std::vector<std::function<void()>> after_commit;  // run once durable
    uint64_t upto = 0;                                // submissions that are durable once this is
    bool written = false;
  };
  void drain_loop();
  void write_loop();
  void sync_loop();
  // Wakes the flush() callers whose submissions are now all durable (mutex_ held).
  void release_flushers();
  // Records the first failure and tells on_failure_ about it.
  void fail(const Error& error);
  // store_.commit(batch), again without what on_lease_moved_ takes out while leases moved.
  Status commit_fenced(StoreBatch& batch);

  Store& store_;
  std::function<void(const Error&)> on_failure_;
  LeaseMoved on_lease_moved_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;        // the drainer: sources queued, a batch taken, stop
  std::condition_variable ready_cv_;    // the writer: changes drained, a sync done, drainer done
  std::condition_variable written_cv_;  // the syncer: a transaction committed, or the writer done
  std::deque<std::shared_ptr<CommitSource>> sources_;  // submitted, not drained yet
  // Sources drained into `next_` or being drained: one drained again waits for the next batch,
  // so that a batch never holds two drains of one source (see StoreBatch::append).
  std::set<const CommitSource*> pending_;
  Drained next_;                   // the next batch, growing while the writer writes
  std::vector<StoreBatch> spent_;  // written: freed by the drainer, off the writer's thread
  std::deque<Committed> written_;  // committed, in order, not yet durable
  // A flush() caller, waiting until `upto` submissions are durable. Each has its own condition,
  // woken only when its turn has come: with hundreds of acting callers waiting, waking them all
  // at every sync (one shared condition) cost a context switch per caller per sync.
  struct Flusher {
    std::condition_variable turn;
    bool released = false;
  };
  std::multimap<uint64_t, Flusher*> flushers_;  // by `upto`
  uint64_t submitted_ = 0;                      // submissions so far
  uint64_t durable_ = 0;                        // submissions durable (or failed)
  size_t unsynced_ = 0;  // transactions committed and not yet through their sync
  std::optional<Error> failure_;
  CommitStats stats_;
  bool stop_ = false;
  bool drainer_done_ = false;
  bool writer_done_ = false;
  std::thread drainer_;
  std::thread writer_;
  std::thread syncer_;
};

}  // namespace coalition

#endif  // COALITION_STORE_GROUP_COMMITTER_H_
