// The audit log's records as the chain and the store both see them: an entry before it has a
// place in the chain (AuditDraft), a sealed entry (AuditRecord), a position the chain must still
// hold (AuditAnchor) and what verifying the chain found (AuditVerification). Below the store, so
// the chain's rules (audit/audit_chain.h) need no store to be stated.
#ifndef COALITION_AUDIT_AUDIT_RECORD_H_
#define COALITION_AUDIT_AUDIT_RECORD_H_

#include <cstdint>
#include <string>

#include "common/time_point.h"

namespace coalition {

// One audit entry before the store gives it a place in the chain.
struct AuditDraft {
  TimePoint at;
  std::string actor;
  std::string role;
  std::string organisation;
  std::string execution_id;
  std::string step;
  std::string type;
  std::string summary;       // JSON text; never a sensitive payload: codes, ids, counts
  std::string summary_hash;  // SHA-256 of `summary`; empty: computed when sealed
  // The first event of `execution_id` this entry records (0: none), and how many consecutive
  // events from it (audit/audit_grouping.h). They must be in the same batch: the store links
  // the entry to the digest of each event's stored bytes (audit/event_digest.h).
  uint64_t event_seq = 0;
  uint64_t event_count = 1;
  // The digests of those events one after another (hex), when taken ahead of the write from the
  // events of the same batch (store/stored_forms.h); empty: the store finds them in the batch.
  // Given, it is sealed as it is: whoever changes those events after encoding clears it.
  std::string event_hash{};
};

struct AuditRecord {
  uint64_t seq = 0;
  std::string at;  // RFC 3339, as hashed
  std::string actor;
  std::string role;
  std::string organisation;
  std::string execution_id;
  std::string step;
  std::string type;
  std::string summary;       // JSON text
  std::string summary_hash;  // SHA-256 of `summary`
  std::string prev_hash;     // `hash` of entry seq-1; 64 zeros for the first
  std::string hash;
  // 1: entries written before event digests (schema 2 stores); 2: the hash also covers
  // scheme, event_seq and event_hash (audit/audit_chain.h); 3: an entry may record several
  // consecutive events.
  int scheme = 3;
  uint64_t event_seq = 0;  // the (first) event recorded, 0: none
  // The digest of each event recorded, in order, when written (audit/event_digest.h): 64 hex
  // digits per event; empty: none.
  std::string event_hash;
  // A record audit(execution) made of one event of an entry that records several
  // (audit/audit_grouping.h): its place among them, from 1; 0: the entry as stored.
  uint64_t part = 0;
};

// How many events `r` records (its digests; 0 for none).
inline uint64_t audit_event_count(const AuditRecord& r) {
  return r.event_seq == 0 ? 0 : r.event_hash.size() / 64;
}

// A position the chain must still hold: a signed checkpoint's head (audit/audit_checkpoint.h).
struct AuditAnchor {
  uint64_t seq = 0;   // entries the chain had then (0: it was empty)
  std::string hash;   // hash of entry `seq`
  std::string label;  // names it in a report: "the checkpoint of <time>"
};

struct AuditVerification {
  bool ok = true;
  uint64_t entries = 0;
  uint64_t first_bad_seq = 0;  // when !ok
  std::string problem;         // when !ok: what is wrong with that entry
  std::string kind;            // when !ok: a stable word (audit/audit_chain.h lists them)
  std::string head_hash;       // hash of the last entry
  uint64_t redacted = 0;       // entries whose summary a purge removed (a tombstone covers each)
  uint64_t events = 0;         // stored events checked against the digest in their entry
  uint64_t unanchored_events = 0;  // events written before digests (schema 2 stores)
  uint64_t anchors = 0;            // checkpoints the chain was found to hold
};

}  // namespace coalition

#endif  // COALITION_AUDIT_AUDIT_RECORD_H_
