// RetentionPolicy: how long each record type of an execution is kept, and what puts it under
// legal hold. Two record types:
//   restricted — the restricted-class data of a finished execution (workflow/visibility.h):
//                purged by rewriting every stored payload as a member-cleared role sees it;
//   execution  — everything of a finished execution: contexts, history payloads, tasks and
//                audit summaries (the audit entries themselves stay: the chain is permanent).
// A rule is a calendar period ("P5Y": five years from the anchor's date) and an anchor: when the
// execution finished ("completed"), when it started, or an instant in its output
// ("/filing/filed_at"). The workflow's `retention` block wins over the installation's (`retention`
// in coalition.json), which wins over the built-in policy. Tombstones and the audit log are kept
// for good.
#ifndef COALITION_RETENTION_RETENTION_POLICY_H_
#define COALITION_RETENTION_RETENTION_POLICY_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "common/utc_time.h"
#include "workflow/calendar_period.h"
#include "workflow/workflow.h"

namespace coalition {

struct RetentionRule {
  std::string record_type;  // "restricted" or "execution", in the order purge applies them
  CalendarPeriod keep{};
  std::string from = "completed";  // completed, started, or a context pointer
  std::string source;              // workflow, installation or built-in: where it came from

  nlohmann::json to_json() const;  // as a tombstone records it
};

struct RetentionPolicy {
  std::vector<RetentionRule> rules;  // one per record type: restricted, then execution
  std::string hold;                  // context pointer; true there = under legal hold
};

// The record types, in purge order.
const std::vector<std::string>& retention_record_types();

// The policy for executions of `workflow` under the installation's `installation_rules`
// (EngineConfig::retention, already checked).
RetentionPolicy retention_policy(const Workflow& workflow,
                                 const nlohmann::json& installation_rules);

// When the record expires: the anchor plus `keep` (calendar arithmetic, workflow/calendar_period.h;
// an expiry past the year 9999 is the latest instant, i.e. never). The anchor comes from the
// execution's start, its finish, or its output; a context anchor that is missing or not an RFC 3339
// instant falls back to the finish, and `*note` says so.
TimePoint retention_expiry(const RetentionRule& rule, TimePoint started, TimePoint finished,
                           const nlohmann::json& final_context, std::string* note);

}  // namespace coalition

#endif  // COALITION_RETENTION_RETENTION_POLICY_H_
