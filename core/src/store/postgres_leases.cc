// The lease statements. Liveness is judged by the database's clock (clock_timestamp(), not the
// transaction's start), never by a node's own: nodes whose clocks disagree still agree on who
// is alive. A claim is one UPDATE that raises the fence: two nodes claiming one execution at
// once queue on its row, and the second finds it owned by a live node. Orphans are picked with
// FOR UPDATE SKIP LOCKED, so nodes polling together take disjoint sets without waiting.
#include "store/postgres_leases.h"

#include <nlohmann/json.hpp>

#include "store/pg_connection.h"
#include "store/postgres_store.h"
#include "store/stored_forms.h"

namespace coalition {

namespace {

// True for a node row `n` whose heartbeat is younger than its lease.
constexpr const char* kNodeAlive =
    "n.heartbeat_at + n.lease_ms * interval '1 millisecond' > clock_timestamp()";

// An owner nobody has to wait for: none, or a node that is not alive.
std::string owner_free(const std::string& row) {
  return "(" + row + ".owner IS NULL OR NOT EXISTS (SELECT 1 FROM nodes n WHERE n.node = " + row +
         ".owner AND " + kNodeAlive + "))";
}

constexpr const char* kActive = "status IN ('running', 'waiting')";

TimePoint lease_time(const PgResult& r, int row, int column) {
  return TimePoint(std::chrono::milliseconds(r.integer(row, column)));
}

}  // namespace

PostgresLeases::PostgresLeases(std::string url, std::unique_ptr<PgConnection> connection)
    : url_(std::move(url)),
      name_(redacted_postgres_url(url_)),
      connection_(std::move(connection)) {}

PostgresLeases::~PostgresLeases() = default;

Result<std::unique_ptr<PostgresLeases>> PostgresLeases::open(const std::string& url) {
  auto connection = PgConnection::open(url);
  if (!connection) {
    return Error::io("store " + redacted_postgres_url(url) + ": " + connection.error().message());
  }
  return std::unique_ptr<PostgresLeases>(new PostgresLeases(url, std::move(*connection)));
}

Result<PgResult> PostgresLeases::run(const std::string& sql, const PgParams& params) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (int attempt = 0;; ++attempt) {
    if (!connection_ || !connection_->alive()) {
      auto connection = PgConnection::open(url_);
      if (!connection) return Error::io("store " + name_ + ": " + connection.error().message());
      connection_ = std::move(*connection);
    }
    auto result = connection_->query(sql, params);
    // Each statement is its own transaction: one that met a closed connection changed nothing.
    if (result || attempt > 0 || connection_->alive()) return result;
  }
}

Status PostgresLeases::heartbeat(const std::string& node, const std::string& name,
                                 std::chrono::milliseconds lease) {
  auto beat =
      run("INSERT INTO nodes (node, name, started_at, heartbeat_at, lease_ms) "
          "VALUES ($1, $2, clock_timestamp(), clock_timestamp(), $3) "
          "ON CONFLICT (node) DO UPDATE SET heartbeat_at = clock_timestamp(), lease_ms = $3",
          PgParams().text(node).text(name).integer(static_cast<int64_t>(lease.count())));
  if (!beat) return std::move(beat).error();
  // Processes that ended long ago and hold nothing are forgotten (the list stays short).
  auto forget =
      run("DELETE FROM nodes n WHERE n.heartbeat_at < clock_timestamp() - interval '1 day' "
          "AND NOT EXISTS (SELECT 1 FROM executions e WHERE e.owner = n.node)",
          PgParams());
  if (!forget) return std::move(forget).error();
  return ok_status();
}

Result<LeaseClaim> PostgresLeases::claim(const std::string& node, const std::string& id) {
  auto granted = run(
      "UPDATE executions e SET owner = $2, fence = e.fence + 1 WHERE e.id = $1 AND (e.owner = $2 "
      "OR " +
          owner_free("e") + ") RETURNING e.fence",
      PgParams().text(id).text(node));
  if (!granted) return std::move(granted).error();
  LeaseClaim claim;
  if (granted->rows() > 0) {
    claim.outcome = LeaseClaim::Outcome::kGranted;
    claim.lease = ExecutionFence{id, node, static_cast<uint64_t>(granted->integer(0, 0)), false};
    return claim;
  }
  auto why = run(
      "SELECT e.status, e.owner, n.name FROM executions e LEFT JOIN nodes n ON n.node = e.owner "
      "WHERE e.id = $1",
      PgParams().text(id));
  if (!why) return std::move(why).error();
  if (why->rows() == 0) return claim;  // kUnknown
  claim.outcome = LeaseClaim::Outcome::kHeld;
  claim.holder = why->is_null(0, 2) ? why->text(0, 1) : why->text(0, 2);
  return claim;
}

