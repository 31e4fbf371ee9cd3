// HttpRequest and HttpResponse: one HTTP exchange as the API sees it, free of the HTTP library
// (server/http_server.cc is the only file that speaks Boost.Beast), so routes and their tests
// deal in plain values.
#ifndef COALITION_SERVER_HTTP_MESSAGE_H_
#define COALITION_SERVER_HTTP_MESSAGE_H_

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace coalition {

struct HttpRequest {
  std::string method;                          // GET, POST, ...
  std::string path;                            // percent-encoded, without the query
  std::map<std::string, std::string> query;    // decoded; the last of repeated names
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string remote;  // the client's address

  // The header's value, or empty.
  std::string header(const std::string& lower_case_name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type
};

// Splits "/a/b?x=1&y=%20" into the path and the decoded query; false when a percent escape is
// malformed.
bool split_target(std::string_view target, std::string& path,
                  std::map<std::string, std::string>& query);

// "%2F" -> "/", "+" stays "+" (paths) or becomes " " (`plus_is_space`, queries); false when an
// escape is malformed or decodes to a NUL.
bool percent_decode(std::string_view text, std::string& out, bool plus_is_space = false);

}  // namespace coalition

#endif  // COALITION_SERVER_HTTP_MESSAGE_H_
