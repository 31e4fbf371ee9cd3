#include "store/sqlite_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <set>

#include "audit/audit_chain.h"
#include "audit/audit_grouping.h"
#include "audit/event_digest.h"
#include "audit/purge_evidence.h"
#include "common/json_text.h"
#include "common/private_file.h"
#include "common/utc_time.h"
#include "store/sqlite_event_runs.h"
#include "store/sqlite_migrations.h"
#include "store/sqlite_statement.h"
#include "store/store_audit.h"
#include "store/stored_forms.h"

namespace coalition {

using nlohmann::json;

namespace {

int64_t to_ms(TimePoint t) {
  return stored_ms(t);
}

TimePoint from_ms(int64_t ms) {
  return TimePoint(std::chrono::milliseconds(ms));
}

std::optional<int64_t> to_ms(const std::optional<TimePoint>& t) {
  if (!t) return std::nullopt;
  return to_ms(*t);
}

// Execution snapshots (state, resume_state) and state parts are written as MessagePack in a
// BLOB (store/stored_forms.h). A store written before holds JSON text there; TEXT still reads
// as JSON, so no migration rewrites old rows.
json stored_snapshot(const SqliteStatement& q, int column) {
  if (!q.is_blob(column)) return stored_json(q.bytes(column));
  return stored_msgpack(q.bytes(column));
}

constexpr const char* kExecutionColumns =
    "id, workflow_id, workflow_version, status, initiator, started_at, updated_at, next_due, "
    "state, result";

// With `state_bytes`, a MessagePack state is left there as stored, not decoded (`state` null).
Result<ExecutionRecord> read_execution(const SqliteStatement& q,
                                       std::string* state_bytes = nullptr) {
  ExecutionRecord r;
  r.id = q.text(0);
  r.workflow_id = q.text(1);
  r.workflow_version = q.integer(2);
  auto status = stored_execution_status(q.text(3), r.id);
  if (!status) return std::move(status).error();
  r.status = *status;
  r.initiator = q.text(4);
  r.started_at = from_ms(q.integer(5));
  r.updated_at = from_ms(q.integer(6));
  if (!q.is_null(7)) r.next_due = from_ms(q.integer(7));
  if (state_bytes != nullptr && q.is_blob(8)) {
    *state_bytes = q.bytes(8);
  } else {
    r.state = stored_snapshot(q, 8);
  }
  auto result = stored_result(q.bytes(9), r.id);
  if (!result) return std::move(result).error();
  r.result = std::move(*result);
  return r;
}

// Prepared statements a read connection keeps, one per shape of query.
constexpr size_t kMaxCachedStatements = 64;

Result<TaskRecord> read_task(const SqliteStatement& q) {
  TaskRecord t;
  t.id = q.text(0);
  t.execution_id = q.text(1);
  t.step = q.text(2);
  auto status = stored_task_status(q.bytes(3), t.id);
  if (!status) return std::move(status).error();
  t.status = *status;
  if (!q.is_null(4)) t.due = from_ms(q.integer(4));
  t.created_at = from_ms(q.integer(5));
  t.doc = task_document(stored_json(q.text(7)), stored_json(q.text(6)));
  return t;
}

// Audit hashes are SHA-256 digests stored as their 32 bytes (a BLOB): half the 64 hex characters
// the chain hashes and people read, which they read back as. A value that is not a lower-case hex
// digest (an entry without an event has an empty event hash) is stored as the text it is, and
// TEXT (every hash of a store written before) reads as it is, so old rows need no rewrite.
class StoredHash {
 public:
  explicit StoredHash(std::string_view hex) : hex_(hex), bytes_(digest_bytes(hex)) {
    if (!bytes_ && hex.size() > 2 * kDigestBytes) list_ = digest_list_bytes(hex);
  }
  // Binds the value; it must outlive the statement's run (the binding does not copy).
  void bind(SqliteStatement& q, int index) const {
    if (bytes_) {
      q.bind_blob(index, std::string_view(bytes_->data(), bytes_->size()));
    } else if (list_) {
      q.bind_blob(index, *list_);
    } else {
      q.bind(index, hex_);
    }
  }

 private:
  std::string_view hex_;
  std::optional<std::array<char, kDigestBytes>> bytes_;
  std::optional<std::string> list_;  // an entry's digests of several events
};

std::string stored_hash(const SqliteStatement& q, int column) {
  if (!q.is_blob(column)) return q.text(column);
  return hex_text(q.bytes(column));
}

AuditRecord read_audit(const SqliteStatement& q) {
  AuditRecord r;
  r.seq = static_cast<uint64_t>(q.integer(0));
  r.at = q.text(1);
  r.actor = q.text(2);
  r.role = q.text(3);
  r.organisation = q.text(4);
  r.execution_id = q.text(5);
  r.step = q.text(6);
  r.type = q.text(7);
  r.summary = q.text(8);
  r.summary_hash = stored_hash(q, 9);
  r.prev_hash = stored_hash(q, 10);
  r.hash = stored_hash(q, 11);
  r.scheme = static_cast<int>(q.integer(12));
  r.event_seq = static_cast<uint64_t>(q.integer(13));
  r.event_hash = stored_hash(q, 14);
  return r;
}

constexpr const char* kAuditColumns =
    "seq, at, actor, role, organisation, execution_id, step, type, summary, summary_hash, "
    "prev_hash, hash, scheme, event_seq, event_hash";

}  // namespace

// Statements prepared once per connection and reused by every batch.
struct SqliteStore::Statements {
  SqliteStatement begin, commit, rollback;
  SqliteStatement find_workflow, insert_workflow;
  SqliteStatement upsert_execution, run_before, insert_event_run, upsert_task;
  SqliteStatement audit_tail, insert_audit, put_meta;
  SqliteStatement drop_interruptions, put_interruptions, drop_parts, put_part;
};

SqliteStore::SqliteStore(sqlite3* db, std::string path, std::string vfs)
    : db_(db), path_(std::move(path)), vfs_(std::move(vfs)) {}

// A file opened through a VFS: its methods, then the VFS's own state for it (szOsFile bytes).
struct SqliteStore::LogFile {
  std::vector<std::byte> storage;
  sqlite3_file* file() { return reinterpret_cast<sqlite3_file*>(storage.data()); }
};

void SqliteStore::LogFileDeleter::operator()(LogFile* log) const {
  if (log->file()->pMethods != nullptr) (void)log->file()->pMethods->xClose(log->file());
  delete log;
}

SqliteStore::~SqliteStore() {
  if (checkpointer_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(checkpoint_mutex_);
      stopping_ = true;
    }
    checkpoint_wake_.notify_all();
    checkpointer_.join();
  }
  for (auto& reader : idle_readers_) {
    reader->statements.clear();  // finalized before their connection closes
    sqlite3_close(reader->db);
  }
  log_file_.reset();
  s_.reset();  // statements first: sqlite3_close refuses while any is open
  sqlite3_close(db_);
}

int SqliteStore::schema_version() {
  return static_cast<int>(sqlite_migrations().size());
}

Result<int> open_store_file(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  if (auto s = create_private_directories(parent.string()); !parent.empty() && !s) {
    return std::move(s).error();
  }
  // SQLite creates a database 0644 and gives its WAL and shared-memory files the database's
  // mode: creating the file here, 0600, keeps all three private.
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Error::io("cannot open store " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error::io("cannot open store " + path + ": not a regular file");
  }
  if ((st.st_mode & 077) != 0) {  // a store made by an older version: it holds restricted data
    ::fchmod(fd, 0600);
    for (const char* suffix : {"-wal", "-shm"}) ::chmod((path + suffix).c_str(), 0600);
  }
  return fd;
}

// SQLite's page cache stays at its default. A bulk first allocation (SQLITE_CONFIG_PAGECACHE,
// tried with 256 pages) is taken by every pager, the temporary b-trees a statement opens
// included — an IN list in a partial index's predicate opens one per row written — and each was
// a fresh 1.1 MB block touched page by page, then freed and trimmed: under W4 the kernel's page
// faults took half of the process's time and durable transitions fell to 1-15k/s from ~20k.
Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const SqliteOptions& options) {
  if (options.synchronous != "FULL" && options.synchronous != "NORMAL" &&
      options.synchronous != "OFF") {
    return Error::configuration("store.synchronous must be FULL, NORMAL or OFF, not '" +
                                options.synchronous + "'");
  }
  if (options.path != ":memory:") {
    auto fd = open_store_file(options.path);
    if (!fd) return std::move(fd).error();
    ::close(*fd);
  }
  configure_sqlite();
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(options.path.c_str(), &db,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 options.vfs.empty() ? nullptr : options.vfs.c_str());
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Error::io("cannot open store " + options.path + ": " + message);
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(db, options.path, options.vfs));
  store->checkpoint_pages_ = std::clamp(options.checkpoint_pages, 1, 1 << 24);
  sqlite3_busy_timeout(db, 10000);
  // FULL is kept by sync(), not by the commit: see the header. Only where a write never
  // disturbs bytes around it on the device (SQLITE_IOCAP_POWERSAFE_OVERWRITE, the default on
  // Unix): committing as NORMAL drops the padding FULL adds so that the next transaction's
  // frames cannot tear a synced commit frame sharing a sector with them.
  store->sync_log_ = options.synchronous == "FULL" && options.path != ":memory:";
  sqlite3_file* main_file = nullptr;
  if (store->sync_log_ &&
      (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &main_file) != SQLITE_OK ||
       main_file == nullptr || main_file->pMethods == nullptr ||
       (main_file->pMethods->xDeviceCharacteristics(main_file) &
        SQLITE_IOCAP_POWERSAFE_OVERWRITE) == 0)) {
    store->sync_log_ = false;
  }
  const std::string pragmas = std::string("PRAGMA journal_mode=WAL; PRAGMA synchronous=") +
                              (store->sync_log_ ? "NORMAL" : options.synchronous) +
                              "; PRAGMA foreign_keys=OFF;";
  if (auto s = sqlite_exec(db, pragmas.c_str()); !s) {
    return Error::io("cannot open store " + options.path + ": " + s.error().message());
  }
  if (auto s = store->migrate(); !s) return std::move(s).error();
  if (auto s = store->prepare(); !s) return std::move(s).error();
  if (options.path != ":memory:") {
    // Replaces SQLite's own checkpoint after commit (wal_autocheckpoint), which runs on the
    // committing connection: the committer's thread, which every acting caller waits for.
    sqlite3_wal_hook(db, &SqliteStore::on_wal_commit, store.get());
    SqliteStore* raw = store.get();
    store->checkpointer_ = std::thread(
        [raw, synchronous = options.synchronous] { raw->checkpoint_loop(synchronous); });
  }
  return store;
}

int SqliteStore::on_wal_commit(void* self, sqlite3* db, const char* schema, int pages) {
  auto* store = static_cast<SqliteStore*>(self);
  // Past four times the background thread's threshold (a reader holding an old snapshot, or a
  // flood of commits), the committer checkpoints itself: the log, and every read that walks it,
  // stay bounded.
  if (pages >= 4 * store->checkpoint_pages_) {
    (void)sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else if (pages >= store->checkpoint_pages_) {
    {
      std::lock_guard<std::mutex> lock(store->checkpoint_mutex_);
      store->checkpoint_due_ = true;
    }
    store->checkpoint_wake_.notify_one();
  }
  return SQLITE_OK;
}

// SQLite lets one checkpoint run at a time and answers a second "busy" at once, without
// waiting: a truncation (a purge's, above all) must not meet the background copy half-way.
Status SqliteStore::truncate_log() {
  std::lock_guard<std::mutex> copying(checkpoint_copy_mutex_);
  return sqlite_exec(db_, "PRAGMA wal_checkpoint(TRUNCATE)");
}

// PASSIVE: copies what no reader still needs, without taking the writer's lock, so commits go on
// meanwhile; the next commit after a complete copy starts the log again from its beginning. A
// failure (busy, no space) is left for the next round or the committer's own checkpoint.
void SqliteStore::checkpoint_loop(const std::string& synchronous) {
  sqlite3* db = nullptr;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(checkpoint_mutex_);
      checkpoint_wake_.wait(lock, [this] { return checkpoint_due_ || stopping_; });
      if (stopping_) break;
      checkpoint_due_ = false;
    }
    if (db == nullptr) {
      // Syncs as the main connection does: the copy is as durable as the commits it copies. A
      // connection that could not be set up so is dropped and opened again next time.
      if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                          vfs_name()) != SQLITE_OK ||
          sqlite3_busy_timeout(db, 1000) != SQLITE_OK ||
          !sqlite_exec(db, ("PRAGMA synchronous=" + synchronous).c_str())) {
        sqlite3_close(db);
        db = nullptr;
        continue;
      }
    }
    std::lock_guard<std::mutex> copying(checkpoint_copy_mutex_);
    (void)sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  }
  sqlite3_close(db);
}

