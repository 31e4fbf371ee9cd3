// A webhook endpoint on loopback for tests: HTTP, or HTTPS with a certificate the test made.
// Records every request it read and answers each with the status it is told.
#ifndef COALITION_TESTS_SUPPORT_WEBHOOK_SINK_H_
#define COALITION_TESTS_SUPPORT_WEBHOOK_SINK_H_

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace coalition::test {

class WebhookSink {
 public:
  struct Options {
    int status = 200;
    std::filesystem::path certificate;  // both set: HTTPS
    std::filesystem::path private_key;
  };
  struct Request {
    std::string target;
    std::string body;
    std::string idempotency_key;
    std::string content_type;
  };

  explicit WebhookSink(Options options);
  ~WebhookSink();
  WebhookSink(const WebhookSink&) = delete;
  WebhookSink& operator=(const WebhookSink&) = delete;

  // "https://127.0.0.1:<port><path>" (or http://).
  std::string url(const std::string& path = "/hook") const;
  std::vector<Request> requests() const;
  // Connections that ended without a request read (a client that refused the certificate).
  int abandoned() const;

 private:
  void serve();
  template <class Stream>
  bool answer(Stream& stream);

  Options options_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ssl::context tls_;
  mutable std::mutex mutex_;
  std::vector<Request> requests_;
  int abandoned_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace coalition::test

#endif  // COALITION_TESTS_SUPPORT_WEBHOOK_SINK_H_
