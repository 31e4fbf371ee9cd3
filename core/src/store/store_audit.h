// store_audit: the audit chain as every Store implements it — how a batch's drafts are sealed
// after the chain's tail, and how the stored chain and events are checked — so that SQLite and
// PostgreSQL write and verify one chain the same way; each store only reads and writes rows.
//
// Sealing: a batch's entries go in time order (stable, so each execution keeps its own order;
// the committer drains executions in queue order, not time order), each sealed after the one
// before it (audit/audit_chain.h), an entry recording an event carrying the digest of that
// event as written in the same batch. The store reads the tail inside its write transaction, so
// the chain is right whoever wrote last.
//
// Verifying: every entry in seq order (AuditVerifier), then every stored event against the
// entry that names it and every entry against its events (StoredEventCheck), with the purges
// that account for removed summaries and rewritten or deleted events (audit/purge_evidence.h).
// The store streams both from one snapshot.
#ifndef COALITION_STORE_STORE_AUDIT_H_
#define COALITION_STORE_STORE_AUDIT_H_

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "audit/audit_chain.h"
#include "audit/purge_evidence.h"
#include "store/store.h"

namespace coalition {

// Each event a batch writes, with the digest its audit entry carries: views of the batch's own
// strings, or of a digest computed here for an event that came without one. Indexed on the first
// find(): a batch whose entries came with their events' digests (AuditDraft::event_hash, taken
// on the committer's draining thread) costs the writer nothing here.
class BatchEventDigests {
 public:
  // `events` (written with their payloads) must outlive this.
  explicit BatchEventDigests(const std::vector<StoredEvent>& events) : events_(events) {}
  explicit BatchEventDigests(std::vector<StoredEvent>&&) = delete;
  std::optional<std::string_view> find(std::string_view execution_id, uint64_t seq) const;

 private:
  const std::vector<StoredEvent>& events_;
  mutable bool indexed_ = false;
  mutable std::map<std::pair<std::string_view, uint64_t>, std::string_view> by_event_;
  mutable std::deque<std::string> computed_;
};

// The chain's last entry, as the store holds it: none yet is seq 0 after the genesis hash.
struct AuditTail {
  uint64_t seq = 0;
  std::string hash = kAuditGenesisHash;
  std::optional<TimePoint> at;
};

// The store's note of its last entry (meta "audit_head"), which AuditVerifier::finish checks.
std::string audit_head_text(const AuditTail& tail);

// Writes one sealed entry: the draft's fields, its position, the seal, the hash of the entry
// before it and the digests of its events, one after another (empty: none).
using AuditEntryWriter =
    std::function<Status(const AuditDraft& draft, uint64_t seq, const AuditSeal& seal,
                         std::string_view prev_hash, std::string_view event_hash)>;

// What sealing does with an entry older than the chain's head by more than kAuditClockSkew.
enum class LateEntries {
  // Refused (one writer: an operator's `--now` in the past, or a wall clock stepped back).
  kRefused,
  // Sealed at the head's time (several engine nodes: one that paused, or whose clock lags,
  // commits after entries stamped later; its entries take their place in commit order, and
  // their events keep their own time).
  kSealedAtHead,
};

// Seals `drafts` after `tail` and hands each entry to `write`, advancing `tail`; an entry's
// events' digests are its own event_hash when it came with one, else found in `digests`.
// kInvalidArgument
// when an entry would be backdated and `late` refuses it (audit_time_after), kInternal when an
// entry names an event the batch does not write; the store rolls the transaction back on any
// failure.
Status seal_batch_audit(const std::vector<AuditDraft>& drafts, const BatchEventDigests& digests,
                        AuditTail& tail, const AuditEntryWriter& write,
                        LateEntries late = LateEntries::kRefused);

// A SHA-256 digest in hex as its 32 bytes (how stores keep them); nullopt for anything that is
// not 64 lower-case hex digits (an empty event hash, text of an older store).
inline constexpr size_t kDigestBytes = 32;
std::optional<std::array<char, kDigestBytes>> digest_bytes(std::string_view hex);
// Digests one after another (an entry's events), in hex, as their bytes; nullopt as above.
std::optional<std::string> digest_list_bytes(std::string_view hex);
// Bytes as lower-case hex.
std::string hex_text(std::string_view bytes);

// Stored events against the audit entries that record them, fed in (execution, seq) order.
class StoredEventCheck {
 public:
  // `legacy`: executions with entries written before event digests (scheme 1).
  StoredEventCheck(AuditVerification& verification,
                   const std::map<std::string, PurgeEvidence>& purges,
                   const std::set<std::string>& legacy);
  // One stored event and the entry of its execution with the greatest first event at or before
  // it (`entry_seq` nullopt: none), which names it if its digests reach that far: that entry's
  // first event and its digests, one after another. False from the first problem on (marked
  // in the verification).
  bool event(const std::string& execution_id, uint64_t seq, int64_t at_ms, std::string_view type,
             std::string_view step, std::string_view data, std::optional<uint64_t> entry_seq,
             uint64_t entry_event_seq, std::string_view entry_event_hash);
  // Entry `entry_seq` records event `event_seq` of `execution_id`, which is no longer stored.
  bool missing(uint64_t entry_seq, const std::string& execution_id, uint64_t event_seq);

 private:
  AuditVerification& v_;
  const std::map<std::string, PurgeEvidence>& purges_;
  const std::set<std::string>& legacy_;
  std::string current_;
  bool linked_seen_ = false;
};

// The purge evidence of `execution_id` in `purges`, or null.
const PurgeEvidence* purge_evidence_for(const std::map<std::string, PurgeEvidence>& purges,
                                        const std::string& execution_id);

}  // namespace coalition

#endif  // COALITION_STORE_STORE_AUDIT_H_
