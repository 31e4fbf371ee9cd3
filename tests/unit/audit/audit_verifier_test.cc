// What AuditVerifier accepts of the events an entry names: only what the entry's scheme records
// and so its hash covers. A scheme-1 hash leaves event_seq and event_hash out, so events named
// there were put there after; a digest list of the wrong length names no events at all.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "audit/audit_chain.h"

namespace coalition::audit_verifier_test {
namespace {

TimePoint at(int64_t seconds) {
  return TimePoint(std::chrono::seconds(1798675200 + seconds));
}

// Entry 1 of a chain, its hash made for the fields given (as someone rewriting it would).
AuditRecord entry(int scheme, uint64_t event_seq, const std::string& event_hash) {
  const AuditDraft d = make_audit_draft(at(1), "engine", "", "", "ex-1", "review", "step_scheduled",
                                        nlohmann::json::object());
  AuditRecord r = seal_audit_entry(d, 1, kAuditGenesisHash, at(1), event_hash);
  r.scheme = scheme;
  r.event_seq = event_seq;
  r.hash = audit_entry_hash(r);
  return r;
}

AuditVerification verify(const AuditRecord& r) {
  AuditVerifier verifier;
  verifier.add(r);
  return verifier.finish("1:" + r.hash);
}

TEST(AuditVerifierTest, AnEntryNamesOnlyTheEventsItsSchemeRecords) {
  const std::string one(64, 'a');
  const std::string two = one + std::string(64, 'b');
  struct Case {
    const char* name;
    AuditRecord record;
    bool ok;
  };
  const Case cases[] = {
      {"scheme 3, two events", entry(3, 4, two), true},
      {"scheme 3, one event", entry(3, 4, one), true},
      {"scheme 2, one event", entry(2, 4, one), true},
      {"no event", entry(3, 0, ""), true},
      {"scheme 1, no event", entry(1, 0, ""), true},
      {"scheme 1 naming events", entry(1, 4, two), false},
      {"scheme 1 with digests only", entry(1, 0, one), false},
      {"scheme 2 naming two events", entry(2, 4, two), false},
      {"a first event without digests", entry(3, 4, ""), false},
      {"digests without a first event", entry(3, 0, one), false},
      {"a digest cut short", entry(3, 4, one + "abcd"), false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const AuditVerification v = verify(c.record);
    EXPECT_EQ(v.ok, c.ok) << v.problem;
    if (!c.ok) {
      EXPECT_EQ(v.kind, "malformed");
      EXPECT_EQ(v.first_bad_seq, 1u);
    }
  }
}

}  // namespace
}  // namespace coalition::audit_verifier_test