Result<std::vector<ExecutionFence>> PostgresLeases::claim_orphans(const std::string& node,
                                                                  TimePoint now, size_t limit) {
  auto picked = run(
      "UPDATE executions e SET owner = $1, fence = e.fence + 1 FROM ("
      "SELECT c.id FROM executions c WHERE c." +
          std::string(kActive) +
          " AND (c.status = 'running' OR c.next_due <= $2) AND c.owner IS DISTINCT FROM $1 AND " +
          owner_free("c") +
          " ORDER BY c.next_due NULLS FIRST, c.id LIMIT $3 FOR UPDATE OF c SKIP LOCKED) picked "
          "WHERE e.id = picked.id RETURNING e.id, e.fence",
      PgParams().text(node).integer(stored_ms(now)).integer(static_cast<int64_t>(limit)));
  if (!picked) return std::move(picked).error();
  std::vector<ExecutionFence> out;
  for (int i = 0; i < picked->rows(); ++i) {
    out.push_back(ExecutionFence{picked->text(i, 0), node,
                                 static_cast<uint64_t>(picked->integer(i, 1)), false});
  }
  return out;
}

Status PostgresLeases::release(const ExecutionFence& lease) {
  auto released =
      run("UPDATE executions SET owner = NULL WHERE id = $1 AND owner = $2 AND fence = $3",
          PgParams()
              .text(lease.execution_id)
              .text(lease.node)
              .integer(static_cast<int64_t>(lease.fence)));
  if (!released) return std::move(released).error();
  return ok_status();
}

Result<std::vector<std::string>> PostgresLeases::moved(const std::vector<ExecutionFence>& held) {
  if (held.empty()) return std::vector<std::string>();
  nlohmann::json list = nlohmann::json::array();
  for (const auto& f : held) {
    list.push_back({{"id", f.execution_id},
                    {"node", f.node},
                    {"fence", static_cast<int64_t>(f.fence)},
                    {"fresh", f.fresh}});
  }
  // A fresh execution (not written yet) moved only if someone else wrote one under its id.
  auto found =
      run("SELECT f.id FROM json_to_recordset($1::json) AS f(id text, node text, fence bigint, "
          "fresh boolean) LEFT JOIN executions e ON e.id = f.id WHERE CASE WHEN e.id IS NULL THEN "
          "NOT f.fresh ELSE (e.owner IS DISTINCT FROM f.node OR e.fence <> f.fence) END",
          PgParams().text(list.dump()));
  if (!found) return std::move(found).error();
  std::vector<std::string> out;
  for (int i = 0; i < found->rows(); ++i) out.push_back(found->text(i, 0));
  return out;
}

Status PostgresLeases::leave(const std::string& node) {
  auto released = run("UPDATE executions SET owner = NULL WHERE owner = $1", PgParams().text(node));
  if (!released) return std::move(released).error();
  auto gone = run("DELETE FROM nodes WHERE node = $1", PgParams().text(node));
  if (!gone) return std::move(gone).error();
  return ok_status();
}

Result<std::vector<NodeRecord>> PostgresLeases::nodes() {
  // Appended rather than added up: GCC 12 warned (-Warray-bounds, a known false positive) on
  // the inlined copies of operator+.
  std::string sql =
      "SELECT n.node, n.name, (extract(epoch FROM n.started_at) * 1000)::bigint, "
      "(extract(epoch FROM n.heartbeat_at) * 1000)::bigint, n.lease_ms, ";
  sql.append(kNodeAlive)
      .append(
          ", (SELECT count(*) FROM executions e WHERE e.owner = n.node) FROM nodes n "
          "ORDER BY n.name, n.started_at");
  auto q = run(sql, PgParams());
  if (!q) return std::move(q).error();
  std::vector<NodeRecord> out;
  for (int i = 0; i < q->rows(); ++i) {
    NodeRecord r;
    r.node = q->text(i, 0);
    r.name = q->text(i, 1);
    r.started_at = lease_time(*q, i, 2);
    r.heartbeat_at = lease_time(*q, i, 3);
    r.lease = std::chrono::milliseconds(q->integer(i, 4));
    r.alive = q->boolean(i, 5);
    r.executions = static_cast<uint64_t>(q->integer(i, 6));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace coalition
