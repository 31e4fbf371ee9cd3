// SqliteStore: the embedded Store — one file, WAL journal, synchronous=FULL by default, so a
// transaction that apply() returned from survives power loss. Under FULL the connection itself
// commits as NORMAL (no fsync in the commit) and sync() fsyncs the log through a file handle of
// its own, so that the group committer writes the next transaction while this one reaches the
// disk; a transaction is acknowledged only once that sync returned.
#ifndef COALITION_STORE_SQLITE_STORE_H_
#define COALITION_STORE_SQLITE_STORE_H_

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>

#include "store/sqlite_statement.h"
#include "store/store.h"

struct sqlite3;

namespace coalition {

struct PurgeEvidence;
class BatchEventDigests;

struct SqliteOptions {
  std::string path;                  // ":memory:" for a throwaway store
  std::string synchronous = "FULL";  // FULL, NORMAL or OFF (PRAGMA synchronous)
  // The SQLite VFS to open the files through (registered with sqlite3_vfs_register); empty for
  // the default. For tests that model what a power cut leaves of unsynced writes.
  std::string vfs{};
  // The log's length, in pages, past which a thread of the store copies it into the database
  // file (a checkpoint); past four times that, the writer copies it itself. SQLite's own default
  // is 1,000: every commit rewrites the pages of the executions in flight, and a longer log
  // copies each of those pages once for more of the commits that rewrote it.
  int checkpoint_pages = 8000;
};

// Opens the file of the store at `path`, creating it 0600 (and its missing folders 0700) so the
// database, its WAL and its shared memory are private from the start, and tightening a store an
// older version left readable to others. Refuses anything but a regular file. The caller owns
// the descriptor: the acting-process lock is taken on it, so it follows the file itself, not a
// path that a symbolic link or a deleted lock file could make a second one.
Result<int> open_store_file(const std::string& path);

class SqliteStore final : public Store {
 public:
  // Opens or creates the database and applies pending migrations. Refuses (kConfiguration) a
  // database written by a newer Coalition, and kIo when the file cannot be opened.
  static Result<std::unique_ptr<SqliteStore>> open(const SqliteOptions& options);
  ~SqliteStore() override;

  // The schema version this build writes.
  static int schema_version();

  Status commit(const StoreBatch& batch) override;
  // The text of each run of the batch's events (StoredEvent::row_text of its first event),
  // but of one holding a NUL, which commit() refuses.
  void prepare(StoreBatch& batch) const override;
  Status sync() override;
  Result<std::optional<WorkflowRecord>> workflow(const std::string& id, int64_t version) override;
  Result<std::vector<WorkflowRecord>> workflows() override;
  Result<std::optional<ExecutionRecord>> execution(const std::string& id) override;
  Result<std::optional<StoredExecution>> stored_execution(const std::string& id) override;
  std::vector<Result<std::optional<StoredExecution>>> stored_executions(
      const std::vector<std::string>& ids) override;
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

  // Folds the write-ahead log into the database file and truncates it (for size measurements
  // and backups; a background thread also does it as the log grows, see checkpoint_loop).
  Status checkpoint();

  // PRAGMA integrity_check: "ok" or SQLite's first complaint.
  Result<std::string> integrity_check();

  // Writes a consistent copy of the store at `path` to `file`, created 0600 (kConflict if it
  // exists), while an engine goes on committing to it: the snapshot of one read transaction
  // (VACUUM INTO) on a read-only connection of its own, so the copy holds every transaction
  // committed before it began and none after, compacted, and the store is neither migrated nor
  // otherwise touched. Purged data that SQLite had already zeroed is not in it either.
  static Status backup(const std::string& path, const std::string& file);

  // Checks a backup before it replaces a store: it opens read-only, its schema is one this build
  // reads (kConfiguration otherwise) and integrity_check passes (kInvalidData otherwise).
  static Status check_backup(const std::string& file);
  // Copies the backup at `from` over the store at `to` (SQLite's online backup API, one
  // transaction on `to`). The caller holds the store's acting lock and has checked the backup.
  static Status restore(const std::string& from, const std::string& to);

 private:
  struct Statements;
  SqliteStore(sqlite3* db, std::string path, std::string vfs);
  // The VFS name for sqlite3_open_v2: null for the default.
  const char* vfs_name() const { return vfs_.empty() ? nullptr : vfs_.c_str(); }
  Status migrate();
  Status prepare();
  Status write(const StoreBatch& batch);
  Status write_workflows(const StoreBatch& batch);
  Status write_executions(const StoreBatch& batch);
  Status write_events(const StoreBatch& batch);
  Status write_tasks(const StoreBatch& batch);
  Status write_retention(const StoreBatch& batch);
  Status write_redaction(const Redaction& redaction);
  Status redact_rows(const Redaction& redaction);
  Status write_parts(const StoreBatch& batch);
  Status write_tokens(const StoreBatch& batch);
  Status write_people(const StoreBatch& batch);
  Status write_web_sessions(const StoreBatch& batch);
  Status write_notifications(const StoreBatch& batch);
  Status write_audit(const StoreBatch& batch, const BatchEventDigests& digests);
  Result<AuditVerification> verify_in_transaction(const std::vector<AuditAnchor>& anchors);
  Status verify_events(AuditVerification& v, const std::map<std::string, PurgeEvidence>& purges,
                       const std::set<std::string>& legacy);

