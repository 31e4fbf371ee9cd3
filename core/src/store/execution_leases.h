// ExecutionLeases: which engine node works on which execution, when several nodes share one
// database. An engine loads an execution only once it holds its lease; the store refuses every
// write of a leased execution whose owner or fence moved (ExecutionFence in store/store.h), so at
// most one node's work on an execution is ever committed after a claim, whatever pauses, clocks
// or networks do.
//
// A node is alive while its last heartbeat is younger than the lease it declared, measured on
// the database's clock. A lease is the node's: one heartbeat renews every lease the node holds.
// A lease is claimed when the execution has no owner, or its owner's heartbeat lapsed; each
// claim raises the execution's fence, and the node writes with that fence until it releases the
// execution (parked, finished) or loses it. See docs/decisions/0015-execution-leases.md.
#ifndef COALITION_STORE_EXECUTION_LEASES_H_
#define COALITION_STORE_EXECUTION_LEASES_H_

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time_point.h"
#include "store/store.h"

namespace coalition {

// What a claim of one execution found.
struct LeaseClaim {
  enum class Outcome {
    kGranted,  // the caller holds the lease now, with `fence`
    kHeld,     // another node that is alive holds it (`holder`)
    kUnknown,  // no such execution: nothing to lease
  };
  Outcome outcome = Outcome::kUnknown;
  ExecutionFence lease;  // kGranted
  std::string holder;    // kHeld: the node's name
};

// A node as the database knows it.
struct NodeRecord {
  std::string node;  // unique per process: "<name>/<random>"
  std::string name;  // as configured (cluster.node), several processes over time
  TimePoint started_at;
  TimePoint heartbeat_at;
  std::chrono::milliseconds lease{0};
  bool alive = false;
  uint64_t executions = 0;  // leases it holds
};

class ExecutionLeases {
 public:
  virtual ~ExecutionLeases() = default;

  // Registers `node` (named `name`) or renews its heartbeat: every lease the node holds is good
  // for `lease` from now on the database's clock. A node whose heartbeat lapsed may come back:
  // the leases others claimed meanwhile are theirs (its writes of them are refused), the rest
  // are still its own.
  virtual Status heartbeat(const std::string& node, const std::string& name,
                           std::chrono::milliseconds lease) = 0;
  // Claims execution `id` for `node`, whatever its status (a failed one is claimed to retry
  // it): granted when it has no owner, its owner is not alive, or `node` owns it already (the
  // fence is raised all the same, so that older writes are refused).
  virtual Result<LeaseClaim> claim(const std::string& node, const std::string& id) = 0;
  // Claims up to `limit` executions nobody alive works on that need work now: running ones (a
  // dead node's, or recorded without running) and waiting ones whose next timer is due at or
  // before `now`. Rows another node is claiming at the same moment are skipped, never waited
  // for, so each execution goes to one node.
  virtual Result<std::vector<ExecutionFence>> claim_orphans(const std::string& node, TimePoint now,
                                                            size_t limit) = 0;
  // Gives the lease up (the execution parked or finished) if it is still as held; nothing
  // otherwise.
  virtual Status release(const ExecutionFence& lease) = 0;
  // Of `held`, the executions whose lease is no longer as given (claimed by another node since).
  virtual Result<std::vector<std::string>> moved(const std::vector<ExecutionFence>& held) = 0;
  // Releases every lease of `node` and forgets it: a node that stops cleanly.
  virtual Status leave(const std::string& node) = 0;
  // Every node the database knows, alive or not, by name.
  virtual Result<std::vector<NodeRecord>> nodes() = 0;
};

}  // namespace coalition

#endif  // COALITION_STORE_EXECUTION_LEASES_H_
