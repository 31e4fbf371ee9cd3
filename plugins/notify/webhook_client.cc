#include "webhook_client.h"

#include <array>
#include <string_view>

#include "curl_handle.h"

namespace coalition::plugins::notify {
namespace {

size_t discard(char*, size_t size, size_t count, void*) {
  return size * count;  // the answer's body means nothing to a notification
}

// The host of an http(s) URL as libcurl parses it, or empty when it does not parse.
std::string host_of(const std::string& url) {
  CURLU* parsed = curl_url();
  std::string host;
  char* text = nullptr;
  if (parsed != nullptr && curl_url_set(parsed, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
      curl_url_get(parsed, CURLUPART_HOST, &text, 0) == CURLUE_OK) {
    host = text;
    curl_free(text);
  }
  curl_url_cleanup(parsed);
  return host;
}

bool loopback(const std::string& host) {
  constexpr std::array<std::string_view, 3> kLoopback = {"127.0.0.1", "[::1]", "localhost"};
  for (auto name : kLoopback) {
    if (host == name) return true;
  }
  return false;
}

}  // namespace

WebhookResult post_webhook(const std::string& url, const std::string& body,
                           const std::string& idempotency_key, const WebhookOptions& options) {
  const bool https = url.rfind("https://", 0) == 0;
  // Errors name the host at most: a webhook's path or query may carry its secret.
  if (!https && url.rfind("http://", 0) != 0) {
    return {0, "a webhook must be an https:// URL", true};
  }
  if (!https && !loopback(host_of(url))) {
    return {0,
            "plain http:// reaches only this machine (127.0.0.1, [::1], localhost); use https:// "
            "for " +
                host_of(url),
            true};
  }
  CurlHandle curl = make_curl_handle(options.ca_file, options.timeout_ms);
  if (!curl) return {0, "libcurl could not start a request", false};
  CURL* c = curl.get();
  if (idempotency_key.find_first_of("\r\n") != std::string::npos) {
    return {0, "an idempotency key cannot hold a line break", true};
  }
  curl_slist* list = nullptr;
  for (const std::string& header :
       {std::string("Content-Type: application/json"),
        std::string("User-Agent: coalition-notify/1.1"), "Idempotency-Key: " + idempotency_key}) {
    curl_slist* grown = curl_slist_append(list, header.c_str());
    if (grown == nullptr) {
      curl_slist_free_all(list);
      return {0, "out of memory", false};
    }
    list = grown;
  }
  const CurlList headers(list);
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  // Clear text stays on this machine: no proxy from the environment may carry it elsewhere.
  if (!https) curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &discard);
  char why[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, why);
  const CURLcode code = curl_easy_perform(c);
  if (code != CURLE_OK) {
    return {0, why[0] != '\0' ? std::string(why) : std::string(curl_easy_strerror(code)),
            permanent_curl_error(code)};
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  return {static_cast<int>(status), "", false};
}

}  // namespace coalition::plugins::notify
