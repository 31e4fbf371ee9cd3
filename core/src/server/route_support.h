// What every route does with a request and an answer: JSON bodies in and out, query parameters
// read and refused with the parameter's name, results turned into a response or a problem.
#ifndef COALITION_SERVER_ROUTE_SUPPORT_H_
#define COALITION_SERVER_ROUTE_SUPPORT_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/result.h"
#include "common/utc_time.h"
#include "server/http_message.h"
#include "server/problem.h"
#include "server/router.h"

namespace coalition {

// `doc` as a JSON response (invalid UTF-8 replaced, never thrown).
HttpResponse ok(const nlohmann::json& doc, int status = 200);

template <class T>
HttpResponse answer(const Result<T>& result, int status = 200) {
  if (!result) return problem_response(result.error());
  return ok(*result, status);
}

// The request body as JSON ({} when empty). A body must say it is application/json; text that
// is not JSON is a bad request; JSON over a limit or with a repeated key is invalid data at its
// pointer.
Result<nlohmann::json> body_of(const HttpRequest& request);
// The same, and it must be an object; `shape` shows what is expected ("{\"due\": ...}").
Result<nlohmann::json> object_body(const HttpRequest& request, const std::string& shape);

// The member `name` of `body`, a string when present; "" when absent and not required.
Result<std::string> string_member(const nlohmann::json& body, const char* name, bool required);

// Query parameters: a flag (absent, "false": false; "true" or empty: true); an RFC 3339
// instant; a page size from 1 to `max` (absent: `fallback`); a comma-separated list.
Result<bool> query_flag(const HttpRequest& request, const char* name);
Result<std::optional<TimePoint>> query_time(const HttpRequest& request, const char* name);
Result<size_t> query_limit(const HttpRequest& request, size_t fallback, size_t max);
std::vector<std::string> query_list(const HttpRequest& request, const char* name);
std::string query_text(const HttpRequest& request, const char* name);

// The route runs on the API's pool of waiting threads (Route::waits).
Route waiting(Route route);

}  // namespace coalition

#endif  // COALITION_SERVER_ROUTE_SUPPORT_H_
