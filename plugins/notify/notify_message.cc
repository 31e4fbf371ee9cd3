#include "notify/notify_message.h"

#include "shared/secret_file.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <unistd.h>

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

json allowed_fields(const json& params) {
  json allow = json::array({"case_id", "references"});
  const auto listed = params.find("allow");
  if (listed != params.end() && listed->is_array()) {
    for (const auto& a : *listed) allow.push_back(a);
  }
  return allow;
}

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

MailContent compose_mail(const json& message, const std::string& from) {
  MailContent mail;
  const std::string name = message.value("message", "notification");
  mail.subject = "Coalition: " + name;
  std::string body = "Message: " + name + "\n";
  body += "Execution: " + message.value("execution", "") + "\n";
  const json payload = message.value("payload", json::object());
  for (const auto& [field, value] : payload.items()) {
    body += field + ": " + (value.is_string() ? value.get<std::string>() : value.dump()) + "\n";
  }
  if (message.contains("code")) {
    body += "\nOne-time code: " + message["code"].get<std::string>() + "\n";
  }
  if (message.value("ack_required", false)) {
    body += "\nPlease acknowledge this message in the Coalition portal";
    body += message.contains("code") ? ", repeating the one-time code.\n" : ".\n";
  }
  body += "\nThis message carries references only; sign in to see the case.\n";
  mail.body = std::move(body);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  const std::string key = message.value("idempotency_key", "");
  EVP_Digest(key.data(), key.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (unsigned int i = 0; i < 16 && i < length; ++i) {
    id += kHex[digest[i] >> 4];
    id += kHex[digest[i] & 0xF];
  }
  const auto at = from.rfind('@');
  mail.message_id =
      id + "@" + (at == std::string::npos ? "coalition.invalid" : from.substr(at + 1));
  return mail;
}

}  // namespace coalition::plugins::notify
