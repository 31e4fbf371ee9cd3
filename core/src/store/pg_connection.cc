#include "store/pg_connection.h"

#include <libpq-fe.h>

#include <charconv>

namespace coalition {

PgParams& PgParams::add(std::string value, int format, bool is_null) {
  storage_.push_back(std::move(value));
  values_.push_back(is_null ? nullptr : storage_.back().data());
  lengths_.push_back(static_cast<int>(storage_.back().size()));
  formats_.push_back(format);
  return *this;
}

PgParams& PgParams::text(std::string_view value) {
  return add(std::string(value), 0, false);
}

PgParams& PgParams::integer(int64_t value) {
  return add(std::to_string(value), 0, false);
}

PgParams& PgParams::integer(std::optional<int64_t> value) {
  return value ? integer(*value) : null();
}

PgParams& PgParams::boolean(bool value) {
  return add(value ? "t" : "f", 0, false);
}

// Binary format: the server takes the bytes as they are, no escaping, no text encoding check.
PgParams& PgParams::bytes(std::string_view value) {
  return add(std::string(value), 1, false);
}

PgParams& PgParams::null() {
  return add(std::string(), 0, true);
}

PgResult::PgResult(pg_result* result) : result_(result) {}

PgResult::PgResult(PgResult&& other) noexcept : result_(other.result_) {
  other.result_ = nullptr;
}

PgResult& PgResult::operator=(PgResult&& other) noexcept {
  if (this != &other) {
    PQclear(result_);
    result_ = other.result_;
    other.result_ = nullptr;
  }
  return *this;
}

PgResult::~PgResult() {
  PQclear(result_);
}

int PgResult::rows() const {
  return result_ == nullptr ? 0 : PQntuples(result_);
}

std::string_view PgResult::view(int row, int column) const {
  return {PQgetvalue(result_, row, column), static_cast<size_t>(PQgetlength(result_, row, column))};
}

int64_t PgResult::integer(int row, int column) const {
  const std::string_view v = view(row, column);
  int64_t out = 0;
  std::from_chars(v.data(), v.data() + v.size(), out);
  return out;
}

bool PgResult::boolean(int row, int column) const {
  const std::string_view v = view(row, column);
  return !v.empty() && v.front() == 't';
}

bool PgResult::is_null(int row, int column) const {
  return PQgetisnull(result_, row, column) != 0;
}

namespace {
int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

// The server's bytea_output is "hex" by default since PostgreSQL 9.0 and the store never sets it
// otherwise; PQunescapeBytea would allocate twice for the same result.
std::optional<std::string> PgResult::bytes(int row, int column) const {
  const std::string_view v = view(row, column);
  if (v.size() < 2 || v[0] != '\\' || v[1] != 'x' || v.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve((v.size() - 2) / 2);
  for (size_t i = 2; i < v.size(); i += 2) {
    const int high = hex_digit(v[i]);
    const int low = hex_digit(v[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>(high * 16 + low));
  }
  return out;
}

int64_t PgResult::affected() const {
  const char* n = PQcmdTuples(result_);
  int64_t out = 0;
  if (n != nullptr) std::from_chars(n, n + std::char_traits<char>::length(n), out);
  return out;
}

Result<std::unique_ptr<PgConnection>> PgConnection::open(const std::string& url) {
  // The URL may carry a password: it is never part of a message. Keywords and values as
  // arrays, so client_encoding is added without editing the caller's string.
  // libpq quotes a malformed URL back in its complaint, password and all: one that does not
  // parse is refused in words of our own.
  char* parse_error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &parse_error);
  PQfreemem(parse_error);
  if (parsed == nullptr) {
    return Error::configuration(
        "cannot connect to PostgreSQL: the store URL is not a valid libpq connection URL "
        "(postgresql://user@host:port/database?parameters)");
  }
  PQconninfoFree(parsed);
  // Defaults ahead of the URL, which may set each of them itself: a server that does not answer
  // is given up on after 10 s; a connection to one that went away (a node cut off from the
  // database) is found dead by TCP keepalives within about a minute, and a write it never
  // acknowledges fails after 30 s — instead of the kernel's quarter of an hour, long past the
  // lease the node would then be working under. (Unix sockets ignore the TCP settings.)
  const char* const keywords[] = {"connect_timeout",  "keepalives",
                                  "keepalives_idle",  "keepalives_interval",
                                  "keepalives_count", "tcp_user_timeout",
                                  "dbname",           "client_encoding",
                                  "application_name", nullptr};
  const char* const values[] = {"10",    "1",         "30",   "10",        "3",
                                "30000", url.c_str(), "UTF8", "coalition", nullptr};
  pg_conn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) return Error::io("cannot connect to PostgreSQL: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string reason = PQerrorMessage(conn);
    while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) reason.pop_back();
    PQfinish(conn);
    return Error::io("cannot connect to PostgreSQL: " + reason);
  }
  // The server's notices ("relation ... already exists, skipping") are not the store's to print:
  // libpq's default writes them to stderr.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<PgConnection>(new PgConnection(conn));
}

std::string PgConnection::setting(const std::string& keyword) const {
  std::string out;
  PQconninfoOption* options = PQconninfo(conn_);
  for (PQconninfoOption* o = options; o != nullptr && o->keyword != nullptr; ++o) {
    if (keyword == o->keyword && o->val != nullptr) out = o->val;
  }
  PQconninfoFree(options);
  return out;
}

PgConnection::~PgConnection() {
  PQfinish(conn_);
}

// Reading what is pending (without waiting) lets libpq see a connection the server has closed
// since the last query (a restart, an administrator ending it), which it otherwise learns only
// when the next query fails.
bool PgConnection::in_transaction() const {
  return PQtransactionStatus(conn_) != PQTRANS_IDLE;
}

bool PgConnection::alive() const {
  if (PQstatus(conn_) != CONNECTION_OK) return false;
  if (PQconsumeInput(conn_) == 0) return false;
  return PQstatus(conn_) == CONNECTION_OK;
}

Result<PgResult> PgConnection::check(pg_result* raw, std::string_view what) {
  PgResult result(raw);
  const ExecStatusType status = raw == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(raw);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    last_state_.clear();
    return result;
  }
  const char* state = raw == nullptr ? nullptr : PQresultErrorField(raw, PG_DIAG_SQLSTATE);
  last_state_ = state == nullptr ? "" : state;
  // The primary message only: the detail of a refusal may quote the values of a row (a person's
  // name in a key), which must not reach a log.
  const char* primary = raw == nullptr ? nullptr : PQresultErrorField(raw, PG_DIAG_MESSAGE_PRIMARY);
  std::string message = primary != nullptr ? primary : PQerrorMessage(conn_);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
    message.pop_back();
  }
  if (message.empty()) message = PQresStatus(status);
  return Error::io("PostgreSQL refused " + std::string(what) + ": " + message +
                   (last_state_.empty() ? "" : " (SQLSTATE " + last_state_ + ")"));
}

