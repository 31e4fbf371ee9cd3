// The documents people read about one execution — status, history, timeline — built from an
// ExecutionView, so each keeps only what the view's clearance allows. The CLI prints them (as
// JSON or as text); the server returns them.
#ifndef COALITION_APP_EXECUTION_DOCUMENTS_H_
#define COALITION_APP_EXECUTION_DOCUMENTS_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/execution_view.h"

namespace coalition::app {

// Every running deadline of a step the view sees: [{"step", "due", "cap"?, "level", "rule"?,
// "calendar"?, "task"?}] (`open_tasks`: the view's open tasks, which name the task).
nlohmann::json running_deadlines(const ExecutionView& view,
                                 const std::vector<TaskRecord>& open_tasks);

// id, workflow, status, initiator, started_at, updated_at (its last visible change),
// open_tasks, in_progress (current steps, or what a role below their class reads instead),
// next_due (full view; below it, the earliest deadline it sees), deadlines, output or error (as far
// as visible), purged (tombstones), legal_hold (restricted clearance), and view {role, clearance}
// when the view is as a role.
Result<nlohmann::json> status_document(const ExecutionView& view);

// {"id", "events": [...]} with the events the view may see.
Result<nlohmann::json> history_document(const ExecutionView& view);

// An execution's story for people: who acted, what was refused, which deadlines were set,
// missed and escalated, holds and purges — in time order. Steps the engine ran by itself
// appear only when they failed; `history` has every event.
struct TimelineEntry {
  std::string at;  // RFC 3339
  std::string text;
};
Result<std::vector<TimelineEntry>> timeline(const ExecutionView& view);
// {"id", "workflow", "entries": [{"at", "text"}]}
nlohmann::json timeline_document(const ExecutionView& view,
                                 const std::vector<TimelineEntry>& entries);

// "2026-12-02T03:00:00.000Z" -> "2026-12-02 03:00Z": minutes are what people read.
std::string minutes(const std::string& rfc3339);

}  // namespace coalition::app

#endif  // COALITION_APP_EXECUTION_DOCUMENTS_H_
