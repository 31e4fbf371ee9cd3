#include "server/http_server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "server/problem.h"

namespace coalition {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Declared so that destruction runs in a safe order: the threads are joined first, then the
// acceptor goes, then the io_context, whose pending handlers still own connections that use the
// bookkeeping and the TLS context declared before it.
struct HttpServer::State {
  HttpServerOptions options;
  Handler handler;
  // Requests between their last byte read and their response's last byte written.
  std::mutex mutex;
  std::condition_variable changed;
  size_t in_flight = 0;
  // Each open connection's way to close itself if it is only waiting for a next request.
  std::map<uint64_t, std::function<void()>> idle_closers;
  uint64_t next_connection = 1;
  std::atomic<size_t> connections{0};
  std::atomic<bool> draining{false};
  std::optional<asio::ssl::context> ssl;
  asio::io_context io;
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;

  void begin_request() {
    std::lock_guard<std::mutex> lock(mutex);
    ++in_flight;
  }
  void end_request() {
    std::lock_guard<std::mutex> lock(mutex);
    --in_flight;
    changed.notify_all();
  }
};

namespace {

using State = HttpServer::State;

// A parsed request as the API sees it; false when its target does not decode.
bool convert(http::request<http::string_body>& req, const std::string& remote,
             HttpRequest& request) {
  request.method = std::string(req.method_string());
  request.remote = remote;
  if (!split_target(req.target(), request.path, request.query)) return false;
  for (const auto& field : req) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto [it, fresh] = request.headers.try_emplace(name, std::string(field.value()));
    if (!fresh) it->second += ", " + std::string(field.value());
  }
  request.body = std::move(req.body());
  return true;
}

int refusal_status(const beast::error_code& ec) {
  if (ec == http::error::body_limit) return 413;
  if (ec == http::error::header_limit) return 431;
  return 400;
}

bool is_http_error(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_target).category();
}

// One client connection. `Stream` is a beast::tcp_stream (plain) or an ssl_stream over one.
template <class Stream>
class Connection : public std::enable_shared_from_this<Connection<Stream>> {
 public:
  Connection(State* state, Stream stream, bool refuse)
      : state_(state), stream_(std::move(stream)), refuse_(refuse) {
    beast::error_code ec;
    const auto endpoint = lowest().socket().remote_endpoint(ec);
    if (!ec) remote_ = endpoint.address().to_string();
  }

  ~Connection() {
    {
      std::lock_guard<std::mutex> lock(state_->mutex);
      state_->idle_closers.erase(id_);
      state_->changed.notify_all();
    }
    --state_->connections;
  }

  auto executor() { return stream_.get_executor(); }

  void run() {
    {
      std::lock_guard<std::mutex> lock(state_->mutex);
      id_ = state_->next_connection++;
      std::weak_ptr<Connection> weak = this->shared_from_this();
      state_->idle_closers[id_] = [weak] {
        if (auto self = weak.lock()) {
          asio::post(self->stream_.get_executor(), [self] { self->close_if_idle(); });
        }
      };
    }
    if constexpr (kTls) {
      lowest().expires_after(state_->options.read_timeout);
      stream_.async_handshake(
          asio::ssl::stream_base::server,
          beast::bind_front_handler(&Connection::on_handshake, this->shared_from_this()));
    } else {
      start();
    }
  }

 private:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void on_handshake(beast::error_code ec) {
    if (ec) return;  // not TLS, or a failed handshake: nothing to answer in
    start();
  }

  void start() {
    if (refuse_) {
      state_->begin_request();
      write(problem_response(503, "unavailable", "too many open connections; try again later"),
            false);
      return;
    }
    read();
  }

