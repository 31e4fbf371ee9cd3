// RFC 9457 problem documents: how every API error reads. `type` is stable
// (urn:coalition:problem:<code>) and `code` carries the same words the CLI prints
// (invalid_data, permission_denied, not_found, ... and media_not_permitted for an image or video
// refused); `pointer` names the JSON Pointer of invalid data. Never a stack trace, SQL text or a
// path on the server: internal and I/O failures say only that, and the log has the rest.
#ifndef COALITION_SERVER_PROBLEM_H_
#define COALITION_SERVER_PROBLEM_H_

#include <nlohmann/json.hpp>
#include <string>

#include "common/error.h"
#include "server/http_message.h"

namespace coalition {

// The HTTP status an error answers with.
int http_status(const Error& error);

// The stable code of an error: its ErrorCode's word, or a more precise one the API documents.
std::string problem_code(const Error& error);

// `extensions`: members the document carries besides the standard ones (e.g. "problems").
HttpResponse problem_response(const Error& error, nlohmann::json extensions = nullptr);
HttpResponse problem_response(int status, const std::string& code, const std::string& detail);

// A JSON body with status 200 (or `status`).
HttpResponse json_response(const std::string& body, int status = 200);

}  // namespace coalition

#endif  // COALITION_SERVER_PROBLEM_H_
