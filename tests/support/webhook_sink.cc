#include "support/webhook_sink.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace coalition::test {

using boost::asio::ip::tcp;
namespace http = boost::beast::http;

WebhookSink::WebhookSink(Options options)
    : options_(std::move(options)),
      acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}),
      tls_(boost::asio::ssl::context::tls_server) {
  if (!options_.certificate.empty()) {
    tls_.use_certificate_chain_file(options_.certificate.string());
    tls_.use_private_key_file(options_.private_key.string(), boost::asio::ssl::context::pem);
  }
  thread_ = std::thread([this] { serve(); });
}

WebhookSink::~WebhookSink() {
  stopping_ = true;
  boost::system::error_code ec;
  boost::asio::io_context io;
  tcp::socket wake(io);
  wake.connect(acceptor_.local_endpoint(), ec);  // ends the accept
  thread_.join();
}

std::string WebhookSink::url(const std::string& path) const {
  return std::string(options_.certificate.empty() ? "http" : "https") +
         "://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + path;
}

std::vector<WebhookSink::Request> WebhookSink::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

int WebhookSink::abandoned() const {
  std::lock_guard lock(mutex_);
  return abandoned_;
}

void WebhookSink::serve() {
  for (;;) {
    tcp::socket socket(io_);
    boost::system::error_code ec;
    acceptor_.accept(socket, ec);
    if (ec || stopping_) return;
    timeval limit{5, 0};  // a silent client cannot hold the sink
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
    bool answered = false;
    if (options_.certificate.empty()) {
      answered = answer(socket);
    } else {
      boost::asio::ssl::stream<tcp::socket&> secure(socket, tls_);
      secure.handshake(boost::asio::ssl::stream_base::server, ec);
      answered = !ec && answer(secure);
    }
    if (!answered) {
      std::lock_guard lock(mutex_);
      ++abandoned_;
    }
  }
}

template <class Stream>
bool WebhookSink::answer(Stream& stream) {
  boost::beast::flat_buffer buffer;
  http::request<http::string_body> request;
  boost::system::error_code ec;
  http::read(stream, buffer, request, ec);
  if (ec) return false;
  {
    std::lock_guard lock(mutex_);
    requests_.push_back({std::string(request.target()), request.body(),
                         std::string(request["Idempotency-Key"]),
                         std::string(request[http::field::content_type])});
  }
  http::response<http::string_body> response{static_cast<http::status>(options_.status), 11};
  response.body() = "{}";
  response.keep_alive(false);
  response.prepare_payload();
  http::write(stream, response, ec);
  return true;
}

}  // namespace coalition::test
