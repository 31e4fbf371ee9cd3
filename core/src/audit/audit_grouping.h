// audit_grouping: one audit entry for a run of an execution's events, and the run read back
// event by event.
//
// An execution records its events a few at a time (a step's end, the next step's schedule and
// attempt, committed together), and every event needs its digest in the chain. One entry per
// event made the audit log the largest part of the store and of each commit's work: three rows
// of ~250 bytes for one engine step. An entry of scheme 3 records consecutive events of one
// execution by one actor (the same actor, role and organisation): its event_seq is the first,
// its event_hash holds each event's digest in turn, its type is kAuditEventsType, its step the
// first event's, and its summary lists each event's type, its step where that is not the
// entry's, and its own summary (if not empty), in order:
//   {"events": [{"type": "step_succeeded"}, {"type": "step_scheduled", "step": "sar"},
//   {"type": "attempt_started", "step": "sar", "summary": {"attempt": 1}}]}
// An entry of one event stays as before (its own type, step and summary).
//
// Steps are mixed only where members see all of them or none: a retention purge empties, whole,
// the summary of an entry holding an event of a step members may not see, which must never take
// a record members may see with it. The caller says which steps are alike (StepsAlike); without
// it, another step ends a run.
//
// Readers of an execution's trail see one record per event (expand_audit_entry), so the trail
// reads as it always did; the chain, its verification and its checkpoints see entries.
#ifndef COALITION_AUDIT_AUDIT_GROUPING_H_
#define COALITION_AUDIT_AUDIT_GROUPING_H_

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_record.h"

namespace coalition {

// The type of an entry that records several events.
inline constexpr std::string_view kAuditEventsType = "events";

// Whether events of two different steps (paths, "" for the execution itself) may share an
// entry: members may see both, or neither.
using StepsAlike = std::function<bool(const std::string&, const std::string&)>;

// Appends `drafts` (one execution's, in the order recorded) to `out`, each run of drafts that
// record consecutive events with one actor, role and organisation, on one step or on steps
// `alike` says may share an entry, folded into one draft.
// Drafts that record no event are appended as they are, and end a run. Every draft appended
// has its summary's digest (a draft may come without it).
void append_grouped_audit(std::vector<AuditDraft>& out, std::vector<AuditDraft>&& drafts,
                          const StepsAlike& alike = nullptr);

// `entry` as one record per event it records (part 1, 2, ...: its type, step and summary, its
// event_seq and digest; the entry's seq, time, actor and hash), or `entry` alone when it
// records at most one event or its summary can no longer say which (a purge emptied it).
std::vector<AuditRecord> expand_audit_entry(AuditRecord entry);

}  // namespace coalition

#endif  // COALITION_AUDIT_AUDIT_GROUPING_H_
