#include "auth/oidc_verifier.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>

#include "auth/jwt.h"
#include "common/sha256.h"
#include "common/text_field.h"

namespace coalition {

using nlohmann::json;

namespace {

constexpr size_t kMaxRoles = 64;

Error refused(const std::string& why) {
  return Error::unauthenticated("bearer token: " + why);
}

// A NumericDate claim (RFC 7519 2: seconds since the epoch, maybe fractional) as an instant.
std::optional<TimePoint> numeric_date(const json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end() || !it->is_number()) return std::nullopt;
  const double seconds = it->get<double>();
  if (!std::isfinite(seconds) || seconds < 0 || seconds > 253402300799.0) return std::nullopt;
  return TimePoint(std::chrono::microseconds(static_cast<int64_t>(seconds * 1e6)));
}

bool audience_holds(const json& claims, const std::string& audience) {
  auto it = claims.find("aud");
  if (it == claims.end()) return false;
  if (it->is_string()) return it->get<std::string>() == audience;
  if (!it->is_array()) return false;
  return std::any_of(it->begin(), it->end(), [&](const json& a) {
    return a.is_string() && a.get<std::string>() == audience;
  });
}

// A claim holding names: a list of strings, or one string of space-separated names (the OAuth
// "scope" form).
Result<std::vector<std::string>> names_claim(const json& claims, const std::string& name) {
  std::vector<std::string> out;
  if (name.empty()) return out;
  auto it = claims.find(name);
  if (it == claims.end()) return out;
  if (it->is_string()) {
    const std::string text = it->get<std::string>();
    size_t start = 0;
    while (start < text.size()) {
      const size_t space = text.find(' ', start);
      const size_t end = space == std::string::npos ? text.size() : space;
      if (end > start) out.push_back(text.substr(start, end - start));
      start = end + 1;
    }
  } else if (it->is_array()) {
    for (const auto& v : *it) {
      if (!v.is_string()) return refused("the claim '" + printable(name) + "' holds a non-name");
      out.push_back(v.get<std::string>());
    }
  } else {
    return refused("the claim '" + printable(name) + "' is neither a list nor a string");
  }
  if (out.size() > kMaxRoles) return refused("the claim '" + printable(name) + "' holds too many");
  for (auto& n : out) n = normal_name(n);
  return out;
}

}  // namespace

OidcVerifier::OidcVerifier(std::vector<OidcIssuerConfig> issuers, const SourceFactory& sources) {
  for (auto& config : issuers) {
    auto issuer = std::make_unique<Issuer>();
    issuer->source = sources(config);
    issuer->config = std::move(config);
    issuers_.push_back(std::move(issuer));
  }
}

Status OidcVerifier::refresh(Issuer& issuer, TimePoint now) {
  issuer.attempted_at = now;
  auto text = issuer.source->fetch();
  if (!text) return std::move(text).error();
  auto keys = parse_jwk_set(*text);
  if (!keys) {
    return Error::configuration("issuer " + issuer.config.issuer + ": " + keys.error().message());
  }
  issuer.keys = std::move(*keys);
  issuer.fetched_at = now;
  return ok_status();
}

std::vector<Error> OidcVerifier::prefetch(TimePoint now) {
  std::vector<Error> failed;
  for (auto& issuer : issuers_) {
    std::lock_guard<std::mutex> lock(issuer->mutex);
    if (auto s = refresh(*issuer, now); !s) failed.push_back(s.error());
  }
  return failed;
}

Result<std::vector<JsonWebKey>> OidcVerifier::keys_for(Issuer& issuer, const std::string& want_kid,
                                                       TimePoint now) {
  std::lock_guard<std::mutex> lock(issuer.mutex);
  const auto has_kid = [&] {
    return want_kid.empty() || std::any_of(issuer.keys.begin(), issuer.keys.end(),
                                           [&](const JsonWebKey& k) { return k.kid == want_kid; });
  };
  const bool stale = !issuer.fetched_at || now - *issuer.fetched_at >= issuer.config.jwks_refresh;
  const bool may_retry = !issuer.attempted_at || now - *issuer.attempted_at >= kMinRefetch;
  if ((stale || !has_kid()) && may_retry) {
    if (auto s = refresh(issuer, now); !s) {
      // Keys already held stay in use while the identity provider cannot be reached.
      spdlog::warn("oidc: {}", s.error().message());
      if (issuer.keys.empty()) {
        return Error::io("the identity provider's keys cannot be had now");
      }
    }
  }
  return issuer.keys;
}

