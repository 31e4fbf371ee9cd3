// PurgeEvidence: what the store and the audit chain say a retention purge did to one execution,
// and so which changes to its stored data the verifier accepts.
//
// A purge's `purged` entry lists in its summary (key "events") the events it deleted and the
// digest of each payload it rewrote; the entry is in the chain, so the list is as protected as
// the chain. A change is accepted only with the tombstone AND that entry: a tombstone row alone
// (easy to insert) covers nothing.
#ifndef COALITION_AUDIT_PURGE_EVIDENCE_H_
#define COALITION_AUDIT_PURGE_EVIDENCE_H_

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

namespace coalition {

struct PurgeEvidence {
  bool tombstone = false;                     // the store holds a tombstone for the execution
  bool audited = false;                       // the chain holds a `purged` entry for it
  bool everything = false;                    // an `execution` purge: every event may be gone
  std::set<uint64_t> deleted;                 // events a restricted purge removed
  std::map<uint64_t, std::string> rewritten;  // seq -> digest of the payload it left

  // Summaries may be empty only under both.
  bool covers_redaction() const { return tombstone && audited; }
  // The event at `seq` may be missing from the store.
  bool covers_deletion(uint64_t seq) const;
  // The event at `seq` may now have digest `digest` instead of the one its entry carries.
  bool covers_rewrite(uint64_t seq, const std::string& digest) const;
  // Folds in one `purged` entry's summary (JSON text as stored; unreadable: covers nothing).
  void note_purged_entry(const std::string& summary);
};

// The "events" member of a `purged` entry's summary: {"deleted": [seq...], "rewritten":
// {"<seq>": digest}}.
nlohmann::json purge_events_summary(const std::set<uint64_t>& deleted,
                                    const std::map<uint64_t, std::string>& rewritten);

}  // namespace coalition

#endif  // COALITION_AUDIT_PURGE_EVIDENCE_H_
