// PostgresLeases: ExecutionLeases on the PostgreSQL store's database (the nodes table and the
// owner and fence of each execution, schema version 2). Runs on a connection of its own, so a
// heartbeat never queues behind a large batch on the writer's, and reconnects once when the
// server closed it. Thread-safe.
#ifndef COALITION_STORE_POSTGRES_LEASES_H_
#define COALITION_STORE_POSTGRES_LEASES_H_

#include <memory>
#include <mutex>
#include <string>

#include "store/execution_leases.h"

namespace coalition {

class PgConnection;
class PgParams;
class PgResult;

class PostgresLeases final : public ExecutionLeases {
 public:
  // Connects to the database at `url` (whose schema PostgresStore::open brought up to date).
  static Result<std::unique_ptr<PostgresLeases>> open(const std::string& url);
  ~PostgresLeases() override;
  PostgresLeases(const PostgresLeases&) = delete;
  PostgresLeases& operator=(const PostgresLeases&) = delete;

  Status heartbeat(const std::string& node, const std::string& name,
                   std::chrono::milliseconds lease) override;
  Result<LeaseClaim> claim(const std::string& node, const std::string& id) override;
  Result<std::vector<ExecutionFence>> claim_orphans(const std::string& node, TimePoint now,
                                                    size_t limit) override;
  Status release(const ExecutionFence& lease) override;
  Result<std::vector<std::string>> moved(const std::vector<ExecutionFence>& held) override;
  Status leave(const std::string& node) override;
  Result<std::vector<NodeRecord>> nodes() override;

 private:
  PostgresLeases(std::string url, std::unique_ptr<PgConnection> connection);
  // One statement, on the connection (connected again once if the server had closed it).
  Result<PgResult> run(const std::string& sql, const PgParams& params);

  std::string url_;
  std::string name_;  // the URL without its password, for messages
  std::mutex mutex_;
  std::unique_ptr<PgConnection> connection_;
};

}  // namespace coalition

#endif  // COALITION_STORE_POSTGRES_LEASES_H_
