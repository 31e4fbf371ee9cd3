// notify's rules without loading the plugin: the allow-list, one-time codes, the outbox written
// once per idempotency key, and a webhook POST against a loopback HTTP server.
#include "notify/notify_message.h"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fstream>
#include <thread>

#include "support/temp_dir.h"

namespace coalition::plugins::notify {
namespace {

using nlohmann::json;

TEST(NotifyAllowList, NamesTheFirstFieldOutsideIt) {
  const json allow = json::array({"case_id", "tier", "refs", "subject.ref"});
  EXPECT_FALSE(
      field_outside(json::parse(R"({"case_id": "A-1", "tier": "le", "refs": ["x", 2]})"), allow)
          .has_value());
  EXPECT_EQ(
      field_outside(json::parse(R"({"case_id": "A-1", "holder_email": "a@b.example"})"), allow),
      "holder_email");
  EXPECT_EQ(field_outside(json::parse(R"({"subject": {"ref": "M-1", "name": "Jo"}})"), allow),
            "subject.name");
  // A listed field still carries references only: no documents inside lists.
  EXPECT_EQ(field_outside(json::parse(R"({"refs": [{"doc": "..."}]})"), allow), "refs");
  EXPECT_EQ(field_outside(json::array(), allow), "(payload)");
}

TEST(NotifyChallenge, SixDigitsStablePerTokenAndSecret) {
  const std::string a = challenge_code("secret-one-0123456789", "ex/cv/challenge");
  EXPECT_EQ(a.size(), 6u);
  EXPECT_EQ(a.find_first_not_of("0123456789"), std::string::npos);
  EXPECT_EQ(a, challenge_code("secret-one-0123456789", "ex/cv/challenge"));
  EXPECT_NE(a, challenge_code("secret-one-0123456789", "ex/cv/second_channel"));
  EXPECT_NE(a, challenge_code("secret-two-0123456789", "ex/cv/challenge"));
}

TEST(NotifyChallenge, SecretIsCreatedOnceWithModeOwnerOnly) {
  test::TempDir dir;
  const auto file = dir.path() / "sub" / "notify.secret";
  const std::string first = load_or_create_secret(file);
  EXPECT_EQ(first.size(), 32u);
  EXPECT_EQ(load_or_create_secret(file), first);
  const auto perms = std::filesystem::status(file).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST(NotifyOutbox, AppendsOncePerIdempotencyKey) {
  test::TempDir dir;
  const json m1{{"idempotency_key", "ex/a"}, {"payload", {{"case_id", "A-1"}}}};
  const json m2{{"idempotency_key", "ex/b"}, {"payload", {{"case_id", "A-1"}}}};
  EXPECT_TRUE(append_to_outbox(dir.path() / "outbox", "email", m1));
  EXPECT_FALSE(append_to_outbox(dir.path() / "outbox", "email", m1));  // a retry, not a resend
  EXPECT_TRUE(append_to_outbox(dir.path() / "outbox", "email", m2));
  std::ifstream in(dir.path() / "outbox" / "email.jsonl");
  std::string line;
  std::vector<std::string> keys;
  while (std::getline(in, line)) keys.push_back(json::parse(line)["idempotency_key"]);
  EXPECT_EQ(keys, (std::vector<std::string>{"ex/a", "ex/b"}));
}

// Accepts one connection, records the request, answers `status`.
class LoopbackServer {
 public:
  explicit LoopbackServer(int status)
      : acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this, status] {
      namespace http = boost::beast::http;
      boost::asio::ip::tcp::socket socket(io_);
      acceptor_.accept(socket);
      boost::beast::flat_buffer buffer;
      http::request<http::string_body> request;
      http::read(socket, buffer, request);
      target = std::string(request.target());
      body = request.body();
      key = std::string(request["Idempotency-Key"]);
      http::response<http::string_body> response{static_cast<http::status>(status), 11};
      response.body() = "{}";
      response.prepare_payload();
      http::write(socket, response);
    });
  }
  ~LoopbackServer() { join(); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/pager";
  }
  std::string target, body, key;  // read after join()

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
};

TEST(NotifyWebhook, PostsJsonWithItsIdempotencyKey) {
  LoopbackServer server(200);
  const WebhookResult r = post_webhook(server.url(), R"({"case_id":"A-1"})", "ex/page", 2000);
  server.join();
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(server.target, "/pager");
  EXPECT_EQ(server.body, R"({"case_id":"A-1"})");
  EXPECT_EQ(server.key, "ex/page");
}

TEST(NotifyWebhook, ReportsServerErrorsAndUnreachableHosts) {
  LoopbackServer server(503);
  EXPECT_EQ(post_webhook(server.url(), "{}", "ex/page", 2000).status, 503);
  server.join();
  // A port nobody listens on: no answer, and why.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor probe(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto port = probe.local_endpoint().port();
  probe.close();
  const WebhookResult down =
      post_webhook("http://127.0.0.1:" + std::to_string(port) + "/x", "{}", "ex/page", 500);
  EXPECT_EQ(down.status, 0);
  EXPECT_FALSE(down.error.empty());
  EXPECT_EQ(post_webhook("https://example.org/x", "{}", "k", 500).error,
            "only http:// webhooks are supported: https://example.org/x");
}

}  // namespace
}  // namespace coalition::plugins::notify
