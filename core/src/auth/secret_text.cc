#include "auth/secret_text.h"

#include <sodium.h>

#include <cstring>
#include <vector>

#include "common/sha256.h"

namespace coalition {

namespace {

constexpr size_t kPrefixBytes = 4;
constexpr size_t kIdHex = 16;
constexpr size_t kSecretBytes = 32;
constexpr size_t kSecretText = 43;  // base64url of 32 bytes, no padding

bool hex_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

bool base64url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

std::string random_hex(size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), raw.data(), raw.size());
  hex.pop_back();
  sodium_memzero(raw.data(), raw.size());
  return hex;
}

}  // namespace

std::string base64url(const unsigned char* data, size_t size) {
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string text(sodium_base64_ENCODED_LEN(size, kVariant), '\0');
  sodium_bin2base64(text.data(), text.size(), data, size, kVariant);
  text.resize(std::strlen(text.c_str()));
  return text;
}

std::string random_url_safe(size_t bytes) {
  if (sodium_init() < 0) return {};
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::string text = base64url(raw.data(), raw.size());
  sodium_memzero(raw.data(), raw.size());
  return text;
}

bool same_secret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

static_assert(kSecretTextBytes == kPrefixBytes + kIdHex + 1 + kSecretText);

Result<SecretText> make_secret_text(std::string_view prefix) {
  if (sodium_init() < 0) return Error::internal("libsodium could not be initialised");
  SecretText out;
  out.id = random_hex(kIdHex / 2);
  out.text = std::string(prefix) + out.id + "_" + random_url_safe(kSecretBytes);
  out.hash = sha256_hex(out.text);
  return out;
}

std::optional<std::string> secret_text_id(std::string_view text, std::string_view prefix) {
  if (prefix.size() != kPrefixBytes || text.size() != kSecretTextBytes ||
      text.substr(0, kPrefixBytes) != prefix) {
    return std::nullopt;
  }
  const std::string_view id = text.substr(kPrefixBytes, kIdHex);
  if (text[kPrefixBytes + kIdHex] != '_') return std::nullopt;
  const std::string_view secret = text.substr(kPrefixBytes + kIdHex + 1);
  for (char c : id) {
    if (!hex_digit(c)) return std::nullopt;
  }
  for (char c : secret) {
    if (!base64url_char(c)) return std::nullopt;
  }
  return std::string(id);
}

bool secret_text_matches(std::string_view text, const std::string* stored_hash) {
  const std::string presented = sha256_hex(text);
  const bool same = same_secret(stored_hash ? *stored_hash : presented, presented);
  return stored_hash != nullptr && same;
}

}  // namespace coalition
