#include "audit/audit_chain.h"

#include "common/sha256.h"
#include "common/utc_time.h"

namespace coalition {

namespace {

// Length-prefixed so that no choice of field contents can make two entries hash alike.
void field(std::string& out, const std::string& value) {
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += ';';
}

}  // namespace

std::string audit_entry_hash(const AuditRecord& r) {
  std::string text;
  text.reserve(256 + r.actor.size() + r.step.size());
  field(text, std::to_string(r.seq));
  field(text, r.at);
  field(text, r.actor);
  field(text, r.role);
  field(text, r.organisation);
  field(text, r.execution_id);
  field(text, r.step);
  field(text, r.type);
  field(text, r.summary_hash);
  field(text, r.prev_hash);
  return sha256_hex(text);
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
               {}};
  d.summary_hash = sha256_hex(d.summary);
  return d;
}

AuditRecord seal_audit_entry(const AuditDraft& draft, uint64_t seq, const std::string& prev_hash) {
  AuditRecord r;
  r.seq = seq;
  r.at = format_utc(draft.at);
  r.actor = draft.actor;
  r.role = draft.role;
  r.organisation = draft.organisation;
  r.execution_id = draft.execution_id;
  r.step = draft.step;
  r.type = draft.type;
  r.summary = draft.summary;
  r.summary_hash = draft.summary_hash.empty() ? sha256_hex(r.summary) : draft.summary_hash;
  r.prev_hash = prev_hash;
  r.hash = audit_entry_hash(r);
  return r;
}

bool AuditVerifier::add(const AuditRecord& r, bool may_be_redacted) {
  if (!result_.ok) return false;
  const uint64_t expected = result_.entries + 1;
  auto fail = [&](std::string problem) {
    result_.ok = false;
    result_.first_bad_seq = expected;
    result_.problem = std::move(problem);
    return false;
  };
  if (r.seq != expected) {
    return fail(r.seq > expected
                    ? "entry " + std::to_string(expected) + " is missing (the next entry is " +
                          std::to_string(r.seq) + ")"
                    : "entry " + std::to_string(r.seq) + " appears out of order");
  }
  if (r.prev_hash != prev_hash_) return fail("it does not link to the entry before it");
  const bool redacted = r.summary.empty() && may_be_redacted;
  if (r.summary.empty() && !may_be_redacted) {
    return fail("its summary was removed, and no purge tombstone covers its execution");
  }
  if (!redacted && sha256_hex(r.summary) != r.summary_hash) {
    return fail("its summary was modified");
  }
  if (redacted) ++result_.redacted;
  if (audit_entry_hash(r) != r.hash) return fail("its fields do not match its hash");
  prev_hash_ = r.hash;
  result_.entries = expected;
  result_.head_hash = r.hash;
  return true;
}

AuditVerification AuditVerifier::finish(const std::string& head) {
  if (!result_.ok) return result_;
  const std::string actual =
      result_.entries == 0 ? "" : std::to_string(result_.entries) + ":" + result_.head_hash;
  if (head != actual) {
    result_.ok = false;
    result_.first_bad_seq = result_.entries + 1;
    result_.problem = "the log ends at entry " + std::to_string(result_.entries) +
                      " but the store recorded its last entry as " +
                      (head.empty() ? std::string("none") : head.substr(0, head.find(':')));
  }
  return result_;
}

}  // namespace coalition
