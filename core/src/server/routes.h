// The API's routes, by area (docs/api.md, docs/openapi.json). Each adds its routes to the table;
// handlers call the application layer (core/src/app) and never the store's SQL or the engine's
// internals directly.
#ifndef COALITION_SERVER_ROUTES_H_
#define COALITION_SERVER_ROUTES_H_

#include "app/people_seen.h"
#include "app/session.h"
#include "auth/oidc_sign_in.h"
#include "config/engine_config.h"
#include "server/router.h"

namespace coalition {

// /v1/tasks: inbox, one task, complete, extend.
void add_task_routes(Router& router, app::Session& session);
// /v1/executions: start, list and search, status, history, timeline, signals, export, legal
// holds.
void add_execution_routes(Router& router, app::Session& session, const EngineConfig& config);
// /v1/workflows: list, read (with the graph), validate, register.
void add_workflow_routes(Router& router, app::Session& session);
// Administration: /v1/tokens, /v1/audit/verify, /v1/purge.
void add_admin_routes(Router& router, app::Session& session, const EngineConfig& config);
// /v1/session: the web app signs in with an API token, reads its session, signs out.
void add_session_routes(Router& router, app::Session& session, const EngineConfig& config);
// /v1/auth: the identity providers a person may sign in through, and the sign-in's two legs.
// `sign_in` may hold none (no provider configured); it is read when a request comes.
void add_oidc_routes(Router& router, app::Session& session, const EngineConfig& config,
                     const std::unique_ptr<OidcSignIn>& sign_in, app::PeopleSeen& people);
// GET /metrics, in the Prometheus text format.
void add_metrics_route(Router& router, app::Session& session);

}  // namespace coalition

#endif  // COALITION_SERVER_ROUTES_H_
