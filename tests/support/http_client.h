// HttpClient: a plain HTTP/1.1 client over one keep-alive TCP connection (Boost.Beast), for
// tests and benchmarks that talk to a real `coalition serve` on loopback.
#ifndef COALITION_TESTS_SUPPORT_HTTP_CLIENT_H_
#define COALITION_TESTS_SUPPORT_HTTP_CLIENT_H_

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace coalition::test {

struct HttpReply {
  int status = 0;  // 0: no answer (the connection failed or closed)
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names; repeated ones line by line
  nlohmann::json json() const;                 // the body parsed; discarded when not JSON
};

class HttpClient {
 public:
  explicit HttpClient(std::string address);  // "127.0.0.1:PORT"
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request (reconnecting when the server closed the connection); `token` becomes
  // "Authorization: Bearer <token>" unless empty; a non-empty body is sent as JSON.
  HttpReply request(const std::string& method, const std::string& target,
                    const std::string& token = "", const std::string& body = "",
                    const std::map<std::string, std::string>& headers = {});
  HttpReply get(const std::string& target, const std::string& token = "") {
    return request("GET", target, token);
  }
  HttpReply post(const std::string& target, const std::string& token, const nlohmann::json& body) {
    return request("POST", target, token, body.dump());
  }

  // One GET over TLS on a fresh connection, trusting only `ca_file` and checking that the
  // certificate names the address: status 0 when the handshake or the request fails.
  static HttpReply tls_get(const std::string& address, const std::string& ca_file,
                           const std::string& target, const std::string& token = "");

  // Sends raw bytes on a fresh connection and returns what comes back until the server closes
  // it (or 5 s pass): for malformed HTTP.
  std::string raw(const std::string& bytes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace coalition::test

#endif  // COALITION_TESTS_SUPPORT_HTTP_CLIENT_H_
