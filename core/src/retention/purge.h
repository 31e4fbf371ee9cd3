// Purge: applies the retention policy to every finished execution in a store.
//
// For each record type (restricted, then execution) whose anchor plus its retention period has
// passed: a record under legal hold (a hold placed with `coalition hold`, or the workflow's
// `retention.hold` field true in the output) is skipped, and the first skip of each hold
// is audited (`purge_skipped`); any other is purged in one transaction with its tombstone and a
// `purged` audit entry. A record that has a tombstone is never looked at again, so purging twice
// changes nothing.
//
// Purging `restricted` rewrites the execution's stored payloads as a member-cleared role sees
// them (workflow/visibility.h): events of restricted steps deleted, other payloads filtered, the
// output filtered, tasks of restricted steps deleted, and the summaries of the audit entries of
// restricted steps removed. Purging `execution` deletes the rest: events, tasks, the state and
// the output, and every audit summary of the execution. Audit entries themselves stay: the chain
// hashes each summary's digest, which is kept, so it still verifies.
#ifndef COALITION_RETENTION_PURGE_H_
#define COALITION_RETENTION_PURGE_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "common/utc_time.h"
#include "store/store.h"
#include "workflow/workflow_validator.h"

namespace coalition {

struct PurgeOptions {
  TimePoint now;
  std::string actor = "retention";  // who runs it, for the audit log
  std::string role;
  bool dry_run = false;      // report what would happen, change nothing
  std::string organisation;  // the actor's
  std::string identity;      // how the actor was identified (asserted, token:<id>); empty: unsaid
};

struct PurgeReport {
  size_t examined = 0;  // finished executions looked at
  size_t purged = 0;    // records purged now
  size_t held = 0;      // expired records skipped under legal hold
  size_t kept = 0;      // records not yet expired
  size_t already = 0;   // records already purged earlier
  // One line per purged or held record: execution, record_type, action, expired_at, policy.
  std::vector<nlohmann::json> actions;
};

Result<PurgeReport> purge_expired(Store& store, const WorkflowCatalog& catalog,
                                  const nlohmann::json& installation_rules,
                                  const PurgeOptions& options);

}  // namespace coalition

#endif  // COALITION_RETENTION_PURGE_H_