  // A read-only connection and the statements prepared on it, kept for reuse.
  struct ReaderConnection {
    sqlite3* db = nullptr;
    std::unordered_map<std::string, SqliteStatement> statements;
  };
  // A connection lent to one read (read_connection()); given back when it goes.
  class Reader {
   public:
    Reader() = default;
    Reader(Reader&& other) noexcept
        : store_(std::exchange(other.store_, nullptr)),
          connection_(std::exchange(other.connection_, nullptr)),
          db_(other.db_),
          last_(std::exchange(other.last_, nullptr)),
          snapshot_(std::exchange(other.snapshot_, false)),
          lock_(std::move(other.lock_)),
          own_(std::move(other.own_)) {}
    Reader& operator=(Reader&&) = delete;
    ~Reader();
    sqlite3* db() const { return db_; }
    // `sql` prepared once per connection and reset for this use (check ok()).
    SqliteStatement& statement(const std::string& sql);
    // Resets the last statement (before an explicit transaction on this reader ends).
    void done();
    // Begins one read transaction: every read on this reader until it goes sees the same
    // commit. However the reads end (an error, an exception), the transaction ends when the
    // reader goes, before its connection goes back to the pool (or the main connection back to
    // the committer): a stale snapshot kept open would serve old data and hold the log back
    // from every checkpoint.
    Status snapshot();

   private:
    friend class SqliteStore;
    SqliteStore* store_ = nullptr;            // set: a pooled reader to give back
    ReaderConnection* connection_ = nullptr;  // null: the main connection
    sqlite3* db_ = nullptr;
    SqliteStatement* last_ = nullptr;  // reset when the reader goes
    bool snapshot_ = false;            // snapshot() began a transaction
    // Declared before own_: a statement on the main connection is finalized under its lock.
    std::unique_lock<std::mutex> lock_;     // held: the main connection, for an in-memory store
    std::unique_ptr<SqliteStatement> own_;  // on the main connection: not cached
  };
  Reader read_connection();
  void give_back(ReaderConnection* connection);
  // The reads stored_execution() makes on one reader, also used alone.
  // With `state_bytes`, a MessagePack state is left there, not decoded (StoredExecution).
  Result<std::optional<ExecutionRecord>> execution_row(Reader& reader, const std::string& id,
                                                       std::string* state_bytes = nullptr);
  Result<uint32_t> interruptions_of(Reader& reader, const std::string& execution_id);
  Result<std::map<std::string, nlohmann::json>> state_parts_of(Reader& reader,
                                                               const std::string& execution_id);
  // stored_execution()'s reads on `reader`, in the snapshot it holds.
  Result<std::optional<StoredExecution>> stored_in(Reader& reader, const std::string& id);
  // Called by SQLite after each commit on the main connection with the pages in the log.
  static int on_wal_commit(void* self, sqlite3* db, const char* schema, int pages);
  // Copies the log into the database file on a connection of its own whenever the committer
  // asks, so that a commit never waits for a checkpoint (and its fsync of the database file).
  void checkpoint_loop(const std::string& synchronous);
  // PRAGMA wal_checkpoint(TRUNCATE), never at the same time as the background copy.
  Status truncate_log();

  // The log as a file of its own, opened on the first sync through the connection's VFS: an
  // fsync of it covers every frame written before the call, whoever wrote them.
  struct LogFile;
  struct LogFileDeleter {
    void operator()(LogFile* file) const;
  };

  sqlite3* db_;
  std::string path_;
  std::string vfs_;
  bool sync_log_ = false;  // synchronous=FULL on a file: sync() fsyncs the log
  std::mutex mutex_;       // the main connection: the committer's writes (and in-memory reads)
  // Transactions committed; sync() reads it under sync_mutex_ only, while the next commits.
  std::atomic<uint64_t> commits_{0};
  std::mutex sync_mutex_;
  uint64_t synced_ = 0;                   // commits_ as the last successful sync saw it
  std::optional<Error> sync_failure_;     // the first failed sync: every later one reports it
  std::atomic<bool> sync_failed_{false};  // set with it, for commit() to check without the lock
  std::unique_ptr<LogFile, LogFileDeleter> log_file_;
  std::mutex readers_mutex_;
  std::vector<std::unique_ptr<ReaderConnection>> idle_readers_;  // opened on demand
  std::unique_ptr<Statements> s_;

  std::mutex checkpoint_mutex_;
  std::condition_variable checkpoint_wake_;
  std::mutex checkpoint_copy_mutex_;  // one checkpoint at a time: background or truncation
  bool checkpoint_due_ = false;
  int checkpoint_pages_ = 8000;  // SqliteOptions::checkpoint_pages
  bool stopping_ = false;
  std::thread checkpointer_;  // file stores only
};

}  // namespace coalition

#endif  // COALITION_STORE_SQLITE_STORE_H_
