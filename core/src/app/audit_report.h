// The audit chain's verification as a document: what `coalition audit verify --json` prints and
// GET /v1/audit/verify answers.
#ifndef COALITION_APP_AUDIT_REPORT_H_
#define COALITION_APP_AUDIT_REPORT_H_

#include <nlohmann/json.hpp>

#include "store/store.h"

namespace coalition::app {

// {"ok", "entries", "redacted", "head", "events", "unanchored_events"}, "checkpoints" when
// checkpoints were checked, and "first_bad_seq", "kind", "problem" when the chain is broken.
nlohmann::json audit_verification_json(const AuditVerification& v, bool with_checkpoints);

}  // namespace coalition::app

#endif  // COALITION_APP_AUDIT_REPORT_H_
