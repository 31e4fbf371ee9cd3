// sqlite_event_runs: how the SQLite store keeps events. The events of one execution that one
// commit writes are one row of `event_runs`, a run: the execution, its first and last event
// number, and the events as a JSON array of [seq, at, type, step, data] (at in milliseconds
// since the epoch, data the payload's text as a JSON string, byte for byte). A drain records
// about three events at a time, so a commit inserts a third of the rows and index entries it
// would one event per row.
//
// Contract of the table (schema 19, store/sqlite_migrations.cc): runs are stored in the order
// they arrive; an execution's runs never overlap (first_seq..last_seq), though a run may have
// gaps where an event was deleted; `events`, a view, expands the runs into one row per event
// (execution_id, seq, at, type, step, data), and its INSTEAD OF triggers insert, rewrite and
// delete single events, so every query of it reads as the table of one row per event did.
#ifndef COALITION_STORE_SQLITE_EVENT_RUNS_H_
#define COALITION_STORE_SQLITE_EVENT_RUNS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "history/event.h"

namespace coalition {

// Builds one run's text, event by event.
class EventRunText {
 public:
  // Starts a new run (the text of the last one is dropped).
  void clear();
  // Appends `event` (after text() too); its payload is written as it is, whatever bytes it holds:
  // the stored event's digest was taken over them.
  void add(const Event& event);
  // The JSON array of the events added since clear().
  std::string_view text();
  bool empty() const { return count_ == 0; }

 private:
  std::string text_;
  size_t count_ = 0;
  bool closed_ = false;  // text_ ends with the array's closing bracket
};

}  // namespace coalition

#endif  // COALITION_STORE_SQLITE_EVENT_RUNS_H_