  void read() {
    if (state_->draining) return close();
    parser_.emplace();
    parser_->body_limit(state_->options.body_bytes);
    parser_->header_limit(static_cast<uint32_t>(state_->options.header_bytes));
    lowest().expires_after(state_->options.read_timeout);
    reading_ = true;
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Connection::on_read, this->shared_from_this()));
  }

  // Shutdown: a connection that has not begun to receive a request is closed at once.
  void close_if_idle() {
    if (reading_ && parser_ && !parser_->got_some()) {
      beast::error_code ec;
      lowest().socket().shutdown(tcp::socket::shutdown_both, ec);
      lowest().cancel();
    }
  }

  void on_read(beast::error_code ec, size_t /*bytes*/) {
    reading_ = false;
    if (ec == http::error::end_of_stream || (ec && !is_http_error(ec))) return close();
    if (ec) {
      state_->begin_request();
      const int status = refusal_status(ec);
      if (status == 413) {
        return write(problem_response(413, "body_too_large",
                                      "the request body is over " +
                                          std::to_string(state_->options.body_bytes) + " bytes"),
                     false);
      }
      if (status == 431) {
        return write(
            problem_response(431, "headers_too_large", "the request headers are too large"), false);
      }
      return write(problem_response(400, "bad_request", "malformed HTTP request"), false);
    }
    state_->begin_request();
    auto& req = parser_->get();
    HttpRequest request;
    if (!convert(req, remote_, request)) {
      return write(problem_response(400, "bad_request", "malformed percent-encoding in the URL"),
                   false);
    }
    const bool keep_alive = req.keep_alive();
    // The answer may come now or later from another thread (a request that waits for a
    // commit): it is written on this connection's strand either way, once.
    auto self = this->shared_from_this();
    auto respond = [self, keep_alive](HttpResponse response) {
      asio::post(self->stream_.get_executor(),
                 [self, keep_alive, r = std::move(response)]() mutable {
                   self->write(std::move(r), keep_alive && !self->state_->draining);
                 });
    };
    try {  // boundary: a handler's bug answers 500 and the server goes on
      state_->handler(std::move(request), respond);
    } catch (const std::exception& e) {
      spdlog::error("request handler failed: {}", e.what());
      respond(
          problem_response(500, "internal", "internal error; the server's log has the details"));
    }
  }

  void write(HttpResponse response, bool keep_alive) {
    response_.emplace(static_cast<http::status>(response.status), 11);
    response_->set(http::field::server, "coalition");
    response_->set(http::field::content_type, response.content_type);
    response_->set(http::field::cache_control, "no-store");
    // What every answer says about itself, whatever the route: not to be sniffed, framed, given
    // a referrer, or run as a document (the web app's pages set their own policy).
    response_->set("X-Content-Type-Options", "nosniff");
    response_->set("X-Frame-Options", "DENY");
    response_->set("Referrer-Policy", "no-referrer");
    response_->set("Cross-Origin-Opener-Policy", "same-origin");
    response_->set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    if (state_->ssl) response_->set("Strict-Transport-Security", "max-age=31536000");
    for (const auto& [name, value] : response.headers) {
      // A route's header replaces the default of the same name; cookies add up.
      if (beast::iequals(name, "Set-Cookie")) {
        response_->insert(name, value);
      } else {
        response_->set(name, value);
      }
    }
    response_->body() = std::move(response.body);
    response_->keep_alive(keep_alive);
    response_->prepare_payload();
    lowest().expires_after(state_->options.write_timeout);
    http::async_write(
        stream_, *response_,
        beast::bind_front_handler(&Connection::on_write, this->shared_from_this(), keep_alive));
  }

  void on_write(bool keep_alive, beast::error_code ec, size_t /*bytes*/) {
    state_->end_request();
    response_.reset();
    if (ec || !keep_alive) return close();
    read();
  }

  void close() {
    beast::error_code ec;
    if constexpr (kTls) {
      lowest().expires_after(std::chrono::seconds(5));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    } else {
      lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  State* state_;
  Stream stream_;
  bool refuse_;
  uint64_t id_ = 0;
  std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> response_;
  bool reading_ = false;
};

void accept(State* state) {
  state->acceptor->async_accept(asio::make_strand(state->io), [state](beast::error_code ec,
                                                                      tcp::socket socket) {
    if (ec) {
      if (state->draining || !state->acceptor->is_open()) return;
      spdlog::warn("accepting a connection failed: {}", ec.message());
      return accept(state);
    }
    if (state->draining) return;
    const bool refuse = ++state->connections > state->options.max_connections;
    beast::tcp_stream tcp_stream(std::move(socket));
    // Each connection starts on its own strand, where everything it does runs, the shutdown's
    // close of an idle connection included.
    if (state->ssl) {
      auto c = std::make_shared<Connection<beast::ssl_stream<beast::tcp_stream>>>(
          state, beast::ssl_stream<beast::tcp_stream>(std::move(tcp_stream), *state->ssl), refuse);
      asio::dispatch(c->executor(), [c] { c->run(); });
    } else {
      auto c =
          std::make_shared<Connection<beast::tcp_stream>>(state, std::move(tcp_stream), refuse);
      asio::dispatch(c->executor(), [c] { c->run(); });
    }
    accept(state);
  });
}

}  // namespace

