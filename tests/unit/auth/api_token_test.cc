// API tokens against a real SQLite store: shown once, kept only as a hash, refused when
// malformed, unknown, tampered with, revoked or expired; principals in normal form.
#include "auth/api_token.h"

#include <gtest/gtest.h>

#include "common/sha256.h"
#include "common/utc_time.h"
#include "store/sqlite_store.h"
#include "support/temp_dir.h"

namespace coalition {
namespace {

TimePoint at(int64_t seconds) {
  return TimePoint(std::chrono::seconds(1798675200 + seconds));
}

class ApiTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = SqliteStore::open(SqliteOptions{(dir_.path() / "s.db").string(), "FULL"});
    ASSERT_TRUE(opened.ok()) << opened.error().message();
    store_ = std::move(*opened);
  }

  IssuedToken issue(TokenRequest request, TimePoint now = at(0)) {
    auto issued = issue_token(request, now);
    EXPECT_TRUE(issued.ok()) << issued.error().message();
    StoreBatch batch;
    batch.tokens.push_back(issued->record);
    EXPECT_TRUE(store_->apply(batch).ok());
    return *issued;
  }

  test::TempDir dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(ApiTokenTest, IssuesA256BitSecretAndKeepsOnlyItsHash) {
  auto t = issue({" rev.rai ", "northbank ", {"reviewer", " analyst"}, {}, std::nullopt, "ops"});
  EXPECT_EQ(t.text.size(), kTokenTextBytes);
  EXPECT_EQ(t.text.rfind("ctk_" + t.record.id + "_", 0), 0u);
  EXPECT_EQ(t.record.secret_hash, sha256_hex(t.text));
  auto stored = store_->token(t.record.id);
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->secret_hash, sha256_hex(t.text));
  EXPECT_EQ((*stored)->person, "rev.rai");  // normal form: no surrounding spaces
  EXPECT_EQ((*stored)->organisation, "northbank");
  EXPECT_EQ((*stored)->roles, (std::vector<std::string>{"reviewer", "analyst"}));
  // Two tokens never share a secret.
  auto other = issue({"rev.rai", "northbank", {"reviewer"}, {}, std::nullopt, "ops"});
  EXPECT_NE(other.text, t.text);
  EXPECT_NE(other.record.id, t.record.id);
}

TEST_F(ApiTokenTest, AuthenticatesTheTokenAndNothingElse) {
  auto t = issue({"rev.rai", "northbank", {"reviewer"}, {}, std::nullopt, "ops"});
  auto p = authenticate_token(*store_, t.text, at(10));
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(p->person, "rev.rai");
  EXPECT_EQ(p->organisation, "northbank");
  EXPECT_TRUE(p->has_role("reviewer"));
  EXPECT_EQ(p->source, IdentitySource::kToken);
  EXPECT_EQ(p->credential, t.record.id);

  std::string flipped = t.text;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  for (const std::string& bad :
       {std::string(), std::string("ctk_"), t.text + "x", t.text.substr(0, 63), flipped,
        "ctk_" + std::string(16, 'g') + t.text.substr(20),
        "ctk_0000000000000000" + t.text.substr(20)}) {
    auto refused = authenticate_token(*store_, bad, at(10));
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_EQ(refused.error().code(), ErrorCode::kUnauthenticated) << bad;
    EXPECT_EQ(refused.error().message().find(bad.empty() ? "\x01" : bad), std::string::npos);
  }
}

TEST_F(ApiTokenTest, RevokedAndExpiredTokensAreRefused) {
  auto expiring = issue({"a", "org", {"r"}, {}, at(100), "ops"});
  EXPECT_TRUE(authenticate_token(*store_, expiring.text, at(99)).ok());
  auto late = authenticate_token(*store_, expiring.text, at(100));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().message(), "token expired");

  auto revoked = issue({"b", "org", {"r"}, {}, std::nullopt, "ops"});
  TokenRecord r = revoked.record;
  r.revoked_at = at(5);
  StoreBatch batch;
  batch.tokens.push_back(r);
  ASSERT_TRUE(store_->apply(batch).ok());
  auto refused = authenticate_token(*store_, revoked.text, at(6));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message(), "token revoked");
}

TEST_F(ApiTokenTest, RequestsThatCouldDoNothingOrTooMuchAreRefused) {
  EXPECT_FALSE(issue_token({"", "org", {"r"}, {}, std::nullopt, ""}, at(0)).ok());
  EXPECT_FALSE(issue_token({"p", "org", {}, {}, std::nullopt, ""}, at(0)).ok());
  EXPECT_FALSE(issue_token({"p", "org", {"r"}, {"root"}, std::nullopt, ""}, at(0)).ok());
  EXPECT_FALSE(issue_token({"p", "org", {"r"}, {"signal:wf"}, std::nullopt, ""}, at(0)).ok());
  EXPECT_FALSE(issue_token({"p", "org", {"r"}, {}, at(0), ""}, at(0)).ok());  // born expired
  EXPECT_FALSE(issue_token({"p\nq", "org", {"r"}, {}, std::nullopt, ""}, at(0)).ok());
  // Nobody may hold a credential under the engine's own names.
  for (const char* reserved : {"engine", "external", " operator "}) {
    EXPECT_FALSE(issue_token({reserved, "org", {"r"}, {}, std::nullopt, ""}, at(0)).ok());
  }
  auto service = issue_token({"portal", "", {}, {"signal:filing_review"}, std::nullopt, ""}, at(0));
  ASSERT_TRUE(service.ok());
  auto p = principal_of(service->record);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->service());
  EXPECT_TRUE(p->may_signal("filing_review"));
  EXPECT_FALSE(p->may_signal("aml_review"));
}

TEST(PrincipalTest, AssertedIdentitiesAreInNormalForm) {
  const Principal p = asserted_principal("ana ", " reviewer", "northbank\t");
  EXPECT_EQ(p.person, "ana");
  EXPECT_EQ(p.roles, std::vector<std::string>{"reviewer"});
  EXPECT_EQ(p.organisation, "northbank");
  EXPECT_EQ(p.source, IdentitySource::kAsserted);
  EXPECT_TRUE(asserted_principal("ana", "", "").roles.empty());
}

}  // namespace
}  // namespace coalition
