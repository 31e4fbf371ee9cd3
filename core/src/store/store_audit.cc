#include "store/store_audit.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "audit/event_digest.h"
#include "store/stored_forms.h"

namespace coalition {

std::optional<std::string_view> BatchEventDigests::find(std::string_view execution_id,
                                                        uint64_t seq) const {
  if (!indexed_) {
    indexed_ = true;
    for (const StoredEvent& event : events_) {
      const std::pair<std::string_view, uint64_t> key{event.execution_id, event.event.seq};
      if (event.digest.empty()) {
        computed_.push_back(stored_event_digest(event.execution_id, event.event));
        by_event_[key] = computed_.back();
      } else {
        by_event_[key] = event.digest;
      }
    }
  }
  const auto it = by_event_.find({execution_id, seq});
  if (it == by_event_.end()) return std::nullopt;
  return it->second;
}

std::string audit_head_text(const AuditTail& tail) {
  return std::to_string(tail.seq) + ":" + tail.hash;
}

Status seal_batch_audit(const std::vector<AuditDraft>& drafts, const BatchEventDigests& digests,
                        AuditTail& tail, const AuditEntryWriter& write, LateEntries late) {
  std::vector<const AuditDraft*> order;
  order.reserve(drafts.size());
  for (const auto& d : drafts) order.push_back(&d);
  std::stable_sort(order.begin(), order.end(),
                   [](const AuditDraft* a, const AuditDraft* b) { return a->at < b->at; });
  for (const AuditDraft* draft : order) {
    auto at = audit_time_after(tail.at, draft->at);
    if (!at && late == LateEntries::kSealedAtHead) {
      spdlog::warn(
          "audit entry of execution {} sealed at the chain's head time, {} ms after its own: its "
          "node paused or its clock lags behind another node's",
          draft->execution_id,
          std::chrono::duration_cast<std::chrono::milliseconds>(*tail.at - draft->at).count());
      at = *tail.at;
    }
    if (!at) return std::move(at).error();
    std::string_view event_hash =
        draft->event_seq != 0 ? std::string_view(draft->event_hash) : std::string_view();
    std::string event_hashes;  // an entry of several events: their digests one after another
    for (uint64_t i = 0; draft->event_seq != 0 && draft->event_hash.empty() &&
                         i < std::max<uint64_t>(draft->event_count, 1);
         ++i) {
      const uint64_t event_seq = draft->event_seq + i;
      const auto digest = digests.find(draft->execution_id, event_seq);
      if (!digest) {
        return Error::internal("audit entry for event " + std::to_string(event_seq) + " of " +
                               draft->execution_id + " came without its event");
      }
      if (i == 0) {
        event_hash = *digest;
        continue;
      }
      if (i == 1) event_hashes.assign(event_hash);
      event_hashes += *digest;
      event_hash = event_hashes;
    }
    const uint64_t seq = tail.seq + 1;
    AuditSeal seal = seal_audit_draft(*draft, seq, tail.hash, *at, event_hash);
    if (auto s = write(*draft, seq, seal, tail.hash, event_hash); !s) return s;
    tail.seq = seq;
    tail.hash = std::move(seal.hash);
    tail.at = *at;
  }
  return ok_status();
}

namespace {
constexpr char kHexDigits[] = "0123456789abcdef";

// Each byte's value as a lower-case hex digit, or 0xFF: upper case too, for such text is kept
// as text, so it reads back unchanged. A table: every digest a commit writes goes through here
// on the writer's thread (six per audit entry), where tests and branches per character showed.
constexpr std::array<uint8_t, 256> kLowerHexValue = [] {
  std::array<uint8_t, 256> values{};
  values.fill(0xFF);
  for (int c = '0'; c <= '9'; ++c) values[static_cast<size_t>(c)] = static_cast<uint8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) {
    values[static_cast<size_t>(c)] = static_cast<uint8_t>(c - 'a' + 10);
  }
  return values;
}();
}  // namespace

