#include "auth/jwks_source.h"

#include <curl/curl.h>

#include <fstream>
#include <mutex>
#include <sstream>

namespace coalition {

namespace {

// A JWK Set is a few KiB; a larger answer is not one.
constexpr size_t kMaxJwksBytes = 1 << 20;
constexpr long kFetchTimeoutMs = 5000;

class FileJwksSource final : public JwksSource {
 public:
  explicit FileJwksSource(std::filesystem::path path) : path_(std::move(path)) {}
  Result<std::string> fetch() override {
    std::ifstream in(path_, std::ios::binary);
    if (!in) return Error::io("cannot read the JWK Set " + path_.string());
    std::ostringstream text;
    text << in.rdbuf();
    if (text.str().size() > kMaxJwksBytes) {
      return Error::io("the JWK Set " + path_.string() + " is over 1 MiB");
    }
    return text.str();
  }

 private:
  std::filesystem::path path_;
};

size_t append(char* data, size_t size, size_t count, void* out) {
  auto* text = static_cast<std::string*>(out);
  if (text->size() + size * count > kMaxJwksBytes) return 0;  // aborts the transfer
  text->append(data, size * count);
  return size * count;
}

class HttpsJwksSource final : public JwksSource {
 public:
  HttpsJwksSource(std::string url, std::filesystem::path ca_file)
      : url_(std::move(url)), ca_file_(std::move(ca_file)) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  Result<std::string> fetch() override {
    std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) return Error::io("cannot fetch the JWK Set: libcurl did not initialise");
    std::string body;
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url_.c_str());
    // HTTPS only, here and on redirects; the peer and its name verified.
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 3L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!ca_file_.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, ca_file_.c_str());
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, kFetchTimeoutMs);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    const CURLcode code = curl_easy_perform(c);
    if (code != CURLE_OK) {
      return Error::io("cannot fetch the JWK Set " + url_ + ": " + curl_easy_strerror(code));
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) {
      return Error::io("cannot fetch the JWK Set " + url_ + ": HTTP " + std::to_string(status));
    }
    return body;
  }

 private:
  std::string url_;
  std::filesystem::path ca_file_;
};

}  // namespace

std::unique_ptr<JwksSource> make_jwks_source(const OidcIssuerConfig& issuer) {
  if (!issuer.jwks_file.empty()) return std::make_unique<FileJwksSource>(issuer.jwks_file);
  return std::make_unique<HttpsJwksSource>(issuer.jwks_url, issuer.jwks_ca_file);
}

}  // namespace coalition
