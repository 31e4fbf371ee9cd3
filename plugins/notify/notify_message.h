// What notify sends and how it checks it: the references-only rule (a payload field outside
// the step's allow-list is refused before anything is sent), one-time challenge codes, the file
// outbox for gateways, and the e-mail a notification becomes.
#ifndef COALITION_PLUGINS_NOTIFY_NOTIFY_MESSAGE_H_
#define COALITION_PLUGINS_NOTIFY_NOTIFY_MESSAGE_H_

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace coalition::plugins::notify {

// The fields a notify step may send: case_id and references (a case's id and its reference
// ids are what every notification is for), then whatever the step's `allow` lists.
nlohmann::json allowed_fields(const nlohmann::json& params);

// The first payload field not on `allow`, as "/field" (nested objects are checked field by
// field as "parent.child" names), or nullopt when every field is allowed. Values must be
// strings, numbers, booleans or lists of them: references, not documents.
std::optional<std::string> field_outside(const nlohmann::json& payload,
                                         const nlohmann::json& allow);

// A 6-digit one-time code for `token` under `secret` (HMAC-SHA256): the same code on every
// retry of the same notification, checked without storing it anywhere.
std::string challenge_code(const std::string& secret, const std::string& token);

// The secret for challenge codes: COALITION_NOTIFY_SECRET, else the contents of `file`, created
// with 32 random bytes (mode 0600) when missing.
std::string load_or_create_secret(const std::filesystem::path& file);

// Appends `message` as one JSON line to `outbox`/<channel>.jsonl unless a line with the same
// "idempotency_key" is already there (at-least-once delivery, sent once). Returns false when
// it was already there. Throws std::runtime_error when the file cannot be written.
bool append_to_outbox(const std::filesystem::path& outbox, const std::string& channel,
                      const nlohmann::json& message);

// The e-mail a notification becomes: the message name as the subject, then the execution, each
// payload field (references only, as the allow-list admitted them), the one-time code when the
// message has one, and how to acknowledge. Nothing else of the execution goes into a mail.
struct MailContent {
  std::string subject;
  std::string body;
  std::string message_id;  // <32 hex of SHA-256(idempotency key)>@<the sender's domain>
};
MailContent compose_mail(const nlohmann::json& message, const std::string& from);

}  // namespace coalition::plugins::notify

#endif  // COALITION_PLUGINS_NOTIFY_NOTIFY_MESSAGE_H_
