#include "server/problem.h"

#include <nlohmann/json.hpp>

namespace coalition {

namespace {

const char* title_of(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    default: return "Internal Server Error";
  }
}

}  // namespace

int http_status(const Error& error) {
  switch (error.code()) {
    case ErrorCode::kInvalidArgument: return 400;
    case ErrorCode::kInvalidData: return 422;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kPermissionDenied: return 403;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kIo: return 503;
    case ErrorCode::kConfiguration:
    case ErrorCode::kPluginLoad:
    case ErrorCode::kPluginContract:
    case ErrorCode::kInternal:
    case ErrorCode::kEvicted: return 500;
  }
  return 500;
}

std::string problem_code(const Error& error) {
  // The guard's refusal of an image or video (guard/media_scan.h) has its own code.
  if (error.reason() == ErrorReason::kMediaRefused) {
    return "media_not_permitted";
  }
  // Another engine node works on the execution (runtime/engine.h NodeOptions::busy_wait): the
  // same call succeeds in a moment.
  if (error.reason() == ErrorReason::kExecutionBusy) return "execution.busy";
  return std::string(to_string(error.code()));
}

namespace {

// The problem document, written once with whatever it carries beyond the RFC 9457 members.
HttpResponse problem_with(int status, const std::string& code, const std::string& detail,
                          const nlohmann::json& extensions) {
  nlohmann::json doc{{"type", "urn:coalition:problem:" + code},
                     {"title", title_of(status)},
                     {"status", status},
                     {"code", code},
                     {"detail", detail}};
  if (extensions.is_object()) doc.update(extensions);
  HttpResponse r;
  r.status = status;
  r.content_type = "application/problem+json";
  r.body = doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

}  // namespace

HttpResponse problem_response(int status, const std::string& code, const std::string& detail) {
  return problem_with(status, code, detail, nullptr);
}

HttpResponse problem_response(const Error& error, nlohmann::json extensions) {
  const int status = http_status(error);
  // What failed inside the server (a bug, the store's file, a plugin) is for the log, not for
  // the caller: its message may name paths or SQL.
  std::string detail = error.message();
  if (status >= 500) {
    detail = status == 503 ? "a service the server needs is unavailable; try again later"
                           : "internal error; the server's log has the details";
  }
  if (!error.pointer().empty()) {
    if (!extensions.is_object()) extensions = nlohmann::json::object();
    extensions["pointer"] = error.pointer();
  }
  HttpResponse r = problem_with(status, problem_code(error), detail, extensions);
  if (status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"coalition\"");
  if (error.reason() == ErrorReason::kExecutionBusy) r.headers.emplace_back("Retry-After", "1");
  return r;
}

HttpResponse json_response(const std::string& body, int status) {
  HttpResponse r;
  r.status = status;
  r.body = body;
  return r;
}

}  // namespace coalition
