#include "app/web_sessions.h"

#include "app/access.h"
#include "app/permissions.h"
#include "audit/audit_chain.h"
#include "common/utc_time.h"

namespace coalition::app {

using nlohmann::json;

namespace {

// Sessions stay a while after they expire, so a late request says "expired", not "unknown".
constexpr auto kKeepExpired = std::chrono::hours(24 * 7);

AuditDraft session_audit(const Principal& p, const WebSessionRecord& r, const std::string& type,
                         TimePoint now) {
  const Actor a = actor_of(p, p.roles.empty() ? std::string() : p.roles.front());
  return make_audit_draft(
      now, a.id, a.role, a.organisation, "", "", type,
      {{"session", r.id}, {"identity", a.identity}, {"expires_at", format_utc(r.expires_at)}});
}

}  // namespace

Result<IssuedWebSession> sign_in(Store& store, const Principal& p, TimePoint now,
                                 std::chrono::milliseconds lifetime) {
  if (p.service()) {
    return Error::permission_denied(
        "a service credential names no person: it cannot sign in to the web app");
  }
  auto issued = issue_web_session(p, now, lifetime);
  if (!issued) return issued;
  StoreBatch batch;
  batch.web_sessions.push_back(issued->record);
  batch.web_sessions_expired_before = now - kKeepExpired;
  batch.audit.push_back(session_audit(p, issued->record, "session_started", now));
  if (auto s = store.apply(batch); !s) return std::move(s).error();
  return issued;
}

Status sign_out(Store& store, const ProvenSession& session, TimePoint now) {
  WebSessionRecord ended = session.record;
  ended.ended_at = now;
  StoreBatch batch;
  batch.web_sessions.push_back(ended);
  batch.audit.push_back(session_audit(session.principal, ended, "session_ended", now));
  return store.apply(batch);
}

json session_json(const Principal& p, const WebSessionRecord& record, std::string_view session_text,
                  const PermissionsConfig& permissions) {
  return json{{"person", p.person},
              {"organisation", p.organisation},
              {"roles", p.roles},
              {"scopes", p.scopes()},
              {"identity", std::string(to_string(p.source))},
              {"csrf", csrf_token(session_text)},
              {"expires_at", format_utc(record.expires_at)},
              {"may",
               {{"purge", require_role(p, permissions.purge, "a purge").ok()},
                {"legal_hold", require_role(p, permissions.legal_hold, "a legal hold").ok()}}}};
}

}  // namespace coalition::app
