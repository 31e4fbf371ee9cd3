// The notice carries the refusal's facts as references (source, pointer, media type, the actor's
// id and organisation) so the security contact can follow up with the sender; the audit entry
// it follows holds the same facts, and neither ever holds what was sent.
#include "runtime/security_notice.h"

#include <sodium.h>

#include <array>
#include <random>

#include "common/utc_time.h"

namespace coalition {

using nlohmann::json;

namespace {

std::string security_notice_suffix() {
  std::array<unsigned char, 8> bytes{};
  static const bool ready = sodium_init() >= 0;  // idempotent, thread-safe
  if (ready) {
    randombytes_buf(bytes.data(), bytes.size());
  } else {
    std::random_device device;
    for (auto& b : bytes) b = static_cast<unsigned char>(device());
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0x0F]);
  }
  return out;
}

}  // namespace

std::optional<NotificationRecord> security_notice(const Workflow& workflow,
                                                  const std::string& execution_id, TimePoint at,
                                                  const json& facts, const Actor& actor) {
  const json& contact = workflow.security_contact;
  if (!contact.is_object() || !contact.contains("roles")) return std::nullopt;
  NotificationRecord n;
  n.id = execution_id + "#media-refused-" + security_notice_suffix();
  n.execution_id = execution_id;
  n.kind = NotificationKind::kMediaRefused;
  n.created_at = at;
  n.next_at = at;
  n.subject = {{"execution", execution_id},
               {"workflow", workflow.key()},
               {"roles", contact["roles"]},
               {"source", facts.value("source", std::string())},
               {"pointer", facts.value("pointer", std::string())},
               {"media", facts.value("kind", std::string())},
               {"actor", actor.id}};
  if (contact.contains("organisation")) n.subject["organisation"] = contact["organisation"];
  if (!actor.organisation.empty()) n.subject["actor_organisation"] = actor.organisation;
  if (facts.contains("step")) n.subject["step"] = facts["step"];
  return n;
}

}  // namespace coalition
