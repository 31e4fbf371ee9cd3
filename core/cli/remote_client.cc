#include "cli/remote_client.h"

#include <curl/curl.h>

#include <algorithm>

#include <cstdlib>
#include <fstream>
#include <mutex>

#include "common/text_field.h"
#include "server/http_server.h"

namespace coalition::cli {

using nlohmann::json;

namespace {

constexpr size_t kMaxReplyBytes = 64u << 20;

size_t append(char* data, size_t size, size_t count, void* out) {
  auto* text = static_cast<std::string*>(out);
  if (text->size() + size * count > kMaxReplyBytes) return 0;
  text->append(data, size * count);
  return size * count;
}

// A problem's code as the error it stands for: the exit code follows it.
ErrorCode code_of(const std::string& code, int status) {
  static const std::map<std::string, ErrorCode> words{
      {"invalid_argument", ErrorCode::kInvalidArgument},
      {"bad_request", ErrorCode::kInvalidArgument},
      {"invalid_data", ErrorCode::kInvalidData},
      {"media_not_permitted", ErrorCode::kInvalidData},
      {"body_too_large", ErrorCode::kInvalidData},
      {"not_found", ErrorCode::kNotFound},
      {"permission_denied", ErrorCode::kPermissionDenied},
      {"unauthenticated", ErrorCode::kUnauthenticated},
      {"conflict", ErrorCode::kConflict},
      {"execution.busy", ErrorCode::kConflict},
      {"configuration", ErrorCode::kConfiguration},
      {"internal", ErrorCode::kInternal},
      {"evicted", ErrorCode::kEvicted}};
  if (auto it = words.find(code); it != words.end()) return it->second;
  return status >= 500 || status == 429 ? ErrorCode::kIo : ErrorCode::kInvalidArgument;
}

// An http:// URL whose host is a loopback address (127.0.0.0/8, ::1, localhost) — the host as
// the URL's authority names it, so "http://127.0.0.1.example.org" or
// "http://127.0.0.1@example.org" is not one.
bool loopback_url(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0) return false;
  const std::string authority =
      url.substr(kScheme.size(), url.find_first_of("/?#", kScheme.size()) - kScheme.size());
  if (authority.find('@') != std::string::npos) return false;
  std::string host;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string::npos) return false;
    host = authority.substr(1, close - 1);
  } else {
    host = authority.substr(0, authority.find(':'));
  }
  return is_loopback_host(host);
}

}  // namespace

json RemoteReply::json() const {
  return json::parse(body, nullptr, false);
}

Result<RemoteClient> RemoteClient::open(const RemoteOptions& o) {
  std::string base = o.server;
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (base.rfind("https://", 0) != 0 && !loopback_url(base)) {
    return Error::invalid_argument(
        "--server: an https:// URL (plain http:// only to a loopback address)");
  }
  std::string token;
  if (!o.token_file.empty()) {
    std::ifstream in(o.token_file);
    if (!in || !std::getline(in, token)) {
      return Error::invalid_argument("--token-file: cannot read " + o.token_file);
    }
  } else if (const char* env = std::getenv("COALITION_TOKEN"); env != nullptr) {
    token = env;
  }
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!token.empty() && blank(token.back())) token.pop_back();
  while (!token.empty() && blank(token.front())) token.erase(token.begin());
  // A credential is printable ASCII without spaces; anything else would reach the request's
  // header as it is (and is never printed back).
  if (std::any_of(token.begin(), token.end(),
                  [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; })) {
    return Error::unauthenticated("the credential holds spaces or control characters");
  }
  if (token.empty()) {
    return Error::unauthenticated(
        "--server needs a credential: set COALITION_TOKEN or give --token-file");
  }
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  return RemoteClient(base, token, o.ca_file);
}

std::string RemoteClient::segment(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      static const char* hex = "0123456789ABCDEF";
      out += {'%', hex[c >> 4], hex[c & 15]};
    }
  }
  return out;
}

Result<RemoteReply> RemoteClient::call(const std::string& method, const std::string& path,
                                       const json& body,
                                       const std::map<std::string, std::string>& headers) const {
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return Error::io("libcurl did not initialise");
  CURL* c = curl.get();
  const std::string url = base_ + path;
  const std::string text = body.is_null() ? std::string() : body.dump();
  RemoteReply reply;
  curl_slist* list = nullptr;
  const std::string authorization = "Authorization: Bearer " + token_;
  list = curl_slist_append(list, authorization.c_str());
  list = curl_slist_append(list, "Accept: application/json");
  if (!body.is_null()) list = curl_slist_append(list, "Content-Type: application/json");
  for (const auto& [name, value] : headers) {
    list = curl_slist_append(list, (name + ": " + value).c_str());
  }
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> owned(list, curl_slist_free_all);
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "POST") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, text.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(text.size()));
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!ca_file_.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, ca_file_.c_str());
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 120000L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply.body);
  if (CURLcode code = curl_easy_perform(c); code != CURLE_OK) {
    return Error::io("no answer from " + base_ + ": " + curl_easy_strerror(code));
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  reply.status = static_cast<int>(status);
  char* type = nullptr;
  curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type);
  if (type != nullptr) reply.content_type = type;
  if (reply.status >= 200 && reply.status < 300) return reply;
  const json problem = reply.json();
  if (!problem.is_object() || !problem.contains("code")) {
    return Error::io(base_ + " answered HTTP " + std::to_string(reply.status));
  }
  Error error(code_of(problem.value("code", ""), reply.status),
              printable(problem.value("detail", "")));
  if (problem.contains("pointer") && problem["pointer"].is_string()) {
    error = std::move(error).with_pointer(problem["pointer"].get<std::string>());
  }
  return error;
}

}  // namespace coalition::cli
