#include "store/sqlite_statement.h"

#include <mutex>
#include <utility>

namespace coalition {

SqliteStatement::SqliteStatement(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt_, nullptr) != SQLITE_OK) {
    stmt_ = nullptr;
  }
}

SqliteStatement::~SqliteStatement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
  if (this != &other) {
    if (stmt_ != nullptr) sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

// SQLITE_STATIC: no copy (measured: the copies were 7% of the committer's time). The contract
// in the header: the text outlives the next run() or reset().
// SQLite binds NULL for a null pointer, which an empty view may hold: an empty value is bound
// as empty text or an empty BLOB instead, so only the optional overload ever binds NULL.
SqliteStatement& SqliteStatement::bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.empty() ? "" : text.data(), static_cast<int>(text.size()),
                    SQLITE_STATIC);
  return *this;
}

SqliteStatement& SqliteStatement::bind_blob(int index, std::string_view bytes) {
  if (bytes.empty()) {
    sqlite3_bind_zeroblob(stmt_, index, 0);
  } else {
    sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
  }
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, std::optional<int64_t> value) {
  if (value) {
    sqlite3_bind_int64(stmt_, index, *value);
  } else {
    sqlite3_bind_null(stmt_, index);
  }
  return *this;
}

Result<bool> SqliteStatement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Error::io(std::string("store: ") + sqlite3_errmsg(db_));
}

Status SqliteStatement::run() {
  Result<bool> r = step();
  while (r.ok() && *r) r = step();
  reset();
  if (!r) return std::move(r).error();
  return ok_status();
}

void SqliteStatement::reset() {
  if (stmt_ == nullptr) return;  // never prepared (its SQL was refused)
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string SqliteStatement::text(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  if (p == nullptr) return {};
  return {reinterpret_cast<const char*>(p),
          static_cast<size_t>(sqlite3_column_bytes(stmt_, column))};
}

int64_t SqliteStatement::integer(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

bool SqliteStatement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

bool SqliteStatement::is_blob(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_BLOB;
}

// sqlite3_column_blob before sqlite3_column_bytes: the order SQLite documents, so a TEXT value
// is not converted between the two calls.
std::string_view SqliteStatement::bytes(int column) const {
  const void* p = sqlite3_column_blob(stmt_, column);
  if (p == nullptr) return {};
  return {static_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(stmt_, column))};
}

void configure_sqlite() {
  static std::once_flag once;
  std::call_once(once, [] {
    // SQLITE_MISUSE when the library is initialised already: then its defaults stay, which
    // changes speed only.
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  });
}

Status sqlite_exec(sqlite3* db, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message != nullptr ? message : sqlite3_errmsg(db);
    sqlite3_free(message);
    return Error::io("store: " + text);
  }
  return ok_status();
}

}  // namespace coalition
