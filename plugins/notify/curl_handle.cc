#include "curl_handle.h"

namespace coalition::plugins::notify {

CurlHandle make_curl_handle(const std::string& ca_file, int timeout_ms) {
  // curl_global_init is not thread-safe in every build of libcurl: once, before any handle.
  static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!initialised) return nullptr;
  CurlHandle curl(curl_easy_init());
  if (!curl) return nullptr;
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  if (!ca_file.empty()) {
    // Instead of the system's CAs, not beside them: libcurl also reads a CA folder when built
    // with one (Debian's is), which would trust every public CA again.
    curl_easy_setopt(c, CURLOPT_CAINFO, ca_file.c_str());
    curl_easy_setopt(c, CURLOPT_CAPATH, nullptr);
  }
  return curl;
}

bool permanent_curl_error(CURLcode code) {
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_LOGIN_DENIED:
    case CURLE_USE_SSL_FAILED: return true;
    default: return false;
  }
}

}  // namespace coalition::plugins::notify
