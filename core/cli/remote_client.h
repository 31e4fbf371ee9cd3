// RemoteClient: the CLI's side of `--server URL` — one HTTP request at a time to a
// `coalition serve`, through libcurl (TLS verified; a private CA with --ca-file), with the bearer
// credential from $COALITION_TOKEN or --token-file. A problem document comes back as the Error it
// stands for (its code, detail and pointer), so a remote command fails with the same words and
// exit code as a local one.
#ifndef COALITION_CLI_REMOTE_CLIENT_H_
#define COALITION_CLI_REMOTE_CLIENT_H_

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "common/result.h"

namespace coalition::cli {

struct RemoteOptions {
  std::string server;      // --server: https://host:port (http:// only for loopback)
  std::string token_file;  // --token-file; else $COALITION_TOKEN
  std::string ca_file;     // --ca-file: the CA that signed the server's certificate
};

struct RemoteReply {
  int status = 0;
  std::string content_type;
  std::string body;
  nlohmann::json json() const;  // the body parsed (null when it is not JSON)
};

class RemoteClient {
 public:
  // kInvalidArgument for a URL that is neither https:// nor http:// on a loopback address;
  // kUnauthenticated when no credential is given.
  static Result<RemoteClient> open(const RemoteOptions& options);

  // `path` is percent-encoded already (see segment()); a body is sent as JSON. A 2xx answer is
  // returned; a problem document becomes its Error; no answer is kIo naming the server.
  Result<RemoteReply> call(const std::string& method, const std::string& path,
                           const nlohmann::json& body = nullptr,
                           const std::map<std::string, std::string>& headers = {}) const;

  // One path segment or query value, percent-encoded.
  static std::string segment(const std::string& text);

 private:
  RemoteClient(std::string base, std::string token, std::string ca_file)
      : base_(std::move(base)), token_(std::move(token)), ca_file_(std::move(ca_file)) {}
  std::string base_;
  std::string token_;
  std::string ca_file_;
};

}  // namespace coalition::cli

#endif  // COALITION_CLI_REMOTE_CLIENT_H_
