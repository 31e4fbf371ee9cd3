// Posting a notification to a webhook with libcurl. Certificate and host-name verification are
// always on for https:// (a private CA through `ca_file`); plain http:// only reaches loopback
// addresses, so references never cross a network in clear; redirects are not followed.
#ifndef COALITION_PLUGINS_NOTIFY_WEBHOOK_CLIENT_H_
#define COALITION_PLUGINS_NOTIFY_WEBHOOK_CLIENT_H_

#include <string>

namespace coalition::plugins::notify {

struct WebhookOptions {
  int timeout_ms = 5000;
  std::string ca_file;  // PEM bundle trusted instead of the system's; empty: the system's
};

struct WebhookResult {
  int status = 0;          // HTTP status; 0 when no answer came or the request was refused
  std::string error;       // why, when status is 0
  bool permanent = false;  // with status 0: retrying cannot help (a bad URL, a certificate)
};

// POSTs `body` as JSON to `url` with an Idempotency-Key header.
WebhookResult post_webhook(const std::string& url, const std::string& body,
                           const std::string& idempotency_key, const WebhookOptions& options);

}  // namespace coalition::plugins::notify

#endif  // COALITION_PLUGINS_NOTIFY_WEBHOOK_CLIENT_H_
