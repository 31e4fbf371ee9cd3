// PgConnection: one libpq connection to PostgreSQL, for the PostgreSQL store's own use — queries
// with parameters, results read by row and column, failures as values (never exceptions).
//
// Parameters go as text, except bytes (PgParams::bytes), which go in binary and need no
// escaping. Results come as text; a bytea column is decoded by PgResult::bytes.
#ifndef COALITION_STORE_PG_CONNECTION_H_
#define COALITION_STORE_PG_CONNECTION_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

struct pg_conn;
struct pg_result;

namespace coalition {

// The values of one query's $1, $2, ... in order. Strings are copied: a PgParams may outlive
// what it was built from.
class PgParams {
 public:
  PgParams() = default;
  PgParams(const PgParams&) = delete;  // values_ points into storage_
  PgParams& operator=(const PgParams&) = delete;
  PgParams(PgParams&&) = default;  // a deque's elements stay where they are
  PgParams& operator=(PgParams&&) = default;
  PgParams& text(std::string_view value);
  PgParams& integer(int64_t value);
  PgParams& integer(std::optional<int64_t> value);  // nullopt: NULL
  PgParams& boolean(bool value);
  PgParams& bytes(std::string_view value);  // bytea, sent in binary
  PgParams& null();

  int size() const { return static_cast<int>(values_.size()); }
  const char* const* values() const { return values_.data(); }
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  PgParams& add(std::string value, int format, bool is_null);
  std::deque<std::string> storage_;  // stable addresses as values are added
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

// A query's result: rows of text columns. Moves, never copies.
class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(pg_result* result);
  PgResult(PgResult&& other) noexcept;
  PgResult& operator=(PgResult&& other) noexcept;
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;
  ~PgResult();

  int rows() const;
  std::string_view view(int row, int column) const;  // valid as long as the result
  std::string text(int row, int column) const { return std::string(view(row, column)); }
  int64_t integer(int row, int column) const;
  bool boolean(int row, int column) const;  // 't' or 'f'
  bool is_null(int row, int column) const;
  // A bytea column decoded from its hex text form ("\x..."); nullopt when the text is not that.
  std::optional<std::string> bytes(int row, int column) const;
  // Rows changed by an INSERT, UPDATE or DELETE.
  int64_t affected() const;

 private:
  pg_result* result_ = nullptr;
};

class PgConnection {
 public:
  // Connects with a libpq connection string or URL (postgresql://...), with client_encoding
  // UTF8 and, unless the URL says otherwise, a 10 s connect timeout, TCP keepalives (30 s idle,
  // 3 probes 10 s apart) and a 30 s TCP user timeout. kIo, with libpq's reason, when the
  // server cannot be reached or refuses.
  static Result<std::unique_ptr<PgConnection>> open(const std::string& url);
  // The value the connection uses for a libpq keyword ("connect_timeout"); "" when none.
  std::string setting(const std::string& keyword) const;
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs SQL without parameters (several statements allowed).
  Status exec(const std::string& sql);
  // Runs one statement with parameters; kIo with the server's message (and its SQLSTATE) when
  // it fails.
  Result<PgResult> query(const std::string& sql, const PgParams& params = {});
  // Prepares `sql` under `name` on this connection, once; run() then executes it.
  Status prepare(const std::string& name, const std::string& sql);
  Result<PgResult> run(const std::string& name, const PgParams& params);

  // False once the connection is lost, also when the server closed it since the last query: a
  // pool drops it rather than lending it again.
  bool alive() const;
  // Inside a transaction (or a failed one) rather than idle: a pool must not lend it so.
  bool in_transaction() const;
  // The SQLSTATE of the last failed statement ("" when none or unknown).
  const std::string& last_state() const { return last_state_; }

 private:
  explicit PgConnection(pg_conn* conn) : conn_(conn) {}
  Result<PgResult> check(pg_result* result, std::string_view what);

  pg_conn* conn_;
  std::string last_state_;
};

// SQLSTATEs the store acts on: a unique violation, a table that does not exist; a deadlock and a
// serialization failure, after which PostgreSQL has undone the whole transaction and running it
// again is safe.
inline constexpr std::string_view kPgUniqueViolation = "23505";
inline constexpr std::string_view kPgUndefinedTable = "42P01";
inline constexpr std::string_view kPgDeadlockDetected = "40P01";
inline constexpr std::string_view kPgSerializationFailure = "40001";

}  // namespace coalition

#endif  // COALITION_STORE_PG_CONNECTION_H_
