#include "auth/oidc_sign_in.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "auth/secret_text.h"

namespace coalition {

namespace {

// RFC 3986 unreserved characters pass; everything else is %XX.
std::string url_escape(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// PKCE S256: base64url (no padding) of the verifier's SHA-256.
std::string code_challenge(const std::string& verifier) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(verifier.data()),
                     verifier.size());
  return base64url(digest, sizeof digest);
}

}  // namespace

Result<std::unique_ptr<OidcSignIn>> OidcSignIn::create(
    const std::vector<OidcIssuerConfig>& issuers, OidcVerifier& verifier,
    std::unique_ptr<OidcTokenEndpoint> endpoint) {
  std::unique_ptr<OidcSignIn> out(new OidcSignIn(verifier, std::move(endpoint)));
  for (const auto& issuer : issuers) {
    if (!issuer.sign_in) continue;
    auto c = std::make_unique<Configured>();
    c->issuer = issuer.issuer;
    c->sign_in = *issuer.sign_in;
    if (!c->sign_in.client_secret_file.empty()) {
      std::ifstream in(c->sign_in.client_secret_file, std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      c->client_secret = text.str();
      while (!c->client_secret.empty() &&
             (c->client_secret.back() == '\n' || c->client_secret.back() == '\r')) {
        c->client_secret.pop_back();
      }
      if (!in || c->client_secret.empty()) {
        return Error::configuration("cannot read the client secret of sign-in '" + c->sign_in.id +
                                    "' from " + c->sign_in.client_secret_file.string());
      }
    }
    out->configured_.push_back(std::move(c));
  }
  return out;
}

std::vector<OidcSignIn::Provider> OidcSignIn::providers() const {
  std::vector<Provider> out;
  for (const auto& c : configured_) out.push_back({c->sign_in.id, c->sign_in.name});
  return out;
}

size_t OidcSignIn::pending() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return pending_.size();
}

void OidcSignIn::forget_expired(TimePoint now) {
  for (auto it = pending_.begin(); it != pending_.end();) {
    it = now - it->second.started >= kLifetime ? pending_.erase(it) : std::next(it);
  }
}

Result<OidcSignIn::Started> OidcSignIn::start(const std::string& id, TimePoint now) {
  auto found = std::find_if(configured_.begin(), configured_.end(),
                            [&](const auto& c) { return c->sign_in.id == id; });
  if (found == configured_.end()) return Error::not_found("no sign-in provider '" + id + "'");
  const Configured& c = **found;
  Pending p{&c, random_url_safe(32), random_url_safe(32), now};
  Started out;
  out.state = random_url_safe(32);
  if (out.state.empty() || p.nonce.empty() || p.verifier.empty()) {
    return Error::internal("libsodium could not be initialised");
  }
  const std::string& endpoint = c.sign_in.authorization_endpoint;
  out.location = endpoint + (endpoint.find('?') == std::string::npos ? "?" : "&") +
                 "response_type=code&client_id=" + url_escape(c.sign_in.client_id) +
                 "&redirect_uri=" + url_escape(c.sign_in.redirect_uri) +
                 "&scope=" + url_escape(c.sign_in.scope) + "&state=" + out.state +
                 "&nonce=" + p.nonce + "&code_challenge=" + code_challenge(p.verifier) +
                 "&code_challenge_method=S256";
  std::lock_guard<std::mutex> lock(mutex_);
  if (pending_.size() >= kMaxPending) forget_expired(now);
  if (pending_.size() >= kMaxPending) {
    // Still full of live sign-ins: the new one waits, rather than pushing out someone's who is
    // at their provider right now.
    return Error::io("too many sign-ins are under way; try again in a minute");
  }
  pending_.emplace(out.state, std::move(p));
  return out;
}

Result<Principal> OidcSignIn::finish(const std::string& state, const std::string& browser_state,
                                     const std::string& code, TimePoint now) {
  Pending p;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = pending_.find(state);
    if (it == pending_.end()) {
      return Error::unauthenticated("no sign-in of this browser is under way (or it finished)");
    }
    p = std::move(it->second);
    pending_.erase(it);  // used once, whatever follows
  }
  // The browser that comes back must be the one that left: another site cannot make a person's
  // browser finish a sign-in of its own choosing.
  if (!same_secret(state, browser_state)) {
    return Error::unauthenticated("the sign-in came back to another browser than it started in");
  }
  if (now - p.started >= kLifetime) {
    return Error::unauthenticated("the sign-in took over 10 minutes; start again");
  }
  if (code.empty()) return Error::unauthenticated("the identity provider sent no code");
  auto id_token = endpoint_->exchange(p.provider->sign_in,
                                      CodeExchange{code, p.verifier, p.provider->client_secret});
  if (!id_token) return std::move(id_token).error();
  const OidcVerifier::IdTokenExpectation expected{p.provider->issuer, p.provider->sign_in.client_id,
                                                  p.nonce};
  return verifier_.verify(*id_token, now, &expected);
}

}  // namespace coalition