std::optional<std::array<char, kDigestBytes>> digest_bytes(std::string_view hex) {
  if (hex.size() != 2 * kDigestBytes) return std::nullopt;
  std::array<char, kDigestBytes> out{};
  uint8_t invalid = 0;  // any digit's 0xFF leaves its high bit set
  for (size_t i = 0; i < kDigestBytes; ++i) {
    const uint8_t high = kLowerHexValue[static_cast<unsigned char>(hex[2 * i])];
    const uint8_t low = kLowerHexValue[static_cast<unsigned char>(hex[2 * i + 1])];
    invalid |= static_cast<uint8_t>(high | low);
    out[i] = static_cast<char>((high << 4U) | low);
  }
  if ((invalid & 0x80U) != 0) return std::nullopt;
  return out;
}

std::optional<std::string> digest_list_bytes(std::string_view hex) {
  if (hex.empty() || hex.size() % (2 * kDigestBytes) != 0) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t at = 0; at < hex.size(); at += 2 * kDigestBytes) {
    const auto one = digest_bytes(hex.substr(at, 2 * kDigestBytes));
    if (!one) return std::nullopt;
    out.append(one->data(), one->size());
  }
  return out;
}

std::string hex_text(std::string_view bytes) {
  std::string hex;
  hex.reserve(2 * bytes.size());
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    hex.push_back(kHexDigits[b >> 4U]);
    hex.push_back(kHexDigits[b & 15U]);
  }
  return hex;
}

const PurgeEvidence* purge_evidence_for(const std::map<std::string, PurgeEvidence>& purges,
                                        const std::string& execution_id) {
  const auto it = purges.find(execution_id);
  return it == purges.end() ? nullptr : &it->second;
}

StoredEventCheck::StoredEventCheck(AuditVerification& verification,
                                   const std::map<std::string, PurgeEvidence>& purges,
                                   const std::set<std::string>& legacy)
    : v_(verification), purges_(purges), legacy_(legacy) {}

// Every stored event must be named by an entry whose digest it still has, or by a purge that
// rewrote it.
bool StoredEventCheck::event(const std::string& execution_id, uint64_t seq, int64_t at_ms,
                             std::string_view type, std::string_view step, std::string_view data,
                             std::optional<uint64_t> entry_seq, uint64_t entry_event_seq,
                             std::string_view entry_event_hash) {
  const std::string where = "event " + std::to_string(seq) + " of execution " + execution_id;
  if (execution_id != current_) {
    current_ = execution_id;
    linked_seen_ = false;
  }
  constexpr size_t kDigestHex = 2 * kDigestBytes;
  // The entry found is the nearest one starting at or before this event; it names the event
  // only if its digests reach it.
  std::string_view recorded;
  if (entry_seq && seq >= entry_event_seq &&
      (seq - entry_event_seq) < entry_event_hash.size() / kDigestHex) {
    recorded = entry_event_hash.substr((seq - entry_event_seq) * kDigestHex, kDigestHex);
  } else {
    entry_seq.reset();
  }
  if (!entry_seq) {
    // Before its execution's first linked event, under scheme-1 entries: written before
    // digests existed, counted but not checkable.
    if (!linked_seen_ && legacy_.count(execution_id) != 0) {
      ++v_.unanchored_events;
      return true;
    }
    mark_audit_broken(v_, 0, "event_unaudited",
                      where + " is in the store but no audit entry records it");
    return false;
  }
  linked_seen_ = true;
  ++v_.events;
  const std::string digest = event_digest(execution_id, seq, at_ms, type, step, data);
  if (digest == recorded) return true;
  const PurgeEvidence* e = purge_evidence_for(purges_, execution_id);
  if (e != nullptr && e->covers_rewrite(seq, digest)) return true;
  mark_audit_broken(v_, *entry_seq, "event_modified",
                    where + " differs from what audit entry " + std::to_string(*entry_seq) +
                        " recorded, and no purge of that execution accounts for it");
  return false;
}

bool StoredEventCheck::missing(uint64_t entry_seq, const std::string& execution_id,
                               uint64_t event_seq) {
  const PurgeEvidence* e = purge_evidence_for(purges_, execution_id);
  if (e != nullptr && e->covers_deletion(event_seq)) return true;
  mark_audit_broken(v_, entry_seq, "event_deleted",
                    "event " + std::to_string(event_seq) + " of execution " + execution_id +
                        " was deleted, and no purge of that execution accounts for it");
  return false;
}

}  // namespace coalition
