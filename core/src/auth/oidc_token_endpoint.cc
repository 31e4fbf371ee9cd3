#include "auth/oidc_token_endpoint.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>
#include <nlohmann/json.hpp>

#include "common/json_text.h"

namespace coalition {

namespace {

constexpr size_t kMaxTokenAnswerBytes = 256 << 10;  // a token response is a few KiB
constexpr long kTokenTimeoutMs = 10000;

size_t append_answer(char* data, size_t size, size_t count, void* out) {
  auto* text = static_cast<std::string*>(out);
  if (text->size() + size * count > kMaxTokenAnswerBytes) return 0;  // aborts the transfer
  text->append(data, size * count);
  return size * count;
}

// "name=value" with the value form-encoded.
std::string field(CURL* c, const char* name, const std::string& value) {
  std::unique_ptr<char, void (*)(void*)> escaped(
      curl_easy_escape(c, value.c_str(), static_cast<int>(value.size())), curl_free);
  return std::string(name) + "=" + (escaped ? escaped.get() : "");
}

class CurlTokenEndpoint final : public OidcTokenEndpoint {
 public:
  CurlTokenEndpoint() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  Result<std::string> exchange(const OidcSignInConfig& provider,
                               const CodeExchange& exchange) override {
    std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) return Error::io("libcurl did not initialise");
    CURL* c = curl.get();
    std::string form = "grant_type=authorization_code&" + field(c, "code", exchange.code) + "&" +
                       field(c, "redirect_uri", provider.redirect_uri) + "&" +
                       field(c, "client_id", provider.client_id) + "&" +
                       field(c, "code_verifier", exchange.code_verifier);
    if (!exchange.client_secret.empty()) {
      form += "&" + field(c, "client_secret", exchange.client_secret);
    }
    std::string body;
    curl_easy_setopt(c, CURLOPT_URL, provider.token_endpoint.c_str());
    // The configuration admits http:// only for a loopback host; no redirect is followed.
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR,
                     provider.token_endpoint.rfind("https://", 0) == 0 ? "https" : "http");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!provider.token_ca_file.empty()) {
      curl_easy_setopt(c, CURLOPT_CAINFO, provider.token_ca_file.c_str());
    }
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, kTokenTimeoutMs);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, form.c_str());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append_answer);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(
        curl_slist_append(nullptr, "Accept: application/json"), curl_slist_free_all);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    const CURLcode done = curl_easy_perform(c);
    std::fill(form.begin(), form.end(), '\0');  // the code and the verifier, and any secret
    if (done != CURLE_OK) {
      return Error::io(std::string("the identity provider's token endpoint cannot be reached: ") +
                       curl_easy_strerror(done));
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    auto answer = parse_json(body);
    if (!answer || !answer->is_object()) {
      return Error::io("the identity provider's token endpoint answered " + std::to_string(status) +
                       " without a JSON object");
    }
    if (status != 200) {
      // RFC 6749 5.2: an error code word; its description may hold anything, so only the word.
      const auto error = answer->find("error");
      std::string word =
          error != answer->end() && error->is_string() ? error->get<std::string>() : std::string();
      const bool plain = !word.empty() && word.size() < 64 &&
                         std::all_of(word.begin(), word.end(),
                                     [](char ch) { return (ch >= 'a' && ch <= 'z') || ch == '_'; });
      if (!plain) word = "unknown";
      return Error::unauthenticated("the identity provider refused the sign-in (" + word + ")");
    }
    const auto id_token = answer->find("id_token");
    if (id_token == answer->end() || !id_token->is_string()) {
      return Error::io("the identity provider's token response has no id_token");
    }
    return id_token->get<std::string>();
  }
};

}  // namespace

std::unique_ptr<OidcTokenEndpoint> make_oidc_token_endpoint() {
  return std::make_unique<CurlTokenEndpoint>();
}

}  // namespace coalition