Result<Principal> OidcVerifier::verify(std::string_view token, TimePoint now) {
  auto jwt = parse_jwt(token);
  if (!jwt) return std::move(jwt).error();
  const json& claims = jwt->claims;
  if (!claims.contains("iss") || !claims["iss"].is_string()) return refused("no issuer");
  const std::string iss = claims["iss"].get<std::string>();
  Issuer* issuer = nullptr;
  for (auto& i : issuers_) {
    if (i->config.issuer == iss) issuer = i.get();
  }
  if (issuer == nullptr) return refused("an issuer this server does not trust");
  const OidcIssuerConfig& config = issuer->config;

  const std::string alg = jwt->header["alg"].get<std::string>();
  const auto algorithm = parse_jws_algorithm(alg);
  if (!algorithm || std::find(config.algorithms.begin(), config.algorithms.end(), alg) ==
                        config.algorithms.end()) {
    return refused("the algorithm '" + printable(alg) + "' is not accepted for this issuer");
  }
  std::string kid;
  if (jwt->header.contains("kid")) {
    if (!jwt->header["kid"].is_string()) return refused("the key id is not a string");
    kid = jwt->header["kid"].get<std::string>();
  }
  auto keys = keys_for(*issuer, kid, now);
  if (!keys) return std::move(keys).error();
  bool verified = false;
  bool known = false;
  for (const auto& key : *keys) {
    if (key.algorithm != *algorithm || (!kid.empty() && key.kid != kid)) continue;
    known = true;
    if (verify_jws(key, jwt->signing_input, jwt->signature)) {
      verified = true;
      break;
    }
  }
  if (!known) return refused("signed with a key this server does not know");
  if (!verified) return refused("the signature does not verify");

  // Only now are the claims worth reading.
  if (!audience_holds(claims, config.audience)) return refused("not issued for this audience");
  const auto skew = std::chrono::duration_cast<std::chrono::microseconds>(config.clock_skew);
  const auto exp = numeric_date(claims, "exp");
  if (!exp) return refused("no expiry (exp)");
  if (now >= *exp + skew) return refused("expired");
  if (claims.contains("nbf")) {
    const auto nbf = numeric_date(claims, "nbf");
    if (!nbf) return refused("a malformed nbf");
    if (now + skew < *nbf) return refused("not valid yet");
  }
  if (claims.contains("iat")) {
    const auto iat = numeric_date(claims, "iat");
    if (!iat || now + skew < *iat) return refused("issued in the future");
  }

  Principal p;
  p.source = IdentitySource::kOidc;
  auto person = claims.find(config.person_claim);
  if (person == claims.end() || !person->is_string()) {
    return refused("no person claim '" + printable(config.person_claim) + "'");
  }
  p.person = normal_name(person->get<std::string>());
  if (p.person.empty() || is_engine_name(p.person)) {
    return refused("the person claim names nobody this server accepts");
  }
  if (!check_text_field("person", p.person)) return refused("the person claim is not a name");
  if (auto org = claims.find(config.organisation_claim); org != claims.end()) {
    if (!org->is_string()) return refused("the organisation claim is not a string");
    p.organisation = normal_name(org->get<std::string>());
    if (!check_text_field("organisation", p.organisation)) {
      return refused("the organisation claim is not a name");
    }
  }
  auto roles = names_claim(claims, config.roles_claim);
  if (!roles) return std::move(roles).error();
  p.roles = std::move(*roles);
  auto scopes = names_claim(claims, config.scopes_claim);
  if (!scopes) return std::move(scopes).error();
  // Words Coalition does not know are the identity provider's own: not granted, not refused.
  std::vector<std::string> known_scopes;
  for (const auto& s : *scopes) {
    if (s == "admin" || s == "coordinate" || s == "metrics" || s.rfind("signal:", 0) == 0) {
      known_scopes.push_back(s);
    }
  }
  if (!apply_scopes(known_scopes, p)) return refused("a scope claim names a malformed scope");
  // For the audit log and the rate limit: stable per person and issuer, and no name in clear.
  const std::string subject = claims.value("sub", p.person);
  p.credential = sha256_hex(iss + "\n" + subject).substr(0, 16);
  return p;
}

}  // namespace coalition
