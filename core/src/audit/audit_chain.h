// AuditChain: how audit entries are linked so that any change to the log shows.
//
// Each entry's hash covers its sequence number, time, actor, role, organisation, execution,
// step, type, the SHA-256 of its summary, and the previous entry's hash. Hashing the summary's
// digest instead of the summary lets a later retention purge replace a summary with a tombstone
// and keep its digest: the chain still verifies, and the purge itself is an audited event.
#ifndef COALITION_AUDIT_AUDIT_CHAIN_H_
#define COALITION_AUDIT_AUDIT_CHAIN_H_

#include <cstdint>
#include <string>

#include "store/store.h"

namespace coalition {

inline const std::string kAuditGenesisHash(64, '0');

// A draft with its summary written and hashed now, by the thread that records it, so the
// committer only links it into the chain.
AuditDraft make_audit_draft(TimePoint at, std::string actor, std::string role,
                            std::string organisation, std::string execution_id, std::string step,
                            std::string type, const nlohmann::json& summary);

// The entry `draft` becomes at position `seq` after an entry whose hash is `prev_hash`.
AuditRecord seal_audit_entry(const AuditDraft& draft, uint64_t seq, const std::string& prev_hash);

// The hash `record` must carry, from its other fields.
std::string audit_entry_hash(const AuditRecord& record);

// Checks entries one at a time, in the order the store holds them.
class AuditVerifier {
 public:
  // False from the first bad entry on; result() names it. `may_be_redacted`: the entry's
  // execution has a tombstone, so an empty summary (a purge removed it) is checked by its kept
  // digest alone; anywhere else an empty summary is a modification.
  bool add(const AuditRecord& record, bool may_be_redacted = false);
  // `head` is the store's note of the last entry ("seq:hash"), empty if it has none; a
  // mismatch means entries were cut from the end.
  AuditVerification finish(const std::string& head);

 private:
  AuditVerification result_;
  std::string prev_hash_ = kAuditGenesisHash;
};

}  // namespace coalition

#endif  // COALITION_AUDIT_AUDIT_CHAIN_H_