HttpServer::HttpServer(HttpServerOptions options, Handler handler)
    : state_(std::make_unique<State>()) {
  state_->options = std::move(options);
  state_->handler = std::move(handler);
}

HttpServer::~HttpServer() {
  shutdown(std::chrono::milliseconds(0));
}

bool HttpServer::tls() const {
  return state_->ssl.has_value();
}

size_t HttpServer::open_connections() const {
  return state_->connections.load();
}

Result<std::string> HttpServer::start(const std::string& host, uint16_t port) {
  State& s = *state_;
  if (!s.options.tls_certificate.empty()) {
    try {  // boundary: Asio reports unusable key material by exception
      s.ssl.emplace(asio::ssl::context::tls_server);
      s.ssl->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                         asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                         asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
      s.ssl->use_certificate_chain_file(s.options.tls_certificate.string());
      s.ssl->use_private_key_file(s.options.tls_private_key.string(), asio::ssl::context::pem);
    } catch (const std::exception& e) {
      s.ssl.reset();
      return Error::configuration("TLS certificate or key unusable (" +
                                  s.options.tls_certificate.string() + ", " +
                                  s.options.tls_private_key.string() + "): " + e.what());
    }
  }
  beast::error_code ec;
  auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) return Error::invalid_argument("listen: '" + host + "' is not an IP address");
  const tcp::endpoint endpoint(address, port);
  s.acceptor.emplace(asio::make_strand(s.io));  // accepts and its close, one at a time
  s.acceptor->open(endpoint.protocol(), ec);
  if (!ec) s.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor->bind(endpoint, ec);
  if (!ec) s.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error::io("cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  }
  const auto bound = s.acceptor->local_endpoint();
  accept(state_.get());
  for (size_t i = 0; i < std::max<size_t>(1, s.options.threads); ++i) {
    s.threads.emplace_back([state = state_.get()] { state->io.run(); });
  }
  const std::string shown = bound.address().is_v6() ? "[" + bound.address().to_string() + "]"
                                                    : bound.address().to_string();
  return shown + ":" + std::to_string(bound.port());
}

void HttpServer::shutdown(std::chrono::milliseconds grace) {
  State& s = *state_;
  if (s.threads.empty()) return;
  s.draining = true;
  if (s.acceptor) {
    asio::post(s.acceptor->get_executor(), [state = state_.get()] {
      beast::error_code ec;
      state->acceptor->close(ec);
    });
  }
  std::vector<std::function<void()>> closers;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    for (const auto& [id, close] : s.idle_closers) closers.push_back(close);
  }
  for (const auto& close : closers) close();
  {
    std::unique_lock<std::mutex> lock(s.mutex);
    s.changed.wait_for(lock, grace, [&] { return s.in_flight == 0 && s.idle_closers.empty(); });
  }
  s.io.stop();
  for (auto& t : s.threads) t.join();
  s.threads.clear();
}

ParsedRequest parse_http_request(std::string_view bytes, const HttpServerOptions& options) {
  ParsedRequest out;
  http::request_parser<http::string_body> parser;
  parser.body_limit(options.body_bytes);
  parser.header_limit(static_cast<uint32_t>(options.header_bytes));
  parser.eager(true);
  beast::error_code ec;
  size_t used = 0;
  while (used < bytes.size() && !parser.is_done()) {
    const size_t n = parser.put(asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    if (ec == http::error::need_more) return out;
    if (ec) {
      out.refusal = refusal_status(ec);
      return out;
    }
    if (n == 0) break;
    used += n;
  }
  if (!parser.is_done()) return out;
  out.complete = true;
  if (!convert(parser.get(), "", out.request)) out.refusal = 400;
  return out;
}

Status parse_listen_address(const std::string& text, std::string& host, uint16_t& port) {
  std::string port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return Error::invalid_argument("--listen: HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080");
    }
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) {
      return Error::invalid_argument("--listen: HOST:PORT, e.g. 127.0.0.1:8080");
    }
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  if (port_text.empty() || port_text.size() > 5 ||
      !std::all_of(port_text.begin(), port_text.end(),
                   [](unsigned char c) { return std::isdigit(c) != 0; }) ||
      std::stoul(port_text) > 65535) {
    return Error::invalid_argument("--listen: the port is a number from 0 to 65535");
  }
  port = static_cast<uint16_t>(std::stoul(port_text));
  return ok_status();
}

bool is_loopback_host(const std::string& host) {
  if (host == "localhost") return true;
  beast::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

}  // namespace coalition
