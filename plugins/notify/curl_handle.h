// The little of libcurl's setup that webhooks and mail share: a handle freed on every path, the
// library initialised once per process, and the checks that make TLS mean something.
#ifndef COALITION_PLUGINS_NOTIFY_CURL_HANDLE_H_
#define COALITION_PLUGINS_NOTIFY_CURL_HANDLE_H_

#include <curl/curl.h>

#include <memory>
#include <string>

namespace coalition::plugins::notify {

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;

struct CurlListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlList = std::unique_ptr<curl_slist, CurlListDeleter>;

// A new easy handle (nullptr when libcurl cannot make one), with verification of the peer's
// certificate and host name on, `ca_file` trusted instead of the system's CAs when not empty,
// no signals (the plugin runs
// on the engine's threads), and at most `timeout_ms` for the whole exchange.
CurlHandle make_curl_handle(const std::string& ca_file, int timeout_ms);

// True for errors no retry can fix: a URL or protocol libcurl refuses, a certificate that does
// not verify, credentials refused, a server that will not speak TLS.
bool permanent_curl_error(CURLcode code);

}  // namespace coalition::plugins::notify

#endif  // COALITION_PLUGINS_NOTIFY_CURL_HANDLE_H_
