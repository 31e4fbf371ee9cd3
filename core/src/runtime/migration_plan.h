// MigrationPlan: how running executions of one workflow version move to another — data a
// coordinator writes, checks with a dry run, then applies (Engine::migrate, docs/cli.md
// `coalition migrate`).
//
//   {"workflow": "contact_verification", "from": 1, "to": 2,
//    "steps": {"confirm": "confirm_contacts"},
//    "context": [{"op": "add", "path": "/region", "value": "EU"}],
//    "executions": ["ex-..."]}
//
// `steps` renames steps: an old step id to the id it has in the new version (in the same place:
// the main sequence, or the same branch or iteration; an id used in several sequences is
// renamed in each). A step it does not name keeps its id.
// `context` is a JSON Patch (RFC 6902) applied to the main sequence's context. `executions`
// narrows the plan to those ids; without it, every running or waiting execution of the old
// version.
#ifndef COALITION_RUNTIME_MIGRATION_PLAN_H_
#define COALITION_RUNTIME_MIGRATION_PLAN_H_

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.h"
#include "workflow/workflow.h"

namespace coalition {

struct MigrationPlan {
  std::string workflow;
  int64_t from = 0;
  int64_t to = 0;
  std::map<std::string, std::string> steps;          // old step id -> new step id
  nlohmann::json context = nlohmann::json::array();  // RFC 6902 operations
  std::vector<std::string> executions;               // empty: all of `from`

  std::string from_key() const { return workflow + "@" + std::to_string(from); }
  std::string to_key() const { return workflow + "@" + std::to_string(to); }
  // The id step `id` of the old version has in the new one.
  const std::string& renamed(const std::string& id) const;
};

// Reads a plan: kInvalidData naming the pointer of the first problem (a wrong type, a missing
// member, an unknown one, a JSON Patch operation without what its `op` needs, an image or
// video anywhere in it).
Result<MigrationPlan> parse_migration_plan(const nlohmann::json& doc);

// The plan against the two versions it names: kInvalidData with the pointer when a step it
// renames is not there (an old id not in `from`, a new id not in `to`), or when a new id is
// also an old step the plan leaves as it is. (Whether each execution can move is Engine::migrate's
// answer.)
Status check_migration_plan(const MigrationPlan& plan, const Workflow& from, const Workflow& to);

// What a plan did, or would do, to one execution.
struct MigrationReport {
  std::string execution;
  // What changes, in words: steps renamed, deadlines computed again, the context patched.
  std::vector<std::string> changes;
  // Why it cannot move (nothing changes when there is one); empty: it can.
  std::vector<std::string> problems;
  bool applied = false;  // false: a dry run, or a problem stopped it

  nlohmann::json to_json() const;
};

}  // namespace coalition

#endif  // COALITION_RUNTIME_MIGRATION_PLAN_H_
