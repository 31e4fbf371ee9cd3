#include "auth/jwt.h"

#include <sodium.h>

#include "common/json_text.h"

namespace coalition {

using nlohmann::json;

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.empty()) return std::string();
  std::string out(text.size() * 3 / 4 + 3, '\0');
  size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &length, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

namespace {

// Header and payload are small JSON objects: tighter limits than a request body's.
JsonLimits jwt_limits() {
  JsonLimits limits;
  limits.max_depth = 8;
  limits.max_document_bytes = kMaxJwtBytes;
  limits.max_array_items = 1000;
  limits.max_object_members = 200;
  return limits;
}

Result<json> json_part(std::string_view part, const char* what) {
  auto bytes = base64url_decode(part);
  if (!bytes)
    return Error::unauthenticated(std::string("bearer token: the ") + what + " is not base64url");
  auto doc = parse_json(*bytes, jwt_limits());
  if (!doc || !doc->is_object()) {
    return Error::unauthenticated(std::string("bearer token: the ") + what +
                                  " is not a JSON object");
  }
  return doc;
}

}  // namespace

Result<Jwt> parse_jwt(std::string_view text) {
  if (text.size() > kMaxJwtBytes) return Error::unauthenticated("bearer token: too long");
  const size_t first = text.find('.');
  const size_t second = first == std::string_view::npos ? first : text.find('.', first + 1);
  if (second == std::string_view::npos || text.find('.', second + 1) != std::string_view::npos) {
    return Error::unauthenticated("bearer token: not a JWT (header.payload.signature)");
  }
  Jwt jwt;
  auto header = json_part(text.substr(0, first), "header");
  if (!header) return std::move(header).error();
  auto claims = json_part(text.substr(first + 1, second - first - 1), "payload");
  if (!claims) return std::move(claims).error();
  auto signature = base64url_decode(text.substr(second + 1));
  if (!signature || signature->empty()) {
    return Error::unauthenticated("bearer token: the signature is missing or not base64url");
  }
  if (!header->contains("alg") || !(*header)["alg"].is_string()) {
    return Error::unauthenticated("bearer token: the header names no algorithm");
  }
  // RFC 7515 4.1.11: a critical extension not understood makes the token invalid.
  if (header->contains("crit")) {
    return Error::unauthenticated("bearer token: critical header extensions are not supported");
  }
  jwt.header = std::move(*header);
  jwt.claims = std::move(*claims);
  jwt.signing_input = std::string(text.substr(0, second));
  jwt.signature = std::move(*signature);
  return jwt;
}

}  // namespace coalition
