// PostgresStore: the Store on PostgreSQL, for a coalition that wants the database its operators
// already run, back up and replicate, and several engine nodes on one database.
//
// One connection writes (the group committer's transactions); reads borrow pooled connections of
// their own, so requests read while a batch is written. A commit returns once PostgreSQL has
// flushed it (the writer's session runs with synchronous_commit on, whatever the server's
// default), so sync() has nothing left to do: PostgreSQL's own group commit shares the fsyncs of
// concurrent transactions.
//
// Audit entries are appended under a lock on the chain's head row (audit_head), taken last in
// the transaction and held to its commit: whichever node writes, the chain is one chain in
// commit order, as store/store_audit.h seals it. See docs/decisions/0014-postgres-store.md.
#ifndef COALITION_STORE_POSTGRES_STORE_H_
#define COALITION_STORE_POSTGRES_STORE_H_

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/store.h"

namespace coalition {

class PgConnection;
class PgParams;
class PgResult;
class BatchEventDigests;

struct PostgresOptions {
  // A libpq connection URL (postgresql://user@host:port/database?...) or keyword string.
  std::string url;
};

// True when `location` names a PostgreSQL database (postgresql:// or postgres://) rather than a
// SQLite file.
bool is_postgres_url(std::string_view location);

// `url` without its password, to name the database in messages and logs.
std::string redacted_postgres_url(std::string_view url);

class PostgresStore final : public Store {
 public:
  // Connects and applies pending migrations (one node at a time, under an advisory lock).
  // Refuses (kConfiguration) a database written by a newer Coalition; kIo when the server cannot
  // be reached or refuses.
  static Result<std::unique_ptr<PostgresStore>> open(const PostgresOptions& options);
  ~PostgresStore() override;

  // The schema version this build writes.
  static int schema_version();

  // The duty lock: the work one node at a time does for the whole database (scheduled starts,
  // notifications, audit checkpoints), where executions are leased one by one
  // (store/execution_leases.h). A session-level advisory lock on a connection of its own;
  // PostgreSQL drops it when that connection ends, so when its node dies (even by SIGKILL)
  // another takes it. True when this store holds it now: taken by this call, or still held
  // (the connection checked alive).
  Result<bool> take_duty_lock();

  Status commit(const StoreBatch& batch) override;
  Status sync() override;
  Result<std::optional<WorkflowRecord>> workflow(const std::string& id, int64_t version) override;
  Result<std::vector<WorkflowRecord>> workflows() override;
  Result<std::optional<ExecutionRecord>> execution(const std::string& id) override;
  Result<std::optional<StoredExecution>> stored_execution(const std::string& id) override;
  Result<std::optional<nlohmann::json>> retry_point(const std::string& id) override;
  Result<std::vector<ExecutionRecord>> active_executions() override;
  Result<std::vector<ExecutionRecord>> recent_executions(size_t limit) override;
  Result<std::vector<Event>> history(const std::string& execution_id) override;
  Result<std::map<EventType, size_t>> event_counts(const std::string& execution_id) override;
  Result<std::optional<TaskRecord>> task(const std::string& id) override;
  Result<std::vector<TaskRecord>> tasks(const TaskFilter& filter) override;
  Result<std::vector<InboxEntry>> inbox(const InboxFilter& filter) override;
  Result<std::vector<ExecutionSummary>> executions(const ExecutionFilter& filter) override;
  Result<StoreCounts> counts(TimePoint now) override;
  Result<std::vector<AuditRecord>> audit(const std::string& execution_id) override;
  using Store::verify_audit;
  Result<AuditVerification> verify_audit(const std::vector<AuditAnchor>& anchors) override;
  Result<std::vector<ExecutionRecord>> finished_executions() override;
  Result<std::vector<Tombstone>> tombstones(const std::string& execution_id) override;
  Result<std::optional<LegalHold>> legal_hold(const std::string& execution_id) override;
  Result<std::vector<LegalHold>> legal_holds(bool released, size_t limit) override;
  Result<std::vector<RetentionNote>> retention_notes(const std::string& execution_id) override;
  Result<std::optional<std::string>> meta(const std::string& key) override;
  Result<uint32_t> interruptions(const std::string& execution_id) override;
  Result<std::map<std::string, nlohmann::json>> state_parts(
      const std::string& execution_id) override;
  Result<std::optional<TokenRecord>> token(const std::string& id) override;
  Result<std::vector<TokenRecord>> tokens() override;
  Result<std::vector<PersonRecord>> people(const std::string& person) override;
  Result<std::optional<WebSessionRecord>> web_session(const std::string& id) override;
  Result<std::vector<NotificationRecord>> due_notifications(TimePoint now, size_t limit) override;
  Result<std::vector<NotificationRecord>> notifications(const NotificationFilter& filter) override;
  Result<std::vector<ScheduleRecord>> schedules() override;
  uint64_t size_bytes() override;

