// sqlite_event_runs: how the SQLite store keeps events. The events of one execution that one
// commit writes are one row of `event_runs`, a run: the execution, its first and last event
// number, and the events as a JSON array of [seq, at, type, step, data] (at in milliseconds
// since the epoch, data the payload's text as a JSON string, byte for byte). A drain records
// about three events at a time, so a commit inserts a third of the rows and index entries it
// would one event per row.
//
// Contract of the table (schema 19, store/sqlite_migrations.cc): runs are stored in the order
// they arrive; an execution's runs never overlap (first_seq..last_seq), though a run may have
// gaps where an event was deleted, and nothing is written into a gap: so the run that may hold
// event n is the one with the greatest first event at or before n, one lookup in the index on
// (execution_id, first_seq, last_seq). `events`, a view, expands the runs into one row per event
// (execution_id, seq, at, type, step, data), and its INSTEAD OF triggers insert, rewrite and
// delete single events, so every query of it reads as the table of one row per event did; the
// store's own reads and edits by event number go to the run through the index instead.
#ifndef COALITION_STORE_SQLITE_EVENT_RUNS_H_
#define COALITION_STORE_SQLITE_EVENT_RUNS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "history/event.h"

namespace coalition {

// The rowid of the run of execution ?1 that may hold event ?2 (an SQL subquery, for the store's
// statements): found in the index alone.
inline constexpr const char* kRunThatMayHold =
    "(SELECT rowid FROM event_runs WHERE execution_id = ?1 AND first_seq <= ?2 ORDER BY "
    "first_seq DESC LIMIT 1)";

// A query giving a row when event ?2 of execution ?1 is stored: it reads that one run.
std::string stored_event_query();

// Builds one run's text, event by event.
class EventRunText {
 public:
  // Starts a new run (the text of the last one is dropped).
  void clear();
  // Appends `event`; its payload is written as it is, whatever bytes it holds but NUL (which
  // SQLite's JSON functions read as the string's end: the store refuses such an event), for the
  // stored event's digest was taken over them.
  void add(const Event& event);
  // The JSON array of the events added since clear().
  std::string_view text() const { return count_ == 0 ? std::string_view("[]") : text_; }
  bool empty() const { return count_ == 0; }

 private:
  std::string text_;  // a whole array once an event is in: each add() opens and closes it again
  size_t count_ = 0;
};

}  // namespace coalition

#endif  // COALITION_STORE_SQLITE_EVENT_RUNS_H_
