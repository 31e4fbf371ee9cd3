#include "app/token_admin.h"

#include "app/access.h"
#include "audit/audit_chain.h"
#include "common/utc_time.h"

namespace coalition::app {

using nlohmann::json;

namespace {

Status may_manage(const Principal& by) {
  if (by.admin || by.source == IdentitySource::kAsserted) return ok_status();
  return Error::permission_denied("managing tokens needs the admin scope");
}

AuditDraft token_audit(const Principal& by, const TokenRecord& t, const std::string& type,
                       TimePoint now) {
  const Actor a = actor_of(by, by.roles.empty() ? std::string() : by.roles.front());
  // The entry names the token and what it grants; the person it names is personal data and
  // stays in the token table, not in the log.
  return make_audit_draft(now, a.id, a.role, a.organisation, "", "", type,
                          {{"token", t.id},
                           {"organisation", t.organisation},
                           {"roles", t.roles},
                           {"scopes", t.scopes},
                           {"identity", a.identity}});
}

}  // namespace

json token_json(const TokenRecord& t, TimePoint now) {
  json doc{{"id", t.id},
           {"person", t.person},
           {"organisation", t.organisation},
           {"roles", t.roles},
           {"scopes", t.scopes},
           {"created_at", format_utc(t.created_at)},
           {"created_by", t.created_by}};
  if (t.expires_at) doc["expires_at"] = format_utc(*t.expires_at);
  if (t.revoked_at) doc["revoked_at"] = format_utc(*t.revoked_at);
  doc["state"] = t.revoked_at                             ? "revoked"
                 : (t.expires_at && *t.expires_at <= now) ? "expired"
                                                          : "active";
  return doc;
}

Result<IssuedToken> create_token(Store& store, const Principal& by, TokenRequest request,
                                 TimePoint now) {
  if (auto s = may_manage(by); !s) return std::move(s).error();
  request.created_by = by.person;
  auto issued = issue_token(request, now);
  if (!issued) return issued;
  StoreBatch batch;
  batch.tokens.push_back(issued->record);
  batch.audit.push_back(token_audit(by, issued->record, "token_created", now));
  if (auto s = store.apply(batch); !s) return std::move(s).error();
  return issued;
}

Result<json> list_tokens(Store& store, const Principal& by, TimePoint now) {
  if (auto s = may_manage(by); !s) return std::move(s).error();
  auto tokens = store.tokens();
  if (!tokens) return std::move(tokens).error();
  json list = json::array();
  for (const auto& t : *tokens) list.push_back(token_json(t, now));
  return json{{"tokens", std::move(list)}};
}

Result<bool> revoke_token(Store& store, const Principal& by, const std::string& id, TimePoint now) {
  if (auto s = may_manage(by); !s) return std::move(s).error();
  auto token = store.token(id);
  if (!token) return std::move(token).error();
  if (!*token) return Error::not_found("no token " + id);
  if ((*token)->revoked_at) return false;
  TokenRecord t = std::move(**token);
  t.revoked_at = now;
  StoreBatch batch;
  batch.tokens.push_back(t);
  batch.audit.push_back(token_audit(by, t, "token_revoked", now));
  if (auto s = store.apply(batch); !s) return std::move(s).error();
  return true;
}

}  // namespace coalition::app
