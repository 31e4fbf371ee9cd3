// audit_grouping: one audit entry for a run of an execution's events, and the run read back
// event by event.
//
// An execution records its events a few at a time (a step's end, the next step's schedule and
// attempt, committed together), and every event needs its digest in the chain. One entry per
// event made the audit log the largest part of the store and of each commit's work: three rows
// of ~250 bytes for one engine step. An entry of scheme 3 records consecutive events of one
// execution on one step by one actor (the same actor, role and organisation): its event_seq is
// the first, its event_hash holds each event's digest in turn, its type is kAuditEventsType, its
// step theirs, and its summary lists each event's type and own summary (if not empty), in order:
//   {"events": [{"type": "step_scheduled"}, {"type": "attempt_started", "summary": {"attempt":
//   1}}]}
// An entry of one event stays as before (its own type, step and summary). Steps are not mixed:
// a retention purge empties, whole, the summary of an entry on a step members may not see.
//
// Readers of an execution's trail see one record per event (expand_audit_entry), so the trail
// reads as it always did; the chain, its verification and its checkpoints see entries.
#ifndef COALITION_AUDIT_AUDIT_GROUPING_H_
#define COALITION_AUDIT_AUDIT_GROUPING_H_

#include <string_view>
#include <vector>

#include "audit/audit_record.h"

namespace coalition {

// The type of an entry that records several events.
inline constexpr std::string_view kAuditEventsType = "events";

// Appends `drafts` (one execution's, in the order recorded) to `out`, each run of drafts that
// record consecutive events on one step with one actor, role and organisation folded into one
// draft.
// Drafts that record no event are appended as they are, and end a run. Every draft appended
// has its summary's digest (a draft may come without it).
void append_grouped_audit(std::vector<AuditDraft>& out, std::vector<AuditDraft>&& drafts);

// `entry` as one record per event it records (part 1, 2, ...: its type and summary, its
// event_seq and digest; the entry's seq, time, actor, step and hash), or `entry` alone when it
// records at most one event or its summary can no longer say which (a purge emptied it).
std::vector<AuditRecord> expand_audit_entry(AuditRecord entry);

}  // namespace coalition

#endif  // COALITION_AUDIT_AUDIT_GROUPING_H_
