#include "server/route_support.h"

#include "common/json_text.h"

namespace coalition {

using nlohmann::json;

HttpResponse ok(const json& doc, int status) {
  return json_response(doc.dump(-1, ' ', false, json::error_handler_t::replace), status);
}

Result<json> body_of(const HttpRequest& request) {
  if (request.body.empty()) return json::object();
  const std::string type = request.header("content-type");
  if (type.rfind("application/json", 0) != 0) {
    return Error::invalid_argument("the request body must be application/json");
  }
  auto doc = parse_json(request.body);
  if (!doc) {
    const Error& e = doc.error();
    if (e.reason() == ErrorReason::kMalformedJson) {
      return Error::invalid_argument("request body: " + e.message());
    }
    return Error::invalid_data("request body: " + e.message(), e.pointer());
  }
  return doc;
}

Result<json> object_body(const HttpRequest& request, const std::string& shape) {
  auto body = body_of(request);
  if (!body) return body;
  if (!body->is_object()) return Error::invalid_data("the body is an object: " + shape, "/");
  return body;
}

Result<std::string> string_member(const json& body, const char* name, bool required) {
  auto it = body.find(name);
  if (it == body.end()) {
    if (required) {
      return Error::invalid_data(std::string("\"") + name + "\" is required",
                                 pointer_append("", name));
    }
    return std::string();
  }
  if (!it->is_string()) {
    return Error::invalid_data(std::string("\"") + name + "\" must be a string",
                               pointer_append("", name));
  }
  return it->get<std::string>();
}

Result<bool> query_flag(const HttpRequest& r, const char* name) {
  auto it = r.query.find(name);
  if (it == r.query.end() || it->second == "false") return false;
  if (it->second == "true" || it->second.empty()) return true;
  return Error::invalid_argument(std::string(name) + ": true or false");
}

Result<std::optional<TimePoint>> query_time(const HttpRequest& r, const char* name) {
  auto it = r.query.find(name);
  if (it == r.query.end()) return std::optional<TimePoint>();
  auto t = parse_utc(it->second);
  if (!t) return Error::invalid_argument(std::string(name) + ": an RFC 3339 instant");
  return std::optional<TimePoint>(*t);
}

Result<size_t> query_limit(const HttpRequest& r, size_t fallback, size_t max) {
  auto it = r.query.find("limit");
  if (it == r.query.end()) return fallback;
  const std::string& n = it->second;
  const Error bad = Error::invalid_argument("limit: from 1 to " + std::to_string(max));
  if (n.empty() || n.size() > 6 || n.find_first_not_of("0123456789") != std::string::npos) {
    return bad;
  }
  const size_t value = std::stoul(n);
  if (value < 1 || value > max) return bad;
  return value;
}

std::vector<std::string> query_list(const HttpRequest& r, const char* name) {
  std::vector<std::string> out;
  auto it = r.query.find(name);
  if (it == r.query.end()) return out;
  size_t start = 0;
  const std::string& text = it->second;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const size_t end = comma == std::string::npos ? text.size() : comma;
    if (end > start) out.push_back(text.substr(start, end - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string query_text(const HttpRequest& r, const char* name) {
  auto it = r.query.find(name);
  return it == r.query.end() ? std::string() : it->second;
}

Route waiting(Route route) {
  route.waits = true;
  return route;
}

}  // namespace coalition
