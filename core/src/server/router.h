// Router: the table of routes — method, path template ("/v1/tasks/{id}/complete"), whether a
// credential is needed, handler. It is the single source for dispatch and for the check of the
// OpenAPI document against what the server answers.
#ifndef COALITION_SERVER_ROUTER_H_
#define COALITION_SERVER_ROUTER_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "auth/principal.h"
#include "server/http_message.h"

namespace coalition {

struct RouteCall {
  const HttpRequest& request;
  const Principal* principal;                 // null on public routes
  std::map<std::string, std::string> params;  // from the path template, decoded
};

struct Route {
  std::string method;
  std::string path;  // template: literal segments and {name} segments
  bool authenticated = true;
  std::function<HttpResponse(const RouteCall&)> handler;
  // The handler waits (for a commit, a plugin, the disk): run on the API's pool of waiting
  // threads, not on a network thread.
  bool waits = false;
  // A public route that takes a secret (signing in): rate-limited by the client's address, as
  // requests with an invalid credential are, so guessing stays slow.
  bool limited_by_address = false;
};

class Router {
 public:
  void add(Route route);

  enum class Outcome { kMatched, kWrongMethod, kNoRoute };
  struct Match {
    Outcome outcome = Outcome::kNoRoute;
    const Route* route = nullptr;
    std::map<std::string, std::string> params;
    std::vector<std::string> allowed;  // methods the path answers (kWrongMethod)
  };
  // The route for `method` and the percent-encoded `path`. A segment that does not decode is
  // no match.
  Match match(const std::string& method, const std::string& path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace coalition

#endif  // COALITION_SERVER_ROUTER_H_
