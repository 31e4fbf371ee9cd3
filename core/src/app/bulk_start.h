// Bulk starts: one execution per item of a list — every active member of the registry, every
// contact of a chain — each with its own input, made from a template over the item. A batch has
// a name; each item's execution id follows from the workflow, the batch and the item's key, so
// running the same batch again starts only what is missing (after an interruption, or when the
// list grew) and never a second execution for an item, whoever runs it.
#ifndef COALITION_APP_BULK_START_H_
#define COALITION_APP_BULK_START_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "app/session.h"
#include "auth/principal.h"

namespace coalition::app {

struct BulkStart {
  std::string workflow;  // id
  int64_t version = 0;   // 0: the highest version the store holds
  nlohmann::json items;  // a list
  // Each execution's input: a data template (workflow/data_template.h) over
  // {"item": <the item>, "index": <its place, from 0>}; null: the item itself.
  nlohmann::json input_template;
  // Only items for which this condition (workflow/condition.h, over the same document) holds;
  // null: every item.
  nlohmann::json where;
  // Pointer into the same document: the item's key in the batch — what stays the item's own
  // when the list is reordered or grows (/item/id); /index only for a list that never changes.
  std::string key;
  std::string batch;     // the batch's name: one line of text
  bool dry_run = false;  // say what would start; start nothing
  bool run = false;      // false: recorded for a worker (as `coalition start`)
};

struct BulkItem {
  size_t index = 0;
  std::string key;
  std::string id;        // the execution's id
  bool created = false;  // false: the batch had started it before (or, dry run: would not start)
};

struct BulkStarted {
  std::vector<BulkItem> items;  // in list order, the items `where` kept
  size_t skipped = 0;           // items `where` left out
};

// Checks every item first — its key (text or an integer, unique in the batch) and its input,
// against the workflow's input schema — and starts nothing when one is wrong (kInvalidData
// naming the item's index and the pointer), or when the batch started an item's key before
// with another input or workflow version (kConflict: a changed batch needs a new name). Then starts
// the missing executions in list order, each committed before the next; an error stops there, and
// running the batch again carries on. At most limits.start_count items. kPermissionDenied as
// start_execution.
Result<BulkStarted> start_each(Session& s, const Principal& p, const BulkStart& request);

}  // namespace coalition::app

#endif  // COALITION_APP_BULK_START_H_