// BEGIN and COMMIT are prepared once per connection like any read: parsed per use (the parser's
// allocations), they were about a sixth of the samples of reading a parked execution back.
SqliteStore::Reader::~Reader() {
  if (snapshot_ && db_ != nullptr && sqlite3_get_autocommit(db_) == 0) {
    SqliteStatement& commit = statement("COMMIT");  // resets the last read first
    if (!commit.ok() || !commit.run()) (void)sqlite_exec(db_, "ROLLBACK");
  }
  done();
  if (store_ != nullptr && connection_ != nullptr) store_->give_back(connection_);
}

Status SqliteStore::Reader::snapshot() {
  SqliteStatement& begin = statement("BEGIN");
  if (!begin.ok())
    return Error::io(std::string("store: cannot begin a read: ") + sqlite3_errmsg(db_));
  if (auto s = begin.run(); !s) return s;
  snapshot_ = true;
  return ok_status();
}

void SqliteStore::Reader::done() {
  if (last_ != nullptr) last_->reset();  // ends its read transaction: no snapshot is kept
  last_ = nullptr;
}

SqliteStatement& SqliteStore::Reader::statement(const std::string& sql) {
  if (last_ != nullptr) last_->reset();
  if (connection_ == nullptr) {
    own_ = std::make_unique<SqliteStatement>(db_, sql);
    last_ = own_.get();
    return *own_;
  }
  auto it = connection_->statements.find(sql);
  if (it == connection_->statements.end()) {
    SqliteStatement prepared(db_, sql);
    // Not kept: a passing failure (busy, schema) must not stick; and past kMaxCachedStatements
    // shapes (searches vary with their filters), the statement lives for this read only.
    if (!prepared.ok() || connection_->statements.size() >= kMaxCachedStatements) {
      own_ = std::make_unique<SqliteStatement>(std::move(prepared));
      last_ = own_.get();
      return *own_;
    }
    it = connection_->statements.emplace(sql, std::move(prepared)).first;
  }
  last_ = &it->second;
  return it->second;
}

// Reads take a connection of their own: with the write-ahead log, readers see the last commit
// and neither wait for the writer nor hold it up, so requests read in parallel while the group
// committer writes. An in-memory store has one database per connection: it reads on the main
// one, under its lock.
SqliteStore::Reader SqliteStore::read_connection() {
  Reader r;
  if (path_ != ":memory:") {
    std::unique_ptr<ReaderConnection> connection;
    {
      std::lock_guard<std::mutex> lock(readers_mutex_);
      if (!idle_readers_.empty()) {
        connection = std::move(idle_readers_.back());
        idle_readers_.pop_back();
      }
    }
    if (!connection) {
      sqlite3* db = nullptr;
      if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                          vfs_name()) == SQLITE_OK) {
        sqlite3_busy_timeout(db, 10000);
        connection = std::make_unique<ReaderConnection>();
        connection->db = db;
      } else {
        sqlite3_close(db);  // could not open another: read on the main connection
      }
    }
    if (connection) {
      r.store_ = this;
      r.db_ = connection->db;
      r.connection_ = connection.release();
      return r;
    }
  }
  r.lock_ = std::unique_lock<std::mutex>(mutex_);
  r.db_ = db_;
  return r;
}

void SqliteStore::give_back(ReaderConnection* connection) {
  std::lock_guard<std::mutex> lock(readers_mutex_);
  idle_readers_.emplace_back(connection);
}

// Migrations run in one transaction each, so a crash mid-way leaves the previous version.
Status SqliteStore::migrate() {
  int current = 0;
  {
    // Finalized before any migration runs: a statement still open on the database keeps its
    // tables locked, and DROP INDEX would fail with "database table is locked".
    SqliteStatement q(db_, "PRAGMA user_version");
    auto row = q.step();
    if (!row) return std::move(row).error();
    current = static_cast<int>(q.integer(0));
  }
  const int known = schema_version();
  if (current > known) {
    return Error::configuration("store " + path_ + " has schema version " +
                                std::to_string(current) +
                                ", written by a newer Coalition; this build understands "
                                "versions up to " +
                                std::to_string(known) + ". Upgrade Coalition to open it.");
  }
  for (int v = current; v < known; ++v) {
    const std::string sql = std::string("BEGIN IMMEDIATE;") + sqlite_migrations()[v] +
                            "PRAGMA user_version=" + std::to_string(v + 1) + "; COMMIT;";
    if (auto s = sqlite_exec(db_, sql.c_str()); !s) {
      (void)sqlite_exec(db_, "ROLLBACK");
      return Error::io("store " + path_ + ": migration to schema version " + std::to_string(v + 1) +
                       " failed: " + s.error().message());
    }
  }
  return ok_status();
}

