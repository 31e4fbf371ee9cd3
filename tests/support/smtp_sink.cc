#include "support/smtp_sink.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <cctype>
#include <optional>

#include <openssl/evp.h>

namespace coalition::test {
namespace {

using boost::asio::ip::tcp;

// The bytes of standard base64 `text`; nullopt when it is not that.
std::optional<std::string> base64_decode(const std::string& text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  size_t padding = 0;
  for (auto c = text.rbegin(); c != text.rend() && *c == '='; ++c) ++padding;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

template <class Stream>
std::optional<std::string> read_line(Stream& stream, std::string& pending) {
  for (;;) {
    const auto end = pending.find("\r\n");
    if (end != std::string::npos) {
      std::string line = pending.substr(0, end);
      pending.erase(0, end + 2);
      return line;
    }
    char buffer[4096];
    boost::system::error_code ec;
    const size_t n = stream.read_some(boost::asio::buffer(buffer), ec);
    if (ec || n == 0) return std::nullopt;
    pending.append(buffer, n);
    if (pending.size() > (size_t{1} << 20)) return std::nullopt;
  }
}

template <class Stream>
bool reply(Stream& stream, const std::string& text) {
  boost::system::error_code ec;
  boost::asio::write(stream, boost::asio::buffer(text + "\r\n"), ec);
  return !ec;
}

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

// "MAIL FROM:<a@b> SIZE=12" -> "a@b".
std::string address_in(const std::string& line) {
  const auto open = line.find('<');
  const auto close = line.find('>', open);
  if (open == std::string::npos || close == std::string::npos) return "";
  return line.substr(open + 1, close - open - 1);
}

}  // namespace

struct SmtpSink::Session {
  Received mail;
  bool authenticated = false;
  bool in_mail = false;
};

SmtpSink::SmtpSink(Options options)
    : options_(std::move(options)),
      acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}),
      tls_(boost::asio::ssl::context::tls_server) {
  if (!options_.certificate.empty()) {
    tls_.use_certificate_chain_file(options_.certificate.string());
    tls_.use_private_key_file(options_.private_key.string(), boost::asio::ssl::context::pem);
  }
  thread_ = std::thread([this] { serve(); });
}

SmtpSink::~SmtpSink() {
  stopping_ = true;
  boost::system::error_code ec;
  boost::asio::io_context io;
  tcp::socket wake(io);
  wake.connect({boost::asio::ip::make_address("127.0.0.1"), port()}, ec);  // ends the accept
  thread_.join();
}

uint16_t SmtpSink::port() const {
  return acceptor_.local_endpoint().port();
}

std::vector<SmtpSink::Received> SmtpSink::received() const {
  std::lock_guard lock(mutex_);
  return received_;
}

std::vector<std::string> SmtpSink::commands() const {
  std::lock_guard lock(mutex_);
  return commands_;
}

int SmtpSink::sessions() const {
  std::lock_guard lock(mutex_);
  return sessions_;
}

void SmtpSink::serve() {
  for (;;) {
    tcp::socket socket(io_);
    boost::system::error_code ec;
    acceptor_.accept(socket, ec);
    if (ec || stopping_) return;
    // A client that stops talking cannot hold the sink (or a test's teardown) for ever.
    timeval limit{5, 0};
    ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
    Session session;
    std::string pending;
    bool upgrade = false;
    if (reply(socket, "220 sink.test ESMTP ready") &&
        converse(socket, pending, session, false, upgrade) && upgrade) {
      boost::asio::ssl::stream<tcp::socket&> secure(socket, tls_);
      secure.handshake(boost::asio::ssl::stream_base::server, ec);
      if (!ec) {
        pending.clear();  // nothing sent before the handshake may count after it
        converse(secure, pending, session, true, upgrade);
      }
    }
    std::lock_guard lock(mutex_);
    ++sessions_;
  }
}

template <class Stream>
bool SmtpSink::converse(Stream& stream, std::string& pending, Session& session, bool tls,
                        bool& upgrade) {
  upgrade = false;
  const bool need_tls = options_.offer_starttls;
  const bool need_auth = !options_.username.empty();
  for (;;) {
    auto line = read_line(stream, pending);
    if (!line) return false;
    const std::string verb = upper(line->substr(0, line->find(' ')));
    {
      std::lock_guard lock(mutex_);
      commands_.push_back(verb == "AUTH" ? "AUTH ***" : *line);
    }
    if (session.in_mail) {  // DATA: until the lone dot
      if (*line == ".") {
        session.in_mail = false;
        session.mail.over_tls = tls;
        {
          std::lock_guard lock(mutex_);
          received_.push_back(session.mail);
        }
        session.mail.to.clear();
        session.mail.data.clear();
        if (!reply(stream, "250 2.0.0 queued")) return false;
      } else {
        session.mail.data += (line->rfind("..", 0) == 0 ? line->substr(1) : *line) + "\r\n";
      }
      continue;
    }
    bool ok = true;
    if (verb == "EHLO" || verb == "HELO") {
      std::string text = "250-sink.test\r\n";
      if (need_tls && !tls) text += "250-STARTTLS\r\n";
      if (need_auth && tls) text += "250-AUTH PLAIN\r\n";
      text += "250 8BITMIME";
      ok = reply(stream, text);
    } else if (verb == "STARTTLS" && need_tls && !tls) {
      if (!reply(stream, "220 2.0.0 ready to start TLS")) return false;
      upgrade = true;
      return true;
    } else if (verb == "QUIT") {
      reply(stream, "221 2.0.0 bye");
      return false;
    } else if (verb == "NOOP" || verb == "RSET") {
      ok = reply(stream, "250 2.0.0 ok");
    } else if (need_tls && !tls) {
      ok = reply(stream, "530 5.7.0 Must issue a STARTTLS command first");
    } else if (verb == "AUTH") {
      std::string rest = line->size() > 4 ? line->substr(5) : "";
      if (upper(rest.substr(0, 5)) != "PLAIN") {
        ok = reply(stream, "504 5.5.4 mechanism not supported");
        continue;
      }
      std::string response = rest.size() > 6 ? rest.substr(6) : "";
      if (response.empty()) {
        if (!reply(stream, "334 ")) return false;
        auto answer = read_line(stream, pending);
        if (!answer) return false;
        response = *answer;
      }
      const auto decoded = base64_decode(response);
      const std::string expected =
          std::string(1, '\0') + options_.username + '\0' + options_.password;
      if (decoded && *decoded == expected) {
        session.authenticated = true;
        session.mail.user = options_.username;
        ok = reply(stream, "235 2.7.0 authenticated");
      } else {
        ok = reply(stream, "535 5.7.8 authentication credentials invalid");
      }
    } else if (need_auth && !session.authenticated) {
      ok = reply(stream, "530 5.7.0 authentication required");
    } else if (verb == "MAIL") {
      session.mail.from = address_in(*line);
      ok = reply(stream, "250 2.1.0 ok");
    } else if (verb == "RCPT") {
      const std::string to = address_in(*line);
      if (to.find("refused") != std::string::npos) {  // stands for a mailbox that does not exist
        ok = reply(stream, "550 5.1.1 no such mailbox");
      } else {
        session.mail.to.push_back(to);
        ok = reply(stream, "250 2.1.5 ok");
      }
    } else if (verb == "DATA") {
      session.in_mail = true;
      ok = reply(stream, "354 end with <CRLF>.<CRLF>");
    } else {
      ok = reply(stream, "502 5.5.2 command not implemented");
    }
    if (!ok) return false;
  }
}

}  // namespace coalition::test
