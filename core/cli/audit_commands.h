// The audit commands: `audit verify` (the chain, event payloads, and signed checkpoints) and
// `audit checkpoint` (sign the chain's head and append it to a checkpoint file).
#ifndef COALITION_CLI_AUDIT_COMMANDS_H_
#define COALITION_CLI_AUDIT_COMMANDS_H_

#include <ostream>
#include <string>

#include "audit/audit_checkpoint.h"
#include "cli/execution_commands.h"

namespace coalition::cli {

struct AuditVerifyOptions {
  SessionOptions session;
  std::string checkpoints;  // --checkpoints: signed checkpoints the chain must still hold
  std::string public_key;   // --public-key: the key they must be signed by
  bool json = false;
};

struct AuditCheckpointOptions {
  SessionOptions session;
  std::string checkpoints;  // --out: the file to append to
  std::string signing_key;  // --key
  bool json = false;
};

// audit verify: 0 when the chain holds (and every checkpoint given), 65 when broken, as
// docs/cli.md says.
Command audit_verify_command();
// audit checkpoint: 0 with the checkpoint printed; 65 when the chain is broken (nothing is
// signed).
Command audit_checkpoint_command();

// A checkpoint of `store` at `now`, signed with the configured key (audit.signing_key) and
// appended to the configured file (audit.checkpoints): what `coalition worker` writes every
// audit.checkpoint_every. Fails, signing nothing, when the chain does not verify.
Result<AuditCheckpoint> write_configured_checkpoint(Store& store, const Installation& installation,
                                                    TimePoint now);

}  // namespace coalition::cli

#endif  // COALITION_CLI_AUDIT_COMMANDS_H_
