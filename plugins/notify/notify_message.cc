#include "notify/notify_message.h"

#include "shared/secret_file.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace coalition::plugins::notify {

using nlohmann::json;

namespace {

bool scalar(const json& v) {
  return v.is_string() || v.is_number() || v.is_boolean();
}

std::optional<std::string> check(const json& payload, const json& allow,
                                 const std::string& prefix) {
  for (const auto& [key, value] : payload.items()) {
    const std::string name = prefix.empty() ? key : prefix + "." + key;
    bool listed = false;
    for (const auto& a : allow) listed = listed || (a.is_string() && a.get<std::string>() == name);
    if (value.is_object()) {
      if (auto bad = check(value, allow, name)) return bad;
      continue;
    }
    if (!listed) return name;
    if (value.is_array()) {
      for (const auto& v : value) {
        if (!scalar(v)) return name;
      }
    } else if (!scalar(value) && !value.is_null()) {
      return name;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> field_outside(const json& payload, const json& allow) {
  if (!payload.is_object()) return std::string("(payload)");
  return check(payload, allow, "");
}

std::string challenge_code(const std::string& secret, const std::string& token) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(token.data()), token.size(), mac, &len);
  const uint32_t n = (static_cast<uint32_t>(mac[0] & 0x7F) << 24) |
                     (static_cast<uint32_t>(mac[1]) << 16) | (static_cast<uint32_t>(mac[2]) << 8) |
                     static_cast<uint32_t>(mac[3]);
  std::string code = std::to_string(n % 1000000);
  return std::string(6 - code.size(), '0') + code;
}

std::string load_or_create_secret(const std::filesystem::path& file) {
  return coalition::plugins::load_or_create_secret(file, "COALITION_NOTIFY_SECRET");
}

bool append_to_outbox(const std::filesystem::path& outbox, const std::string& channel,
                      const json& message) {
  std::filesystem::create_directories(outbox);
  const std::filesystem::path file = outbox / (channel + ".jsonl");
  const std::string key = message.value("idempotency_key", "");
  if (std::ifstream in(file); in) {
    std::string line;
    while (std::getline(in, line)) {
      json doc = json::parse(line, nullptr, false);
      if (!doc.is_discarded() && doc.value("idempotency_key", "") == key) return false;
    }
  }
  const std::string line = message.dump() + "\n";
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot open the outbox " + file.string());
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::fsync(fd);
  ::close(fd);
  if (!written) throw std::runtime_error("cannot write the outbox " + file.string());
  return true;
}

WebhookResult post_webhook(const std::string& url, const std::string& body,
                           const std::string& idempotency_key, int timeout_ms) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  using tcp = boost::asio::ip::tcp;
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) return {0, "only http:// webhooks are supported: " + url};
  const std::string rest = url.substr(scheme.size());
  const auto slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  const std::string target = slash == std::string::npos ? "/" : rest.substr(slash);
  const auto colon = authority.rfind(':');
  const std::string host = authority.substr(0, colon);
  const std::string port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
  try {
    boost::asio::io_context io;
    tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::milliseconds(timeout_ms));
    stream.connect(resolver.resolve(host, port));
    http::request<http::string_body> request{http::verb::post, target, 11};
    request.set(http::field::host, authority);
    request.set(http::field::content_type, "application/json");
    request.set(http::field::user_agent, "coalition-notify/1.0");
    request.set("Idempotency-Key", idempotency_key);
    request.body() = body;
    request.prepare_payload();
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    return {static_cast<int>(response.result_int()), ""};
  } catch (const std::exception& e) {
    return {0, e.what()};
  }
}

}  // namespace coalition::plugins::notify
