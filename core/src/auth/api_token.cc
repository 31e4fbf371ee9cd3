#include "auth/api_token.h"

#include <sodium.h>

#include <array>

#include "common/sha256.h"
#include "common/text_field.h"

namespace coalition {

namespace {

constexpr std::string_view kPrefix = "ctk_";
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

std::string random_secret() {
  std::array<unsigned char, kSecretBytes> raw{};
  randombytes_buf(raw.data(), raw.size());
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string text(sodium_base64_ENCODED_LEN(kSecretBytes, kVariant), '\0');
  sodium_bin2base64(text.data(), text.size(), raw.data(), raw.size(), kVariant);
  text.resize(kSecretText);
  sodium_memzero(raw.data(), raw.size());
  return text;
}

Status check_names(std::string_view field, const std::vector<std::string>& names) {
  for (const auto& n : names) {
    if (n.empty()) return Error::invalid_argument("an empty " + std::string(field) + " name");
    if (auto s = check_text_field(field, n); !s) return s;
  }
  return ok_status();
}

}  // namespace

std::optional<std::string> token_id(std::string_view text) {
  if (text.size() != kTokenTextBytes || text.substr(0, kPrefix.size()) != kPrefix) {
    return std::nullopt;
  }
  const std::string_view id = text.substr(kPrefix.size(), kIdHex);
  if (text[kPrefix.size() + kIdHex] != '_') return std::nullopt;
  const std::string_view secret = text.substr(kPrefix.size() + kIdHex + 1);
  for (char c : id) {
    if (!hex_digit(c)) return std::nullopt;
  }
  for (char c : secret) {
    if (!base64url_char(c)) return std::nullopt;
  }
  return std::string(id);
}

Result<IssuedToken> issue_token(const TokenRequest& request, TimePoint now) {
  if (sodium_init() < 0) return Error::internal("libsodium could not be initialised");
  IssuedToken out;
  TokenRecord& r = out.record;
  r.person = normal_name(request.person);
  r.organisation = normal_name(request.organisation);
  for (const auto& role : request.roles) r.roles.push_back(normal_name(role));
  for (const auto& scope : request.scopes) r.scopes.push_back(normal_name(scope));
  if (r.person.empty()) return Error::invalid_argument("--person: whom the token names");
  // The engine's own names in the audit log: nobody may hold a credential under them.
  if (is_engine_name(r.person)) {
    return Error::invalid_argument("--person: '" + r.person +
                                   "' is a name the engine uses for itself");
  }
  if (auto s = check_text_field("person", r.person); !s) return std::move(s).error();
  if (auto s = check_text_field("organisation", r.organisation); !s) return std::move(s).error();
  if (auto s = check_names("role", r.roles); !s) return std::move(s).error();
  Principal scoped;
  if (auto s = apply_scopes(r.scopes, scoped); !s) return std::move(s).error();
  if (r.roles.empty() && r.scopes.empty()) {
    return Error::invalid_argument(
        "a token needs at least one role (--roles) or scope (--scopes): one with neither could "
        "do nothing");
  }
  if (!scoped.signal_workflows.empty() && (!r.roles.empty() || scoped.admin)) {
    return Error::invalid_argument(
        "a signal:<workflow> scope makes a service credential: it takes no roles and no admin "
        "scope");
  }
  if (request.expires_at && *request.expires_at <= now) {
    return Error::invalid_argument("--expires: the token would be born expired");
  }
  r.id = random_hex(kIdHex / 2);
  out.text = std::string(kPrefix) + r.id + "_" + random_secret();
  r.secret_hash = sha256_hex(out.text);
  r.created_at = now;
  r.created_by = normal_name(request.created_by);
  r.expires_at = request.expires_at;
  return out;
}

Result<Principal> principal_of(const TokenRecord& record) {
  Principal p;
  p.person = record.person;
  p.organisation = record.organisation;
  p.roles = record.roles;
  if (auto s = apply_scopes(record.scopes, p); !s) return std::move(s).error();
  p.source = IdentitySource::kToken;
  p.credential = record.id;
  return p;
}

Result<Principal> authenticate_token(Store& store, std::string_view text, TimePoint now) {
  auto id = token_id(text);
  if (!id) return Error::unauthenticated("not a Coalition API token");
  auto record = store.token(*id);
  if (!record) return std::move(record).error();
  // The same answer for an unknown id and a wrong secret: neither says which ids exist.
  const std::string presented = sha256_hex(text);
  const std::string& expected = *record ? (*record)->secret_hash : presented;
  const bool match = expected.size() == presented.size() &&
                     sodium_memcmp(expected.data(), presented.data(), presented.size()) == 0;
  if (!*record || !match) return Error::unauthenticated("token not recognised");
  const TokenRecord& r = **record;
  if (r.revoked_at) return Error::unauthenticated("token revoked");
  if (r.expires_at && *r.expires_at <= now) return Error::unauthenticated("token expired");
  return principal_of(r);
}

}  // namespace coalition