Status SqliteStore::prepare() {
  s_ = std::make_unique<Statements>();
  struct Item {
    SqliteStatement* target;
    std::string sql;
  };
  const std::string exec_cols = kExecutionColumns;
  const std::string audit_cols = kAuditColumns;
  const Item items[] = {
      {&s_->begin, "BEGIN IMMEDIATE"},
      {&s_->commit, "COMMIT"},
      {&s_->rollback, "ROLLBACK"},
      {&s_->find_workflow, "SELECT digest FROM workflows WHERE id = ?1 AND version = ?2"},
      {&s_->insert_workflow,
       "INSERT INTO workflows (id, version, digest, document) VALUES (?1, ?2, ?3, ?4)"},
      // An upsert, not INSERT OR REPLACE: replace deletes and reinserts the row and its index
      // entries on every change of a running execution.
      {&s_->upsert_execution,
       "INSERT INTO executions (" + exec_cols +
           ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (id) DO UPDATE SET "
           // The version changes when an execution is migrated (Engine::migrate).
           "workflow_version = excluded.workflow_version, status = excluded.status, updated_at = "
           "excluded.updated_at, next_due = "
           "excluded.next_due, state = excluded.state, result = excluded.result, "
           // Failing keeps the last snapshot taken while it ran (retry_point); anything else
           // forgets it.
           "resume_state = CASE WHEN excluded.status <> 'failed' THEN NULL "
           "WHEN executions.status IN ('running', 'waiting') THEN executions.state "
           "ELSE executions.resume_state END"},
      // A run of one execution's events (store/sqlite_event_runs.h), written unless it
      // overlaps the run before it: an event number is an execution's once. Runs never
      // overlap, so the run with the greatest first event at or before this one's last is the
      // only one that could; the index holds its last event, so the check reads no row. Two
      // statements: an INSERT that selects from its own table builds a temporary copy of
      // what it selects first, each time.
      {&s_->run_before,
       "SELECT last_seq FROM event_runs WHERE execution_id = ?1 AND first_seq <= ?2 ORDER BY "
       "first_seq DESC LIMIT 1"},
      {&s_->insert_event_run,
       "INSERT INTO event_runs (execution_id, first_seq, last_seq, events) VALUES (?1, ?2, ?3, "
       "?4)"},
      // An upsert for the same reason: a task changes (claimed, escalated, completed) in place.
      // Its execution never changes (the id names it; a migration may rename the step) and is
      // left out of the update: SQLite rewrites every index over a column an update sets, so
      // tasks_execution is written once per task instead of once per change.
      {&s_->upsert_task,
       "INSERT INTO tasks (id, execution_id, step, status, due, created_at, doc, organisation, "
       "roles, level, summary, assignee) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
       "?12) ON CONFLICT (id) DO UPDATE SET step = excluded.step, status = excluded.status, due = "
       "excluded.due, created_at = excluded.created_at, doc = excluded.doc, organisation = "
       "excluded.organisation, roles = excluded.roles, level = "
       "excluded.level, summary = excluded.summary, assignee = excluded.assignee"},
      {&s_->audit_tail, "SELECT seq, hash, at FROM audit ORDER BY seq DESC LIMIT 1"},
      {&s_->insert_audit,
       "INSERT INTO audit (" + audit_cols +
           ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"},
      {&s_->put_meta, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)"},
      // A drain clears a stored stop count and a finished execution drops its state parts:
      // prepared once, not per row.
      {&s_->drop_interruptions, "DELETE FROM interruptions WHERE execution_id = ?1"},
      {&s_->put_interruptions,
       "INSERT OR REPLACE INTO interruptions (execution_id, count) VALUES (?1, ?2)"},
      {&s_->drop_parts,
       "DELETE FROM state_parts WHERE execution_id = ?1 AND substr(key, 1, length(?2)) = ?2"},
      {&s_->put_part,
       "INSERT OR REPLACE INTO state_parts (execution_id, key, body) VALUES (?1, ?2, ?3)"},
  };
  for (const auto& item : items) {
    *item.target = SqliteStatement(db_, item.sql);
    if (!item.target->ok()) {
      return Error::io("store " + path_ + ": cannot prepare '" + item.sql +
                       "': " + sqlite3_errmsg(db_));
    }
  }
  return ok_status();
}

Status SqliteStore::commit(const StoreBatch& batch) {
  if (batch.empty()) return ok_status();
  std::lock_guard<std::mutex> lock(mutex_);
  // A purge must not leave the removed data in free pages or in the write-ahead log: SQLite
  // zeroes what it frees while secure_delete is on, and the checkpoint moves the log into the
  // file and truncates it. Only for purges: it would cost every ordinary commit.
  const bool purging = !batch.redactions.empty();
  if (purging) (void)sqlite_exec(db_, "PRAGMA secure_delete = ON");
  if (sync_failed_.load(std::memory_order_acquire)) {
    std::lock_guard<std::mutex> syncing(sync_mutex_);
    return *sync_failure_;
  }
  Status written = s_->begin.run();
  if (written) written = write(batch);
  if (written) written = s_->commit.run();
  if (written) commits_.fetch_add(1, std::memory_order_release);
  if (!written) (void)s_->rollback.run();
  if (purging) {
    (void)sqlite_exec(db_, "PRAGMA secure_delete = OFF");
    if (written) written = truncate_log();
  }
  return written;
}

// The connection commits without an fsync (synchronous=NORMAL: in WAL mode, a crash of the
// machine may lose the last transactions but never corrupts the file); fsyncing the log after the
// commit returned makes every frame written so far durable, the commit frame included. The log
// is fsynced through a file object of its own, opened by the connection's VFS, not the
// connection's: the writer goes on appending the next transaction meanwhile, and an fsync of the
// file covers whatever was written before it, through any descriptor. The log file lives as long
// as the main connection (SQLite deletes it only when the last connection closes); a checkpoint
// truncates it in place.
//
// A failed fsync sticks: the kernel may have dropped the pages it could not write, so a later
// fsync that succeeds proves nothing about them, and frames of the unsynced transaction stay in
// the middle of the log, where a recovery after a power cut would stop and discard everything
// written after them. Every later sync and commit reports the first failure.
Status SqliteStore::sync() {
  if (!sync_log_) return ok_status();
  std::lock_guard<std::mutex> lock(sync_mutex_);
  if (sync_failure_) return *sync_failure_;
  const uint64_t upto = commits_.load(std::memory_order_acquire);
  if (upto == synced_) return ok_status();
  if (!log_file_) {
    sqlite3_vfs* vfs = nullptr;
    const char* log_name = nullptr;
    {
      std::lock_guard<std::mutex> connection(mutex_);
      sqlite3_file_control(db_, "main", SQLITE_FCNTL_VFS_POINTER, &vfs);
      log_name = sqlite3_filename_wal(sqlite3_db_filename(db_, "main"));
    }
    if (vfs == nullptr || log_name == nullptr) {
      return Error::io("store " + path_ + ": cannot find its write-ahead log to sync");
    }
    std::unique_ptr<LogFile, LogFileDeleter> log(new LogFile);
    log->storage.resize(static_cast<size_t>(vfs->szOsFile));
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_WAL;
    if (const int rc = vfs->xOpen(vfs, log_name, log->file(), flags, &flags); rc != SQLITE_OK) {
      return Error::io("store " + path_ +
                       ": cannot open its write-ahead log to sync: " + sqlite3_errstr(rc));
    }
    log_file_ = std::move(log);
  }
  if (const int rc = log_file_->file()->pMethods->xSync(log_file_->file(), SQLITE_SYNC_NORMAL);
      rc != SQLITE_OK) {
    sync_failure_ =
        Error::io("store " + path_ + ": cannot sync its write-ahead log (" + sqlite3_errstr(rc) +
                  "); what was committed since the last sync may be lost, so the "
                  "store takes no more writes until it is opened again");
    sync_failed_.store(true, std::memory_order_release);
    return *sync_failure_;
  }
  synced_ = upto;
  return ok_status();
}

Status SqliteStore::write(const StoreBatch& batch) {
  if (auto s = write_workflows(batch); !s) return s;
  if (auto s = write_executions(batch); !s) return s;
  // Each event's digest is taken from the very text written, for its audit entry to carry.
  const BatchEventDigests digests(batch.events);
  if (auto s = write_events(batch); !s) return s;
  if (auto s = write_retention(batch); !s) return s;
  if (auto s = write_parts(batch); !s) return s;
  if (auto s = write_tokens(batch); !s) return s;
  if (auto s = write_people(batch); !s) return s;
  if (auto s = write_web_sessions(batch); !s) return s;
  if (auto s = write_notifications(batch); !s) return s;
  if (auto s = write_tasks(batch); !s) return s;
  if (auto s = write_audit(batch, digests); !s) return s;
  for (const auto& [key, value] : batch.meta) {
    if (auto s = s_->put_meta.bind(1, key).bind(2, value).run(); !s) return s;
  }
  return ok_status();
}

// A definition is immutable once registered: the same one again is nothing, another one under
// a used id and version is refused.
Status SqliteStore::write_workflows(const StoreBatch& batch) {
  for (const auto& w : batch.workflows) {
    s_->find_workflow.bind(1, w.id).bind(2, w.version);
    auto row = s_->find_workflow.step();
    if (!row) return std::move(row).error();
    if (*row) {
      const std::string digest = s_->find_workflow.text(0);
      s_->find_workflow.reset();
      if (digest != w.digest) {
        return Error::conflict("workflow " + w.id + " version " + std::to_string(w.version) +
                               " is already registered with a different definition; "
                               "definitions are immutable once used: give the change a new "
                               "version");
      }
      continue;
    }
    s_->find_workflow.reset();
    if (auto s = s_->insert_workflow.bind(1, w.id)
                     .bind(2, w.version)
                     .bind(3, w.digest)
                     .bind(4, w.document)
                     .run();
        !s)
      return s;
  }
  return ok_status();
}

// What came encoded (the group committer's batches) is bound as it is; anything else is encoded
// here, by the same functions (store/stored_forms.h).
Status SqliteStore::write_executions(const StoreBatch& batch) {
  for (const auto& e : batch.executions) {
    const std::string state = e.state_encoded.empty() ? encode_snapshot(e.state) : std::string();
    const std::string result = e.result_encoded.empty() ? encode_result(e.result) : std::string();
    if (auto s = s_->upsert_execution.bind(1, e.id)
                     .bind(2, e.workflow_id)
                     .bind(3, e.workflow_version)
                     .bind(4, to_string(e.status))
                     .bind(5, e.initiator)
                     .bind(6, to_ms(e.started_at))
                     .bind(7, to_ms(e.updated_at))
                     .bind(8, to_ms(e.next_due))
                     .bind_blob(9, e.state_encoded.empty() ? state : e.state_encoded)
                     .bind(10, e.result_encoded.empty() ? result : e.result_encoded)
                     .run();
        !s)
      return s;
  }
  return ok_status();
}

namespace {

// A run's JSON holds a NUL as \u0000, which SQLite's JSON functions read as the string's end.
// Coalition's payloads are JSON text and its step names printable, so none holds one.
bool holds_nul(const Event& event) {
  return event.payload.find('\0') != std::string::npos ||
         event.step.find('\0') != std::string::npos;
}

}  // namespace

void SqliteStore::prepare(StoreBatch& batch) const {
  EventRunText run;
  for (size_t begin = 0; begin < batch.events.size();) {
    const size_t end = event_run_end(batch.events, begin);
    StoredEvent& first = batch.events[begin];
    const bool clean = std::none_of(batch.events.begin() + static_cast<ptrdiff_t>(begin),
                                    batch.events.begin() + static_cast<ptrdiff_t>(end),
                                    [](const StoredEvent& e) { return holds_nul(e.event); });
    if (first.row_text.empty() && clean) {
      run.clear();
      for (size_t i = begin; i < end; ++i) run.add(batch.events[i].event);
      first.row_text = run.text();
      first.row_events = static_cast<uint32_t>(end - begin);
    }
    begin = end;
  }
}

// One run per execution per batch: a batch holds an execution's events in order, after each
// other (each drain appends its own).
Status SqliteStore::write_events(const StoreBatch& batch) {
  EventRunText built;
  for (size_t begin = 0; begin < batch.events.size();) {
    const size_t end = event_run_end(batch.events, begin);
    const std::string& execution = batch.events[begin].execution_id;
    const uint64_t first = batch.events[begin].event.seq;
    const uint64_t last = batch.events[end - 1].event.seq;
    std::string_view text = batch.events[begin].row_text;  // prepare() wrote it, if it could
    if (text.empty() || batch.events[begin].row_events != end - begin) {
      built.clear();
      for (size_t i = begin; i < end; ++i) {
        const Event& event = batch.events[i].event;
        if (holds_nul(event)) {
          return Error::invalid_data("store " + path_ + ": event " + std::to_string(event.seq) +
                                     " of execution " + execution + " holds a NUL character");
        }
        built.add(event);
      }
      text = built.text();
    }
    begin = end;
    auto before = s_->run_before.bind(1, execution).bind(2, static_cast<int64_t>(last)).step();
    const bool overlaps =
        before && *before && s_->run_before.integer(0) >= static_cast<int64_t>(first);
    s_->run_before.reset();
    if (!before) return std::move(before).error();
    if (overlaps) {
      return Error::conflict("store " + path_ + ": execution " + execution +
                             " already has events numbered within " + std::to_string(first) + ".." +
                             std::to_string(last) + "; an event number is an execution's once");
    }
    if (auto s = s_->insert_event_run.bind(1, execution)
                     .bind(2, static_cast<int64_t>(first))
                     .bind(3, static_cast<int64_t>(last))
                     .bind(4, text)
                     .run();
        !s)
      return s;
  }
  return ok_status();
}

Status SqliteStore::write_tasks(const StoreBatch& batch) {
  for (const auto& t : batch.tasks) {
    const std::string form = t.form_encoded.empty() ? encode_task_form(t) : std::string();
    const std::string roles = task_roles_key(t.doc);
    const std::string summary = t.summary_encoded.empty() ? encode_task_summary(t) : std::string();
    const std::string organisation = t.doc.value("organisation", "");
    const int64_t level = t.doc.value("level", 0);
    const std::string assignee = t.doc.value("assignee", "");
    if (auto s = s_->upsert_task.bind(1, t.id)
                     .bind(2, t.execution_id)
                     .bind(3, t.step)
                     .bind(4, to_string(t.status))
                     .bind(5, to_ms(t.due))
                     .bind(6, to_ms(t.created_at))
                     .bind(7, t.form_encoded.empty() ? form : t.form_encoded)
                     .bind(8, organisation)
                     .bind(9, roles)
                     .bind(10, level)
                     .bind(11, t.summary_encoded.empty() ? summary : t.summary_encoded)
                     .bind(12, assignee)
                     .run();
        !s)
      return s;
  }
  return ok_status();
}

// The tail is read inside the transaction (store/store_audit.h), so the chain is right even if
// another process wrote to this store since our last batch.
Status SqliteStore::write_audit(const StoreBatch& batch, const BatchEventDigests& digests) {
  if (batch.audit.empty()) return ok_status();
  AuditTail tail;
  auto row = s_->audit_tail.step();
  if (!row) return std::move(row).error();
  if (*row) {
    tail.seq = static_cast<uint64_t>(s_->audit_tail.integer(0));
    tail.hash = stored_hash(s_->audit_tail, 1);
    tail.at = parse_utc(s_->audit_tail.text(2));
  }
  s_->audit_tail.reset();
  auto s = seal_batch_audit(batch.audit, digests, tail,
                            [this](const AuditDraft& draft, uint64_t seq, const AuditSeal& seal,
                                   std::string_view prev, std::string_view event_hash) {
                              SqliteStatement& insert =
                                  s_->insert_audit.bind(1, static_cast<int64_t>(seq))
                                      .bind(2, seal.at)
                                      .bind(3, draft.actor)
                                      .bind(4, draft.role)
                                      .bind(5, draft.organisation)
                                      .bind(6, draft.execution_id)
                                      .bind(7, draft.step)
                                      .bind(8, draft.type)
                                      .bind(9, draft.summary)
                                      .bind(13, static_cast<int64_t>(kAuditScheme))
                                      .bind(14, static_cast<int64_t>(draft.event_seq));
                              const StoredHash stored_summary(seal.summary_hash);
                              const StoredHash stored_prev(prev);
                              const StoredHash stored_entry(seal.hash);
                              const StoredHash stored_event(event_hash);
                              stored_summary.bind(insert, 10);
                              stored_prev.bind(insert, 11);
                              stored_entry.bind(insert, 12);
                              stored_event.bind(insert, 15);
                              return insert.run();
                            });
  if (!s) return s;
  const std::string head = audit_head_text(tail);
  return s_->put_meta.bind(1, "audit_head").bind(2, head).run();
}

Status SqliteStore::write_parts(const StoreBatch& batch) {
  for (const auto& d : batch.part_drops) {
    if (auto s = s_->drop_parts.bind(1, d.execution_id).bind(2, d.prefix).run(); !s) return s;
  }
  for (const auto& p : batch.parts) {
    const std::string body = p.body_encoded.empty() ? encode_snapshot(p.body) : std::string();
    if (auto s = s_->put_part.bind(1, p.execution_id)
                     .bind(2, p.key)
                     .bind_blob(3, p.body_encoded.empty() ? body : p.body_encoded)
                     .run();
        !s) {
      return s;
    }
  }
  return ok_status();
}

namespace {

constexpr const char* kTokenColumns =
    "id, secret_hash, person, organisation, roles, scopes, created_at, created_by, expires_at, "
    "revoked_at";

TokenRecord read_token(const SqliteStatement& q) {
  TokenRecord t;
  t.id = q.text(0);
  t.secret_hash = q.text(1);
  t.person = q.text(2);
  t.organisation = q.text(3);
  t.roles = stored_names(q.text(4));
  t.scopes = stored_names(q.text(5));
  t.created_at = from_ms(q.integer(6));
  t.created_by = q.text(7);
  if (!q.is_null(8)) t.expires_at = from_ms(q.integer(8));
  if (!q.is_null(9)) t.revoked_at = from_ms(q.integer(9));
  return t;
}

}  // namespace

// Rare (a token made or revoked): prepared when needed.
Status SqliteStore::write_tokens(const StoreBatch& batch) {
  if (batch.tokens.empty()) return ok_status();
  SqliteStatement put(db_, std::string("INSERT OR REPLACE INTO api_tokens (") + kTokenColumns +
                               ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  for (const auto& t : batch.tokens) {
    const std::string roles = names_text(t.roles);
    const std::string scopes = names_text(t.scopes);
    if (auto s = put.bind(1, t.id)
                     .bind(2, t.secret_hash)
                     .bind(3, t.person)
                     .bind(4, t.organisation)
                     .bind(5, roles)
                     .bind(6, scopes)
                     .bind(7, to_ms(t.created_at))
                     .bind(8, t.created_by)
                     .bind(9, to_ms(t.expires_at))
                     .bind(10, to_ms(t.revoked_at))
                     .run();
        !s)
      return s;
  }
  return ok_status();
}

Result<std::optional<TokenRecord>> SqliteStore::token(const std::string& id) {
  Reader reader = read_connection();
  SqliteStatement& q =
      reader.statement(std::string("SELECT ") + kTokenColumns + " FROM api_tokens WHERE id = ?1");
  q.bind(1, id);
  auto row = q.step();
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<TokenRecord>();
  return std::optional<TokenRecord>(read_token(q));
}

Result<std::vector<TokenRecord>> SqliteStore::tokens() {
  std::lock_guard<std::mutex> lock(mutex_);
  SqliteStatement q(
      db_, std::string("SELECT ") + kTokenColumns + " FROM api_tokens ORDER BY created_at, id");
  std::vector<TokenRecord> out;
  for (;;) {
    auto row = q.step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    out.push_back(read_token(q));
  }
  return out;
}

// Rare (a person first seen, or seen with other roles): prepared when needed.
Status SqliteStore::write_people(const StoreBatch& batch) {
  if (batch.people.empty()) return ok_status();
  SqliteStatement put(db_,
                      "INSERT OR REPLACE INTO people (person, organisation, roles, identity, "
                      "seen_at) VALUES (?1, ?2, ?3, ?4, ?5)");
  for (const auto& p : batch.people) {
    const std::string roles = names_text(p.roles);
    if (auto s = put.bind(1, p.person)
                     .bind(2, p.organisation)
                     .bind(3, roles)
                     .bind(4, p.identity)
                     .bind(5, to_ms(p.seen_at))
                     .run();
        !s)
      return s;
  }
  return ok_status();
}

Result<std::vector<PersonRecord>> SqliteStore::people(const std::string& person) {
  Reader reader = read_connection();
  SqliteStatement& q = reader.statement(
      "SELECT person, organisation, roles, identity, seen_at FROM people WHERE person = ?1 "
      "ORDER BY organisation");
  q.bind(1, person);
  std::vector<PersonRecord> out;
  for (;;) {
    auto row = q.step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    out.push_back(PersonRecord{q.text(0), q.text(1), stored_names(q.text(2)), q.text(3),
                               from_ms(q.integer(4))});
  }
  return out;
}

namespace {

constexpr const char* kWebSessionColumns =
    "id, secret_hash, kind, credential, person, organisation, roles, scopes, created_at, "
    "expires_at, ended_at";

std::string_view kind_text(WebSessionKind kind) {
  return kind == WebSessionKind::kOidc ? "oidc" : "token";
}

WebSessionRecord read_web_session(const SqliteStatement& q) {
  WebSessionRecord w;
  w.id = q.text(0);
  w.secret_hash = q.text(1);
  w.kind = q.text(2) == "oidc" ? WebSessionKind::kOidc : WebSessionKind::kToken;
  w.credential = q.text(3);
  w.person = q.text(4);
  w.organisation = q.text(5);
  w.roles = stored_names(q.text(6));
  w.scopes = stored_names(q.text(7));
  w.created_at = from_ms(q.integer(8));
  w.expires_at = from_ms(q.integer(9));
  if (!q.is_null(10)) w.ended_at = from_ms(q.integer(10));
  return w;
}

}  // namespace

// A sign-in or a sign-out: prepared when needed.
Status SqliteStore::write_web_sessions(const StoreBatch& batch) {
  if (batch.web_sessions_expired_before) {
    if (auto s = SqliteStatement(db_, "DELETE FROM web_sessions WHERE expires_at < ?1")
                     .bind(1, to_ms(*batch.web_sessions_expired_before))
                     .run();
        !s)
      return s;
  }
  if (batch.web_sessions.empty()) return ok_status();
  SqliteStatement put(db_, std::string("INSERT OR REPLACE INTO web_sessions (") +
                               kWebSessionColumns +
                               ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  for (const auto& w : batch.web_sessions) {
    const std::string roles = names_text(w.roles);
    const std::string scopes = names_text(w.scopes);
    if (auto s = put.bind(1, w.id)
                     .bind(2, w.secret_hash)
                     .bind(3, kind_text(w.kind))
                     .bind(4, w.credential)
                     .bind(5, w.person)
                     .bind(6, w.organisation)
                     .bind(7, roles)
                     .bind(8, scopes)
                     .bind(9, to_ms(w.created_at))
                     .bind(10, to_ms(w.expires_at))
                     .bind(11, to_ms(w.ended_at))
                     .run();
        !s)
      return s;
  }
  return ok_status();
}

Result<std::optional<WebSessionRecord>> SqliteStore::web_session(const std::string& id) {
  Reader reader = read_connection();
  SqliteStatement& q = reader.statement(std::string("SELECT ") + kWebSessionColumns +
                                        " FROM web_sessions WHERE id = ?1");
  q.bind(1, id);
  auto row = q.step();
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<WebSessionRecord>();
  return std::optional<WebSessionRecord>(read_web_session(q));
}

namespace {

constexpr const char* kNotificationColumns =
    "id, execution_id, kind, task, created_at, subject, status, attempts, next_at, last_error, "
    "sent_at, delivery";

NotificationRecord read_notification(const SqliteStatement& q) {
  NotificationRecord n;
  n.id = q.text(0);
  n.execution_id = q.text(1);
  n.kind = parse_notification_kind(q.text(2)).value_or(NotificationKind::kTaskOpened);
  n.task = q.text(3);
  n.created_at = from_ms(q.integer(4));
  n.subject = nlohmann::json::parse(q.text(5), nullptr, false);
  n.status = parse_notification_status(q.text(6)).value_or(NotificationStatus::kFailed);
  n.attempts = static_cast<uint32_t>(q.integer(7));
  n.next_at = from_ms(q.integer(8));
  n.last_error = q.text(9);
  if (!q.is_null(10)) n.sent_at = from_ms(q.integer(10));
  n.delivery = nlohmann::json::parse(q.text(11), nullptr, false);
  return n;
}

}  // namespace

// A task's event, or a delivery: prepared when needed.
Status SqliteStore::write_notifications(const StoreBatch& batch) {
  if (!batch.notifications.empty()) {
    SqliteStatement put(db_, std::string("INSERT OR IGNORE INTO notifications (") +
                                 kNotificationColumns +
                                 ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
    for (const auto& n : batch.notifications) {
      const std::string subject = n.subject.dump();
      const std::string delivery = n.delivery.dump();
      if (auto s = put.bind(1, n.id)
                       .bind(2, n.execution_id)
                       .bind(3, to_string(n.kind))
                       .bind(4, n.task)
                       .bind(5, to_ms(n.created_at))
                       .bind(6, subject)
                       .bind(7, to_string(n.status))
                       .bind(8, static_cast<int64_t>(n.attempts))
                       .bind(9, to_ms(n.next_at))
                       .bind(10, n.last_error)
                       .bind(11, to_ms(n.sent_at))
                       .bind(12, delivery)
                       .run();
          !s)
        return s;
    }
  }
  if (!batch.schedules.empty()) {
    SqliteStatement put(db_,
                        "INSERT OR REPLACE INTO schedules (id, definition, paused, next_at, "
                        "next_period, last_at, last_period, last_execution, runs, skipped, "
                        "last_error, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                        "?8, ?9, ?10, ?11, ?12, ?13)");
    for (const auto& r : batch.schedules) {
      const std::string definition = r.definition.dump();
      if (auto s = put.bind(1, r.id)
                       .bind(2, definition)
                       .bind(3, int64_t{r.paused ? 1 : 0})
                       .bind(4, to_ms(r.next_at))
                       .bind(5, r.next_period)
                       .bind(6, to_ms(r.last_at))
                       .bind(7, r.last_period)
                       .bind(8, r.last_execution)
                       .bind(9, static_cast<int64_t>(r.runs))
                       .bind(10, static_cast<int64_t>(r.skipped))
                       .bind(11, r.last_error)
                       .bind(12, to_ms(r.created_at))
                       .bind(13, to_ms(r.updated_at))
                       .run();
          !s)
        return s;
    }
  }
  if (!batch.notification_updates.empty()) {
    SqliteStatement update(db_,
                           "UPDATE notifications SET status = ?2, attempts = ?3, next_at = ?4, "
                           "last_error = ?5, sent_at = ?6, delivery = ?7 WHERE id = ?1");
    for (const auto& n : batch.notification_updates) {
      const std::string delivery = n.delivery.dump();
      if (auto s = update.bind(1, n.id)
                       .bind(2, to_string(n.status))
                       .bind(3, static_cast<int64_t>(n.attempts))
                       .bind(4, to_ms(n.next_at))
                       .bind(5, n.last_error)
                       .bind(6, to_ms(n.sent_at))
                       .bind(7, delivery)
                       .run();
          !s)
        return s;
    }
  }
  return ok_status();
}

Result<std::vector<NotificationRecord>> SqliteStore::due_notifications(TimePoint now,
                                                                       size_t limit) {
  Reader reader = read_connection();
  SqliteStatement& q = reader.statement(
      std::string("SELECT ") + kNotificationColumns +
      " FROM notifications WHERE status = 'pending' AND next_at <= ?1 ORDER BY next_at, id "
      "LIMIT ?2");
  q.bind(1, to_ms(now)).bind(2, static_cast<int64_t>(limit));
  std::vector<NotificationRecord> due;
  for (;;) {
    auto row = q.step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    due.push_back(read_notification(q));
  }
  return due;
}

Result<std::vector<ScheduleRecord>> SqliteStore::schedules() {
  Reader reader = read_connection();
  SqliteStatement& q = reader.statement(
      "SELECT id, definition, paused, next_at, next_period, last_at, last_period, "
      "last_execution, runs, skipped, last_error, created_at, updated_at FROM schedules ORDER BY "
      "id");
  std::vector<ScheduleRecord> found;
  for (;;) {
    auto row = q.step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    ScheduleRecord r;
    r.id = q.text(0);
    r.definition = nlohmann::json::parse(q.text(1), nullptr, false);
    r.paused = q.integer(2) != 0;
    r.next_at = from_ms(q.integer(3));
    r.next_period = q.text(4);
    if (!q.is_null(5)) r.last_at = from_ms(q.integer(5));
    r.last_period = q.text(6);
    r.last_execution = q.text(7);
    r.runs = static_cast<uint64_t>(q.integer(8));
    r.skipped = static_cast<uint64_t>(q.integer(9));
    r.last_error = q.text(10);
    r.created_at = from_ms(q.integer(11));
    r.updated_at = from_ms(q.integer(12));
    found.push_back(std::move(r));
  }
  return found;
}

Result<std::vector<NotificationRecord>> SqliteStore::notifications(
    const NotificationFilter& filter) {
  Reader reader = read_connection();
  SqliteStatement& q = reader.statement(
      std::string("SELECT ") + kNotificationColumns +
      " FROM notifications WHERE (?1 = '' OR execution_id = ?1) AND (?2 = '' OR status = ?2) "
      "ORDER BY created_at DESC, id DESC LIMIT ?3");
  const std::string status = filter.status ? std::string(to_string(*filter.status)) : "";
  q.bind(1, filter.execution_id).bind(2, status).bind(3, static_cast<int64_t>(filter.limit));
  std::vector<NotificationRecord> found;
  for (;;) {
    auto row = q.step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    found.push_back(read_notification(q));
  }
  return found;
}

// Rare (a purge, a hold): statements prepared when needed, texts kept in locals that outlive
// each run().
Status SqliteStore::write_retention(const StoreBatch& batch) {
  for (const auto& r : batch.redactions) {
    if (auto s = write_redaction(r); !s) return s;
  }
  for (const auto& t : batch.tombstones) {
    const std::string policy = t.policy.dump();
    if (auto s = SqliteStatement(db_,
                                 "INSERT OR IGNORE INTO tombstones (execution_id, record_type, "
                                 "workflow, purged_at, policy) VALUES (?1, ?2, ?3, ?4, ?5)")
                     .bind(1, t.execution_id)
                     .bind(2, t.record_type)
                     .bind(3, t.workflow)
                     .bind(4, t.purged_at)
                     .bind(5, policy)
                     .run();
        !s)
      return s;
  }
  for (const auto& h : batch.holds) {
    if (auto s = SqliteStatement(db_,
                                 "INSERT OR REPLACE INTO legal_holds (execution_id, placed_at, "
                                 "placed_by, role, reason, released_at, released_by) VALUES "
                                 "(?1, ?2, ?3, ?4, ?5, ?6, ?7)")
                     .bind(1, h.execution_id)
                     .bind(2, h.placed_at)
                     .bind(3, h.placed_by)
                     .bind(4, h.role)
                     .bind(5, h.reason)
                     .bind(6, h.released_at)
                     .bind(7, h.released_by)
                     .run();
        !s)
      return s;
  }
  for (const auto& [execution_id, count] : batch.interruptions) {
    auto s = count == 0 ? s_->drop_interruptions.bind(1, execution_id).run()
                        : s_->put_interruptions.bind(1, execution_id)
                              .bind(2, static_cast<int64_t>(count))
                              .run();
    if (!s) return s;
  }
  for (const auto& n : batch.retention_notes) {
    if (auto s = SqliteStatement(db_,
                                 "INSERT OR IGNORE INTO retention_notes (execution_id, "
                                 "record_type, hold, at) VALUES (?1, ?2, ?3, ?4)")
                     .bind(1, n.execution_id)
                     .bind(2, n.record_type)
                     .bind(3, n.hold)
                     .bind(4, n.at)
                     .run();
        !s)
      return s;
  }
  return ok_status();
}

// Whatever a purge removes of an ended execution, the snapshot a retry would go back to
// (contexts, completions) goes with it: a purged execution is never retried. Notifications go
// too: they name the tasks and title them.
Status SqliteStore::write_redaction(const Redaction& r) {
  for (const char* sql : {"UPDATE executions SET resume_state = NULL WHERE id = ?1",
                          "DELETE FROM state_parts WHERE execution_id = ?1",
                          "DELETE FROM notifications WHERE execution_id = ?1"}) {
    if (auto s = SqliteStatement(db_, sql).bind(1, r.execution_id).run(); !s) return s;
  }
  if (r.everything) {
    for (const char* sql : {"DELETE FROM event_runs WHERE execution_id = ?1",
                            "DELETE FROM tasks WHERE execution_id = ?1",
                            "UPDATE audit SET summary = '' WHERE execution_id = ?1 AND type "
                            "NOT IN ('purged', 'purge_skipped', 'legal_hold_placed', "
                            "'legal_hold_released', 'exported')"}) {
      if (auto s = SqliteStatement(db_, sql).bind(1, r.execution_id).run(); !s) return s;
    }
  }
  if (auto s = redact_rows(r); !s) return s;
  if (r.state) {
    const std::string bytes = encode_snapshot(*r.state);
    // The snapshot a retry would go back to holds the same data: it goes too.
    if (auto s = SqliteStatement(
                     db_, "UPDATE executions SET state = ?2, resume_state = NULL WHERE id = ?1")
                     .bind(1, r.execution_id)
                     .bind_blob(2, bytes)
                     .run();
        !s)
      return s;
  }
  if (r.result) {
    const std::string text = to_json(*r.result).dump();
    if (auto s = SqliteStatement(db_, "UPDATE executions SET result = ?2 WHERE id = ?1")
                     .bind(1, r.execution_id)
                     .bind(2, text)
                     .run();
        !s)
      return s;
  }
  return ok_status();
}

// The rows a redaction names one by one: events removed or rewritten, tasks, audit summaries.
Status SqliteStore::redact_rows(const Redaction& r) {
  // Each event is edited in the run that holds it, found through the index: the events view
  // would expand every run of the execution to find each one (store/sqlite_event_runs.h).
  const std::string run_of = std::string(" WHERE rowid = ") + kRunThatMayHold +
                             " AND EXISTS (SELECT 1 FROM json_each(event_runs.events) e WHERE "
                             "e.value ->> 0 = ?2)";
  const std::string element =
      "(SELECT '$[' || e.key || ']' FROM json_each(event_runs.events) e WHERE e.value ->> 0 = ?2)";
  SqliteStatement del(
      db_, "UPDATE event_runs SET events = json_remove(events, " + element + ")" + run_of);
  SqliteStatement emptied(db_, "DELETE FROM event_runs WHERE execution_id = ?1 AND events = '[]'");
  for (uint64_t seq : r.delete_events) {
    if (auto s = del.bind(1, r.execution_id).bind(2, static_cast<int64_t>(seq)).run(); !s) {
      return s;
    }
  }
  if (!r.delete_events.empty()) {
    if (auto s = emptied.bind(1, r.execution_id).run(); !s) return s;
  }
  SqliteStatement rewrite(db_, "UPDATE event_runs SET events = json_set(events, " + element +
                                   " || '[4]', ?3)" + run_of);
  for (const auto& [seq, text] : r.rewrite_events) {
    if (auto s =
            rewrite.bind(1, r.execution_id).bind(2, static_cast<int64_t>(seq)).bind(3, text).run();
        !s)
      return s;
  }
  SqliteStatement task(db_, "DELETE FROM tasks WHERE id = ?1");
  for (const auto& id : r.delete_tasks) {
    if (auto s = task.bind(1, id).run(); !s) return s;
  }
  SqliteStatement audit(db_, "UPDATE audit SET summary = '' WHERE seq = ?1");
  for (uint64_t seq : r.redact_audit) {
    if (auto s = audit.bind(1, static_cast<int64_t>(seq)).run(); !s) return s;
  }
  return ok_status();
}

Result<std::optional<WorkflowRecord>> SqliteStore::workflow(const std::string& id,
                                                            int64_t version) {
  const Reader reader = read_connection();
  SqliteStatement q(reader.db(),
                    "SELECT digest, document FROM workflows WHERE id = ?1 AND version = ?2");
  q.bind(1, id).bind(2, version);
  auto row = q.step();
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<WorkflowRecord>();
  return std::optional<WorkflowRecord>(WorkflowRecord{id, version, q.text(0), q.text(1)});
}

Result<std::vector<WorkflowRecord>> SqliteStore::workflows() {
  const Reader reader = read_connection();
  SqliteStatement q(reader.db(),
                    "SELECT id, version, digest, document FROM workflows ORDER BY id, version");
  std::vector<WorkflowRecord> out;
  for (;;) {
    auto row = q.step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    out.push_back(WorkflowRecord{q.text(0), q.integer(1), q.text(2), q.text(3)});
  }
  return out;
}

Result<std::optional<ExecutionRecord>> SqliteStore::execution(const std::string& id) {
  Reader reader = read_connection();
  return execution_row(reader, id);
}

Result<std::optional<ExecutionRecord>> SqliteStore::execution_row(Reader& reader,
                                                                  const std::string& id,
                                                                  std::string* state_bytes) {
  SqliteStatement& q = reader.statement(std::string("SELECT ") + kExecutionColumns +
                                        " FROM executions WHERE id = ?1");
  q.bind(1, id);
  auto row = q.step();
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<ExecutionRecord>();
  auto record = read_execution(q, state_bytes);
  if (!record) return std::move(record).error();
  return std::optional<ExecutionRecord>(std::move(*record));
}

// One explicit read transaction for the three reads: one snapshot (a commit between them cannot
// pair a record with another moment's parts), and one round of the log's read locks instead of
// three (file locks: system calls), which is most of what reloading a parked execution costs.
Result<std::optional<StoredExecution>> SqliteStore::stored_execution(const std::string& id) {
  Reader reader = read_connection();
  if (auto s = reader.snapshot(); !s) return std::move(s).error();
  return stored_in(reader, id);
}

// A read transaction ends with its pages forgotten whenever the log moved on, which it does
// with every commit: reloads one by one each read the three tables' upper levels afresh (a
// deadline storm's scheduler spent a third of its time in these reads). Read together, they
// read those pages once.
std::vector<Result<std::optional<StoredExecution>>> SqliteStore::stored_executions(
    const std::vector<std::string>& ids) {
  std::vector<Result<std::optional<StoredExecution>>> out;
  out.reserve(ids.size());
  if (ids.empty()) return out;
  Reader reader = read_connection();
  if (auto s = reader.snapshot(); !s) {
    for (size_t i = 0; i < ids.size(); ++i) out.emplace_back(s.error());
    return out;
  }
  for (const auto& id : ids) out.push_back(stored_in(reader, id));
  return out;
}

Result<std::optional<StoredExecution>> SqliteStore::stored_in(Reader& reader,
                                                              const std::string& id) {
  std::string state;
  auto record = execution_row(reader, id, &state);
  if (!record) return std::move(record).error();
  if (!*record) return std::optional<StoredExecution>();
  auto stops = interruptions_of(reader, id);
  if (!stops) return std::move(stops).error();
  auto parts = state_parts_of(reader, id);
  if (!parts) return std::move(parts).error();
  return std::optional<StoredExecution>(
      StoredExecution{std::move(**record), *stops, std::move(*parts), std::move(state)});
}

Result<std::optional<json>> SqliteStore::retry_point(const std::string& id) {
  Reader reader = read_connection();
  SqliteStatement& q = reader.statement(
      "SELECT resume_state FROM executions WHERE id = ?1 AND status = 'failed' AND "
      "resume_state IS NOT NULL");
  q.bind(1, id);
  auto row = q.step();
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<json>();
  json state = stored_snapshot(q, 0);
  if (!state.is_object()) return Error::io("store: the retry point of " + id + " is unreadable");
  return std::optional<json>(std::move(state));
}

namespace {

Result<std::vector<ExecutionRecord>> read_executions(SqliteStatement& q) {
  std::vector<ExecutionRecord> out;
  for (;;) {
    auto row = q.step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    auto record = read_execution(q);
    if (!record) return std::move(record).error();
    out.push_back(std::move(*record));
  }
  return out;
}

}  // namespace

Result<std::vector<ExecutionRecord>> SqliteStore::active_executions() {
  std::lock_guard<std::mutex> lock(mutex_);
  // From the partial index of unfinished executions, whose predicate this WHERE repeats word
  // for word (SQLite uses a partial index only then): the planner preferred walking every
  // execution in executions_started to sorting the few unfinished ones (64 ms against 0.2 ms
  // over 200,000 finished executions). A WHERE the index cannot serve fails to prepare.
  SqliteStatement q(db_, std::string("SELECT ") + kExecutionColumns +
                             " FROM executions INDEXED BY executions_active"
                             " WHERE status = 'running' OR status = 'waiting'"
                             " ORDER BY started_at, id");
  return read_executions(q);
}

Result<std::vector<ExecutionRecord>> SqliteStore::recent_executions(size_t limit) {
  std::lock_guard<std::mutex> lock(mutex_);
  SqliteStatement q(db_, std::string("SELECT ") + kExecutionColumns +
                             " FROM executions ORDER BY started_at DESC, id DESC LIMIT ?1");
  q.bind(1, static_cast<int64_t>(limit));
  return read_executions(q);
}

Result<std::vector<Event>> SqliteStore::history(const std::string& execution_id) {
  const Reader reader = read_connection();
  SqliteStatement q(reader.db(),
                    "SELECT seq, at, type, step, data FROM events WHERE execution_id = ?1 "
                    "ORDER BY seq");
  q.bind(1, execution_id);
  std::vector<Event> out;
  for (;;) {
    auto row = q.step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    auto type = parse_event_type(q.text(2));
    if (!type) {
      return Error::invalid_data("store " + path_ + ": execution " + execution_id + " event " +
                                 std::to_string(q.integer(0)) + " has unknown type '" + q.text(2) +
                                 "'");
    }
    out.push_back(Event{static_cast<uint64_t>(q.integer(0)), from_ms(q.integer(1)), *type,
                        q.text(3), q.text(4)});
  }
  return out;
}

Result<std::map<EventType, size_t>> SqliteStore::event_counts(const std::string& execution_id) {
  const Reader reader = read_connection();
  SqliteStatement q(reader.db(),
                    "SELECT type, count(*) FROM events WHERE execution_id = ?1 GROUP BY type");
  q.bind(1, execution_id);
  std::map<EventType, size_t> out;
  for (;;) {
    auto row = q.step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    auto type = parse_event_type(q.text(0));
    if (!type) {
      return Error::invalid_data("store " + path_ + ": execution " + execution_id +
                                 " has events of unknown type '" + q.text(0) + "'");
    }
    out[*type] = static_cast<size_t>(q.integer(1));
  }
  return out;
}

Result<std::optional<TaskRecord>> SqliteStore::task(const std::string& id) {
  Reader reader = read_connection();
  SqliteStatement& q = reader.statement(
      "SELECT id, execution_id, step, status, due, created_at, doc, summary FROM tasks "
      "WHERE id = ?1");
  q.bind(1, id);
  auto row = q.step();
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<TaskRecord>();
  auto task = read_task(q);
  if (!task) return std::move(task).error();
  return std::optional<TaskRecord>(std::move(*task));
}

Result<std::vector<TaskRecord>> SqliteStore::tasks(const TaskFilter& filter) {
  const Reader reader = read_connection();
  std::string sql =
      "SELECT id, execution_id, step, status, due, created_at, doc, summary FROM tasks WHERE 1=1";
  if (filter.open_only) sql += " AND status = 'open'";
  if (!filter.execution_id.empty()) sql += " AND execution_id = ?1";
  if (!filter.organisation.empty()) sql += " AND organisation = ?2";
  if (!filter.assignee.empty()) sql += " AND assignee = ?3";
  if (filter.due_before) sql += " AND due IS NOT NULL AND due < ?4";
  if (filter.due_by) sql += " AND due IS NOT NULL AND due <= ?5";
  sql += " ORDER BY due IS NULL, due, created_at, id";
  SqliteStatement q(reader.db(), sql);
  if (!filter.execution_id.empty()) q.bind(1, filter.execution_id);
  if (!filter.organisation.empty()) q.bind(2, filter.organisation);
  if (!filter.assignee.empty()) q.bind(3, filter.assignee);
  if (filter.due_before) q.bind(4, to_ms(*filter.due_before));
  if (filter.due_by) q.bind(5, to_ms(*filter.due_by));
  std::vector<TaskRecord> out;
  for (;;) {
    auto row = q.step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    auto read = read_task(q);
    if (!read) return std::move(read).error();
    TaskRecord t = std::move(*read);
    if (!filter.role.empty()) {
      const json& roles = t.doc["roles"];
      if (!roles.is_array() ||
          std::find(roles.begin(), roles.end(), json(filter.role)) == roles.end()) {
        continue;
      }
    }
    out.push_back(std::move(t));
  }
  return out;
}

namespace {

// The inbox's order: tasks with a deadline first, by deadline, then those without; ties by id.
bool inbox_before(const InboxEntry& a, const InboxEntry& b) {
  if (a.due.has_value() != b.due.has_value()) return a.due.has_value();
  if (a.due && *a.due != *b.due) return *a.due < *b.due;
  return a.id < b.id;
}

// One range of the inbox: the open tasks of one organisation (`?1`) with a deadline or without,
// after the keyset position where it falls in that range (every undated task comes after a
// dated one).
struct InboxArm {
  bool dated = true;
  bool after_dated = false;    // (due, id) after the position
  bool after_undated = false;  // id after the position
  bool past = false;           // paging has gone past every task of this arm

  InboxArm(const InboxFilter& f, bool with_due) : dated(with_due) {
    const bool after = !f.after_id.empty();
    after_dated = after && dated && f.after_due.has_value();
    after_undated = after && !dated && !f.after_due;
    past = after && dated && !f.after_due;
  }
};

std::string inbox_arm_sql(const InboxFilter& f, size_t roles, const InboxArm& arm) {
  std::string sql =
      "SELECT id, due, summary FROM tasks INDEXED BY tasks_inbox WHERE organisation = ?1 AND "
      "status = 'open' AND ";
  sql += arm.dated ? "due IS NOT NULL" : "due IS NULL";
  sql += " AND (roles = ''";
  for (size_t i = 0; i < roles; ++i) sql += " OR instr(roles, ?" + std::to_string(10 + i) + ") > 0";
  sql += ")";
  if (!f.person.empty()) sql += " AND assignee IN ('', ?8)";
  if (f.due_before) sql += " AND due < ?3";
  if (f.due_by) sql += " AND due <= ?4";
  if (f.escalated) sql += " AND level > 0";
  if (arm.after_dated) sql += " AND (due, id) > (?5, ?6)";
  if (arm.after_undated) sql += " AND id > ?6";
  return sql + " ORDER BY due, id LIMIT ?7";
}

void bind_inbox_arm(SqliteStatement& q, const InboxFilter& f, const std::vector<std::string>& marks,
                    const std::string& organisation, const InboxArm& arm) {
  q.reset();  // the same statement serves both organisations
  q.bind(1, organisation);
  if (!f.person.empty()) q.bind(8, f.person);
  for (size_t i = 0; i < marks.size(); ++i) q.bind(static_cast<int>(10 + i), marks[i]);
  if (f.due_before) q.bind(3, to_ms(*f.due_before));
  if (f.due_by) q.bind(4, to_ms(*f.due_by));
  if (arm.after_dated) q.bind(5, to_ms(*f.after_due));
  if (arm.after_dated || arm.after_undated) q.bind(6, f.after_id);
  q.bind(7, static_cast<int64_t>(f.limit));
}

Status read_inbox_rows(SqliteStatement& q, std::vector<InboxEntry>& out) {
  for (;;) {
    auto row = q.step();
    if (!row) return std::move(row).error();
    if (!*row) return ok_status();
    InboxEntry e{q.text(0), std::nullopt, q.text(2)};
    if (!q.is_null(1)) e.due = from_ms(q.integer(1));
    out.push_back(std::move(e));
  }
}

}  // namespace

// The inbox is the organisation's open tasks and those of no organisation, in the inbox's order.
// One query over both organisations (`organisation IN ('', ?)`) read every open task of both
// and sorted them for each page (at 200 open tasks per organisation, most of what a read cost).
// Each organisation's dated and undated tasks are instead a range of tasks_inbox (organisation,
// due, id) already in that order, so each arm reads at most a page of matching rows; the arms
// are merged here. The index is named: without statistics the planner would take
// tasks_organisation (every task of the organisation, closed ones too).
Result<std::vector<InboxEntry>> SqliteStore::inbox(const InboxFilter& filter) {
  Reader reader = read_connection();
  // The arms are several statements: one snapshot, so that a task whose deadline or
  // organisation changed meanwhile is not listed twice or missed, nor two tasks listed that
  // were never open together.
  if (auto s = reader.snapshot(); !s) return std::move(s).error();
  std::vector<std::string> marks;
  for (const auto& role : filter.roles) marks.push_back(task_role_mark(role));
  std::vector<std::string> organisations{filter.organisation};
  if (!filter.organisation.empty()) organisations.emplace_back();
  std::vector<InboxEntry> out;
  // Undated tasks come after every dated one: read only while the dated ones leave room, and
  // never for a deadline filter, which an undated task cannot meet.
  for (const bool dated : {true, false}) {
    if (out.size() >= filter.limit || (!dated && (filter.due_before || filter.due_by))) break;
    const InboxArm arm(filter, dated);
    if (arm.past) continue;
    SqliteStatement& q = reader.statement(inbox_arm_sql(filter, marks.size(), arm));
    if (!q.ok()) return Error::io("store: cannot prepare the inbox query");
    for (const auto& organisation : organisations) {
      bind_inbox_arm(q, filter, marks, organisation, arm);
      if (auto s = read_inbox_rows(q, out); !s) return std::move(s).error();
    }
    std::sort(out.begin(), out.end(), inbox_before);
    if (out.size() > filter.limit) out.resize(filter.limit);
  }
  return out;
}

namespace {

// What a member sees (ExecutionFilter::visible_to): a task of the person's organisation (or of
// none) for one of their roles (or for anyone), or one they completed in their organisation —
// from the organisation's tasks (tasks_organisation), not from every execution — or, in the
// versions their roles follow, any execution with a task of their organisation. One JSON array
// (?13) for the followed versions, whatever their number: no parameter numbers that a long role
// list could run into, one statement shape.
std::string member_clause(const ExecutionFilter::Member& member) {
  std::string sql =
      " AND (e.id IN (SELECT t.execution_id FROM tasks t WHERE "
      "t.organisation IN ('', ?3) AND (t.roles = ''";
  for (size_t i = 0; i < member.roles.size(); ++i) {
    sql += " OR instr(t.roles, ?" + std::to_string(60 + i) + ") > 0";
  }
  sql +=
      " OR EXISTS (SELECT 1 FROM json_each(t.summary, '$.completions') c "
      "WHERE json_extract(c.value, '$.actor') = ?4)))";
  if (!member.followed_workflows.empty() && !member.organisation.empty()) {
    sql +=
        " OR (e.workflow_id || '@' || e.workflow_version IN (SELECT value FROM json_each(?13))"
        " AND e.id IN (SELECT t.execution_id FROM tasks t WHERE t.organisation = ?3))";
  }
  return sql + ")";
}

// The search's statement. Parameters are numbered by what they hold, so each clause binds its
// own (bind_execution_search) and the cached statement for one shape of filter serves every
// request of that shape.
std::string execution_search_sql(const ExecutionFilter& filter) {
  std::string sql =
      "SELECT id, workflow_id, workflow_version, status, initiator, started_at, updated_at, "
      "next_due FROM executions e WHERE 1";
  if (!filter.workflow_id.empty()) sql += " AND workflow_id = ?1";
  if (!filter.statuses.empty()) {
    sql += " AND status IN (";
    for (size_t i = 0; i < filter.statuses.size(); ++i) {
      sql += (i ? ", ?" : "?") + std::to_string(40 + i);
    }
    sql += ")";
  }
  if (!filter.organisation.empty()) {
    sql += " AND e.id IN (SELECT t.execution_id FROM tasks t WHERE t.organisation = ?2)";
  }
  if (filter.visible_to) sql += member_clause(*filter.visible_to);
  if (filter.started_from) sql += " AND started_at >= ?5";
  if (filter.started_until) sql += " AND started_at < ?6";
  if (filter.finished_from || filter.finished_until) {
    sql += " AND status IN ('succeeded', 'failed', 'cancelled')";
  }
  if (filter.finished_from) sql += " AND updated_at >= ?7";
  if (filter.finished_until) sql += " AND updated_at < ?8";
  if (filter.overdue_at) {
    sql +=
        " AND EXISTS (SELECT 1 FROM tasks t WHERE t.execution_id = e.id AND "
        "t.status = 'open' AND t.due IS NOT NULL AND t.due <= ?9)";
  }
  if (filter.escalated) {
    sql +=
        " AND EXISTS (SELECT 1 FROM tasks t WHERE t.execution_id = e.id AND "
        "t.status = 'open' AND t.level > 0)";
  }
  if (!filter.after_id.empty()) {
    sql += " AND (started_at < ?10 OR (started_at = ?10 AND id < ?11))";
  }
  return sql + " ORDER BY started_at DESC, id DESC LIMIT ?12";
}

// Binds what execution_search_sql numbered. Text is bound without a copy, so `marks` and
// `followed` hold the texts made here for as long as the statement runs.
void bind_execution_search(SqliteStatement& q, const ExecutionFilter& filter,
                           std::vector<std::string>& marks, std::string& followed) {
  if (!filter.workflow_id.empty()) q.bind(1, filter.workflow_id);
  for (size_t i = 0; i < filter.statuses.size(); ++i) {
    q.bind(static_cast<int>(40 + i), to_string(filter.statuses[i]));
  }
  if (!filter.organisation.empty()) q.bind(2, filter.organisation);
  if (filter.visible_to) {
    const ExecutionFilter::Member& member = *filter.visible_to;
    q.bind(3, member.organisation);
    q.bind(4, member.person);
    for (const auto& role : member.roles) marks.push_back(task_role_mark(role));
    for (size_t i = 0; i < marks.size(); ++i) q.bind(static_cast<int>(60 + i), marks[i]);
    if (!member.followed_workflows.empty() && !member.organisation.empty()) {
      followed = nlohmann::json(member.followed_workflows).dump();
      q.bind(13, followed);
    }
  }
  if (filter.started_from) q.bind(5, to_ms(*filter.started_from));
  if (filter.started_until) q.bind(6, to_ms(*filter.started_until));
  if (filter.finished_from) q.bind(7, to_ms(*filter.finished_from));
  if (filter.finished_until) q.bind(8, to_ms(*filter.finished_until));
  if (filter.overdue_at) q.bind(9, to_ms(*filter.overdue_at));
  if (!filter.after_id.empty()) {
    q.bind(10, to_ms(filter.after_started));
    q.bind(11, filter.after_id);
  }
  q.bind(12, static_cast<int64_t>(filter.limit));
}

}  // namespace

Result<std::vector<ExecutionSummary>> SqliteStore::executions(const ExecutionFilter& filter) {
  Reader reader = read_connection();
  SqliteStatement& q = reader.statement(execution_search_sql(filter));
  if (!q.ok()) return Error::io("store: cannot prepare the execution search");
  std::vector<std::string> marks;  // bound as text: outlive the statement's run
  std::string followed;
  bind_execution_search(q, filter, marks, followed);
  std::vector<ExecutionSummary> out;
  for (;;) {
    auto row = q.step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    auto status = stored_execution_status(q.text(3), q.text(0));
    if (!status) return std::move(status).error();
    ExecutionSummary e{q.text(0),
                       q.text(1),
                       q.integer(2),
                       *status,
                       q.text(4),
                       from_ms(q.integer(5)),
                       from_ms(q.integer(6)),
                       std::nullopt};
    if (!q.is_null(7)) e.next_due = from_ms(q.integer(7));
    out.push_back(std::move(e));
  }
  return out;
}

Result<StoreCounts> SqliteStore::counts(TimePoint now) {
  Reader reader = read_connection();
  StoreCounts out;
  {
    SqliteStatement& q =
        reader.statement("SELECT status, COUNT(*) FROM executions GROUP BY status");
    if (!q.ok()) return Error::io("store: cannot prepare the execution count");
    for (;;) {
      auto row = q.step();
      if (!row) return std::move(row).error();
      if (!*row) break;
      auto status = stored_execution_status(q.text(0), "");
      if (!status) return std::move(status).error();
      out.executions[*status] = static_cast<uint64_t>(q.integer(1));
    }
  }
  // Open tasks through their partial index (tasks_open, by due).
  SqliteStatement& q = reader.statement(
      "SELECT COUNT(*), COUNT(due <= ?1 OR NULL) FROM tasks WHERE status = 'open'");
  if (!q.ok()) return Error::io("store: cannot prepare the task count");
  q.bind(1, to_ms(now));
  auto row = q.step();
  if (!row) return std::move(row).error();
  if (*row) {
    out.open_tasks = static_cast<uint64_t>(q.integer(0));
    out.overdue_tasks = static_cast<uint64_t>(q.integer(1));
  }
  return out;
}

Result<std::vector<AuditRecord>> SqliteStore::audit(const std::string& execution_id) {
  const Reader reader = read_connection();
  std::string sql = std::string("SELECT ") + kAuditColumns + " FROM audit";
  if (!execution_id.empty()) sql += " WHERE execution_id = ?1";
  sql += " ORDER BY seq";
  SqliteStatement q(reader.db(), sql);
  if (!execution_id.empty()) q.bind(1, execution_id);
  std::vector<AuditRecord> out;
  for (;;) {
    auto row = q.step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    for (auto& r : expand_audit_entry(read_audit(q))) out.push_back(std::move(r));
  }
  return out;
}

// Streams the whole log in one read transaction, so a concurrent writer cannot make a good
// chain look broken.
Result<AuditVerification> SqliteStore::verify_audit(const std::vector<AuditAnchor>& anchors) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto s = sqlite_exec(db_, "BEGIN"); !s) return std::move(s).error();
  auto v = verify_in_transaction(anchors);
  (void)sqlite_exec(db_, "COMMIT");
  return v;
}

namespace {

// Every row of `sql` (bound to nothing), handed to `fn` until it returns false.
template <typename Fn>
Status each_row(sqlite3* db, const std::string& sql, Fn&& fn) {
  SqliteStatement q(db, sql);
  for (;;) {
    auto row = q.step();
    if (!row) return std::move(row).error();
    if (!*row || !fn(q)) return ok_status();
  }
}

// Tombstones and `purged` entries, per execution: what the verifier accepts as a purge.
Result<std::map<std::string, PurgeEvidence>> read_purge_evidence(sqlite3* db) {
  std::map<std::string, PurgeEvidence> out;
  auto s = each_row(db, "SELECT DISTINCT execution_id FROM tombstones", [&](auto& q) {
    out[q.text(0)].tombstone = true;
    return true;
  });
  if (s) {
    s = each_row(db, "SELECT execution_id, summary FROM audit WHERE type = 'purged' ORDER BY seq",
                 [&](auto& q) {
                   out[q.text(0)].note_purged_entry(q.text(1));
                   return true;
                 });
  }
  if (!s) return std::move(s).error();
  return out;
}

}  // namespace

Result<AuditVerification> SqliteStore::verify_in_transaction(
    const std::vector<AuditAnchor>& anchors) {
  auto purges = read_purge_evidence(db_);
  if (!purges) return std::move(purges).error();
  AuditVerifier verifier(anchors);
  std::set<std::string> legacy;  // executions with entries written before event digests
  auto s = each_row(db_, std::string("SELECT ") + kAuditColumns + " FROM audit ORDER BY seq",
                    [&](auto& q) {
                      AuditRecord r = read_audit(q);
                      if (r.scheme < 2) legacy.insert(r.execution_id);
                      const PurgeEvidence* e = purge_evidence_for(*purges, r.execution_id);
                      return verifier.add(r, e != nullptr && e->covers_redaction());
                    });
  if (!s) return std::move(s).error();
  std::string head;
  s = each_row(db_, "SELECT value FROM meta WHERE key = 'audit_head'", [&](auto& q) {
    head = q.text(0);
    return false;
  });
  if (!s) return std::move(s).error();
  AuditVerification v = verifier.finish(head);
  if (!v.ok) return v;
  if (auto e = verify_events(v, *purges, legacy); !e) return std::move(e).error();
  return v;
}

namespace {

// The audit entries that name events (scheme 2 and later), in order of execution, first event
// and seq (the audit_execution index's order), read along as the events are: at_or_before(x, n)
// is the entry of execution x with the greatest first event at or before n, for calls in
// ascending (x, n).
class EntryCursor {
 public:
  struct Entry {
    std::string execution_id;
    uint64_t event_seq = 0;
    uint64_t seq = 0;
    std::string event_hash;
  };
  explicit EntryCursor(sqlite3* db)
      : q_(db,
           "SELECT execution_id, event_seq, seq, event_hash FROM audit WHERE event_seq > 0 AND "
           "scheme >= 2 ORDER BY execution_id, event_seq, seq") {
    advance();
  }
  // Null when there is none (or reading failed: ok() says).
  const Entry* at_or_before(std::string_view execution, uint64_t event_seq) {
    if (found_ && found_->execution_id != execution) found_.reset();
    while (ready_) {
      const int order = std::string_view(q_.bytes(0)).compare(execution);
      const auto first = static_cast<uint64_t>(q_.integer(1));
      if (order > 0 || (order == 0 && first > event_seq)) break;
      if (order == 0) {
        found_ = Entry{std::string(execution), first, static_cast<uint64_t>(q_.integer(2)),
                       stored_hash(q_, 3)};
      }
      advance();
    }
    return found_ ? &*found_ : nullptr;
  }
  bool ok() const { return status_.ok(); }
  Status status() const { return status_; }

 private:
  void advance() {
    auto row = q_.step();
    if (!row) {
      status_ = std::move(row).error();
      ready_ = false;
      return;
    }
    ready_ = *row;
  }

  SqliteStatement q_;
  bool ready_ = false;
  Status status_ = ok_status();
  std::optional<Entry> found_;
};

}  // namespace

// Events against their entries, both ways, through the (execution_id, event_seq) index: every
// stored event must be named by an entry whose digest it still has (or a purge's), and every
// entry's event must still be stored (or a purge removed it).
Status SqliteStore::verify_events(AuditVerification& v,
                                  const std::map<std::string, PurgeEvidence>& purges,
                                  const std::set<std::string>& legacy) {
  StoredEventCheck check(v, purges, legacy);
  // Each event's entry is the one of its execution with the greatest first event at or before
  // it (the later entry of two with the same first event); whether its digests reach the event
  // is the check's. Both come in order of execution and event, compared as SQLite orders text
  // (bytes, then length), so one pass over each finds it: looked up per event, it cost more than
  // reading the events out of their runs.
  EntryCursor entries(db_);
  auto s = each_row(
      db_,
      "SELECT r.execution_id, e.value ->> 0 AS seq, e.value ->> 1, e.value ->> 2, e.value ->> 3, "
      "e.value ->> 4 FROM event_runs r, json_each(r.events) e ORDER BY r.execution_id, seq",
      [&](auto& q) {
        const std::string_view execution = q.bytes(0);
        const auto seq = static_cast<uint64_t>(q.integer(1));
        const EntryCursor::Entry* entry = entries.at_or_before(execution, seq);
        if (entry == nullptr && !entries.ok()) return false;
        return check.event(std::string(execution), seq, q.integer(2), q.bytes(3), q.bytes(4),
                           q.bytes(5),
                           entry != nullptr ? std::optional<uint64_t>(entry->seq) : std::nullopt,
                           entry != nullptr ? entry->event_seq : 0,
                           entry != nullptr ? entry->event_hash : std::string());
      });
  if (s && !entries.ok()) s = entries.status();
  if (!s || !v.ok) return s;
  // Entries with fewer of their events stored than they record (digests are 32 bytes each, or
  // 64 hex digits in a store older than schema 14), then which of them are gone.
  // Both read only the runs that may hold the events, through the index: the run with the
  // greatest first event at or before the first one wanted, and those that start after it and
  // before the last. The events view would expand every run of the execution for each entry.
  SqliteStatement stored(db_, stored_event_query());
  Status looked = ok_status();
  s = each_row(
      db_,
      "SELECT x.seq, x.execution_id, x.event_seq, x.n FROM (SELECT a.seq, a.execution_id, "
      "a.event_seq, CASE WHEN typeof(a.event_hash) = 'blob' THEN length(a.event_hash) / 32 ELSE "
      "length(a.event_hash) / 64 END AS n FROM audit a WHERE a.event_seq > 0 AND a.scheme >= 2) "
      "AS x WHERE "
      "max(x.n, 1) > (SELECT count(*) FROM event_runs r, json_each(r.events) e WHERE "
      "r.execution_id = x.execution_id AND r.first_seq >= coalesce((SELECT first_seq FROM "
      "event_runs WHERE execution_id = x.execution_id AND first_seq <= x.event_seq ORDER BY "
      "first_seq DESC LIMIT 1), x.event_seq) AND r.first_seq < x.event_seq + max(x.n, 1) AND "
      "e.value ->> 0 >= x.event_seq AND e.value ->> 0 < x.event_seq + max(x.n, 1)) ORDER BY x.seq",
      [&](auto& q) {
        const auto entry = static_cast<uint64_t>(q.integer(0));
        const std::string execution = q.text(1);
        const auto first = static_cast<uint64_t>(q.integer(2));
        const auto count = std::max<uint64_t>(static_cast<uint64_t>(q.integer(3)), 1);
        for (uint64_t seq = first; seq < first + count; ++seq) {
          auto found = stored.bind(1, execution).bind(2, static_cast<int64_t>(seq)).step();
          stored.reset();
          if (!found) {
            looked = std::move(found).error();
            return false;
          }
          if (!*found && !check.missing(entry, execution, seq)) return false;
        }
        return true;
      });
  return s ? looked : s;
}

Result<std::vector<ExecutionRecord>> SqliteStore::finished_executions() {
  std::lock_guard<std::mutex> lock(mutex_);
  SqliteStatement q(db_,
                    std::string("SELECT ") + kExecutionColumns +
                        " FROM executions WHERE status IN ('succeeded', 'failed', 'cancelled') "
                        "ORDER BY started_at, id");
  return read_executions(q);
}

Result<std::vector<Tombstone>> SqliteStore::tombstones(const std::string& execution_id) {
  const Reader reader = read_connection();
  std::string sql = "SELECT execution_id, record_type, workflow, purged_at, policy FROM tombstones";
  if (!execution_id.empty()) sql += " WHERE execution_id = ?1";
  sql += " ORDER BY purged_at, execution_id, record_type";
  SqliteStatement q(reader.db(), sql);
  if (!execution_id.empty()) q.bind(1, execution_id);
  std::vector<Tombstone> out;
  for (;;) {
    auto row = q.step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    out.push_back(Tombstone{q.text(0), q.text(1), q.text(2), q.text(3),
                            nlohmann::json::parse(q.text(4), nullptr, false)});
  }
  return out;
}

Result<std::optional<LegalHold>> SqliteStore::legal_hold(const std::string& execution_id) {
  Reader reader = read_connection();
  SqliteStatement& q = reader.statement(
      "SELECT execution_id, placed_at, placed_by, role, reason, released_at, "
      "released_by FROM legal_holds WHERE execution_id = ?1");
  q.bind(1, execution_id);
  auto row = q.step();
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<LegalHold>();
  return std::optional<LegalHold>(
      LegalHold{q.text(0), q.text(1), q.text(2), q.text(3), q.text(4), q.text(5), q.text(6)});
}

Result<std::vector<LegalHold>> SqliteStore::legal_holds(bool released, size_t limit) {
  Reader reader = read_connection();
  SqliteStatement& q = reader.statement(
      "SELECT execution_id, placed_at, placed_by, role, reason, released_at, released_by FROM "
      "legal_holds WHERE ?1 OR released_at = '' ORDER BY placed_at DESC, execution_id LIMIT ?2");
  q.bind(1, static_cast<int64_t>(released ? 1 : 0));
  q.bind(2, static_cast<int64_t>(limit));
  std::vector<LegalHold> out;
  for (;;) {
    auto row = q.step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    out.push_back(
        LegalHold{q.text(0), q.text(1), q.text(2), q.text(3), q.text(4), q.text(5), q.text(6)});
  }
  return out;
}

Result<std::vector<RetentionNote>> SqliteStore::retention_notes(const std::string& execution_id) {
  const Reader reader = read_connection();
  SqliteStatement q(reader.db(),
                    "SELECT execution_id, record_type, hold, at FROM retention_notes WHERE "
                    "execution_id = ?1 ORDER BY at");
  q.bind(1, execution_id);
  std::vector<RetentionNote> out;
  for (;;) {
    auto row = q.step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    out.push_back(RetentionNote{q.text(0), q.text(1), q.text(2), q.text(3)});
  }
  return out;
}

Result<uint32_t> SqliteStore::interruptions(const std::string& execution_id) {
  Reader reader = read_connection();
  return interruptions_of(reader, execution_id);
}

Result<uint32_t> SqliteStore::interruptions_of(Reader& reader, const std::string& execution_id) {
  SqliteStatement& q = reader.statement("SELECT count FROM interruptions WHERE execution_id = ?1");
  q.bind(1, execution_id);
  auto row = q.step();
  if (!row) return std::move(row).error();
  return *row ? static_cast<uint32_t>(q.integer(0)) : 0u;
}

Result<std::map<std::string, nlohmann::json>> SqliteStore::state_parts(
    const std::string& execution_id) {
  Reader reader = read_connection();
  return state_parts_of(reader, execution_id);
}

Result<std::map<std::string, nlohmann::json>> SqliteStore::state_parts_of(
    Reader& reader, const std::string& execution_id) {
  SqliteStatement& q =
      reader.statement("SELECT key, body FROM state_parts WHERE execution_id = ?1");
  q.bind(1, execution_id);
  std::map<std::string, nlohmann::json> out;
  for (;;) {
    auto row = q.step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    json body = stored_snapshot(q, 1);
    if (body.is_discarded()) {
      return Error::invalid_data("state part " + q.text(0) + " of execution " + execution_id +
                                 " is unreadable (neither MessagePack nor JSON text)");
    }
    out.emplace(q.text(0), std::move(body));
  }
  return out;
}

Result<std::optional<std::string>> SqliteStore::meta(const std::string& key) {
  Reader reader = read_connection();
  SqliteStatement& q = reader.statement("SELECT value FROM meta WHERE key = ?1");
  q.bind(1, key);
  auto row = q.step();
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(q.text(0));
}

uint64_t SqliteStore::size_bytes() {
  if (path_ == ":memory:" || path_.empty()) return 0;
  std::error_code ec;
  uint64_t total = 0;
  for (const char* suffix : {"", "-wal"}) {
    const auto n = std::filesystem::file_size(path_ + suffix, ec);
    if (!ec) total += n;
  }
  return total;
}

Status SqliteStore::checkpoint() {
  std::lock_guard<std::mutex> lock(mutex_);
  return truncate_log();
}

Result<std::string> SqliteStore::integrity_check() {
  std::lock_guard<std::mutex> lock(mutex_);
  SqliteStatement q(db_, "PRAGMA integrity_check");
  auto row = q.step();
  if (!row) return std::move(row).error();
  return q.text(0);
}

namespace {

// A connection of a backup, a check or a restore of its own: closed when it goes.
class BackupConnection {
 public:
  BackupConnection() = default;
  BackupConnection(const BackupConnection&) = delete;
  BackupConnection& operator=(const BackupConnection&) = delete;
  ~BackupConnection() { sqlite3_close(db_); }
  // Opens `path` with `flags`; kIo naming `what` ("store x.db") when it cannot.
  Status open(const std::string& path, int flags, const std::string& what) {
    configure_sqlite();
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc == SQLITE_OK) {
      sqlite3_busy_timeout(db_, 10000);
      return ok_status();
    }
    return Error::io("cannot open " + what + ": " +
                     (db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc)));
  }
  sqlite3* db() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace

// VACUUM INTO runs on a read-only connection: the copy is one snapshot, and the writer, which
// takes no part, goes on committing (readers never block it in WAL mode). The target is created
// here, 0600 and exclusively, since SQLite would create it with the process's umask: a backup
// holds the same restricted data as the store.
Status SqliteStore::backup(const std::string& path, const std::string& file) {
  BackupConnection store;
  if (auto s = store.open(path, SQLITE_OPEN_READONLY, "store " + path); !s) return s;
  sqlite3* db = store.db();
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return Error::conflict("backup " + file + " already exists");
    return Error::io("cannot create backup " + file + ": " + std::strerror(errno));
  }
  ::close(fd);
  SqliteStatement q(db, "VACUUM INTO ?1");
  Status copied = q.ok() ? q.bind(1, file).run() : Status(Error::io(sqlite3_errmsg(db)));
  if (!copied) {
    ::unlink(file.c_str());
    return Error::io("backup of store " + path + " to " + file +
                     " failed: " + copied.error().message());
  }
  return ok_status();
}

Status SqliteStore::check_backup(const std::string& file) {
  BackupConnection backup;
  if (auto s = backup.open(file, SQLITE_OPEN_READONLY, "backup " + file); !s) return s;
  sqlite3* db = backup.db();
  int version = 0;
  {
    SqliteStatement q(db, "PRAGMA user_version");
    auto row = q.step();
    if (!row)
      return Error::invalid_data("backup " + file +
                                 " is not a Coalition store: " + row.error().message());
    version = static_cast<int>(q.integer(0));
  }
  if (version == 0) return Error::invalid_data("backup " + file + " is not a Coalition store");
  if (version > schema_version()) {
    return Error::configuration("backup " + file + " has schema version " +
                                std::to_string(version) +
                                ", written by a newer Coalition; upgrade Coalition to restore it");
  }
  SqliteStatement check(db, "PRAGMA integrity_check");
  auto row = check.step();
  if (!row) return std::move(row).error();
  if (check.text(0) != "ok") {
    return Error::invalid_data("backup " + file + " is damaged: " + check.text(0));
  }
  return ok_status();
}

Status SqliteStore::restore(const std::string& from, const std::string& to) {
  auto fd = open_store_file(to);
  if (!fd) return std::move(fd).error();
  ::close(*fd);
  BackupConnection backup;
  BackupConnection store;
  if (auto s = backup.open(from, SQLITE_OPEN_READONLY, "backup " + from); !s) return s;
  if (auto s = store.open(to, SQLITE_OPEN_READWRITE, "store " + to); !s) return s;
  sqlite3* target = store.db();
  sqlite3_backup* copy = sqlite3_backup_init(target, "main", backup.db(), "main");
  if (copy == nullptr) {
    return Error::io("cannot restore " + from + " to " + to + ": " + sqlite3_errmsg(target));
  }
  const int rc = sqlite3_backup_step(copy, -1);
  sqlite3_backup_finish(copy);
  if (rc != SQLITE_DONE) {
    return Error::io("restoring " + from + " to " + to + " failed: " + sqlite3_errstr(rc));
  }
  // The log now holds the restored pages: fold it in, so the file alone is the store.
  return sqlite_exec(target, "PRAGMA wal_checkpoint(TRUNCATE)");
}

}  // namespace coalition
