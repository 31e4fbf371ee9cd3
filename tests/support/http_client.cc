#include "support/http_client.h"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <optional>

namespace coalition::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

nlohmann::json HttpReply::json() const {
  return nlohmann::json::parse(body, nullptr, false);
}

struct HttpClient::Impl {
  std::string host;
  std::string port;
  asio::io_context io;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  bool connect() {
    stream.emplace(io);
    beast::error_code ec;
    tcp::resolver resolver(io);
    auto endpoints = resolver.resolve(host, port, ec);
    if (ec) return false;
    stream->expires_after(std::chrono::seconds(30));
    stream->connect(endpoints, ec);
    buffer.clear();
    return !ec;
  }
};

HttpClient::HttpClient(std::string address) : impl_(std::make_unique<Impl>()) {
  const auto colon = address.rfind(':');
  impl_->host = address.substr(0, colon);
  impl_->port = address.substr(colon + 1);
}

HttpClient::~HttpClient() = default;

HttpReply HttpClient::request(const std::string& method, const std::string& target,
                              const std::string& token, const std::string& body,
                              const std::map<std::string, std::string>& headers) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!impl_->stream && !impl_->connect()) return {};
    http::request<http::string_body> req(http::string_to_verb(method), target, 11);
    req.method_string(method);
    req.set(http::field::host, impl_->host);
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    for (const auto& [name, value] : headers) req.set(name, value);
    if (!body.empty()) {
      if (headers.count("Content-Type") == 0)
        req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.keep_alive(true);
    req.prepare_payload();
    beast::error_code ec;
    impl_->stream->expires_after(std::chrono::seconds(60));
    http::write(*impl_->stream, req, ec);
    http::response<http::string_body> res;
    if (!ec) http::read(*impl_->stream, impl_->buffer, res, ec);
    if (ec) {
      impl_->stream.reset();  // the server closed a kept-alive connection: once more, fresh
      continue;
    }
    HttpReply reply;
    reply.status = static_cast<int>(res.result_int());
    reply.body = std::move(res.body());
    for (const auto& field : res) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      // Repeated fields (Set-Cookie) are kept, one per line.
      auto [it, fresh] = reply.headers.try_emplace(name, std::string(field.value()));
      if (!fresh) it->second += "\n" + std::string(field.value());
    }
    if (!res.keep_alive()) impl_->stream.reset();
    return reply;
  }
  return {};
}

HttpReply HttpClient::tls_get(const std::string& address, const std::string& ca_file,
                              const std::string& target, const std::string& token) {
  const auto colon = address.rfind(':');
  const std::string host = address.substr(0, colon);
  asio::io_context io;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  beast::error_code ec;
  ctx.load_verify_file(ca_file, ec);
  if (ec) return {};
  ctx.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
  stream.set_verify_callback(asio::ssl::host_name_verification(host));
  tcp::resolver resolver(io);
  auto endpoints = resolver.resolve(host, address.substr(colon + 1), ec);
  if (ec) return {};
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(30));
  beast::get_lowest_layer(stream).connect(endpoints, ec);
  if (!ec) stream.handshake(asio::ssl::stream_base::client, ec);
  if (ec) return {};
  http::request<http::string_body> req(http::verb::get, target, 11);
  req.set(http::field::host, host);
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  http::write(stream, req, ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  if (!ec) http::read(stream, buffer, res, ec);
  if (ec) return {};
  HttpReply reply;
  reply.status = static_cast<int>(res.result_int());
  reply.body = std::move(res.body());
  stream.shutdown(ec);
  return reply;
}

std::string HttpClient::raw(const std::string& bytes) {
  Impl fresh;
  fresh.host = impl_->host;
  fresh.port = impl_->port;
  if (!fresh.connect()) return {};
  beast::error_code ec;
  fresh.stream->expires_after(std::chrono::seconds(5));
  asio::write(fresh.stream->socket(), asio::buffer(bytes), ec);
  std::string out;
  char chunk[4096];
  for (;;) {
    const size_t n = fresh.stream->read_some(asio::buffer(chunk), ec);
    out.append(chunk, n);
    if (ec) break;
  }
  return out;
}

}  // namespace coalition::test
