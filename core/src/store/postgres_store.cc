#include "store/postgres_store.h"

#include <algorithm>
#include <set>
#include <thread>

#include <spdlog/spdlog.h>

#include "audit/audit_grouping.h"
#include "audit/purge_evidence.h"
#include "common/utc_time.h"
#include "store/pg_connection.h"
#include "store/postgres_migrations.h"
#include "store/store_audit.h"
#include "store/stored_forms.h"

namespace coalition {

using nlohmann::json;

bool is_postgres_url(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

// postgresql://user:secret@host/db?sslmode=require&password=x -> postgresql://user@host/db?
// sslmode=require: the password goes wherever it is, the rest (host, port, parameters) stays. A
// keyword string ("host=... password=...") is named by what it is only.
std::string redacted_postgres_url(std::string_view url) {
  if (!is_postgres_url(url)) return "PostgreSQL database";
  const size_t scheme = url.find("://") + 3;
  const size_t query = url.find('?');
  std::string_view base = url.substr(0, query);
  std::string out(base);
  const size_t at = base.find('@', scheme);
  if (at != std::string_view::npos) {
    const size_t colon = base.find(':', scheme);
    if (colon != std::string_view::npos && colon < at) {
      out = std::string(base.substr(0, colon)) + std::string(base.substr(at));
    }
  }
  if (query == std::string_view::npos) return out;
  std::string kept;
  std::string_view rest = url.substr(query + 1);
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    if (!pair.starts_with("password=") && !pair.empty()) {
      kept += (kept.empty() ? "" : "&") + std::string(pair);
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return kept.empty() ? out : out + "?" + kept;
}

namespace {

TimePoint from_ms(int64_t ms) {
  return TimePoint(std::chrono::milliseconds(ms));
}

std::optional<int64_t> to_ms(const std::optional<TimePoint>& t) {
  if (!t) return std::nullopt;
  return stored_ms(*t);
}

std::optional<TimePoint> optional_time(const PgResult& r, int row, int column) {
  if (r.is_null(row, column)) return std::nullopt;
  return from_ms(r.integer(row, column));
}

// "$1, $2, ... $n".
std::string placeholders(size_t n) {
  std::string out;
  for (size_t i = 1; i <= n; ++i) out += (i > 1 ? ", $" : "$") + std::to_string(i);
  return out;
}

// The names of a comma-separated column list.
std::vector<std::string> column_names(const std::string& columns) {
  std::vector<std::string> names;
  size_t start = 0;
  while (start < columns.size()) {
    size_t end = columns.find(',', start);
    if (end == std::string::npos) end = columns.size();
    std::string name = columns.substr(start, end - start);
    name.erase(0, name.find_first_not_of(' '));
    names.push_back(std::move(name));
    start = end + 1;
  }
  return names;
}

// INSERT of `columns` that replaces every column but those of `key` on a conflict: SQLite's
// INSERT OR REPLACE, without deleting the row.
std::string upsert(const std::string& table, const std::string& columns, const std::string& key) {
  const auto names = column_names(columns);
  const auto keys = column_names(key);
  std::string sql = "INSERT INTO " + table + " (" + columns + ") VALUES (" +
                    placeholders(names.size()) + ") ON CONFLICT (" + key + ") DO UPDATE SET ";
  bool first = true;
  for (const auto& n : names) {
    if (std::find(keys.begin(), keys.end(), n) != keys.end()) continue;
    sql += (first ? "" : ", ") + n + " = excluded." + n;
    first = false;
  }
  return sql;
}

// The parameters of a query built clause by clause: each value added gives its placeholder.
class QueryArgs {
 public:
  std::string text(std::string_view value) {
    params_.text(value);
    return placeholder();
  }
  std::string integer(int64_t value) {
    params_.integer(value);
    return placeholder();
  }
  const PgParams& params() const { return params_; }

 private:
  std::string placeholder() const { return "$" + std::to_string(params_.size()); }
  PgParams params_;
};

// Every row of `q` as `read` reads it, or q's error.
template <typename T, typename Read>
Result<std::vector<T>> rows_of(Result<PgResult> q, Read read) {
  if (!q) return std::move(q).error();
  std::vector<T> out;
  out.reserve(static_cast<size_t>(q->rows()));
  for (int i = 0; i < q->rows(); ++i) out.push_back(read(*q, i));
  return out;
}

constexpr const char* kExecutionColumns =
    "id, workflow_id, workflow_version, status, initiator, started_at, updated_at, next_due, "
    "state, result";

// With `state_bytes`, the state is left there as stored, not decoded (`state` null).
Result<ExecutionRecord> read_execution(const PgResult& q, int row,
                                       std::string* state_bytes = nullptr) {
  ExecutionRecord r;
  r.id = q.text(row, 0);
  r.workflow_id = q.text(row, 1);
  r.workflow_version = q.integer(row, 2);
  auto status = stored_execution_status(q.view(row, 3), r.id);
  if (!status) return std::move(status).error();
  r.status = *status;
  r.initiator = q.text(row, 4);
  r.started_at = from_ms(q.integer(row, 5));
  r.updated_at = from_ms(q.integer(row, 6));
  r.next_due = optional_time(q, row, 7);
  auto state = q.bytes(row, 8);
  if (state && state_bytes != nullptr) {
    *state_bytes = std::move(*state);
  } else {
    r.state = state ? stored_msgpack(*state) : json(json::value_t::discarded);
  }
  auto result = stored_result(q.view(row, 9), r.id);
  if (!result) return std::move(result).error();
  r.result = std::move(*result);
  return r;
}

Result<std::vector<ExecutionRecord>> read_executions(const PgResult& q) {
  std::vector<ExecutionRecord> out;
  out.reserve(static_cast<size_t>(q.rows()));
  for (int i = 0; i < q.rows(); ++i) {
    auto r = read_execution(q, i);
    if (!r) return std::move(r).error();
    out.push_back(std::move(*r));
  }
  return out;
}

constexpr const char* kTaskColumns =
    "id, execution_id, step, status, due, created_at, doc, summary";

Result<TaskRecord> read_task(const PgResult& q, int row) {
  TaskRecord t;
  t.id = q.text(row, 0);
  t.execution_id = q.text(row, 1);
  t.step = q.text(row, 2);
  auto status = stored_task_status(q.view(row, 3), t.id);
  if (!status) return std::move(status).error();
  t.status = *status;
  t.due = optional_time(q, row, 4);
  t.created_at = from_ms(q.integer(row, 5));
  t.doc = task_document(stored_json(q.view(row, 7)), stored_json(q.view(row, 6)));
  return t;
}

constexpr const char* kAuditColumns =
    "seq, at, actor, role, organisation, execution_id, step, type, summary, summary_hash, "
    "prev_hash, hash, scheme, event_seq, event_hash";

std::string stored_digest(const PgResult& q, int row, int column) {
  auto bytes = q.bytes(row, column);
  return bytes ? hex_text(*bytes) : q.text(row, column);
}

AuditRecord read_audit(const PgResult& q, int row) {
  AuditRecord r;
  r.seq = static_cast<uint64_t>(q.integer(row, 0));
  r.at = q.text(row, 1);
  r.actor = q.text(row, 2);
  r.role = q.text(row, 3);
  r.organisation = q.text(row, 4);
  r.execution_id = q.text(row, 5);
  r.step = q.text(row, 6);
  r.type = q.text(row, 7);
  r.summary = q.text(row, 8);
  r.summary_hash = stored_digest(q, row, 9);
  r.prev_hash = stored_digest(q, row, 10);
  r.hash = stored_digest(q, row, 11);
  r.scheme = static_cast<int>(q.integer(row, 12));
  r.event_seq = static_cast<uint64_t>(q.integer(row, 13));
  r.event_hash = stored_digest(q, row, 14);
  return r;
}

// A digest as stored: its 32 bytes (an entry's several events: theirs one after another); an
// empty one (an entry without an event) as no bytes.
Result<std::string> digest_param(std::string_view hex) {
  if (hex.empty()) return std::string();
  auto bytes = digest_list_bytes(hex);
  if (!bytes) return Error::internal("audit: '" + std::string(hex) + "' is not a SHA-256 digest");
  return std::move(*bytes);
}

constexpr const char* kTokenColumns =
    "id, secret_hash, person, organisation, roles, scopes, created_at, created_by, expires_at, "
    "revoked_at";

TokenRecord read_token(const PgResult& q, int row) {
  TokenRecord t;
  t.id = q.text(row, 0);
  t.secret_hash = q.text(row, 1);
  t.person = q.text(row, 2);
  t.organisation = q.text(row, 3);
  t.roles = stored_names(q.view(row, 4));
  t.scopes = stored_names(q.view(row, 5));
  t.created_at = from_ms(q.integer(row, 6));
  t.created_by = q.text(row, 7);
  t.expires_at = optional_time(q, row, 8);
  t.revoked_at = optional_time(q, row, 9);
  return t;
}

constexpr const char* kWebSessionColumns =
    "id, secret_hash, kind, credential, person, organisation, roles, scopes, created_at, "
    "expires_at, ended_at";

constexpr const char* kNotificationColumns =
    "id, execution_id, kind, task, created_at, subject, status, attempts, next_at, last_error, "
    "sent_at, delivery";

NotificationRecord read_notification(const PgResult& q, int row) {
  NotificationRecord n;
  n.id = q.text(row, 0);
  n.execution_id = q.text(row, 1);
  n.kind = parse_notification_kind(q.view(row, 2)).value_or(NotificationKind::kTaskOpened);
  n.task = q.text(row, 3);
  n.created_at = from_ms(q.integer(row, 4));
  n.subject = stored_json(q.view(row, 5));
  n.status = parse_notification_status(q.view(row, 6)).value_or(NotificationStatus::kFailed);
  n.attempts = static_cast<uint32_t>(q.integer(row, 7));
  n.next_at = from_ms(q.integer(row, 8));
  n.last_error = q.text(row, 9);
  n.sent_at = optional_time(q, row, 10);
  n.delivery = stored_json(q.view(row, 11));
  return n;
}

constexpr const char* kScheduleColumns =
    "id, definition, paused, next_at, next_period, last_at, last_period, last_execution, runs, "
    "skipped, last_error, created_at, updated_at";

constexpr const char* kHoldColumns =
    "execution_id, placed_at, placed_by, role, reason, released_at, released_by";

LegalHold read_hold(const PgResult& q, int row) {
  return LegalHold{q.text(row, 0), q.text(row, 1), q.text(row, 2), q.text(row, 3),
                   q.text(row, 4), q.text(row, 5), q.text(row, 6)};
}

// Prepared statements of the writer, by name.
struct Prepared {
  const char* name;
  std::string sql;
};

std::vector<Prepared> writer_statements() {
  return {
      {"find_workflow", "SELECT digest FROM workflows WHERE id = $1 AND version = $2"},
      {"insert_workflow",
       "INSERT INTO workflows (id, version, digest, document) VALUES ($1, $2, $3, $4) "
       "ON CONFLICT (id, version) DO NOTHING"},
      {"upsert_execution",
       std::string("INSERT INTO executions (") + kExecutionColumns + ", owner, fence) VALUES (" +
           placeholders(12) +
           ") ON CONFLICT (id) DO UPDATE SET workflow_version = excluded.workflow_version, "
           "status = excluded.status, updated_at = excluded.updated_at, next_due = "
           "excluded.next_due, state = excluded.state, result = excluded.result, "
           // Failing keeps the last snapshot taken while it ran (retry_point); anything else
           // forgets it.
           "resume_state = CASE WHEN excluded.status <> 'failed' THEN NULL "
           "WHEN executions.status IN ('running', 'waiting') THEN executions.state "
           "ELSE executions.resume_state END "
           // The fence (store/execution_leases.h): only the lease as the writer holds it may
           // rewrite the record — or, without leases, a record nobody ever leased.
           "WHERE executions.owner IS NOT DISTINCT FROM excluded.owner "
           "AND executions.fence = excluded.fence"},
      {"insert_event", "INSERT INTO events (execution_id, seq, at, type, step, data) VALUES (" +
                           placeholders(6) + ")"},
      {"upsert_task", upsert("tasks",
                             "id, execution_id, step, status, due, created_at, doc, "
                             "organisation, roles, level, summary, assignee",
                             "id")},
      {"lock_audit_head", "SELECT seq, hash, at FROM audit_head FOR UPDATE"},
      {"insert_audit",
       std::string("INSERT INTO audit (") + kAuditColumns + ") VALUES (" + placeholders(15) + ")"},
      {"put_audit_head", "UPDATE audit_head SET seq = $1, hash = $2, at = $3"},
      {"put_meta", upsert("meta", "key, value", "key")},
      {"drop_interruptions", "DELETE FROM interruptions WHERE execution_id = $1"},
      {"put_interruptions", upsert("interruptions", "execution_id, count", "execution_id")},
      {"drop_parts",
       "DELETE FROM state_parts WHERE execution_id = $1 AND left(key, length($2)) = $2"},
      {"put_part", upsert("state_parts", "execution_id, key, body", "execution_id, key")},
  };
}

// The advisory lock two nodes starting at once take around their migrations.
constexpr int64_t kMigrationLock = 0x436f616c6974696f;  // "Coalitio"
// The duty lock's (PostgresStore::take_duty_lock).
constexpr int64_t kDutyLock = kMigrationLock + 1;
// How often a transaction PostgreSQL undid (a deadlock, a serialization failure) is written.
constexpr int kUndoneTransactionTries = 4;

}  // namespace

PostgresStore::PostgresStore(std::string url, std::unique_ptr<PgConnection> writer)
    : url_(std::move(url)), name_(redacted_postgres_url(url_)), writer_(std::move(writer)) {}

PostgresStore::~PostgresStore() = default;

int PostgresStore::schema_version() {
  return static_cast<int>(postgres_migrations().size());
}

Result<std::unique_ptr<PostgresStore>> PostgresStore::open(const PostgresOptions& options) {
  auto writer = PgConnection::open(options.url);
  if (!writer) {
    return Error::io("store " + redacted_postgres_url(options.url) + ": " +
                     writer.error().message());
  }
  std::unique_ptr<PostgresStore> store(new PostgresStore(options.url, std::move(*writer)));
  if (auto s = store->migrate(); !s) return std::move(s).error();
  if (auto s = store->prepare_writer(); !s) return std::move(s).error();
  return store;
}

// Migrations run in one transaction, under an advisory lock, so two nodes starting together
// migrate once and a failure leaves the previous version.
Status PostgresStore::migrate() {
  PgConnection& c = *writer_;
  if (auto s = c.exec("BEGIN"); !s) return s;
  auto done = [&](Status s) {
    if (!s) {
      (void)c.exec("ROLLBACK");
      return s;
    }
    return c.exec("COMMIT");
  };
  if (auto s = c.query("SELECT pg_advisory_xact_lock($1)", PgParams().integer(kMigrationLock));
      !s) {
    return done(std::move(s).error());
  }
  if (auto s = c.exec("CREATE TABLE IF NOT EXISTS coalition_schema (version integer NOT NULL)");
      !s) {
    return done(std::move(s));
  }
  auto row = c.query("SELECT version FROM coalition_schema");
  if (!row) return done(std::move(row).error());
  const int current = row->rows() > 0 ? static_cast<int>(row->integer(0, 0)) : 0;
  const int known = schema_version();
  if (current > known) {
    return done(Error::configuration(
        "store " + name_ + " has schema version " + std::to_string(current) +
        ", written by a newer Coalition; this build understands versions up to " +
        std::to_string(known) + ". Upgrade Coalition to open it."));
  }
  for (int v = current; v < known; ++v) {
    if (auto s = c.exec(postgres_migrations()[static_cast<size_t>(v)]); !s) {
      return done(Error::io("store " + name_ + ": migration to schema version " +
                            std::to_string(v + 1) + " failed: " + s.error().message()));
    }
  }
  if (current != known) {
    auto put = c.query(current == 0 ? "INSERT INTO coalition_schema (version) VALUES ($1)"
                                    : "UPDATE coalition_schema SET version = $1",
                       PgParams().integer(known));
    if (!put) return done(std::move(put).error());
  }
  return done(ok_status());
}

Result<bool> PostgresStore::take_duty_lock() {
  std::lock_guard<std::mutex> lock(duty_mutex_);
  if (duty_ && duty_held_) {
    if (duty_->query("SELECT 1")) return true;
    duty_.reset();  // the server ended it, and the lock with it: another node may hold it now
    duty_held_ = false;
  }
  if (!duty_ || !duty_->alive()) {
    auto c = PgConnection::open(url_);
    if (!c) return Error::io("store " + name_ + ": " + c.error().message());
    duty_ = std::move(*c);
  }
  auto got = duty_->query("SELECT pg_try_advisory_lock($1)", PgParams().integer(kDutyLock));
  if (!got) return std::move(got).error();
  duty_held_ = got->boolean(0, 0);
  return duty_held_;
}

// The writer's session: every commit waits for its flush (synchronous_commit may be off on the
// server), and its statements are parsed once.
Status PostgresStore::prepare_writer() {
  if (auto s = writer_->exec("SET synchronous_commit = on"); !s) return s;
  for (const auto& p : writer_statements()) {
    if (auto s = writer_->prepare(p.name, p.sql); !s) {
      return Error::io("store " + name_ + ": " + s.error().message());
    }
  }
  return ok_status();
}

Status PostgresStore::ensure_writer() {
  if (writer_ && writer_->alive()) {
    // Left inside a transaction (a write that threw): its half is never committed by the next.
    if (writer_->in_transaction()) (void)writer_->exec("ROLLBACK");
    return ok_status();
  }
  auto connection = PgConnection::open(url_);
  if (!connection) return Error::io("store " + name_ + ": " + connection.error().message());
  writer_ = std::move(*connection);
  if (auto s = prepare_writer(); !s) {
    writer_.reset();  // connected again, and prepared again, next time
    return s;
  }
  return ok_status();
}

PostgresStore::Reader::Reader(PostgresStore* store, std::unique_ptr<PgConnection> connection)
    : store_(store), connection_(std::move(connection)) {}

PostgresStore::Reader::~Reader() {
  if (store_ == nullptr || !connection_ || !connection_->alive()) return;
  if (connection_->in_transaction() && !connection_->exec("ROLLBACK")) return;
  std::lock_guard<std::mutex> lock(store_->pool_mutex_);
  store_->idle_.push_back(std::move(connection_));
}

Result<PostgresStore::Reader> PostgresStore::reader() {
  {
    std::lock_guard<std::mutex> lock(pool_mutex_);
    while (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      if (c->alive()) return Reader(this, std::move(c));
    }
  }
  auto c = PgConnection::open(url_);
  if (!c) return Error::io("store " + name_ + ": " + c.error().message());
  return Reader(this, std::move(*c));
}

// A read changes nothing, so it may always be repeated: when the pooled connection it ran on
// turns out closed (a server restart ended it while it sat in the pool), once more on a new one.
template <typename T, typename Fn>
Result<T> PostgresStore::on_reader(Fn&& read) {
  for (int attempt = 0;; ++attempt) {
    auto r = reader();
    if (!r) return std::move(r).error();
    Result<T> out = read(**r);
    if (out || attempt > 0 || (*r)->alive()) return out;
  }
}

Result<PgResult> PostgresStore::read(const std::string& sql, const PgParams& params) {
  return on_reader<PgResult>([&](PgConnection& c) { return c.query(sql, params); });
}

Result<PgResult> PostgresStore::read(const std::string& sql) {
  return read(sql, PgParams());
}

template <typename T, typename Fn>
Result<T> PostgresStore::in_snapshot(Fn&& read) {
  return on_reader<T>([&](PgConnection& c) -> Result<T> {
    if (auto s = c.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !s) {
      return std::move(s).error();
    }
    Result<T> out = read(c);
    if (auto s = c.exec("COMMIT"); !s) (void)c.exec("ROLLBACK");
    return out;
  });
}

Status PostgresStore::commit(const StoreBatch& batch) {
  if (batch.empty()) return ok_status();
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto s = ensure_writer(); !s) return s;
  for (int attempt = 1;; ++attempt) {
    Status written = writer_->exec("BEGIN");
    if (!written && !writer_->alive()) {
      // Closed while idle (a server restart): nothing was sent, so the batch goes on a new one.
      if (auto s = ensure_writer(); !s) return s;
      written = writer_->exec("BEGIN");
    }
    if (written) written = write(batch);
    if (written) written = writer_->exec("COMMIT");
    if (written) return written;
    if (!writer_->alive()) return written;
    const std::string state = writer_->last_state();
    (void)writer_->exec("ROLLBACK");
    // Another node's transaction on the same rows: PostgreSQL chose this one to undo whole, so
    // the batch is written again as it was (a few times: each try waits out the other).
    if ((state != kPgDeadlockDetected && state != kPgSerializationFailure) ||
        attempt == kUndoneTransactionTries) {
      return written;
    }
    spdlog::info("store {}: PostgreSQL undid a transaction (SQLSTATE {}), writing it again", name_,
                 state);
  }
}

// PostgreSQL flushed the transaction before COMMIT returned (synchronous_commit on).
Status PostgresStore::sync() {
  return ok_status();
}

Status PostgresStore::write(const StoreBatch& batch) {
  if (auto s = write_workflows(batch); !s) return s;
  if (auto s = write_executions(batch); !s) return s;
  const BatchEventDigests digests(batch.events);
  if (auto s = write_events(batch); !s) return s;
  if (auto s = write_retention(batch); !s) return s;
  if (auto s = write_parts(batch); !s) return s;
  if (auto s = write_credentials(batch); !s) return s;
  if (auto s = write_notifications(batch); !s) return s;
  if (auto s = write_tasks(batch); !s) return s;
  for (const auto& [key, value] : batch.meta) {
    if (auto s = writer_->run("put_meta", PgParams().text(key).text(value)); !s) {
      return std::move(s).error();
    }
  }
  // Last: the head's lock is held from here to the commit, and other nodes' entries wait on it.
  return write_audit(batch, digests);
}

// A definition is immutable once registered: the same one again is nothing, another one under
// a used id and version is refused. Inserted first and compared after: two nodes registering one
// workflow at once (their first starts of it) both succeed — the second insert waits for the
// first's transaction and then does nothing — where a look before the insert let both miss and
// one fail on the key.
Status PostgresStore::write_workflows(const StoreBatch& batch) {
  for (const auto& w : batch.workflows) {
    auto put =
        writer_->run("insert_workflow",
                     PgParams().text(w.id).integer(w.version).text(w.digest).text(w.document));
    if (!put) return std::move(put).error();
    if (put->affected() > 0) continue;
    auto found = writer_->run("find_workflow", PgParams().text(w.id).integer(w.version));
    if (!found) return std::move(found).error();
    if (found->rows() > 0 && found->view(0, 0) != w.digest) {
      return Error::conflict("workflow " + w.id + " version " + std::to_string(w.version) +
                             " is already registered with a different definition; "
                             "definitions are immutable once used: give the change a new "
                             "version");
    }
  }
  return ok_status();
}

Status PostgresStore::write_executions(const StoreBatch& batch) {
  std::map<std::string_view, const ExecutionFence*> fences;
  for (const auto& f : batch.fences) fences.emplace(f.execution_id, &f);
  // Rows are locked in the order of their ids on every node, so that two nodes' transactions
  // touching the same executions (a stale copy's write beside its new owner's) wait for one
  // another instead of deadlocking.
  std::vector<const ExecutionRecord*> in_order;
  in_order.reserve(batch.executions.size());
  for (const auto& e : batch.executions) in_order.push_back(&e);
  // Stable: two drains of one execution in one batch are written in the order they were made,
  // the later snapshot last.
  std::stable_sort(
      in_order.begin(), in_order.end(),
      [](const ExecutionRecord* a, const ExecutionRecord* b) { return a->id < b->id; });
  for (const ExecutionRecord* record : in_order) {
    const ExecutionRecord& e = *record;
    const auto fence = fences.find(e.id);
    const ExecutionFence* lease = fence == fences.end() ? nullptr : fence->second;
    PgParams p;
    p.text(e.id)
        .text(e.workflow_id)
        .integer(e.workflow_version)
        .text(to_string(e.status))
        .text(e.initiator)
        .integer(stored_ms(e.started_at))
        .integer(stored_ms(e.updated_at))
        .integer(to_ms(e.next_due))
        .bytes(e.state_encoded.empty() ? encode_snapshot(e.state) : e.state_encoded)
        .text(e.result_encoded.empty() ? encode_result(e.result) : e.result_encoded);
    if (lease != nullptr) {
      p.text(lease->node).integer(static_cast<int64_t>(lease->fence));
    } else {
      p.null().integer(int64_t{0});
    }
    auto written = writer_->run("upsert_execution", p);
    if (!written) return std::move(written).error();
    if (written->affected() == 0) {
      return Error::conflict("store " + name_ + ": execution " + e.id +
                             (lease != nullptr
                                  ? " was claimed by another engine node; this node's work on "
                                    "it is not written"
                                  : " is leased to an engine node; only that node writes it"))
          .with_reason(ErrorReason::kLeaseMoved);
    }
  }
  return ok_status();
}

Status PostgresStore::write_events(const StoreBatch& batch) {
  for (const auto& e : batch.events) {
    const std::string& text = e.event.payload;
    PgParams p;
    p.text(e.execution_id)
        .integer(static_cast<int64_t>(e.event.seq))
        .integer(stored_ms(e.event.at))
        .text(to_string(e.event.type))
        .text(e.event.step)
        .text(text);
    if (auto s = writer_->run("insert_event", p); !s) return std::move(s).error();
  }
  return ok_status();
}

Status PostgresStore::write_tasks(const StoreBatch& batch) {
  for (const auto& t : batch.tasks) {
    PgParams p;
    p.text(t.id)
        .text(t.execution_id)
        .text(t.step)
        .text(to_string(t.status))
        .integer(to_ms(t.due))
        .integer(stored_ms(t.created_at))
        .text(t.form_encoded.empty() ? encode_task_form(t) : t.form_encoded)
        .text(t.doc.value("organisation", ""))
        .text(task_roles_key(t.doc))
        .integer(t.doc.value("level", int64_t{0}))
        .text(t.summary_encoded.empty() ? encode_task_summary(t) : t.summary_encoded)
        .text(t.doc.value("assignee", ""));
    if (auto s = writer_->run("upsert_task", p); !s) return std::move(s).error();
  }
  return ok_status();
}

Status PostgresStore::write_audit(const StoreBatch& batch, const BatchEventDigests& digests) {
  if (batch.audit.empty()) return ok_status();
  auto head = writer_->run("lock_audit_head", {});
  if (!head) return std::move(head).error();
  if (head->rows() != 1) return Error::io("store " + name_ + ": the audit chain has no head row");
  AuditTail tail;
  tail.seq = static_cast<uint64_t>(head->integer(0, 0));
  tail.hash = stored_digest(*head, 0, 1);
  if (tail.seq > 0) tail.at = parse_utc(head->text(0, 2));
  auto s = seal_batch_audit(
      batch.audit, digests, tail,
      [this](const AuditDraft& draft, uint64_t seq, const AuditSeal& seal, std::string_view prev,
             std::string_view event_hash) -> Status {
        auto summary = digest_param(seal.summary_hash);
        auto previous = digest_param(prev);
        auto entry = digest_param(seal.hash);
        auto event = digest_param(event_hash);
        for (const auto* d : {&summary, &previous, &entry, &event}) {
          if (!*d) return d->error();
        }
        PgParams p;
        p.integer(static_cast<int64_t>(seq))
            .text(seal.at)
            .text(draft.actor)
            .text(draft.role)
            .text(draft.organisation)
            .text(draft.execution_id)
            .text(draft.step)
            .text(draft.type)
            .text(draft.summary)
            .bytes(*summary)
            .bytes(*previous)
            .bytes(*entry)
            .integer(int64_t{kAuditScheme})
            .integer(static_cast<int64_t>(draft.event_seq))
            .bytes(*event);
        auto put = writer_->run("insert_audit", p);
        if (!put) return std::move(put).error();
        return ok_status();
      },
      // Several nodes commit in an order their clocks need not share.
      LateEntries::kSealedAtHead);
  if (!s) return s;
  auto hash = digest_param(tail.hash);
  if (!hash) return std::move(hash).error();
  auto put = writer_->run(
      "put_audit_head",
      PgParams().integer(static_cast<int64_t>(tail.seq)).bytes(*hash).text(format_utc(*tail.at)));
  if (!put) return std::move(put).error();
  return ok_status();
}

Status PostgresStore::write_parts(const StoreBatch& batch) {
  for (const auto& d : batch.part_drops) {
    if (auto s = writer_->run("drop_parts", PgParams().text(d.execution_id).text(d.prefix)); !s) {
      return std::move(s).error();
    }
  }
  for (const auto& p : batch.parts) {
    PgParams params;
    params.text(p.execution_id)
        .text(p.key)
        .bytes(p.body_encoded.empty() ? encode_snapshot(p.body) : p.body_encoded);
    if (auto s = writer_->run("put_part", params); !s) return std::move(s).error();
  }
  return ok_status();
}

// Rare rows (a token made or revoked, a person seen, a sign-in): statements parsed when needed.
Status PostgresStore::write_credentials(const StoreBatch& batch) {
  PgConnection& c = *writer_;
  for (const auto& t : batch.tokens) {
    PgParams p;
    p.text(t.id)
        .text(t.secret_hash)
        .text(t.person)
        .text(t.organisation)
        .text(names_text(t.roles))
        .text(names_text(t.scopes))
        .integer(stored_ms(t.created_at))
        .text(t.created_by)
        .integer(to_ms(t.expires_at))
        .integer(to_ms(t.revoked_at));
    if (auto s = c.query(upsert("api_tokens", kTokenColumns, "id"), p); !s) {
      return std::move(s).error();
    }
  }
  for (const auto& person : batch.people) {
    PgParams p;
    p.text(person.person)
        .text(person.organisation)
        .text(names_text(person.roles))
        .text(person.identity)
        .integer(stored_ms(person.seen_at));
    if (auto s = c.query(upsert("people", "person, organisation, roles, identity, seen_at",
                                "person, organisation"),
                         p);
        !s) {
      return std::move(s).error();
    }
  }
  if (batch.web_sessions_expired_before) {
    if (auto s = c.query("DELETE FROM web_sessions WHERE expires_at < $1",
                         PgParams().integer(stored_ms(*batch.web_sessions_expired_before)));
        !s) {
      return std::move(s).error();
    }
  }
  for (const auto& w : batch.web_sessions) {
    PgParams p;
    p.text(w.id)
        .text(w.secret_hash)
        .text(w.kind == WebSessionKind::kOidc ? "oidc" : "token")
        .text(w.credential)
        .text(w.person)
        .text(w.organisation)
        .text(names_text(w.roles))
        .text(names_text(w.scopes))
        .integer(stored_ms(w.created_at))
        .integer(stored_ms(w.expires_at))
        .integer(to_ms(w.ended_at));
    if (auto s = c.query(upsert("web_sessions", kWebSessionColumns, "id"), p); !s) {
      return std::move(s).error();
    }
  }
  return ok_status();
}

Status PostgresStore::write_notifications(const StoreBatch& batch) {
  PgConnection& c = *writer_;
  for (const auto& n : batch.notifications) {
    PgParams p;
    p.text(n.id)
        .text(n.execution_id)
        .text(to_string(n.kind))
        .text(n.task)
        .integer(stored_ms(n.created_at))
        .text(n.subject.dump())
        .text(to_string(n.status))
        .integer(int64_t{n.attempts})
        .integer(stored_ms(n.next_at))
        .text(n.last_error)
        .integer(to_ms(n.sent_at))
        .text(n.delivery.dump());
    if (auto s = c.query(std::string("INSERT INTO notifications (") + kNotificationColumns +
                             ") VALUES (" + placeholders(12) + ") ON CONFLICT (id) DO NOTHING",
                         p);
        !s) {
      return std::move(s).error();
    }
  }
  for (const auto& r : batch.schedules) {
    PgParams p;
    p.text(r.id)
        .text(r.definition.dump())
        .boolean(r.paused)
        .integer(stored_ms(r.next_at))
        .text(r.next_period)
        .integer(to_ms(r.last_at))
        .text(r.last_period)
        .text(r.last_execution)
        .integer(static_cast<int64_t>(r.runs))
        .integer(static_cast<int64_t>(r.skipped))
        .text(r.last_error)
        .integer(stored_ms(r.created_at))
        .integer(stored_ms(r.updated_at));
    if (auto s = c.query(upsert("schedules", kScheduleColumns, "id"), p); !s) {
      return std::move(s).error();
    }
  }
  for (const auto& n : batch.notification_updates) {
    PgParams p;
    p.text(n.id)
        .text(to_string(n.status))
        .integer(int64_t{n.attempts})
        .integer(stored_ms(n.next_at))
        .text(n.last_error)
        .integer(to_ms(n.sent_at))
        .text(n.delivery.dump());
    if (auto s = c.query("UPDATE notifications SET status = $2, attempts = $3, next_at = $4, "
                         "last_error = $5, sent_at = $6, delivery = $7 WHERE id = $1",
                         p);
        !s) {
      return std::move(s).error();
    }
  }
  return ok_status();
}

Status PostgresStore::write_retention(const StoreBatch& batch) {
  PgConnection& c = *writer_;
  for (const auto& r : batch.redactions) {
    if (auto s = write_redaction(r); !s) return s;
  }
  for (const auto& t : batch.tombstones) {
    PgParams p;
    p.text(t.execution_id)
        .text(t.record_type)
        .text(t.workflow)
        .text(t.purged_at)
        .text(t.policy.dump());
    if (auto s = c.query("INSERT INTO tombstones (execution_id, record_type, workflow, "
                         "purged_at, policy) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                         p);
        !s) {
      return std::move(s).error();
    }
  }
  for (const auto& h : batch.holds) {
    PgParams p;
    p.text(h.execution_id)
        .text(h.placed_at)
        .text(h.placed_by)
        .text(h.role)
        .text(h.reason)
        .text(h.released_at)
        .text(h.released_by);
    if (auto s = c.query(upsert("legal_holds", kHoldColumns, "execution_id"), p); !s) {
      return std::move(s).error();
    }
  }
  for (const auto& [execution_id, count] : batch.interruptions) {
    auto s = count == 0 ? c.run("drop_interruptions", PgParams().text(execution_id))
                        : c.run("put_interruptions",
                                PgParams().text(execution_id).integer(int64_t{count}));
    if (!s) return std::move(s).error();
  }
  for (const auto& n : batch.retention_notes) {
    PgParams p;
    p.text(n.execution_id).text(n.record_type).text(n.hold).text(n.at);
    if (auto s = c.query("INSERT INTO retention_notes (execution_id, record_type, hold, at) "
                         "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                         p);
        !s) {
      return std::move(s).error();
    }
  }
  return ok_status();
}

// As SqliteStore::write_redaction: whatever a purge removes, the snapshot a retry would go back
// to and the notifications naming the tasks go with it. PostgreSQL keeps old row versions until
// VACUUM; the docs tell operators to run it (autovacuum does) after purges.
Status PostgresStore::write_redaction(const Redaction& r) {
  PgConnection& c = *writer_;
  std::vector<std::string> statements = {"UPDATE executions SET resume_state = NULL WHERE id = $1",
                                         "DELETE FROM state_parts WHERE execution_id = $1",
                                         "DELETE FROM notifications WHERE execution_id = $1"};
  if (r.everything) {
    statements.insert(
        statements.end(),
        {"DELETE FROM events WHERE execution_id = $1", "DELETE FROM tasks WHERE execution_id = $1",
         "UPDATE audit SET summary = '' WHERE execution_id = $1 AND type NOT IN "
         "('purged', 'purge_skipped', 'legal_hold_placed', "
         "'legal_hold_released', 'exported')"});
  }
  for (const auto& sql : statements) {
    if (auto s = c.query(sql, PgParams().text(r.execution_id)); !s) return std::move(s).error();
  }
  for (uint64_t seq : r.delete_events) {
    if (auto s = c.query("DELETE FROM events WHERE execution_id = $1 AND seq = $2",
                         PgParams().text(r.execution_id).integer(static_cast<int64_t>(seq)));
        !s) {
      return std::move(s).error();
    }
  }
  for (const auto& [seq, text] : r.rewrite_events) {
    if (auto s =
            c.query("UPDATE events SET data = $3 WHERE execution_id = $1 AND seq = $2",
                    PgParams().text(r.execution_id).integer(static_cast<int64_t>(seq)).text(text));
        !s) {
      return std::move(s).error();
    }
  }
  for (const auto& id : r.delete_tasks) {
    if (auto s = c.query("DELETE FROM tasks WHERE id = $1", PgParams().text(id)); !s) {
      return std::move(s).error();
    }
  }
  for (uint64_t seq : r.redact_audit) {
    if (auto s = c.query("UPDATE audit SET summary = '' WHERE seq = $1",
                         PgParams().integer(static_cast<int64_t>(seq)));
        !s) {
      return std::move(s).error();
    }
  }
  if (r.state) {
    if (auto s = c.query("UPDATE executions SET state = $2, resume_state = NULL WHERE id = $1",
                         PgParams().text(r.execution_id).bytes(encode_snapshot(*r.state)));
        !s) {
      return std::move(s).error();
    }
  }
  if (r.result) {
    if (auto s = c.query("UPDATE executions SET result = $2 WHERE id = $1",
                         PgParams().text(r.execution_id).text(encode_result(*r.result)));
        !s) {
      return std::move(s).error();
    }
  }
  return ok_status();
}

// Reads.

Result<std::optional<WorkflowRecord>> PostgresStore::workflow(const std::string& id,
                                                              int64_t version) {
  auto q = read("SELECT digest, document FROM workflows WHERE id = $1 AND version = $2",
                PgParams().text(id).integer(version));
  if (!q) return std::move(q).error();
  if (q->rows() == 0) return std::optional<WorkflowRecord>();
  return std::optional<WorkflowRecord>(WorkflowRecord{id, version, q->text(0, 0), q->text(0, 1)});
}

Result<std::vector<WorkflowRecord>> PostgresStore::workflows() {
  auto q = read("SELECT id, version, digest, document FROM workflows ORDER BY id, version");
  return rows_of<WorkflowRecord>(std::move(q), [](const PgResult& r, int i) {
    return WorkflowRecord{r.text(i, 0), r.integer(i, 1), r.text(i, 2), r.text(i, 3)};
  });
}

Result<std::optional<ExecutionRecord>> PostgresStore::execution_on(PgConnection& c,
                                                                   const std::string& id,
                                                                   std::string* state_bytes) {
  auto q = c.query(std::string("SELECT ") + kExecutionColumns + " FROM executions WHERE id = $1",
                   PgParams().text(id));
  if (!q) return std::move(q).error();
  if (q->rows() == 0) return std::optional<ExecutionRecord>();
  auto record = read_execution(*q, 0, state_bytes);
  if (!record) return std::move(record).error();
  return std::optional<ExecutionRecord>(std::move(*record));
}

Result<std::optional<ExecutionRecord>> PostgresStore::execution(const std::string& id) {
  return on_reader<std::optional<ExecutionRecord>>(
      [&](PgConnection& c) { return execution_on(c, id); });
}

Result<std::optional<StoredExecution>> PostgresStore::stored_execution(const std::string& id) {
  return in_snapshot<std::optional<StoredExecution>>(
      [&](PgConnection& c) -> Result<std::optional<StoredExecution>> {
        std::string state;
        auto record = execution_on(c, id, &state);
        if (!record) return std::move(record).error();
        if (!*record) return std::optional<StoredExecution>();
        auto stops = interruptions_on(c, id);
        if (!stops) return std::move(stops).error();
        auto parts = state_parts_on(c, id);
        if (!parts) return std::move(parts).error();
        return std::optional<StoredExecution>(
            StoredExecution{std::move(**record), *stops, std::move(*parts), std::move(state)});
      });
}

Result<std::optional<json>> PostgresStore::retry_point(const std::string& id) {
  auto q = read(
      "SELECT resume_state FROM executions WHERE id = $1 AND status = 'failed' AND "
      "resume_state IS NOT NULL",
      PgParams().text(id));
  if (!q) return std::move(q).error();
  if (q->rows() == 0) return std::optional<json>();
  auto bytes = q->bytes(0, 0);
  json state = bytes ? stored_msgpack(*bytes) : json(json::value_t::discarded);
  if (!state.is_object()) return Error::io("store: the retry point of " + id + " is unreadable");
  return std::optional<json>(std::move(state));
}

Result<std::vector<ExecutionRecord>> PostgresStore::executions_where(const std::string& clause) {
  auto q = read(std::string("SELECT ") + kExecutionColumns + " FROM executions " + clause);
  if (!q) return std::move(q).error();
  return read_executions(*q);
}

Result<std::vector<ExecutionRecord>> PostgresStore::active_executions() {
  return executions_where("WHERE status IN ('running', 'waiting') ORDER BY started_at, id");
}

Result<std::vector<ExecutionRecord>> PostgresStore::finished_executions() {
  return executions_where(
      "WHERE status IN ('succeeded', 'failed', 'cancelled') ORDER BY started_at, id");
}

Result<std::vector<ExecutionRecord>> PostgresStore::recent_executions(size_t limit) {
  return executions_where("ORDER BY started_at DESC, id DESC LIMIT " + std::to_string(limit));
}

Result<std::vector<Event>> PostgresStore::history(const std::string& execution_id) {
  auto q = read("SELECT seq, at, type, step, data FROM events WHERE execution_id = $1 ORDER BY seq",
                PgParams().text(execution_id));
  if (!q) return std::move(q).error();
  std::vector<Event> out;
  out.reserve(static_cast<size_t>(q->rows()));
  for (int i = 0; i < q->rows(); ++i) {
    auto type = parse_event_type(q->view(i, 2));
    if (!type) {
      return Error::invalid_data("store " + name_ + ": execution " + execution_id + " event " +
                                 q->text(i, 0) + " has unknown type '" + q->text(i, 2) + "'");
    }
    out.push_back(Event{static_cast<uint64_t>(q->integer(i, 0)), from_ms(q->integer(i, 1)), *type,
                        q->text(i, 3), q->text(i, 4)});
  }
  return out;
}

Result<std::map<EventType, size_t>> PostgresStore::event_counts(const std::string& execution_id) {
  auto q = read("SELECT type, count(*) FROM events WHERE execution_id = $1 GROUP BY type",
                PgParams().text(execution_id));
  if (!q) return std::move(q).error();
  std::map<EventType, size_t> out;
  for (int i = 0; i < q->rows(); ++i) {
    auto type = parse_event_type(q->view(i, 0));
    if (!type) {
      return Error::invalid_data("store " + name_ + ": execution " + execution_id +
                                 " has events of unknown type '" + q->text(i, 0) + "'");
    }
    out[*type] = static_cast<size_t>(q->integer(i, 1));
  }
  return out;
}

Result<std::optional<TaskRecord>> PostgresStore::task(const std::string& id) {
  auto q = read(std::string("SELECT ") + kTaskColumns + " FROM tasks WHERE id = $1",
                PgParams().text(id));
  if (!q) return std::move(q).error();
  if (q->rows() == 0) return std::optional<TaskRecord>();
  auto task = read_task(*q, 0);
  if (!task) return std::move(task).error();
  return std::optional<TaskRecord>(std::move(*task));
}

Result<std::vector<TaskRecord>> PostgresStore::tasks(const TaskFilter& filter) {
  QueryArgs a;
  std::string sql = std::string("SELECT ") + kTaskColumns + " FROM tasks WHERE true";
  if (filter.open_only) sql += " AND status = 'open'";
  if (!filter.execution_id.empty()) sql += " AND execution_id = " + a.text(filter.execution_id);
  if (!filter.organisation.empty()) sql += " AND organisation = " + a.text(filter.organisation);
  if (!filter.assignee.empty()) sql += " AND assignee = " + a.text(filter.assignee);
  if (!filter.role.empty())
    sql += " AND strpos(roles, " + a.text(task_role_mark(filter.role)) + ") > 0";
  if (filter.due_before) sql += " AND due < " + a.integer(stored_ms(*filter.due_before));
  if (filter.due_by) sql += " AND due <= " + a.integer(stored_ms(*filter.due_by));
  sql += " ORDER BY due IS NULL, due, created_at, id";
  auto q = read(sql, a.params());
  if (!q) return std::move(q).error();
  std::vector<TaskRecord> out;
  for (int i = 0; i < q->rows(); ++i) {
    auto t = read_task(*q, i);
    if (!t) return std::move(t).error();
    out.push_back(std::move(*t));
  }
  return out;
}

Result<std::vector<InboxEntry>> PostgresStore::inbox(const InboxFilter& filter) {
  QueryArgs a;
  std::string sql =
      "SELECT id, due, summary FROM tasks WHERE status = 'open' AND organisation IN (''," +
      a.text(filter.organisation) + ") AND (roles = ''";
  for (const auto& role : filter.roles) {
    sql += " OR strpos(roles, " + a.text(task_role_mark(role)) + ") > 0";
  }
  sql += ")";
  if (!filter.person.empty()) sql += " AND assignee IN ('', " + a.text(filter.person) + ")";
  if (filter.due_before) sql += " AND due < " + a.integer(stored_ms(*filter.due_before));
  if (filter.due_by) sql += " AND due <= " + a.integer(stored_ms(*filter.due_by));
  if (filter.escalated) sql += " AND level > 0";
  if (!filter.after_id.empty()) {
    const std::string id = a.text(filter.after_id);
    if (filter.after_due) {
      const std::string due = a.integer(stored_ms(*filter.after_due));
      sql += " AND (due IS NULL OR due > " + due + " OR (due = " + due + " AND id > " + id + "))";
    } else {
      sql += " AND due IS NULL AND id > " + id;
    }
  }
  sql += " ORDER BY due IS NULL, due, id LIMIT " + std::to_string(filter.limit);
  auto q = read(sql, a.params());
  return rows_of<InboxEntry>(std::move(q), [](const PgResult& r, int i) {
    return InboxEntry{r.text(i, 0), optional_time(r, i, 1), r.text(i, 2)};
  });
}

namespace {

// What the executions are: workflow, statuses, an organisation's.
std::string what_clauses(const ExecutionFilter& filter, QueryArgs& a) {
  std::string sql;
  if (!filter.workflow_id.empty()) sql += " AND workflow_id = " + a.text(filter.workflow_id);
  if (!filter.statuses.empty()) {
    sql += " AND status IN (";
    for (size_t i = 0; i < filter.statuses.size(); ++i) {
      sql += (i ? ", " : "") + a.text(to_string(filter.statuses[i]));
    }
    sql += ")";
  }
  if (!filter.organisation.empty()) {
    sql += " AND e.id IN (SELECT t.execution_id FROM tasks t WHERE t.organisation = " +
           a.text(filter.organisation) + ")";
  }
  return sql;
}

// What a member may see (app/access.h): a task of their organisation (or of none) for one of
// their roles (or for anyone), or one they completed; or an execution of a followed workflow
// version with a task of their organisation.
std::string member_clause(const ExecutionFilter::Member& m, QueryArgs& a) {
  const std::string organisation = a.text(m.organisation);
  std::string sql =
      " AND (e.id IN (SELECT t.execution_id FROM tasks t WHERE t.organisation IN (''," +
      organisation + ") AND (t.roles = ''";
  for (const auto& role : m.roles) {
    sql += " OR strpos(t.roles, " + a.text(task_role_mark(role)) + ") > 0";
  }
  const std::string actor = a.text(json::array({{{"actor", m.person}}}).dump());
  sql += " OR t.summary::jsonb -> 'completions' @> " + actor + "::jsonb))";
  if (!m.followed_workflows.empty() && !m.organisation.empty()) {
    const std::string followed = a.text(json(m.followed_workflows).dump());
    sql +=
        " OR (e.workflow_id || '@' || e.workflow_version IN (SELECT "
        "jsonb_array_elements_text(" +
        followed +
        "::jsonb)) AND e.id IN (SELECT t.execution_id FROM tasks t WHERE t.organisation = " +
        organisation + "))";
  }
  return sql + ")";
}

// When: started, finished, overdue, escalated, and the page's start.
std::string when_clauses(const ExecutionFilter& filter, QueryArgs& a) {
  std::string sql;
  const auto bound = [&](const std::optional<TimePoint>& t, const char* clause) {
    if (t) sql += clause + a.integer(stored_ms(*t));
  };
  bound(filter.started_from, " AND started_at >= ");
  bound(filter.started_until, " AND started_at < ");
  if (filter.finished_from || filter.finished_until) {
    sql += " AND status IN ('succeeded', 'failed', 'cancelled')";
  }
  bound(filter.finished_from, " AND updated_at >= ");
  bound(filter.finished_until, " AND updated_at < ");
  if (filter.overdue_at) {
    sql +=
        " AND EXISTS (SELECT 1 FROM tasks t WHERE t.execution_id = e.id AND t.status = "
        "'open' AND t.due <= " +
        a.integer(stored_ms(*filter.overdue_at)) + ")";
  }
  if (filter.escalated) {
    sql +=
        " AND EXISTS (SELECT 1 FROM tasks t WHERE t.execution_id = e.id AND t.status = "
        "'open' AND t.level > 0)";
  }
  if (!filter.after_id.empty()) {
    const std::string started = a.integer(stored_ms(filter.after_started));
    const std::string id = a.text(filter.after_id);
    sql +=
        " AND (started_at < " + started + " OR (started_at = " + started + " AND id < " + id + "))";
  }
  return sql;
}

}  // namespace

Result<std::vector<ExecutionSummary>> PostgresStore::executions(const ExecutionFilter& filter) {
  QueryArgs a;
  std::string sql =
      "SELECT id, workflow_id, workflow_version, status, initiator, started_at, updated_at, "
      "next_due FROM executions e WHERE true" +
      what_clauses(filter, a) + (filter.visible_to ? member_clause(*filter.visible_to, a) : "") +
      when_clauses(filter, a);
  sql += " ORDER BY started_at DESC, id DESC LIMIT " + std::to_string(filter.limit);
  auto q = read(sql, a.params());
  if (!q) return std::move(q).error();
  std::vector<ExecutionSummary> out;
  for (int i = 0; i < q->rows(); ++i) {
    auto status = stored_execution_status(q->view(i, 3), q->text(i, 0));
    if (!status) return std::move(status).error();
    out.push_back(ExecutionSummary{q->text(i, 0), q->text(i, 1), q->integer(i, 2), *status,
                                   q->text(i, 4), from_ms(q->integer(i, 5)),
                                   from_ms(q->integer(i, 6)), optional_time(*q, i, 7)});
  }
  return out;
}

Result<StoreCounts> PostgresStore::counts(TimePoint now) {
  StoreCounts out;
  auto q = read("SELECT status, count(*) FROM executions GROUP BY status");
  if (!q) return std::move(q).error();
  for (int i = 0; i < q->rows(); ++i) {
    auto status = stored_execution_status(q->view(i, 0), "");
    if (!status) return std::move(status).error();
    out.executions[*status] = static_cast<uint64_t>(q->integer(i, 1));
  }
  auto t =
      read("SELECT count(*), count(*) FILTER (WHERE due <= $1) FROM tasks WHERE status = 'open'",
           PgParams().integer(stored_ms(now)));
  if (!t) return std::move(t).error();
  out.open_tasks = static_cast<uint64_t>(t->integer(0, 0));
  out.overdue_tasks = static_cast<uint64_t>(t->integer(0, 1));
  return out;
}

Result<std::vector<AuditRecord>> PostgresStore::audit(const std::string& execution_id) {
  QueryArgs a;
  std::string sql = std::string("SELECT ") + kAuditColumns + " FROM audit";
  if (!execution_id.empty()) sql += " WHERE execution_id = " + a.text(execution_id);
  sql += " ORDER BY seq";
  auto q = read(sql, a.params());
  auto entries =
      rows_of<AuditRecord>(std::move(q), [](const PgResult& r, int i) { return read_audit(r, i); });
  if (!entries) return entries;
  std::vector<AuditRecord> out;
  out.reserve(entries->size());
  for (auto& entry : *entries) {
    for (auto& r : expand_audit_entry(std::move(entry))) out.push_back(std::move(r));
  }
  return out;
}

// One snapshot for the whole check: a concurrent writer cannot make a good chain look broken.
Result<AuditVerification> PostgresStore::verify_audit(const std::vector<AuditAnchor>& anchors) {
  return in_snapshot<AuditVerification>([&](PgConnection& c) { return verify_on(c, anchors); });
}

namespace {

// Rows of the audit log and the events are read in pages, so a long log is never held whole.
constexpr int kVerifyPage = 5000;

// Tombstones and `purged` entries, per execution: what the verifier accepts as a purge.
Result<std::map<std::string, PurgeEvidence>> read_purge_evidence(PgConnection& c) {
  std::map<std::string, PurgeEvidence> purges;
  auto tombs = c.query("SELECT DISTINCT execution_id FROM tombstones");
  if (!tombs) return std::move(tombs).error();
  for (int i = 0; i < tombs->rows(); ++i) purges[tombs->text(i, 0)].tombstone = true;
  auto purged =
      c.query("SELECT execution_id, summary FROM audit WHERE type = 'purged' ORDER BY seq");
  if (!purged) return std::move(purged).error();
  for (int i = 0; i < purged->rows(); ++i) {
    purges[purged->text(i, 0)].note_purged_entry(purged->text(i, 1));
  }
  return purges;
}

// Every entry in seq order; `legacy` gets the executions with entries of scheme 1.
Status check_chain(PgConnection& c, AuditVerifier& verifier,
                   const std::map<std::string, PurgeEvidence>& purges,
                   std::set<std::string>& legacy) {
  int64_t after = 0;
  for (bool more = true; more;) {
    auto q =
        c.query(std::string("SELECT ") + kAuditColumns +
                    " FROM audit WHERE seq > $1 ORDER BY seq LIMIT " + std::to_string(kVerifyPage),
                PgParams().integer(after));
    if (!q) return std::move(q).error();
    more = q->rows() == kVerifyPage;
    for (int i = 0; i < q->rows(); ++i) {
      AuditRecord r = read_audit(*q, i);
      after = static_cast<int64_t>(r.seq);
      if (r.scheme < 2) legacy.insert(r.execution_id);
      const PurgeEvidence* e = purge_evidence_for(purges, r.execution_id);
      if (!verifier.add(r, e != nullptr && e->covers_redaction())) return ok_status();
    }
  }
  return ok_status();
}

// The head row as AuditVerifier::finish reads it ("seq:hash"; empty for an empty chain).
Result<std::string> read_head(PgConnection& c) {
  auto head = c.query("SELECT seq, hash FROM audit_head");
  if (!head) return std::move(head).error();
  if (head->rows() != 1 || head->integer(0, 0) == 0) return std::string();
  return head->text(0, 0) + ":" + stored_digest(*head, 0, 1);
}

// Every stored event against the entry that names it, in (execution, seq) order.
Status check_events(PgConnection& c, StoredEventCheck& check) {
  std::string after_execution;
  int64_t after_seq = -1;
  for (bool more = true; more;) {
    // Each event's entry is the one of its execution with the greatest first event at or
    // before it; whether its digests reach the event is the check's.
    auto q = c.query(
        "SELECT e.execution_id, e.seq, e.at, e.type, e.step, e.data, a.seq, a.event_hash, "
        "a.event_seq FROM events e LEFT JOIN LATERAL (SELECT b.seq, b.event_hash, b.event_seq "
        "FROM audit b WHERE b.execution_id = e.execution_id AND b.event_seq > 0 AND b.event_seq "
        "<= e.seq AND b.scheme >= 2 ORDER BY b.event_seq DESC, b.seq DESC LIMIT 1) a ON true "
        "WHERE (e.execution_id, e.seq) > "
        "($1, $2) ORDER BY e.execution_id, e.seq LIMIT " +
            std::to_string(kVerifyPage),
        PgParams().text(after_execution).integer(after_seq));
    if (!q) return std::move(q).error();
    more = q->rows() == kVerifyPage;
    for (int i = 0; i < q->rows(); ++i) {
      after_execution = q->text(i, 0);
      after_seq = q->integer(i, 1);
      std::optional<uint64_t> entry;
      if (!q->is_null(i, 6)) entry = static_cast<uint64_t>(q->integer(i, 6));
      if (!check.event(after_execution, static_cast<uint64_t>(after_seq), q->integer(i, 2),
                       q->view(i, 3), q->view(i, 4), q->view(i, 5), entry,
                       entry ? static_cast<uint64_t>(q->integer(i, 8)) : 0,
                       entry ? stored_digest(*q, i, 7) : std::string())) {
        return ok_status();
      }
    }
  }
  return ok_status();
}

// Every entry's events still stored, or removed by a purge that says so: each event an entry
// records (its digests are 32 bytes each) that no row holds.
Status check_missing_events(PgConnection& c, StoredEventCheck& check) {
  auto missing = c.query(
      "SELECT a.seq, a.execution_id, r.seq FROM audit a CROSS JOIN LATERAL generate_series("
      "a.event_seq, a.event_seq + greatest(length(a.event_hash) / 32, 1) - 1) AS r(seq) WHERE "
      "a.event_seq > 0 AND a.scheme >= 2 AND NOT EXISTS (SELECT 1 FROM events e WHERE "
      "e.execution_id = "
      "a.execution_id AND e.seq = r.seq) ORDER BY a.seq, r.seq");
  if (!missing) return std::move(missing).error();
  for (int i = 0; i < missing->rows(); ++i) {
    if (!check.missing(static_cast<uint64_t>(missing->integer(i, 0)), missing->text(i, 1),
                       static_cast<uint64_t>(missing->integer(i, 2)))) {
      break;
    }
  }
  return ok_status();
}

}  // namespace

Result<AuditVerification> PostgresStore::verify_on(PgConnection& c,
                                                   const std::vector<AuditAnchor>& anchors) {
  auto purges = read_purge_evidence(c);
  if (!purges) return std::move(purges).error();
  AuditVerifier verifier(anchors);
  std::set<std::string> legacy;
  if (auto s = check_chain(c, verifier, *purges, legacy); !s) return std::move(s).error();
  auto head = read_head(c);
  if (!head) return std::move(head).error();
  AuditVerification v = verifier.finish(*head);
  if (!v.ok) return v;
  StoredEventCheck check(v, *purges, legacy);
  if (auto s = check_events(c, check); !s) return std::move(s).error();
  if (!v.ok) return v;
  if (auto s = check_missing_events(c, check); !s) return std::move(s).error();
  return v;
}

Result<std::vector<Tombstone>> PostgresStore::tombstones(const std::string& execution_id) {
  QueryArgs a;
  std::string sql = "SELECT execution_id, record_type, workflow, purged_at, policy FROM tombstones";
  if (!execution_id.empty()) sql += " WHERE execution_id = " + a.text(execution_id);
  sql += " ORDER BY purged_at, execution_id, record_type";
  auto q = read(sql, a.params());
  return rows_of<Tombstone>(std::move(q), [](const PgResult& r, int i) {
    return Tombstone{r.text(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3),
                     stored_json(r.view(i, 4))};
  });
}

Result<std::optional<LegalHold>> PostgresStore::legal_hold(const std::string& execution_id) {
  auto q = read(std::string("SELECT ") + kHoldColumns + " FROM legal_holds WHERE execution_id = $1",
                PgParams().text(execution_id));
  if (!q) return std::move(q).error();
  if (q->rows() == 0) return std::optional<LegalHold>();
  return std::optional<LegalHold>(read_hold(*q, 0));
}

Result<std::vector<LegalHold>> PostgresStore::legal_holds(bool released, size_t limit) {
  auto q = read(std::string("SELECT ") + kHoldColumns +
                    " FROM legal_holds WHERE $1::boolean OR released_at = '' ORDER BY "
                    "placed_at DESC, execution_id LIMIT $2",
                PgParams().boolean(released).integer(static_cast<int64_t>(limit)));
  return rows_of<LegalHold>(std::move(q), read_hold);
}

Result<std::vector<RetentionNote>> PostgresStore::retention_notes(const std::string& execution_id) {
  auto q = read(
      "SELECT execution_id, record_type, hold, at FROM retention_notes WHERE execution_id = $1 "
      "ORDER BY at",
      PgParams().text(execution_id));
  return rows_of<RetentionNote>(std::move(q), [](const PgResult& r, int i) {
    return RetentionNote{r.text(i, 0), r.text(i, 1), r.text(i, 2), r.text(i, 3)};
  });
}

Result<std::optional<std::string>> PostgresStore::meta(const std::string& key) {
  auto q = read("SELECT value FROM meta WHERE key = $1", PgParams().text(key));
  if (!q) return std::move(q).error();
  if (q->rows() == 0) return std::optional<std::string>();
  return std::optional<std::string>(q->text(0, 0));
}

Result<uint32_t> PostgresStore::interruptions_on(PgConnection& c, const std::string& execution_id) {
  auto q = c.query("SELECT count FROM interruptions WHERE execution_id = $1",
                   PgParams().text(execution_id));
  if (!q) return std::move(q).error();
  return q->rows() > 0 ? static_cast<uint32_t>(q->integer(0, 0)) : 0U;
}

Result<uint32_t> PostgresStore::interruptions(const std::string& execution_id) {
  return on_reader<uint32_t>([&](PgConnection& c) { return interruptions_on(c, execution_id); });
}

Result<std::map<std::string, json>> PostgresStore::state_parts_on(PgConnection& c,
                                                                  const std::string& execution_id) {
  auto q = c.query("SELECT key, body FROM state_parts WHERE execution_id = $1",
                   PgParams().text(execution_id));
  if (!q) return std::move(q).error();
  std::map<std::string, json> out;
  for (int i = 0; i < q->rows(); ++i) {
    auto bytes = q->bytes(i, 1);
    json body = bytes ? stored_msgpack(*bytes) : json(json::value_t::discarded);
    if (body.is_discarded()) {
      return Error::invalid_data("state part " + q->text(i, 0) + " of execution " + execution_id +
                                 " is unreadable (not MessagePack)");
    }
    out.emplace(q->text(i, 0), std::move(body));
  }
  return out;
}

Result<std::map<std::string, json>> PostgresStore::state_parts(const std::string& execution_id) {
  return on_reader<std::map<std::string, json>>(
      [&](PgConnection& c) { return state_parts_on(c, execution_id); });
}

Result<std::optional<TokenRecord>> PostgresStore::token(const std::string& id) {
  auto q = read(std::string("SELECT ") + kTokenColumns + " FROM api_tokens WHERE id = $1",
                PgParams().text(id));
  if (!q) return std::move(q).error();
  if (q->rows() == 0) return std::optional<TokenRecord>();
  return std::optional<TokenRecord>(read_token(*q, 0));
}

Result<std::vector<TokenRecord>> PostgresStore::tokens() {
  auto q =
      read(std::string("SELECT ") + kTokenColumns + " FROM api_tokens ORDER BY created_at, id");
  return rows_of<TokenRecord>(std::move(q), read_token);
}

Result<std::vector<PersonRecord>> PostgresStore::people(const std::string& person) {
  auto q = read(
      "SELECT person, organisation, roles, identity, seen_at FROM people WHERE person = $1 "
      "ORDER BY organisation",
      PgParams().text(person));
  return rows_of<PersonRecord>(std::move(q), [](const PgResult& r, int i) {
    return PersonRecord{r.text(i, 0), r.text(i, 1), stored_names(r.view(i, 2)), r.text(i, 3),
                        from_ms(r.integer(i, 4))};
  });
}

Result<std::optional<WebSessionRecord>> PostgresStore::web_session(const std::string& id) {
  auto q = read(std::string("SELECT ") + kWebSessionColumns + " FROM web_sessions WHERE id = $1",
                PgParams().text(id));
  if (!q) return std::move(q).error();
  if (q->rows() == 0) return std::optional<WebSessionRecord>();
  WebSessionRecord w;
  w.id = q->text(0, 0);
  w.secret_hash = q->text(0, 1);
  w.kind = q->view(0, 2) == "oidc" ? WebSessionKind::kOidc : WebSessionKind::kToken;
  w.credential = q->text(0, 3);
  w.person = q->text(0, 4);
  w.organisation = q->text(0, 5);
  w.roles = stored_names(q->view(0, 6));
  w.scopes = stored_names(q->view(0, 7));
  w.created_at = from_ms(q->integer(0, 8));
  w.expires_at = from_ms(q->integer(0, 9));
  w.ended_at = optional_time(*q, 0, 10);
  return std::optional<WebSessionRecord>(std::move(w));
}

Result<std::vector<NotificationRecord>> PostgresStore::due_notifications(TimePoint now,
                                                                         size_t limit) {
  auto q = read(std::string("SELECT ") + kNotificationColumns +
                    " FROM notifications WHERE status = 'pending' AND next_at <= $1 "
                    "ORDER BY next_at, id LIMIT $2",
                PgParams().integer(stored_ms(now)).integer(static_cast<int64_t>(limit)));
  return rows_of<NotificationRecord>(std::move(q), read_notification);
}

Result<std::vector<NotificationRecord>> PostgresStore::notifications(
    const NotificationFilter& filter) {
  auto q = read(
      std::string("SELECT ") + kNotificationColumns +
          " FROM notifications WHERE ($1 = '' OR execution_id = $1) AND ($2 = '' OR status = $2) "
          "ORDER BY created_at DESC, id DESC LIMIT $3",
      PgParams()
          .text(filter.execution_id)
          .text(filter.status ? to_string(*filter.status) : std::string_view())
          .integer(static_cast<int64_t>(filter.limit)));
  return rows_of<NotificationRecord>(std::move(q), read_notification);
}

Result<std::vector<ScheduleRecord>> PostgresStore::schedules() {
  auto q = read(std::string("SELECT ") + kScheduleColumns + " FROM schedules ORDER BY id");
  if (!q) return std::move(q).error();
  std::vector<ScheduleRecord> out;
  for (int i = 0; i < q->rows(); ++i) {
    ScheduleRecord s;
    s.id = q->text(i, 0);
    s.definition = stored_json(q->view(i, 1));
    s.paused = q->boolean(i, 2);
    s.next_at = from_ms(q->integer(i, 3));
    s.next_period = q->text(i, 4);
    s.last_at = optional_time(*q, i, 5);
    s.last_period = q->text(i, 6);
    s.last_execution = q->text(i, 7);
    s.runs = static_cast<uint64_t>(q->integer(i, 8));
    s.skipped = static_cast<uint64_t>(q->integer(i, 9));
    s.last_error = q->text(i, 10);
    s.created_at = from_ms(q->integer(i, 11));
    s.updated_at = from_ms(q->integer(i, 12));
    out.push_back(std::move(s));
  }
  return out;
}

uint64_t PostgresStore::size_bytes() {
  auto q = read("SELECT pg_database_size(current_database())");
  if (!q || q->rows() == 0) return 0;
  return static_cast<uint64_t>(q->integer(0, 0));
}

}  // namespace coalition
