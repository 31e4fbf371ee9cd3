// A mail server on loopback for tests: speaks enough ESMTP for a client to hand it a message
// (EHLO, STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA, QUIT) and records what it received. It offers
// AUTH only after STARTTLS and refuses mail before it, like a submission server should; with
// `offer_starttls` false it stands for a server that would take mail in clear text.
#ifndef COALITION_TESTS_SUPPORT_SMTP_SINK_H_
#define COALITION_TESTS_SUPPORT_SMTP_SINK_H_

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

class SmtpSink {
 public:
  struct Options {
    std::filesystem::path certificate;  // PEM; the server's certificate and key for STARTTLS
    std::filesystem::path private_key;
    std::string username;  // the one account it accepts
    std::string password;
    bool offer_starttls = true;
  };
  struct Received {
    std::string from;             // MAIL FROM, without the angle brackets
    std::vector<std::string> to;  // RCPT TO, each without them
    std::string data;             // the message as sent, dot-stuffing undone, CRLF line ends
    bool over_tls = false;
    std::string user;  // who authenticated
  };

  explicit SmtpSink(Options options);
  ~SmtpSink();
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  uint16_t port() const;
  std::vector<Received> received() const;
  // Every command line the clients sent, AUTH lines masked: what crossed before TLS shows here.
  std::vector<std::string> commands() const;
  // How many connections ended after their session (QUIT, or the client hanging up).
  int sessions() const;

 private:
  struct Session;
  void serve();
  // One conversation in clear text or over TLS; true with `upgrade` set when the client asked
  // for STARTTLS, false when it ended.
  template <class Stream>
  bool converse(Stream& stream, std::string& pending, Session& session, bool tls, bool& upgrade);

  Options options_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ssl::context tls_;
  mutable std::mutex mutex_;
  std::vector<Received> received_;
  std::vector<std::string> commands_;
  int sessions_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace coalition::test

#endif  // COALITION_TESTS_SUPPORT_SMTP_SINK_H_