 private:
  PostgresStore(std::string url, std::unique_ptr<PgConnection> writer);
  Status migrate();
  Status prepare_writer();
  // The writer, connected again (and its statements prepared) if the connection was lost.
  Status ensure_writer();

  // A pooled connection lent to one read; given back when it goes, unless it broke.
  class Reader {
   public:
    Reader(PostgresStore* store, std::unique_ptr<PgConnection> connection);
    Reader(Reader&& other) noexcept = default;
    Reader& operator=(Reader&&) = delete;
    ~Reader();
    PgConnection& operator*() const { return *connection_; }
    PgConnection* operator->() const { return connection_.get(); }

   private:
    PostgresStore* store_;
    std::unique_ptr<PgConnection> connection_;
  };
  Result<Reader> reader();
  // Runs `read` on a pooled connection, and once more on a new one if that one was found closed.
  template <typename T, typename Fn>
  Result<T> on_reader(Fn&& read);
  // One query, as on_reader runs it.
  Result<PgResult> read(const std::string& sql, const PgParams& params);
  Result<PgResult> read(const std::string& sql);
  // Runs `read` inside a read-only REPEATABLE READ transaction: one snapshot.
  template <typename T, typename Fn>
  Result<T> in_snapshot(Fn&& read);

  Status write(const StoreBatch& batch);
  Status write_workflows(const StoreBatch& batch);
  Status write_executions(const StoreBatch& batch);
  Status write_events(const StoreBatch& batch);
  Status write_tasks(const StoreBatch& batch);
  Status write_retention(const StoreBatch& batch);
  Status write_redaction(const Redaction& redaction);
  Status write_parts(const StoreBatch& batch);
  Status write_credentials(const StoreBatch& batch);
  Status write_notifications(const StoreBatch& batch);
  Status write_audit(const StoreBatch& batch, const BatchEventDigests& digests);

  // With `state_bytes`, the state is left there as stored, not decoded (StoredExecution).
  Result<std::optional<ExecutionRecord>> execution_on(PgConnection& c, const std::string& id,
                                                      std::string* state_bytes = nullptr);
  Result<uint32_t> interruptions_on(PgConnection& c, const std::string& execution_id);
  Result<std::map<std::string, nlohmann::json>> state_parts_on(PgConnection& c,
                                                               const std::string& execution_id);
  Result<std::vector<ExecutionRecord>> executions_where(const std::string& clause);
  Result<AuditVerification> verify_on(PgConnection& c, const std::vector<AuditAnchor>& anchors);

  std::string url_;
  std::string name_;  // the URL without its password, for messages
  std::mutex mutex_;  // the writer
  std::unique_ptr<PgConnection> writer_;
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  std::mutex duty_mutex_;
  std::unique_ptr<PgConnection> duty_;  // holds the duty lock, or asks for it
  bool duty_held_ = false;
};

}  // namespace coalition

#endif  // COALITION_STORE_POSTGRES_STORE_H_
