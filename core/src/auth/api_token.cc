#include "auth/api_token.h"

#include "auth/secret_text.h"
#include "common/text_field.h"

namespace coalition {

namespace {

constexpr std::string_view kPrefix = "ctk_";

Status check_names(std::string_view field, const std::vector<std::string>& names) {
  for (const auto& n : names) {
    if (n.empty()) return Error::invalid_argument("an empty " + std::string(field) + " name");
    if (auto s = check_text_field(field, n); !s) return s;
  }
  return ok_status();
}

}  // namespace

std::optional<std::string> token_id(std::string_view text) {
  return secret_text_id(text, kPrefix);
}

Result<IssuedToken> issue_token(const TokenRequest& request, TimePoint now) {
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
  auto secret = make_secret_text(kPrefix);
  if (!secret) return std::move(secret).error();
  r.id = std::move(secret->id);
  out.text = std::move(secret->text);
  r.secret_hash = std::move(secret->hash);
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
  if (!secret_text_matches(text, *record ? &(*record)->secret_hash : nullptr)) {
    return Error::unauthenticated("token not recognised");
  }
  return live_principal_of(**record, now);
}

Result<Principal> live_principal_of(const TokenRecord& record, TimePoint now) {
  if (record.revoked_at) return Error::unauthenticated("token revoked");
  if (record.expires_at && *record.expires_at <= now) {
    return Error::unauthenticated("token expired");
  }
  return principal_of(record);
}

}  // namespace coalition