namespace {
// The first words of a statement, to name it in a message without its values.
std::string_view statement_head(std::string_view sql) {
  constexpr size_t kHead = 60;
  while (!sql.empty() && (sql.front() == ' ' || sql.front() == '\n')) sql.remove_prefix(1);
  return sql.substr(0, kHead);
}
}  // namespace

Status PgConnection::exec(const std::string& sql) {
  auto r = check(PQexec(conn_, sql.c_str()), "'" + std::string(statement_head(sql)) + "'");
  if (!r) return std::move(r).error();
  return ok_status();
}

Result<PgResult> PgConnection::query(const std::string& sql, const PgParams& params) {
  return check(PQexecParams(conn_, sql.c_str(), params.size(), nullptr, params.values(),
                            params.lengths(), params.formats(), /*resultFormat=*/0),
               "'" + std::string(statement_head(sql)) + "'");
}

Status PgConnection::prepare(const std::string& name, const std::string& sql) {
  auto r = check(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr),
                 "to prepare '" + std::string(statement_head(sql)) + "'");
  if (!r) return std::move(r).error();
  return ok_status();
}

Result<PgResult> PgConnection::run(const std::string& name, const PgParams& params) {
  return check(PQexecPrepared(conn_, name.c_str(), params.size(), params.values(), params.lengths(),
                              params.formats(), /*resultFormat=*/0),
               "statement " + name);
}

}  // namespace coalition
