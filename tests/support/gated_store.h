// GatedStore: a Store that passes everything to a real one, except that the test decides when
// each batch may be written — to hold the group committer's writer mid-transaction and drive
// what happens meanwhile.
#ifndef COALITION_TESTS_SUPPORT_GATED_STORE_H_
#define COALITION_TESTS_SUPPORT_GATED_STORE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "store/store.h"

namespace coalition::test {

class GatedStore final : public Store {
 public:
  explicit GatedStore(Store& inner) : inner_(inner) {}

  // From now on, only `batches` more batches are written; the next one waits in commit().
  void hold_after(int batches) {
    std::lock_guard<std::mutex> lock(mutex_);
    passes_ = batches;
    changed_.notify_all();
  }
  // Every batch is written, every sync made and every execution read, again.
  void open() {
    hold_after(-1);
    release_syncs();
    release_reads();
  }
  // From now on reading execution `id` back (stored_execution) waits in the store until
  // release_reads(); other executions read as usual.
  void hold_reads_of(const std::string& id) {
    std::lock_guard<std::mutex> lock(mutex_);
    reads_held_of_ = id;
  }
  void release_reads() {
    std::lock_guard<std::mutex> lock(mutex_);
    reads_held_of_.reset();
    changed_.notify_all();
  }
  // Waits (up to `within`) until `n` reads are held; whether they are.
  bool wait_until_reads_held(int n, std::chrono::milliseconds within = std::chrono::seconds(10)) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, within, [&] { return reads_waiting_ >= n; });
  }
  // From now on every sync() waits in the store until release_syncs(); commits go on.
  void hold_syncs() {
    std::lock_guard<std::mutex> lock(mutex_);
    syncs_held_ = true;
  }
  void release_syncs() {
    std::lock_guard<std::mutex> lock(mutex_);
    syncs_held_ = false;
    changed_.notify_all();
  }
  // Waits (up to ten seconds) until a sync() is held; whether one is.
  bool wait_until_sync_held() {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(10), [&] { return syncs_waiting_ > 0; });
  }
  // The next sync() fails with kIo, as a disk refusing an fsync would.
  void fail_next_sync() {
    std::lock_guard<std::mutex> lock(mutex_);
    fail_sync_ = true;
  }
  int syncs() {
    std::lock_guard<std::mutex> lock(mutex_);
    return syncs_;
  }
  // Waits (up to ten seconds) until commit() has been given `batches` batches and holds one;
  // whether it has.
  bool wait_until_held(size_t batches) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(10),
                             [&] { return seen_.size() >= batches && held_ > 0; });
  }
  // Every batch commit() was given, in order (written or not yet).
  std::vector<StoreBatch> seen() {
    std::lock_guard<std::mutex> lock(mutex_);
    return seen_;
  }

  Status sync() override {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      ++syncs_waiting_;
      changed_.notify_all();
      changed_.wait(lock, [&] { return !syncs_held_; });
      --syncs_waiting_;
      ++syncs_;
      if (fail_sync_) {
        fail_sync_ = false;
        return Error::io("fsync refused (the test's gate)");
      }
    }
    return inner_.sync();
  }
  void prepare(StoreBatch& batch) const override { inner_.prepare(batch); }
  Status commit(const StoreBatch& batch) override {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      seen_.push_back(batch);
      ++held_;
      changed_.notify_all();
      changed_.wait(lock, [&] { return passes_ != 0; });
      --held_;
      if (passes_ > 0) --passes_;
    }
    return inner_.commit(batch);
  }
  Result<std::optional<WorkflowRecord>> workflow(const std::string& id, int64_t version) override {
    return inner_.workflow(id, version);
  }
  Result<std::vector<WorkflowRecord>> workflows() override { return inner_.workflows(); }
  Result<std::optional<ExecutionRecord>> execution(const std::string& id) override {
    return inner_.execution(id);
  }
  Result<std::optional<StoredExecution>> stored_execution(const std::string& id) override {
    ++reloads_;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (reads_held_of_ == id) {
        ++reads_waiting_;
        changed_.notify_all();
        changed_.wait(lock, [&] { return reads_held_of_ != id; });
        --reads_waiting_;
      }
    }
    return inner_.stored_execution(id);
  }
  // Several read back together: each through stored_execution() above (held alike), the
  // batch's ids noted.
  std::vector<Result<std::optional<StoredExecution>>> stored_executions(
      const std::vector<std::string>& ids) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      batches_read_.push_back(ids);
    }
    return Store::stored_executions(ids);
  }
  // How many times an execution was read back to be restored (stored_execution).
  int reloads() const { return reloads_.load(); }
  // The ids of each stored_executions() call, in order.
  std::vector<std::vector<std::string>> batches_read() {
    std::lock_guard<std::mutex> lock(mutex_);
    return batches_read_;
  }
  Result<std::optional<nlohmann::json>> retry_point(const std::string& id) override {
    return inner_.retry_point(id);
  }
  Result<std::vector<ExecutionRecord>> active_executions() override {
    return inner_.active_executions();
  }
  Result<std::vector<ExecutionRecord>> recent_executions(size_t limit) override {
    return inner_.recent_executions(limit);
  }
  Result<std::vector<Event>> history(const std::string& execution_id) override {
    return inner_.history(execution_id);
  }
  Result<std::map<EventType, size_t>> event_counts(const std::string& execution_id) override {
    return inner_.event_counts(execution_id);
  }
  Result<std::optional<TaskRecord>> task(const std::string& id) override { return inner_.task(id); }
  Result<std::vector<TaskRecord>> tasks(const TaskFilter& filter) override {
    return inner_.tasks(filter);
  }
  Result<std::vector<InboxEntry>> inbox(const InboxFilter& filter) override {
    return inner_.inbox(filter);
  }
  Result<StoreCounts> counts(TimePoint now) override { return inner_.counts(now); }
  Result<std::vector<ExecutionSummary>> executions(const ExecutionFilter& filter) override {
    return inner_.executions(filter);
  }
  Result<std::vector<AuditRecord>> audit(const std::string& execution_id) override {
    return inner_.audit(execution_id);
  }
  Result<AuditVerification> verify_audit(const std::vector<AuditAnchor>& anchors) override {
    return inner_.verify_audit(anchors);
  }
  Result<std::vector<ExecutionRecord>> finished_executions() override {
    return inner_.finished_executions();
  }
  Result<std::vector<Tombstone>> tombstones(const std::string& execution_id) override {
    return inner_.tombstones(execution_id);
  }
  Result<std::optional<LegalHold>> legal_hold(const std::string& execution_id) override {
    return inner_.legal_hold(execution_id);
  }
  Result<std::vector<LegalHold>> legal_holds(bool released, size_t limit) override {
    return inner_.legal_holds(released, limit);
  }
  Result<std::vector<RetentionNote>> retention_notes(const std::string& execution_id) override {
    return inner_.retention_notes(execution_id);
  }
  Result<std::optional<std::string>> meta(const std::string& key) override {
    return inner_.meta(key);
  }
  Result<uint32_t> interruptions(const std::string& execution_id) override {
    return inner_.interruptions(execution_id);
  }
  Result<std::map<std::string, nlohmann::json>> state_parts(
      const std::string& execution_id) override {
    return inner_.state_parts(execution_id);
  }
  Result<std::optional<TokenRecord>> token(const std::string& id) override {
    return inner_.token(id);
  }
  Result<std::vector<TokenRecord>> tokens() override { return inner_.tokens(); }
  Result<std::optional<WebSessionRecord>> web_session(const std::string& id) override {
    return inner_.web_session(id);
  }
  Result<std::vector<NotificationRecord>> due_notifications(TimePoint now, size_t limit) override {
    return inner_.due_notifications(now, limit);
  }
  Result<std::vector<NotificationRecord>> notifications(const NotificationFilter& filter) override {
    return inner_.notifications(filter);
  }
  Result<std::vector<ScheduleRecord>> schedules() override { return inner_.schedules(); }
  Result<std::vector<PersonRecord>> people(const std::string& person) override {
    return inner_.people(person);
  }
  uint64_t size_bytes() override { return inner_.size_bytes(); }

 private:
  Store& inner_;
  std::mutex mutex_;
  std::condition_variable changed_;
  int passes_ = -1;  // batches that may still be written; -1: all
  int held_ = 0;     // batches waiting in commit()
  bool syncs_held_ = false;
  int syncs_waiting_ = 0;
  std::optional<std::string> reads_held_of_;  // hold_reads_of
  int reads_waiting_ = 0;
  int syncs_ = 0;  // syncs that went through (or failed)
  bool fail_sync_ = false;
  std::vector<StoreBatch> seen_;
  std::atomic<int> reloads_{0};
  std::vector<std::vector<std::string>> batches_read_;
};

// Opens `gate` when it goes out of scope: a test that stops early (a failed ASSERT) never leaves
// a writer held in commit() — and whoever joins that writer waiting forever. Declare it after
// what must be joined or destroyed once the gate is open.
class OpenAtExit {
 public:
  explicit OpenAtExit(GatedStore& gate) : gate_(gate) {}
  ~OpenAtExit() { gate_.open(); }
  OpenAtExit(const OpenAtExit&) = delete;
  OpenAtExit& operator=(const OpenAtExit&) = delete;

 private:
  GatedStore& gate_;
};

}  // namespace coalition::test

#endif  // COALITION_TESTS_SUPPORT_GATED_STORE_H_
