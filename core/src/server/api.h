// Api: the HTTP API (`/v1`, docs/api.md) over the application layer, and the web app's files.
// It authenticates each request from its bearer credential (an API token, or an OIDC JWT from a
// configured issuer) or, without one, from the web app's session cookie — whose changes must
// carry the session's CSRF token — applies the rate limit per credential, dispatches through
// the route table, and turns results into JSON and failures into problem documents. Identity
// comes only from the credential: no request field names an actor. A GET the routes do not
// answer, outside /v1, is the web app's (server/web_assets.h).
#ifndef COALITION_SERVER_API_H_
#define COALITION_SERVER_API_H_

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <functional>

#include "app/people_seen.h"
#include "app/session.h"
#include "auth/oidc_sign_in.h"
#include "auth/oidc_verifier.h"
#include "common/utc_time.h"
#include "config/engine_config.h"
#include "server/http_message.h"
#include "server/rate_limiter.h"
#include "server/router.h"
#include "server/web_assets.h"

namespace coalition {

class Api {
 public:
  // `session` (acting, real time) must outlive the Api. `config`: its server, permissions and
  // retention blocks.
  Api(app::Session& session, EngineConfig config);
  ~Api();  // drain()
  // Waits for the requests still running on the pool of waiting threads; call it once the
  // server has stopped answering (HttpServer::shutdown) and before the session goes.
  void drain();

  // Answers `request` through `respond`: at once for what does not wait, else from the pool of
  // waiting threads (server.acting_threads).
  void handle(HttpRequest request, const std::function<void(HttpResponse)>& respond);
  // The same, waiting for the answer (tests, the fuzz target).
  HttpResponse handle_now(const HttpRequest& request);

  // Fetches the OIDC issuers' keys (before the first request needs them); those that failed.
  std::vector<Error> prefetch_identity_keys() { return oidc_.prefetch(); }

  // Serves the web app at / (call before the server starts).
  void serve_web(WebAssets assets) { web_ = std::move(assets); }
  // Lets people sign in to the web app through the identity providers configured for it
  // (oidc.issuers[].sign_in; call before the server starts); kConfiguration when a client
  // secret cannot be read.
  Status enable_sign_in(std::unique_ptr<OidcTokenEndpoint> endpoint = make_oidc_token_endpoint());

  // /readyz answers 200 once this is set (the store is open and recovery done).
  void set_ready(bool ready) { ready_ = ready; }
  const Router& router() const { return router_; }

 private:
  void add_routes();
  // The principal the request's credential proves — its bearer token, else its session cookie
  // (with the CSRF check of a change) — or the problem to answer with.
  Result<Principal> authenticate(const HttpRequest& request);
  Result<Principal> authenticate_bearer(const std::string& header);

  // The route's answer, or the problem that stops it before the route: unknown path, wrong
  // method, missing or invalid credential, rate limit. `route` and `principal` are set when
  // the route is to run.
  std::optional<HttpResponse> admit(const HttpRequest& request, const Route** route,
                                    std::optional<Principal>& principal,
                                    std::map<std::string, std::string>& params);
  // An authenticated request whose body carries an image or video: its refusal (422
  // media_not_permitted), audited; nullopt otherwise.
  std::optional<HttpResponse> refuse_media(const HttpRequest& request, const Route& route,
                                           const Principal& principal,
                                           const std::map<std::string, std::string>& params);
  // The execution a route's `id` names (a task's: its execution), if the caller may see it.
  std::string execution_named(const Route& route, const Principal& principal,
                              const std::map<std::string, std::string>& params);
  static HttpResponse run(const Route& route, const RouteCall& call);

  app::Session& session_;
  const EngineConfig config_;
  OidcVerifier oidc_;
  std::unique_ptr<OidcSignIn> sign_in_;  // set before the server starts; none when not enabled
  app::PeopleSeen people_;               // OIDC people, so tasks can be handed to them
  RateLimiter limiter_;
  boost::asio::thread_pool waiting_;
  Router router_;
  std::optional<WebAssets> web_;
  std::atomic<bool> ready_{false};
};

}  // namespace coalition

#endif  // COALITION_SERVER_API_H_
