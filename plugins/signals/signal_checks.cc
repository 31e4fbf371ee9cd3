// Formats are checked strictly enough to catch a pasted screenshot name or a sentence in the
// value field, loosely enough for every platform's identifiers: hashes by algorithm and length,
// URLs by scheme, wallets by alphabet and length. Matching identifiers are lower-cased before
// hashing so "Kim@Example.org" and "kim@example.org" match across members.
#include "signals/signal_checks.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "common/personal_data.h"

namespace coalition::plugins::signals {

using nlohmann::json;

namespace {

bool all_of(const std::string& s, int (*pred)(int)) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) {
    return pred(static_cast<unsigned char>(c)) != 0;
  });
}

std::string lower_trim(std::string s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  const auto e = s.find_last_not_of(" \t\r\n");
  s = b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

Checked refuse(std::string code, std::string message) {
  Checked c;
  c.code = std::move(code);
  c.message = std::move(message);
  return c;
}

}  // namespace

std::string matching_hash(const std::string& value, const std::string& key) {
  const std::string normal = lower_trim(value);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(normal.data()), normal.size(), digest, &length);
  static const char* kHex = "0123456789abcdef";
  std::string out = "hmac-sha256:";
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

Checked check_signal(const json& signal, const std::string& key) {
  const std::string basis = signal.value("legal_basis", "");
  if (basis.find_first_not_of(" \t\r\n") == std::string::npos) {
    return refuse("signal.no_legal_basis",
                  "a signal needs its legal basis (the law or agreement that allows sharing it)");
  }
  const std::string type = signal.value("signal_type", "");
  const std::string value = signal.value("value", "");
  if (value.empty() || value.size() > 512) {
    return refuse("signal.invalid", "/value: the indicator, 1 to 512 characters");
  }
  // Hash lengths in hex characters by algorithm; PhotoDNA is base64 of 144 bytes.
  static const std::map<std::string, size_t> kHashHex{
      {"md5", 32}, {"sha1", 40}, {"sha256", 64}, {"pdq", 64}};
  bool matching_only = false;
  if (type == "hash") {
    const std::string algorithm = signal.value("algorithm", "");
    auto it = kHashHex.find(algorithm);
    if (algorithm == "photodna") {
      if (value.size() < 190 ||
          value.find_first_not_of(
              "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") !=
              std::string::npos) {
        return refuse("signal.invalid", "/value: a PhotoDNA hash is the base64 of 144 bytes");
      }
    } else if (it == kHashHex.end()) {
      return refuse("signal.invalid",
                    "/algorithm: one of md5, sha1, sha256, pdq, photodna for a hash signal");
    } else if (value.size() != it->second || !all_of(value, ::isxdigit)) {
      return refuse("signal.invalid", "/value: a " + algorithm + " hash is " +
                                          std::to_string(it->second) + " hexadecimal characters");
    }
  } else if (type == "url") {
    if (value.rfind("https://", 0) != 0 && value.rfind("http://", 0) != 0) {
      return refuse("signal.invalid", "/value: a URL starting with http:// or https://");
    }
  } else if (type == "wallet_address") {
    if (value.size() < 26 || value.size() > 90 || !all_of(value, ::isalnum)) {
      return refuse("signal.invalid", "/value: a wallet address, 26 to 90 letters and digits");
    }
  } else if (type == "email" || type == "username" || type == "phone" || type == "account_id" ||
             type == "payment_token") {
    matching_only = signal.value("matching_only", true);
  } else if (type != "merchant_descriptor" && type != "keyword") {
    return refuse("signal.invalid",
                  "/signal_type: one of hash, url, email, username, phone, account_id, "
                  "payment_token, merchant_descriptor, wallet_address, keyword");
  }
  const std::string context = signal.value("source_context", "");
  if (mask_personal_data(context) != context) {
    return refuse("signal.personal_data",
                  "/source_context: it holds an e-mail address or phone number; describe the "
                  "activity without identifying anyone (the indicator goes in /value)");
  }
  Checked c;
  c.ok = true;
  c.signal = signal;
  c.minimised = json::array();
  if (matching_only) {
    c.signal["value"] = matching_hash(value, key);
    c.signal["value_form"] = "hmac-sha256 of the lower-cased value under the coalition key";
    c.minimised.push_back("/value");
  }
  return c;
}

}  // namespace coalition::plugins::signals
