#include "audit/audit_checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <sstream>

#include "audit/audit_chain.h"
#include "audit/event_digest.h"
#include "common/json_text.h"
#include "common/utc_time.h"

namespace coalition {

std::string AuditCheckpoint::signed_text() const {
  std::string text;
  append_hash_field(text, kCheckpointFormat);
  append_hash_field(text, std::to_string(seq));
  append_hash_field(text, hash);
  append_hash_field(text, std::to_string(entries));
  append_hash_field(text, at);
  return text;
}

nlohmann::json AuditCheckpoint::to_json() const {
  return {{"format", kCheckpointFormat}, {"seq", seq}, {"hash", hash},
          {"entries", entries},          {"at", at},   {"public_key", public_key},
          {"signature", signature}};
}

Result<AuditCheckpoint> AuditCheckpoint::from_json(const nlohmann::json& doc) {
  if (!doc.is_object() || doc.value("format", "") != kCheckpointFormat) {
    return Error::invalid_data(std::string("not a ") + kCheckpointFormat + " line");
  }
  AuditCheckpoint c;
  for (const char* key : {"seq", "entries"}) {
    if (!doc.contains(key) || !doc[key].is_number_unsigned()) {
      return Error::invalid_data(std::string("'") + key + "' must be a count");
    }
  }
  for (const char* key : {"hash", "at", "public_key", "signature"}) {
    if (!doc.contains(key) || !doc[key].is_string()) {
      return Error::invalid_data(std::string("'") + key + "' must be text");
    }
  }
  c.seq = doc["seq"];
  c.entries = doc["entries"];
  c.hash = doc["hash"];
  c.at = doc["at"];
  c.public_key = doc["public_key"];
  c.signature = doc["signature"];
  return c;
}

namespace {

// O_APPEND and never O_TRUNC: a checkpoint file only grows, even with two writers. The
// FileSystem seam only reads, so the append is POSIX; fsync so a written line is durable.
Status append_line(const std::filesystem::path& out, const std::string& line) {
  std::error_code ec;
  if (!out.parent_path().empty()) std::filesystem::create_directories(out.parent_path(), ec);
  const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return Error::io("cannot open checkpoint file " + out.string());
  const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return Error::io("cannot append to checkpoint file " + out.string());
  return ok_status();
}

}  // namespace

Result<AuditCheckpoint> write_audit_checkpoint(const AuditVerification& verified,
                                               const SigningKey& key, TimePoint now,
                                               const std::filesystem::path& out) {
  if (!verified.ok) {
    return Error::invalid_data("the audit chain is broken at entry " +
                               std::to_string(verified.first_bad_seq) + ": " + verified.problem +
                               "; refusing to sign it");
  }
  AuditCheckpoint c;
  c.seq = verified.entries;
  c.hash = verified.head_hash;
  c.entries = verified.entries;
  c.at = format_utc(now);
  c.public_key = key.public_key_hex();
  c.signature = key.sign_hex(c.signed_text());
  if (auto s = append_line(out, c.to_json().dump() + "\n"); !s) return std::move(s).error();
  return c;
}

Result<std::vector<AuditCheckpoint>> read_audit_checkpoints(const std::filesystem::path& file,
                                                            const FileSystem& fs) {
  auto text = fs.read(file);
  if (!text) return std::move(text).error();
  std::vector<AuditCheckpoint> out;
  std::istringstream lines(*text);
  std::string line;
  for (int n = 1; std::getline(lines, line); ++n) {
    if (line.empty()) continue;
    auto doc = parse_json(line);  // strict: a repeated key in a checkpoint is a forgery's mark
    auto c = doc ? AuditCheckpoint::from_json(*doc) : Result<AuditCheckpoint>(doc.error());
    if (!c) {
      return Error::invalid_data(file.string() + " line " + std::to_string(n) + ": " +
                                 c.error().message());
    }
    out.push_back(std::move(*c));
  }
  return out;
}

std::vector<AuditAnchor> checkpoint_anchors(const std::vector<AuditCheckpoint>& checkpoints,
                                            const std::string& trusted_key, AuditVerification& v) {
  std::vector<AuditAnchor> anchors;
  for (size_t i = 0; i < checkpoints.size(); ++i) {
    const auto& c = checkpoints[i];
    const std::string label = "the checkpoint of " + c.at + " (line " + std::to_string(i + 1) + ")";
    const std::string& key = trusted_key.empty() ? c.public_key : trusted_key;
    if (!verify_signature(key, c.signed_text(), c.signature)) {
      mark_audit_broken(v, c.seq, "bad_signature",
                        label + " does not carry a valid signature" +
                            (trusted_key.empty() ? "" : " by the trusted public key"));
      return {};
    }
    anchors.push_back(AuditAnchor{c.seq, c.hash, label});
  }
  return anchors;
}

}  // namespace coalition
