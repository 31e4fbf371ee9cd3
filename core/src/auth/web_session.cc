#include "auth/web_session.h"

#include <sodium.h>

#include "auth/api_token.h"
#include "auth/secret_text.h"
#include "common/sha256.h"

namespace coalition {

namespace {

constexpr std::string_view kPrefix = "cws_";

}  // namespace

Result<IssuedWebSession> issue_web_session(const Principal& p, TimePoint now,
                                           std::chrono::milliseconds lifetime) {
  if (p.source == IdentitySource::kAsserted) {
    return Error::invalid_argument("a browser session needs an identity a credential proved");
  }
  auto secret = make_secret_text(kPrefix);
  if (!secret) return std::move(secret).error();
  IssuedWebSession out;
  WebSessionRecord& r = out.record;
  r.id = std::move(secret->id);
  r.secret_hash = std::move(secret->hash);
  r.credential = p.credential;
  r.created_at = now;
  r.expires_at = now + lifetime;
  if (p.source == IdentitySource::kToken) {
    // The token is the authority: read again on each request, so its revocation, expiry and
    // roles apply to the session at once. Nothing of the person is copied.
    r.kind = WebSessionKind::kToken;
  } else {
    r.kind = WebSessionKind::kOidc;
    r.person = p.person;
    r.organisation = p.organisation;
    r.roles = p.roles;
    r.scopes = p.scopes();
  }
  out.text = std::move(secret->text);
  return out;
}

Result<ProvenSession> authenticate_web_session(Store& store, std::string_view text, TimePoint now) {
  auto id = secret_text_id(text, kPrefix);
  if (!id) return Error::unauthenticated("not a Coalition session");
  auto record = store.web_session(*id);
  if (!record) return std::move(record).error();
  if (!secret_text_matches(text, *record ? &(*record)->secret_hash : nullptr)) {
    return Error::unauthenticated("session not recognised");
  }
  ProvenSession out;
  out.record = std::move(**record);
  const WebSessionRecord& r = out.record;
  if (r.ended_at) return Error::unauthenticated("signed out");
  if (r.expires_at <= now) return Error::unauthenticated("session expired; sign in again");
  if (r.kind == WebSessionKind::kToken) {
    auto token = store.token(r.credential);
    if (!token) return std::move(token).error();
    if (!*token) return Error::unauthenticated("the session's token no longer exists");
    auto p = live_principal_of(**token, now);
    if (!p) return Error::unauthenticated("the session's " + p.error().message());
    out.principal = std::move(*p);
    return out;
  }
  Principal& p = out.principal;
  p.person = r.person;
  p.organisation = r.organisation;
  p.roles = r.roles;
  if (auto s = apply_scopes(r.scopes, p); !s) return std::move(s).error();
  p.source = IdentitySource::kOidc;
  p.credential = r.credential;
  return out;
}

std::string csrf_token(std::string_view session_text) {
  std::string material = "coalition-csrf/1\n";
  material.append(session_text);
  std::string token = sha256_hex(material);
  sodium_memzero(material.data(), material.size());
  return token;
}

bool csrf_token_matches(std::string_view session_text, std::string_view presented) {
  return same_secret(presented, csrf_token(session_text));
}

std::string cookie_value(std::string_view header, std::string_view name) {
  // RFC 6265 5.4: pairs separated by "; ". Tolerates missing spaces and stray ones.
  size_t at = 0;
  while (at < header.size()) {
    size_t end = header.find(';', at);
    if (end == std::string_view::npos) end = header.size();
    std::string_view pair = header.substr(at, end - at);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    while (!pair.empty() && pair.back() == ' ') pair.remove_suffix(1);
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      return std::string(pair.substr(eq + 1));
    }
    at = end + 1;
  }
  return {};
}

}  // namespace coalition
