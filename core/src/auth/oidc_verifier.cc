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
      if (!v.is_string()) {
        return refused("the claim '" + printable(name) + "' holds something that is not a name");
      }
      out.push_back(v.get<std::string>());
    }
  } else {
    return refused("the claim '" + printable(name) + "' is neither a list nor a string");
  }
  if (out.size() > kMaxRoles) return refused("the claim '" + printable(name) + "' holds too many");
  for (auto& n : out) {
    n = normal_name(n);
    // The same rule as a token's roles: a name on one line, no control character (U+001F
    // separates roles in the store's inbox columns).
    if (n.empty() || !check_text_field("role", n)) {
      return refused("the claim '" + printable(name) + "' holds something that is not a name");
    }
  }
  return out;
}

}  // namespace

OidcVerifier::OidcVerifier(std::vector<OidcIssuerConfig> issuers, const SourceFactory& sources,
                           std::chrono::milliseconds min_refetch)
    : min_refetch_(min_refetch) {
  for (auto& config : issuers) {
    auto issuer = std::make_unique<Issuer>();
    // Compared with claims in their normal form.
    config.organisation = normal_name(config.organisation);
    for (auto& o : config.organisations) o = normal_name(o);
    for (auto& r : config.roles) r = normal_name(r);
    issuer->source = sources(config);
    issuer->config = std::move(config);
    issuers_.push_back(std::move(issuer));
  }
  if (!issuers_.empty()) refresher_ = std::thread([this] { refresh_loop(); });
}

OidcVerifier::~OidcVerifier() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (refresher_.joinable()) refresher_.join();
}

bool OidcVerifier::eligible(const Issuer& issuer, Steady::time_point now) const {
  return issuer.wanted && (!issuer.attempted_at || now - *issuer.attempted_at >= min_refetch_);
}

Status OidcVerifier::fetch(Issuer& issuer) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    issuer.attempted_at = Steady::now();
    issuer.wanted = false;
  }
  auto text = issuer.source->fetch();
  Result<std::vector<JsonWebKey>> keys =
      text ? parse_jwk_set(*text) : Result<std::vector<JsonWebKey>>(std::move(text).error());
  if (!keys) {
    // Keys already held stay in use while the identity provider cannot be reached.
    return Error(keys.error().code(),
                 "issuer " + issuer.config.issuer + ": " + keys.error().message());
  }
  std::lock_guard<std::mutex> lock(mutex_);
  issuer.keys = std::make_shared<const std::vector<JsonWebKey>>(std::move(*keys));
  issuer.fetched_at = Steady::now();
  return ok_status();
}

std::vector<Error> OidcVerifier::prefetch() {
  std::vector<Error> failed;
  for (auto& issuer : issuers_) {
    if (auto s = fetch(*issuer); !s) failed.push_back(s.error());
  }
  return failed;
}

void OidcVerifier::refresh_loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    // The next issuer whose fetch may run now, else the earliest time one may.
    Issuer* next = nullptr;
    std::optional<Steady::time_point> wake_at;
    const auto now = Steady::now();
    for (auto& issuer : issuers_) {
      if (!issuer->wanted) continue;
      if (eligible(*issuer, now)) {
        next = issuer.get();
        break;
      }
      const auto at = *issuer->attempted_at + min_refetch_;
      if (!wake_at || at < *wake_at) wake_at = at;
    }
    if (stop_) return;
    if (next == nullptr) {
      idle_.notify_all();
      if (wake_at) {
        wake_.wait_until(lock, *wake_at);
      } else {
        wake_.wait(lock);
      }
      continue;
    }
    fetching_ = true;
    lock.unlock();
    if (auto s = fetch(*next); !s) spdlog::warn("oidc: {}", s.error().message());
    lock.lock();
    fetching_ = false;
  }
}

void OidcVerifier::wait_idle() {
  std::unique_lock<std::mutex> lock(mutex_);
  idle_.wait(lock, [&] {
    const auto now = Steady::now();
    return stop_ || (!fetching_ && std::none_of(issuers_.begin(), issuers_.end(),
                                                [&](const auto& i) { return eligible(*i, now); }));
  });
}

Result<Principal> OidcVerifier::verify(std::string_view token, TimePoint now,
                                       const IdTokenExpectation* expected) {
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
  if (expected && expected->issuer != iss) {
    return refused("issued by another provider than the sign-in went to");
  }
  const OidcIssuerConfig& config = issuer->config;

  const std::string alg = jwt->header["alg"].get<std::string>();
  const auto algorithm = parse_jws_algorithm(alg);
  if (!algorithm || std::find(config.algorithms.begin(), config.algorithms.end(), alg) ==
                        config.algorithms.end()) {
    return refused("the token's algorithm is not accepted for this issuer");
  }
  std::string kid;
  if (jwt->header.contains("kid")) {
    if (!jwt->header["kid"].is_string()) return refused("the key id is not a string");
    kid = jwt->header["kid"].get<std::string>();
  }
  std::shared_ptr<const std::vector<JsonWebKey>> keys;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    keys = issuer->keys;
    const bool stale =
        !issuer->fetched_at || Steady::now() - *issuer->fetched_at >= config.jwks_refresh;
    const bool unknown_kid =
        keys && !kid.empty() &&
        std::none_of(keys->begin(), keys->end(), [&](const JsonWebKey& k) { return k.kid == kid; });
    if ((stale || unknown_kid) && !issuer->wanted) {
      issuer->wanted = true;
      wake_.notify_all();
    }
  }
  if (!keys) return Error::io("the identity provider's keys cannot be had now");
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
  if (!audience_holds(claims, expected ? expected->audience : config.audience)) {
    return refused("not issued for this audience");
  }
  if (!expected && claims.contains("nonce")) {
    return refused("an ID token (it carries a nonce) is not a credential for the API");
  }
  if (expected) {
    // The nonce ties the ID token to the sign-in that asked for it: a token taken from another
    // sign-in (or replayed) does not carry it.
    auto nonce = claims.find("nonce");
    if (nonce == claims.end() || !nonce->is_string() || *nonce != expected->nonce) {
      return refused("the ID token does not carry this sign-in's nonce");
    }
  }
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
  // The organisation: the one the issuer speaks for, else the claim — within the organisations
  // the issuer is trusted for, when the configuration names them.
  if (!config.organisation.empty()) {
    p.organisation = config.organisation;
  } else if (auto org = claims.find(config.organisation_claim); org != claims.end()) {
    if (!org->is_string()) return refused("the organisation claim is not a string");
    p.organisation = normal_name(org->get<std::string>());
    if (!check_text_field("organisation", p.organisation)) {
      return refused("the organisation claim is not a name");
    }
  }
  if (!config.organisations.empty() &&
      std::find(config.organisations.begin(), config.organisations.end(), p.organisation) ==
          config.organisations.end()) {
    return refused("an organisation this issuer is not trusted for");
  }
  auto roles = names_claim(claims, config.roles_claim);
  if (!roles) return std::move(roles).error();
  for (auto& role : *roles) {
    // Roles the issuer is not trusted to grant are not granted.
    if (!config.roles.empty() &&
        std::find(config.roles.begin(), config.roles.end(), role) == config.roles.end()) {
      continue;
    }
    p.roles.push_back(std::move(role));
  }
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
  auto sub = claims.find("sub");
  const std::string subject =
      sub != claims.end() && sub->is_string() ? sub->get<std::string>() : p.person;
  p.credential = sha256_hex(iss + "\n" + subject).substr(0, 16);
  return p;
}

}  // namespace coalition
