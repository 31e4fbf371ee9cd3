// notify's two network deliveries against real servers on loopback: webhooks over HTTPS with a
// test CA (and plain HTTP to this machine only), e-mail over SMTP with STARTTLS and
// authentication. What must never happen is asserted on the servers' side: nothing delivered,
// no credentials sent, when TLS cannot be had or verified.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <cstdlib>
#include <ctime>

#include "notify/smtp_mailer.h"
#include "notify/webhook_client.h"
#include "support/smtp_sink.h"
#include "support/temp_dir.h"
#include "support/tls_certificate.h"
#include "support/webhook_sink.h"

namespace coalition::plugins::notify {
namespace {

class NotifyDelivery : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(test::write_test_authority(dir_.path()));
    ca_ = (dir_.path() / "ca.pem").string();
  }
  test::WebhookSink::Options https(int status = 200) const {
    return {status, dir_.path() / "cert.pem", dir_.path() / "key.pem"};
  }
  test::SmtpSink::Options mail_server() const {
    return {dir_.path() / "cert.pem", dir_.path() / "key.pem", "secretariat", "s3cret-EX", true};
  }
  SmtpOptions client(const test::SmtpSink& sink) const {
    SmtpOptions o;
    o.url = "smtp://127.0.0.1:" + std::to_string(sink.port());
    o.from = "coalition@secretariat.example.org";
    o.username = "secretariat";
    o.password = "s3cret-EX";
    o.ca_file = ca_;
    o.timeout_ms = 5000;
    return o;
  }
  static Mail mail(const std::string& to = "compliance@northwind.example.com") {
    return {to, "Coalition: escalation.notice", "case_id: FC-2026-0042\n.leading dot\n",
            "0123456789abcdef0123456789abcdef@secretariat.example.org",
            "Thu, 03 Dec 2026 15:20:00 +0000"};
  }
  static uint16_t unused_port() {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor probe(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return probe.local_endpoint().port();
  }

  test::TempDir dir_;
  std::string ca_;
};

TEST_F(NotifyDelivery, AnHttpsWebhookTrustedThroughTheTestCaIsDelivered) {
  test::WebhookSink sink(https());
  const WebhookResult r =
      post_webhook(sink.url("/pager"), R"({"case_id":"FC-1"})", "ex/page", {2000, ca_});
  EXPECT_EQ(r.status, 200) << r.error;
  const auto requests = sink.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/pager");
  EXPECT_EQ(requests[0].body, R"({"case_id":"FC-1"})");
  EXPECT_EQ(requests[0].idempotency_key, "ex/page");
  EXPECT_EQ(requests[0].content_type, "application/json");
}

TEST_F(NotifyDelivery, AnHttpsWebhookThatCannotBeVerifiedGetsNothing) {
  test::WebhookSink sink(https());
  // The system's CAs do not know the test CA.
  const WebhookResult untrusted = post_webhook(sink.url(), "{}", "k", {2000, ""});
  EXPECT_EQ(untrusted.status, 0);
  EXPECT_TRUE(untrusted.permanent);
  EXPECT_NE(untrusted.error.find("certificate"), std::string::npos) << untrusted.error;
  // Trusted, but issued for 127.0.0.1 and localhost, not for the name asked.
  test::TempDir other;
  ASSERT_TRUE(test::write_self_signed_certificate(other.path()));
  test::WebhookSink wrong_name({200, other.path() / "cert.pem", other.path() / "key.pem"});
  std::string url = wrong_name.url();
  url.replace(url.find("127.0.0.1"), 9, "localhost");
  const WebhookResult mismatch =
      post_webhook(url, "{}", "k", {2000, (other.path() / "cert.pem").string()});
  EXPECT_EQ(mismatch.status, 0);
  EXPECT_TRUE(mismatch.permanent) << mismatch.error;
  EXPECT_TRUE(sink.requests().empty());
  EXPECT_TRUE(wrong_name.requests().empty());
}

TEST_F(NotifyDelivery, PlainHttpReachesOnlyThisMachine) {
  test::WebhookSink sink(test::WebhookSink::Options{});  // plain HTTP, answering 200
  EXPECT_EQ(post_webhook(sink.url(), "{}", "k", {2000, ""}).status, 200);
  const WebhookResult remote = post_webhook("http://pager.example.org/x", "{}", "k", {500, ""});
  EXPECT_EQ(remote.status, 0);
  EXPECT_TRUE(remote.permanent);
  EXPECT_EQ(remote.error,
            "plain http:// reaches only this machine (127.0.0.1, [::1], localhost); use https:// "
            "for pager.example.org");
  EXPECT_EQ(post_webhook("http://pager.example.org/hook?token=s3cret", "{}", "k", {500, ""})
                .error.find("s3cret"),
            std::string::npos)
      << "never the path or query, where a webhook's secret may be";
  const WebhookResult ftp = post_webhook("ftp://127.0.0.1/x", "{}", "k", {500, ""});
  EXPECT_TRUE(ftp.permanent);
  EXPECT_EQ(ftp.error, "a webhook must be an https:// URL");
  EXPECT_EQ(sink.requests().size(), 1u);
}

TEST_F(NotifyDelivery, ServerErrorsAndUnreachableHostsAreForRetrying) {
  test::WebhookSink sink(https(503));
  EXPECT_EQ(post_webhook(sink.url(), "{}", "k", {2000, ca_}).status, 503);
  const WebhookResult down = post_webhook(
      "https://127.0.0.1:" + std::to_string(unused_port()) + "/x", "{}", "k", {500, ca_});
  EXPECT_EQ(down.status, 0);
  EXPECT_FALSE(down.permanent);
  EXPECT_FALSE(down.error.empty());
}

TEST_F(NotifyDelivery, MailGoesOutOverStartTlsAfterAuthentication) {
  test::SmtpSink sink(mail_server());
  const SmtpResult r = send_mail(client(sink), mail());
  ASSERT_TRUE(r.sent) << r.error;
  const auto received = sink.received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_TRUE(received[0].over_tls);
  EXPECT_EQ(received[0].user, "secretariat");
  EXPECT_EQ(received[0].from, "coalition@secretariat.example.org");
  EXPECT_EQ(received[0].to, std::vector<std::string>{"compliance@northwind.example.com"});
  const std::string& data = received[0].data;
  EXPECT_NE(data.find("Subject: Coalition: escalation.notice\r\n"), std::string::npos) << data;
  EXPECT_NE(data.find("Message-ID: <0123456789abcdef0123456789abcdef@secretariat.example.org>"),
            std::string::npos);
  EXPECT_NE(data.find("Date: Thu, 03 Dec 2026 15:20:00 +0000\r\n"), std::string::npos);
  EXPECT_NE(data.find("\r\n\r\ncase_id: FC-2026-0042\r\n.leading dot\r\n"), std::string::npos)
      << "dot-stuffing undone, CRLF line ends: " << data;
  // Nothing but the greeting and the upgrade crossed in clear text.
  const auto commands = sink.commands();
  const auto upgrade = std::find(commands.begin(), commands.end(), "STARTTLS");
  ASSERT_NE(upgrade, commands.end());
  for (auto c = commands.begin(); c != upgrade; ++c) {
    EXPECT_EQ(c->rfind("EHLO", 0), 0u) << *c << " was sent before TLS";
  }
}

TEST_F(NotifyDelivery, AServerWithoutStartTlsGetsNeitherTheMailNorThePassword) {
  auto options = mail_server();
  options.offer_starttls = false;
  test::SmtpSink sink(options);
  const SmtpResult r = send_mail(client(sink), mail());
  EXPECT_FALSE(r.sent);
  EXPECT_TRUE(r.permanent) << r.error;
  EXPECT_TRUE(sink.received().empty());
  for (const auto& c : sink.commands()) {
    EXPECT_NE(c.rfind("AUTH", 0), 0u);
    EXPECT_NE(c.rfind("MAIL", 0), 0u);
  }
}

TEST_F(NotifyDelivery, AMailServerThatCannotBeVerifiedGetsNeitherTheMailNorThePassword) {
  test::SmtpSink sink(mail_server());
  auto options = client(sink);
  options.ca_file.clear();  // the system's CAs: the test CA is not among them
  const SmtpResult r = send_mail(options, mail());
  EXPECT_FALSE(r.sent);
  EXPECT_TRUE(r.permanent) << r.error;
  EXPECT_TRUE(sink.received().empty());
  const auto commands = sink.commands();
  EXPECT_EQ(std::count(commands.begin(), commands.end(), "AUTH ***"), 0);
}

TEST_F(NotifyDelivery, RefusalsByTheServerArePermanentAndSayWhy) {
  test::SmtpSink sink(mail_server());
  auto wrong = client(sink);
  wrong.password = "not-it";
  const SmtpResult denied = send_mail(wrong, mail());
  EXPECT_FALSE(denied.sent);
  EXPECT_TRUE(denied.permanent);
  EXPECT_EQ(denied.error.find("not-it"), std::string::npos) << "never the password";
  const SmtpResult no_mailbox = send_mail(client(sink), mail("refused@northwind.example.com"));
  EXPECT_FALSE(no_mailbox.sent);
  EXPECT_TRUE(no_mailbox.permanent);
  EXPECT_NE(no_mailbox.error.find("550"), std::string::npos) << no_mailbox.error;
  EXPECT_TRUE(sink.received().empty());
}

TEST_F(NotifyDelivery, AnUnreachableMailServerIsForRetrying) {
  SmtpOptions options;
  options.url = "smtp://127.0.0.1:" + std::to_string(unused_port());
  options.from = "coalition@secretariat.example.org";
  options.timeout_ms = 1000;
  const SmtpResult r = send_mail(options, mail());
  EXPECT_FALSE(r.sent);
  EXPECT_FALSE(r.permanent) << r.error;
}

TEST(NotifyMailText, HeaderValuesStayOnOneLine) {
  const Mail injected{"a@example.org", "Hello\r\nBcc: everyone@example.org", "body", "", ""};
  const std::string text = mail_text("coalition@example.org", injected);
  EXPECT_EQ(text.find("\r\nBcc:"), std::string::npos) << text;
  EXPECT_NE(text.find("Subject: Hello  Bcc: everyone@example.org\r\n"), std::string::npos);
  EXPECT_EQ(mail_date("2026-12-03T15:20:00Z"), "Thu, 03 Dec 2026 15:20:00 +0000");
  EXPECT_EQ(mail_date("yesterday"), "");
  // UTC whatever the process's own time zone (fmt would have used local time).
  const char* before = std::getenv("TZ");
  const std::string saved = before != nullptr ? before : "";
  ::setenv("TZ", "Australia/Sydney", 1);
  ::tzset();
  EXPECT_EQ(mail_date("2026-12-03T15:20:00Z"), "Thu, 03 Dec 2026 15:20:00 +0000");
  if (before != nullptr) {
    ::setenv("TZ", saved.c_str(), 1);
  } else {
    ::unsetenv("TZ");
  }
  ::tzset();
  SmtpOptions options;
  options.url = "smtp://127.0.0.1:1";
  options.from = "coalition@example.org";
  EXPECT_FALSE(
      send_mail(options, {"a@example.org\r\nRCPT TO:<b@example.org>", "s", "b", "", ""}).sent);
}

}  // namespace
}  // namespace coalition::plugins::notify
