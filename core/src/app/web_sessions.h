// Signing in to the web app and out of it (auth/web_session.h): a session is made for a
// principal a credential proved — an API token presented once, or an identity provider's
// answer — and ended by signing out. Both are audited under the credential's identity; a
// service credential (a partner system, monitoring) has no person to sign in.
#ifndef COALITION_APP_WEB_SESSIONS_H_
#define COALITION_APP_WEB_SESSIONS_H_

#include <chrono>
#include <nlohmann/json.hpp>

#include "auth/web_session.h"
#include "config/engine_config.h"
#include "store/store.h"

namespace coalition::app {

// A new session for `p` at `now`, committed with its audit entry (`session_started`); sessions
// that expired over a week before `now` are deleted in the same transaction.
// kPermissionDenied for a service credential.
Result<IssuedWebSession> sign_in(Store& store, const Principal& p, TimePoint now,
                                 std::chrono::milliseconds lifetime);

// Ends `session` at `now` (`session_ended`).
Status sign_out(Store& store, const ProvenSession& session, TimePoint now);

// What the page learns of its session: the principal (as GET /v1/me), the CSRF token it must
// send with every change, when the session ends, and what the configuration's permissions let
// the person do beyond their scopes ("may": {"purge", "legal_hold"}), so the page offers only
// that (the server decides again on every request).
nlohmann::json session_json(const Principal& p, const WebSessionRecord& record,
                            std::string_view session_text, const PermissionsConfig& permissions);

}  // namespace coalition::app

#endif  // COALITION_APP_WEB_SESSIONS_H_
