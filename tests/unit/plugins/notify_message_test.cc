// notify's rules without loading the plugin: the allow-list, one-time codes, the outbox written
// once per idempotency key, and the e-mail a notification becomes.
#include "notify/notify_message.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

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

TEST(NotifyAllowList, CaseIdAndReferencesByDefaultAnythingElseListed) {
  // No allow-list: the case id and its reference ids only.
  const json bare = allowed_fields(json::object());
  EXPECT_FALSE(
      field_outside(json::parse(R"({"case_id": "A-1", "references": ["R-1", "R-2"]})"), bare)
          .has_value());
  EXPECT_EQ(field_outside(json::parse(R"({"case_id": "A-1", "tier": "le"})"), bare), "tier");
  // Even by default, references are ids, not documents.
  EXPECT_EQ(field_outside(json::parse(R"({"references": [{"body": "..."}]})"), bare), "references");
  // The step's list adds to the defaults.
  const json listed = allowed_fields(json::parse(R"({"allow": ["tier"]})"));
  EXPECT_FALSE(field_outside(json::parse(R"({"case_id": "A-1", "tier": "le"})"), listed));
  EXPECT_EQ(field_outside(json::parse(R"({"tier": "le", "member": "northwind"})"), listed),
            "member");
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

// Processes starting together (a server and a worker on a fresh machine) use one secret: each
// caller gets the one created, whole. Written into the named file itself, a reader could find
// it empty and create a second one over the first.
TEST(NotifyChallenge, CallersStartingTogetherUseTheOneSecretCreated) {
  constexpr int kCallers = 16;
  for (int round = 0; round < 10; ++round) {
    test::TempDir dir;
    const auto file = dir.path() / "state" / "notify.secret";
    std::atomic<int> ready{0};
    std::vector<std::string> secrets(kCallers);
    std::vector<std::thread> callers;
    for (int i = 0; i < kCallers; ++i) {
      callers.emplace_back([&, i] {
        ++ready;
        while (ready.load() < kCallers) std::this_thread::yield();
        secrets[i] = load_or_create_secret(file);
      });
    }
    for (auto& caller : callers) caller.join();
    for (int i = 0; i < kCallers; ++i) EXPECT_EQ(secrets[i], secrets[0]) << "round " << round;
    EXPECT_EQ(secrets[0].size(), 32u);
    EXPECT_EQ(load_or_create_secret(file), secrets[0]);
    size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(file.parent_path())) {
      (void)entry;
      ++files;
    }
    EXPECT_EQ(files, 1u) << "nothing left beside it";
  }
  // A file too short to be a secret is replaced whole.
  test::TempDir dir;
  const auto file = dir.path() / "notify.secret";
  std::ofstream(file) << "short";
  const std::string replaced = load_or_create_secret(file);
  EXPECT_EQ(replaced.size(), 32u);
  EXPECT_EQ(load_or_create_secret(file), replaced);
  // A link to a short file is refused, never replaced, and what it points to is left alone.
  const auto target = dir.path() / "elsewhere";
  std::ofstream(target) << "short";
  const auto linked = dir.path() / "linked.secret";
  std::filesystem::create_symlink(target, linked);
  EXPECT_THROW(load_or_create_secret(linked), std::runtime_error);
  EXPECT_TRUE(std::filesystem::is_symlink(linked));
  std::ifstream kept(target);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(kept), {}), "short");
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

// A mail holds the references the step sent and nothing that could add a header; its Message-ID
// is the same on a retry of one notification and differs between two.
TEST(NotifyMail, CarriesReferencesOnlyWithAStableMessageId) {
  const json message{{"idempotency_key", "ex-1/page#1"},
                     {"execution", "ex-1"},
                     {"message", "escalation.notice"},
                     {"payload", {{"case_id", "FC-2026-0042"}, {"tier", 2}}},
                     {"ack_required", true},
                     {"code", "123456"}};
  const MailContent mail = compose_mail(message, "coalition@secretariat.example.org");
  EXPECT_EQ(mail.subject, "Coalition: escalation.notice");
  EXPECT_NE(mail.body.find("case_id: FC-2026-0042\n"), std::string::npos) << mail.body;
  EXPECT_NE(mail.body.find("tier: 2\n"), std::string::npos);
  EXPECT_NE(mail.body.find("One-time code: 123456"), std::string::npos);
  EXPECT_NE(mail.body.find("acknowledge"), std::string::npos);
  EXPECT_EQ(mail.message_id.size(), 32 + std::string("@secretariat.example.org").size());
  EXPECT_EQ(mail.message_id.substr(32), "@secretariat.example.org");
  EXPECT_EQ(compose_mail(message, "coalition@secretariat.example.org").message_id, mail.message_id);
  json other = message;
  other["idempotency_key"] = "ex-1/page#2";
  EXPECT_NE(compose_mail(other, "coalition@secretariat.example.org").message_id, mail.message_id);
}

}  // namespace
}  // namespace coalition::plugins::notify
