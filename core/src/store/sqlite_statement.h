// SqliteStatement: a prepared SQLite statement with RAII, for the store's own use.
#ifndef COALITION_STORE_SQLITE_STATEMENT_H_
#define COALITION_STORE_SQLITE_STATEMENT_H_

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace coalition {

class SqliteStatement {
 public:
  SqliteStatement() = default;
  SqliteStatement(sqlite3* db, std::string_view sql);  // check ok() before use
  ~SqliteStatement();
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;

  bool ok() const { return stmt_ != nullptr; }
  // Text is not copied: it must stay alive until the statement is run or reset (bind a
  // temporary only inside one full expression ending in run()). An empty view, even a null
  // one, binds empty text or an empty BLOB: only the optional overload binds NULL.
  SqliteStatement& bind(int index, std::string_view text);
  SqliteStatement& bind(int index, int64_t value);
  SqliteStatement& bind(int index, std::optional<int64_t> value);  // nullopt binds NULL
  // Binds `bytes` as a BLOB, not copied either.
  SqliteStatement& bind_blob(int index, std::string_view bytes);
  // Steps once: true when a row is ready, false when done; kIo error on failure.
  Result<bool> step();
  // Runs to completion, then resets for reuse.
  Status run();
  void reset();

  std::string text(int column) const;
  int64_t integer(int column) const;
  bool is_null(int column) const;
  bool is_blob(int column) const;
  // The column's bytes (TEXT or BLOB) without a copy: valid until the next step() or reset().
  std::string_view bytes(int column) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// Runs SQL without results (several statements allowed). kIo with SQLite's message on failure.
Status sqlite_exec(sqlite3* db, const char* sql);

// Sets SQLite up for this process once, before its first connection: no memory statistics,
// which SQLite keeps under one process-wide mutex taken on every allocation of every connection
// (the readers, the writer and the checkpointer would queue on it). Call it before each
// sqlite3_open_v2; a process where SQLite was already in use keeps SQLite's defaults.
void configure_sqlite();

}  // namespace coalition

#endif  // COALITION_STORE_SQLITE_STATEMENT_H_
