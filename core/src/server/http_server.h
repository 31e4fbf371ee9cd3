// HttpServer: HTTP/1.1 over TCP, optionally TLS (OpenSSL), with Boost.Beast on an Asio
// io_context of its own threads. Each connection runs on a strand; a request's handler is
// called on one of those threads with a Responder, which it calls once, then or later from any
// thread: a handler must not block the network threads (work that waits, such as a commit, goes
// to a pool of its own and responds from there). Limits: the request body and header sizes (413,
// 431), read and write timeouts, and the number of open connections (503 beyond). Malformed HTTP
// gets a 400.
//
// shutdown() is graceful: it stops accepting, closes idle keep-alive connections, lets the
// requests in flight finish and their responses go out, then stops the threads.
#ifndef COALITION_SERVER_HTTP_SERVER_H_
#define COALITION_SERVER_HTTP_SERVER_H_

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "server/http_message.h"

namespace coalition {

struct HttpServerOptions {
  size_t threads = 8;
  size_t body_bytes = 1 << 20;
  size_t header_bytes = 16 << 10;
  std::chrono::milliseconds read_timeout{30000};
  std::chrono::milliseconds write_timeout{30000};
  size_t max_connections = 512;
  // TLS when both are set (PEM files).
  std::filesystem::path tls_certificate;
  std::filesystem::path tls_private_key;
};

class HttpServer {
 public:
  using Responder = std::function<void(HttpResponse)>;
  using Handler = std::function<void(HttpRequest, Responder)>;

  HttpServer(HttpServerOptions options, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds `host`:`port` (port 0: a free one) and starts serving; returns the bound
  // "host:port". kConfiguration when TLS files are unusable, kIo when the address is refused.
  Result<std::string> start(const std::string& host, uint16_t port);
  // Graceful stop; waits up to `grace` for requests in flight.
  void shutdown(std::chrono::milliseconds grace);

  bool tls() const;
  size_t open_connections() const;

  struct State;  // the io_context, the acceptor and the connections' shared bookkeeping

 private:
  std::unique_ptr<State> state_;
};

// One request parsed from `bytes` as a connection parses it (the same limits, the same
// conversion): the request, or the status a connection answers it with (400 malformed, 413 body
// too large, 431 headers too large); 0 when `bytes` end before the request does.
struct ParsedRequest {
  int refusal = 0;  // 0 with `complete`: the request is in `request`
  bool complete = false;
  HttpRequest request;
};
ParsedRequest parse_http_request(std::string_view bytes, const HttpServerOptions& options);

// "host:port" -> parts; "[::1]:8080" for IPv6. kInvalidArgument when malformed.
Status parse_listen_address(const std::string& text, std::string& host, uint16_t& port);

// Whether `host` (a literal address or "localhost") is a loopback address.
bool is_loopback_host(const std::string& host);

}  // namespace coalition

#endif  // COALITION_SERVER_HTTP_SERVER_H_
