// libFuzzer target: any bytes as what a client sends the server — the HTTP request as a
// connection parses it (server/http_server.h parse_http_request, same limits), its route, its
// bearer credential's shape (auth/api_token.h) and its JSON body under the limits. Never a
// crash; a parsed request's path is what the target said before '?', a token id is 16 hex
// digits, and a refused request is refused with 400, 413 or 431.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/api_token.h"
#include "common/json_text.h"
#include "server/http_server.h"
#include "server/problem.h"
#include "server/router.h"

namespace {

const coalition::Router& routes() {
  static const coalition::Router router = [] {
    coalition::Router r;
    for (const char* path : {"/v1/tasks", "/v1/tasks/{id}", "/v1/tasks/{id}/complete",
                             "/v1/executions/{id}/signals/{name}", "/v1/executions/{id}"}) {
      r.add({"GET", path, true,
             [](const coalition::RouteCall&) { return coalition::json_response("{}"); }});
    }
    return r;
  }();
  return router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  coalition::HttpServerOptions options;
  options.body_bytes = 4096;
  options.header_bytes = 4096;
  const auto parsed = coalition::parse_http_request(bytes, options);
  if (parsed.refusal != 0 && parsed.refusal != 400 && parsed.refusal != 413 &&
      parsed.refusal != 431) {
    __builtin_trap();
  }
  if (!parsed.complete || parsed.refusal != 0) return 0;
  const auto& r = parsed.request;
  if (r.path.find('?') != std::string::npos) __builtin_trap();
  auto match = routes().match(r.method, r.path);
  for (const auto& [name, value] : match.params) {
    if (value.empty() || value.find('\0') != std::string::npos) __builtin_trap();
  }
  const std::string authorization = r.header("authorization");
  if (authorization.rfind("Bearer ", 0) == 0) {
    auto id = coalition::token_id(std::string_view(authorization).substr(7));
    if (id && id->size() != 16) __builtin_trap();
  }
  if (!r.body.empty()) (void)coalition::parse_json(r.body);
  return 0;
}
