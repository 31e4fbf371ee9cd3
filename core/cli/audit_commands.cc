// Verification reads alongside a worker (one read transaction); a checkpoint verifies first, so
// a broken chain is never signed. The signing key and checkpoint file default outside the
// store's folder: whoever can rewrite the store should not be able to rewrite its anchors.
#include "cli/audit_commands.h"

#include "app/audit_report.h"
#include "cli/document_printing.h"

#include <CLI/CLI.hpp>
#include <fstream>

#include "audit/audit_checkpoint.h"
#include "cli/command_options.h"
#include "cli/exit_code.h"
#include "cli/remote_commands.h"
#include "common/signing_key.h"
#include "common/utc_time.h"

namespace coalition::cli {

using nlohmann::json;

namespace {

std::filesystem::path signing_key_path(const std::string& given, const EngineConfig& c) {
  if (!given.empty()) return given;
  if (!c.audit_signing_key.empty()) return c.audit_signing_key;
  return default_signing_key_path();
}

std::filesystem::path checkpoints_path(const std::string& given, const EngineConfig& c) {
  if (!given.empty()) return given;
  if (!c.audit_checkpoints.empty()) return c.audit_checkpoints;
  const auto key = default_signing_key_path();
  return key.empty() ? std::filesystem::path() : key.parent_path() / "audit-checkpoints.jsonl";
}

// The key signatures must come from: --public-key, else the configured key's ".pub" when it
// exists here; empty (each line's own key) otherwise, which proves integrity, not origin.
Result<std::string> trusted_key(const std::string& public_key, const Installation& i,
                                const FileSystem& fs) {
  std::filesystem::path file = public_key;
  if (file.empty()) {
    file = signing_key_path("", i.config).string() + ".pub";
    if (!fs.is_regular_file(file)) return std::string();
  }
  auto text = fs.read(file);
  if (!text) return std::move(text).error();
  std::string key = *text;
  while (!key.empty() && (key.back() == '\n' || key.back() == ' ')) key.pop_back();
  return key;
}

void print(const AuditVerification& v, bool with_checkpoints, bool as_json, std::ostream& out) {
  const auto doc = app::audit_verification_json(v, with_checkpoints);
  if (as_json) {
    out << doc.dump(2) << "\n";
  } else {
    print_audit_verification(doc, out);
  }
}

int run_audit_verify_command(const AuditVerifyOptions& o, const Installation& installation,
                             std::ostream& out, std::ostream& err) {
  RealFileSystem fs;
  AuditVerification v;
  std::vector<AuditAnchor> anchors;
  const bool with_checkpoints = !o.checkpoints.empty();
  if (with_checkpoints) {
    auto checkpoints = read_audit_checkpoints(o.checkpoints, fs);
    if (!checkpoints) return fail(err, "audit verify", checkpoints.error());
    auto key = trusted_key(o.public_key, installation, fs);
    if (!key) return fail(err, "audit verify", key.error());
    anchors = checkpoint_anchors(*checkpoints, *key, v);
    if (key->empty() && !checkpoints->empty()) {
      err << "audit verify: no trusted public key (--public-key): signatures checked against "
             "the key each checkpoint names\n";
    }
  }
  if (v.ok) {
    auto s = open_for_reading(o.session, installation);
    if (!s) return fail(err, "audit verify", s.error());
    auto checked = (*s)->store().verify_audit(anchors);
    if (!checked) return fail(err, "audit verify", checked.error());
    v = std::move(*checked);
  }
  print(v, with_checkpoints, o.json, out);
  return v.ok ? kExitOk : kExitDataError;
}

}  // namespace

Result<AuditCheckpoint> write_configured_checkpoint(Store& store, const Installation& installation,
                                                    TimePoint now) {
  RealFileSystem fs;
  auto key =
      SigningKey::load_or_create(signing_key_path("", installation.config), fs, kAuditSigningKey);
  if (!key) return std::move(key).error();
  const auto file = checkpoints_path("", installation.config);
  if (file.empty()) return Error::configuration("no checkpoint file: set audit.checkpoints");
  auto chain = store.verify_audit();
  if (!chain) return std::move(chain).error();
  return write_audit_checkpoint(*chain, *key, now, file);
}

namespace {

int run_audit_checkpoint_command(const AuditCheckpointOptions& o, const Installation& installation,
                                 std::ostream& out, std::ostream& err) {
  RealFileSystem fs;
  auto key = SigningKey::load_or_create(signing_key_path(o.signing_key, installation.config), fs,
                                        kAuditSigningKey);
  if (!key) return fail(err, "audit checkpoint", key.error());
  const auto file = checkpoints_path(o.checkpoints, installation.config);
  if (file.empty()) {
    return fail(err, "audit checkpoint", Error::configuration("no checkpoint file: give --out"));
  }
  auto now = command_time(o.session);
  if (!now) return fail(err, "audit checkpoint", now.error());
  auto s = open_for_reading(o.session, installation);
  if (!s) return fail(err, "audit checkpoint", s.error());
  auto chain = (*s)->store().verify_audit();
  if (!chain) return fail(err, "audit checkpoint", chain.error());
  auto c = write_audit_checkpoint(*chain, *key, *now, file);
  if (!c) return fail(err, "audit checkpoint", c.error());
  if (o.json) {
    out << c->to_json().dump(2) << "\n";
  } else {
    out << "checkpoint: " << c->entries << " entries, head " << c->hash << ", at " << c->at
        << ", appended to " << file.string() << "\n";
  }
  return kExitOk;
}

void define_audit_verify(CommandOptions& c, AuditVerifyOptions& o) {
  c.json(o.json);
  c.app().add_option("--checkpoints", o.checkpoints,
                     "Signed checkpoints (JSON lines) the chain must still hold");
  c.app().add_option("--public-key", o.public_key,
                     "File with the hex Ed25519 public key the checkpoints must be signed by");
  c.store(o.session.store);
}

void define_audit_checkpoint(CommandOptions& c, AuditCheckpointOptions& o) {
  c.app().add_option("--out", o.checkpoints,
                     "Checkpoint file to append to (default: audit.checkpoints)");
  c.app().add_option("--key", o.signing_key, "Signing key file (default: audit.signing_key)");
  c.json(o.json);
  c.session(o.session);
}

}  // namespace

Command audit_verify_command() {
  return make_command<AuditVerifyOptions>(
      {.path = "audit verify",
       .help = "Check every entry and link of the chain",
       .define = define_audit_verify,
       .run =
           [](const AuditVerifyOptions& o, const CommandContext& c) {
             return run_audit_verify_command(o, *c.installation, *c.out, *c.err);
           },
       .remote = remote_audit_verify});
}

Command audit_checkpoint_command() {
  return make_command<AuditCheckpointOptions>(
      {.path = "audit checkpoint",
       .help = "Sign the chain's head; append it to a file",
       .define = define_audit_checkpoint,
       .run = [](const AuditCheckpointOptions& o, const CommandContext& c) {
         return run_audit_checkpoint_command(o, *c.installation, *c.out, *c.err);
       }});
}

}  // namespace coalition::cli
