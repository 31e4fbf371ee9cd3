#include "audit/audit_chain.h"

#include <algorithm>
#include <array>

#include "audit/event_digest.h"
#include "common/sha256.h"
#include "common/utc_time.h"

namespace coalition {

namespace {

// Entries a purge never redacts (retention/purge.cc keeps them): their summaries are the
// evidence of what retention did, so an empty one is always a modification.
constexpr std::array<std::string_view, 5> kNeverRedacted{
    "purged", "purge_skipped", "legal_hold_placed", "legal_hold_released", "exported"};

bool never_redacted(const std::string& type) {
  return std::find(kNeverRedacted.begin(), kNeverRedacted.end(), type) != kNeverRedacted.end();
}

// The events an entry names must be ones its scheme records, and so its hash covers: none on
// scheme 1 (whose hash leaves event_seq and event_hash out, so any there were put there after),
// one digest on scheme 2, one or more on scheme 3 — and digests only with a first event.
bool events_fit_scheme(const AuditRecord& r) {
  constexpr size_t kDigestHex = 64;
  if (r.event_seq == 0 || r.scheme < 2) return r.event_seq == 0 && r.event_hash.empty();
  const size_t digests = r.event_hash.size() / kDigestHex;
  if (digests == 0 || r.event_hash.size() % kDigestHex != 0) return false;
  return r.scheme >= 3 || digests == 1;
}

// The fields an entry's hash covers, viewed where they are: a draft being sealed or a stored
// record being verified hash alike without copying either into the other's shape.
struct EntryFields {
  uint64_t seq;
  std::string_view at, actor, role, organisation, execution_id, step, type, summary_hash, prev_hash;
  int scheme;
  uint64_t event_seq;
  std::string_view event_hash;
};

std::string entry_hash(const EntryFields& f) {
  std::string text;
  text.reserve(384 + f.actor.size() + f.step.size());
  append_hash_field(text, std::to_string(f.seq));
  for (const std::string_view v : {f.at, f.actor, f.role, f.organisation, f.execution_id, f.step,
                                   f.type, f.summary_hash, f.prev_hash}) {
    append_hash_field(text, v);
  }
  if (f.scheme >= 2) {
    append_hash_field(text, std::to_string(f.scheme));
    append_hash_field(text, std::to_string(f.event_seq));
    append_hash_field(text, f.event_hash);
  }
  return sha256_hex(text);
}

}  // namespace

std::string audit_entry_hash(const AuditRecord& r) {
  return entry_hash({r.seq, r.at, r.actor, r.role, r.organisation, r.execution_id, r.step, r.type,
                     r.summary_hash, r.prev_hash, r.scheme, r.event_seq, r.event_hash});
}

AuditDraft make_audit_draft(TimePoint at, std::string actor, std::string role,
                            std::string organisation, std::string execution_id, std::string step,
                            std::string type, const nlohmann::json& summary) {
  AuditDraft d{at,
               std::move(actor),
               std::move(role),
               std::move(organisation),
               std::move(execution_id),
               std::move(step),
               std::move(type),
               summary.dump(),
               {},
               0};
  d.summary_hash = sha256_hex(d.summary);
  return d;
}

// A small tolerance instead of none: executions record on several threads and the committer
// drains them in queue order, so a few milliseconds of disorder are normal and harmless. An
// operator's `--now` in the past, or a wall clock stepped back, is not: refused.
nlohmann::json with_identity(nlohmann::json summary, const std::string& identity) {
  if (!identity.empty()) summary["identity"] = identity;
  return summary;
}

Result<TimePoint> audit_time_after(std::optional<TimePoint> last, TimePoint wanted) {
  if (!last || wanted >= *last) return wanted;
  if (*last - wanted <= kAuditClockSkew) return *last;
  return Error::invalid_argument("refusing to write an audit entry at " + format_utc(wanted) +
                                 ": the audit log's last entry is at " + format_utc(*last) +
                                 ", and audit time never moves back");
}

AuditSeal seal_audit_draft(const AuditDraft& draft, uint64_t seq, std::string_view prev_hash,
                           TimePoint at, std::string_view event_hash) {
  AuditSeal seal;
  seal.at = format_utc(at);
  seal.summary_hash = draft.summary_hash.empty() ? sha256_hex(draft.summary) : draft.summary_hash;
  seal.hash = entry_hash({seq, seal.at, draft.actor, draft.role, draft.organisation,
                          draft.execution_id, draft.step, draft.type, seal.summary_hash, prev_hash,
                          kAuditScheme, draft.event_seq, event_hash});
  return seal;
}

AuditRecord seal_audit_entry(const AuditDraft& draft, uint64_t seq, const std::string& prev_hash,
                             TimePoint at, std::string event_hash) {
  AuditSeal seal = seal_audit_draft(draft, seq, prev_hash, at, event_hash);
  AuditRecord r;
  r.seq = seq;
  r.at = std::move(seal.at);
  r.actor = draft.actor;
  r.role = draft.role;
  r.organisation = draft.organisation;
  r.execution_id = draft.execution_id;
  r.step = draft.step;
  r.type = draft.type;
  r.summary = draft.summary;
  r.summary_hash = std::move(seal.summary_hash);
  r.prev_hash = prev_hash;
  r.scheme = kAuditScheme;
  r.event_seq = draft.event_seq;
  r.event_hash = std::move(event_hash);
  r.hash = std::move(seal.hash);
  return r;
}

void mark_audit_broken(AuditVerification& v, uint64_t seq, std::string kind, std::string problem) {
  v.ok = false;
  v.first_bad_seq = seq;
  v.kind = std::move(kind);
  v.problem = std::move(problem);
}

AuditVerifier::AuditVerifier(const std::vector<AuditAnchor>& anchors) {
  for (const auto& a : anchors) anchors_.emplace(a.seq, a);
}

bool AuditVerifier::fail(uint64_t seq, std::string kind, std::string problem) {
  mark_audit_broken(result_, seq, std::move(kind), std::move(problem));
  return false;
}

bool AuditVerifier::check_time(const AuditRecord& r) {
  const auto at = parse_utc(r.at);
  if (!at) return fail(r.seq, "bad_time", "its time '" + r.at + "' is not an RFC 3339 instant");
  if (prev_at_ && *at < *prev_at_) {
    return fail(r.seq, "backdated",
                "its time " + r.at + " is earlier than the entry before it (" +
                    format_utc(*prev_at_) + "): audit time never moves back");
  }
  prev_at_ = at;
  return true;
}

bool AuditVerifier::add(const AuditRecord& r, bool may_be_redacted) {
  if (!result_.ok) return false;
  const uint64_t expected = result_.entries + 1;
  if (r.seq != expected) {
    return r.seq > expected
               ? fail(expected, "missing",
                      "entry " + std::to_string(expected) + " is missing (the next entry is " +
                          std::to_string(r.seq) + ")")
               : fail(expected, "out_of_order",
                      "entry " + std::to_string(r.seq) + " appears out of order");
  }
  if (r.prev_hash != prev_hash_) {
    return fail(expected, "unlinked", "it does not link to the entry before it");
  }
  const bool redactable = may_be_redacted && !never_redacted(r.type);
  if (r.summary.empty() && !redactable) {
    return fail(expected, "summary_removed",
                "its summary was removed, and no purge (tombstone and `purged` entry) covers "
                "its execution");
  }
  if (!r.summary.empty() && sha256_hex(r.summary) != r.summary_hash) {
    return fail(expected, "summary_modified", "its summary was modified");
  }
  if (r.summary.empty()) ++result_.redacted;
  if (r.scheme < prev_scheme_) {
    return fail(expected, "scheme_downgrade",
                "it uses hash scheme " + std::to_string(r.scheme) + " after scheme " +
                    std::to_string(prev_scheme_));
  }
  if (audit_entry_hash(r) != r.hash) {
    return fail(expected, "hash_mismatch", "its fields do not match its hash");
  }
  if (!events_fit_scheme(r)) {
    return fail(expected, "malformed",
                "it names events (from " + std::to_string(r.event_seq) + ", " +
                    std::to_string(r.event_hash.size()) + " digits of digests) that its scheme " +
                    std::to_string(r.scheme) + " cannot record");
  }
  if (!check_time(r)) return false;
  for (auto [it, end] = anchors_.equal_range(expected); it != end; ++it) {
    if (it->second.hash != r.hash) {
      return fail(
          expected, "checkpoint_mismatch",
          "it differs from " + it->second.label + ": the chain was rewritten or rolled back since");
    }
    ++result_.anchors;
  }
  prev_scheme_ = r.scheme;
  prev_hash_ = r.hash;
  result_.entries = expected;
  result_.head_hash = r.hash;
  return true;
}

AuditVerification AuditVerifier::finish(const std::string& head) {
  if (!result_.ok) return result_;
  // Checkpoints of an empty chain (seq 0) hold trivially; any later one must be reached.
  for (const auto& [seq, anchor] : anchors_) {
    if (seq == 0) {
      ++result_.anchors;
    } else if (seq > result_.entries) {
      mark_audit_broken(result_, result_.entries + 1, "truncated",
                        "the log ends at entry " + std::to_string(result_.entries) + " but " +
                            anchor.label + " saw " + std::to_string(seq) +
                            " entries: entries were cut or acknowledged work rolled back");
      return result_;
    }
  }
  const std::string actual =
      result_.entries == 0 ? "" : std::to_string(result_.entries) + ":" + result_.head_hash;
  if (head != actual) {
    mark_audit_broken(result_, result_.entries + 1, "truncated",
                      "the log ends at entry " + std::to_string(result_.entries) +
                          " but the store recorded its last entry as " +
                          (head.empty() ? std::string("none") : head.substr(0, head.find(':'))));
  }
  return result_;
}

}  // namespace coalition
