// AuditCheckpoint: a signed note of the audit chain's head, kept outside the store.
//
// One JSON line each, appended (never rewritten) to a checkpoint file: {"format", "seq", "hash",
// "entries", "at", "public_key", "signature"}. The Ed25519 signature covers the format, seq,
// hash, entries and at, length-prefixed (audit/event_digest.h framing). A verifier that holds
// the checkpoints detects a chain recomputed from scratch, truncated or rolled back: it no
// longer holds entry `seq` with hash `hash`. Ship the file where the store's operator cannot
// rewrite it (docs/decisions/0008-anchored-audit.md).
#ifndef COALITION_AUDIT_AUDIT_CHECKPOINT_H_
#define COALITION_AUDIT_AUDIT_CHECKPOINT_H_

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "audit/audit_record.h"
#include "common/file_system.h"
#include "common/result.h"
#include "common/signing_key.h"
#include "common/time_point.h"

namespace coalition {

inline constexpr const char* kCheckpointFormat = "coalition.audit-checkpoint/1";

struct AuditCheckpoint {
  uint64_t seq = 0;        // the chain's last entry then (0: empty chain)
  std::string hash;        // its hash (empty for an empty chain)
  uint64_t entries = 0;    // entries the chain held (equal to seq in a sound chain)
  std::string at;          // RFC 3339, when it was taken
  std::string public_key;  // hex, the key that signed
  std::string signature;   // hex, Ed25519 over signed_text()

  std::string signed_text() const;
  nlohmann::json to_json() const;
  // kInvalidData naming the missing or mistyped field.
  static Result<AuditCheckpoint> from_json(const nlohmann::json& doc);
};

// Signs the head of the chain `verified` found (Store::verify_audit) with `key` at `now` and
// appends the line to `out` (created 0644, its folder if needed). A broken chain is never signed:
// kInvalidData with its problem. For the CLI and for the server's periodic checkpoints.
Result<AuditCheckpoint> write_audit_checkpoint(const AuditVerification& verified,
                                               const SigningKey& key, TimePoint now,
                                               const std::filesystem::path& out);

// The checkpoints in `file`, in order; kInvalidData naming the line of a malformed one.
Result<std::vector<AuditCheckpoint>> read_audit_checkpoints(const std::filesystem::path& file,
                                                            const FileSystem& fs);

// Signatures checked against `trusted_key` (hex; empty: the key each line names). The anchors
// to verify the chain against, or in `v` (marked broken, kind "bad_signature") the first
// checkpoint whose signature does not hold.
std::vector<AuditAnchor> checkpoint_anchors(const std::vector<AuditCheckpoint>& checkpoints,
                                            const std::string& trusted_key, AuditVerification& v);

}  // namespace coalition

#endif  // COALITION_AUDIT_AUDIT_CHECKPOINT_H_
