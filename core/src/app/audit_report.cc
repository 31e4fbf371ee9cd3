#include "app/audit_report.h"

namespace coalition::app {

nlohmann::json audit_verification_json(const AuditVerification& v, bool with_checkpoints) {
  nlohmann::json doc{
      {"ok", v.ok},          {"entries", v.entries}, {"redacted", v.redacted},
      {"head", v.head_hash}, {"events", v.events},   {"unanchored_events", v.unanchored_events}};
  if (with_checkpoints) doc["checkpoints"] = v.anchors;
  if (!v.ok) {
    doc["first_bad_seq"] = v.first_bad_seq;
    doc["kind"] = v.kind;
    doc["problem"] = v.problem;
  }
  return doc;
}

}  // namespace coalition::app
