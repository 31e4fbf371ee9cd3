// AuditChain: how audit entries are linked so that any change to the log shows.
//
// Each entry's hash is SHA-256 over length-prefixed fields (audit/event_digest.h framing):
//   scheme 1: seq, at, actor, role, organisation, execution, step, type, summary_hash, prev_hash
//   scheme 2: the same, then "2", event_seq, event_hash
//   scheme 3: as scheme 2 (with "3"); event_hash may hold the digests of several consecutive
//             events, from event_seq, one after another (audit/audit_grouping.h)
// summary_hash is the SHA-256 of the summary, so a retention purge can empty a summary and the
// chain still verifies by the kept digest; event_hash is the digest of each event the entry
// records, so every event payload is covered too (docs/decisions/0008-anchored-audit.md).
// Time never moves back along the chain: the store refuses such an entry, the verifier reports
// one (kind "backdated").
#ifndef COALITION_AUDIT_AUDIT_CHAIN_H_
#define COALITION_AUDIT_AUDIT_CHAIN_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_record.h"
#include "common/result.h"

namespace coalition {

inline const std::string kAuditGenesisHash(64, '0');
// The scheme new entries are written with.
inline constexpr int kAuditScheme = 3;
// Threads racing to the committer may hand over an entry stamped this much before the last
// one; it is sealed at the last entry's time. Anything earlier is refused.
inline constexpr std::chrono::milliseconds kAuditClockSkew{1000};

// A draft with its summary written and hashed now, by the thread that records it, so the
// committer only links it into the chain.
AuditDraft make_audit_draft(TimePoint at, std::string actor, std::string role,
                            std::string organisation, std::string execution_id, std::string step,
                            std::string type, const nlohmann::json& summary);

// `summary` with "identity" (how the actor was identified: asserted, token:<id>) when known.
nlohmann::json with_identity(nlohmann::json summary, const std::string& identity);

// The instant an entry drafted at `wanted` is sealed at when the chain's last entry is at
// `last`: `wanted`, or `last` if `wanted` is at most kAuditClockSkew earlier. kInvalidArgument
// (naming both instants) when earlier still: an audit entry is never backdated.
Result<TimePoint> audit_time_after(std::optional<TimePoint> last, TimePoint wanted);

// What sealing adds to a draft at position `seq`, at instant `at`, after an entry whose hash is
// `prev_hash`: its time as hashed (RFC 3339), its summary's digest and its own hash. The entry
// is the draft's fields with these, `prev_hash`, kAuditScheme and `event_hash` (the digest of
// the event it records; empty: none). For a store that writes the draft's fields as they are.
struct AuditSeal {
  std::string at;
  std::string summary_hash;
  std::string hash;
};
AuditSeal seal_audit_draft(const AuditDraft& draft, uint64_t seq, std::string_view prev_hash,
                           TimePoint at, std::string_view event_hash);

// The entry `draft` becomes at position `seq`, at instant `at`, after an entry whose hash is
// `prev_hash`; `event_hash` is the digest of the event it records (empty: none).
AuditRecord seal_audit_entry(const AuditDraft& draft, uint64_t seq, const std::string& prev_hash,
                             TimePoint at, std::string event_hash = {});

// The hash `record` must carry, from its other fields.
std::string audit_entry_hash(const AuditRecord& record);

// Marks `v` broken at `seq` (kinds: missing, out_of_order, unlinked, summary_removed,
// summary_modified, hash_mismatch, malformed, backdated, bad_time, scheme_downgrade, truncated,
// checkpoint_mismatch, event_modified, event_deleted, event_unaudited).
void mark_audit_broken(AuditVerification& v, uint64_t seq, std::string kind, std::string problem);

// Checks entries one at a time, in the order the store holds them.
class AuditVerifier {
 public:
  // `anchors`: positions the chain must still hold (checkpoints).
  explicit AuditVerifier(const std::vector<AuditAnchor>& anchors = {});
  // False from the first bad entry on; result() names it. `may_be_redacted`: a tombstone and a
  // `purged` entry cover the entry's execution, so an empty summary is checked by its kept
  // digest alone; anywhere else an empty summary is a modification.
  bool add(const AuditRecord& record, bool may_be_redacted = false);
  // `head` is the store's note of the last entry ("seq:hash"), empty if it has none; a
  // mismatch, or an anchor beyond the last entry, means entries were cut from the end.
  AuditVerification finish(const std::string& head);

 private:
  bool fail(uint64_t seq, std::string kind, std::string problem);
  bool check_time(const AuditRecord& r);

  AuditVerification result_;
  std::string prev_hash_ = kAuditGenesisHash;
  std::optional<TimePoint> prev_at_;
  int prev_scheme_ = 1;
  std::multimap<uint64_t, AuditAnchor> anchors_;
};

}  // namespace coalition

#endif  // COALITION_AUDIT_AUDIT_CHAIN_H_
