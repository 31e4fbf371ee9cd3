// What notify sends and how it checks it: the references-only rule (a payload field outside
// the step's allow-list is refused before anything is sent), one-time challenge codes, and the
// three deliveries (file outbox, webhook, log).
#ifndef COALITION_PLUGINS_NOTIFY_NOTIFY_MESSAGE_H_
#define COALITION_PLUGINS_NOTIFY_NOTIFY_MESSAGE_H_

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace coalition::plugins::notify {

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

struct WebhookResult {
  int status = 0;     // HTTP status; 0 when no answer came
  std::string error;  // why, when status is 0
};

// POSTs `body` as JSON to `url` (http://host[:port]/path) with an Idempotency-Key header,
// waiting at most `timeout_ms`.
WebhookResult post_webhook(const std::string& url, const std::string& body,
                           const std::string& idempotency_key, int timeout_ms);

}  // namespace coalition::plugins::notify

#endif  // COALITION_PLUGINS_NOTIFY_NOTIFY_MESSAGE_H_
