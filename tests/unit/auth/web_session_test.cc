// Browser sessions against a real SQLite store: the cookie is kept only as a hash; a session
// made from a token follows the token (revoked, expired, roles changed); one made through an
// identity provider keeps what it said; ended and expired sessions are refused; the CSRF token
// belongs to one session; cookies are read from a Cookie header as browsers send them.
#include "auth/web_session.h"

#include <gtest/gtest.h>

#include "auth/api_token.h"
#include "common/sha256.h"
#include "store/sqlite_store.h"
#include "support/temp_dir.h"

namespace coalition::web_session_test {
namespace {

TimePoint at(int64_t seconds) {
  return TimePoint(std::chrono::seconds(1798675200 + seconds));
}

constexpr std::chrono::milliseconds kHour{3600000};

class WebSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = SqliteStore::open(SqliteOptions{(dir_.path() / "s.db").string(), "FULL"});
    ASSERT_TRUE(opened.ok()) << opened.error().message();
    store_ = std::move(*opened);
    auto issued = issue_token({"rev.rai", "northbank", {"reviewer"}, {}, at(7200), "admin"}, at(0));
    ASSERT_TRUE(issued.ok()) << issued.error().message();
    token_ = issued->record;
    put_token(token_);
  }

  void put_token(const TokenRecord& t) {
    StoreBatch batch;
    batch.tokens.push_back(t);
    ASSERT_TRUE(store_->apply(batch).ok());
  }

  IssuedWebSession open(const Principal& p, TimePoint now = at(0)) {
    auto issued = issue_web_session(p, now, kHour);
    EXPECT_TRUE(issued.ok()) << issued.error().message();
    StoreBatch batch;
    batch.web_sessions.push_back(issued->record);
    EXPECT_TRUE(store_->apply(batch).ok());
    return *issued;
  }

  std::string refusal(const std::string& text, TimePoint now) {
    auto proven = authenticate_web_session(*store_, text, now);
    EXPECT_FALSE(proven.ok());
    if (proven.ok()) return "";
    EXPECT_EQ(proven.error().code(), ErrorCode::kUnauthenticated);
    return proven.error().message();
  }

  test::TempDir dir_;
  std::unique_ptr<SqliteStore> store_;
  TokenRecord token_;
};

TEST_F(WebSessionTest, ATokensSessionFollowsTheTokenAndKeepsOnlyAHash) {
  const IssuedWebSession s = open(*principal_of(token_));
  EXPECT_EQ(s.text.rfind("cws_" + s.record.id + "_", 0), 0u);
  EXPECT_EQ(s.text.size(), 64u);
  EXPECT_EQ(s.record.secret_hash, sha256_hex(s.text));
  EXPECT_EQ(s.record.kind, WebSessionKind::kToken);
  EXPECT_EQ(s.record.credential, token_.id);
  EXPECT_TRUE(s.record.person.empty());  // the token says who, each time
  EXPECT_EQ(s.record.expires_at, at(3600));

  auto proven = authenticate_web_session(*store_, s.text, at(60));
  ASSERT_TRUE(proven.ok()) << proven.error().message();
  EXPECT_EQ(proven->principal.person, "rev.rai");
  EXPECT_EQ(proven->principal.source, IdentitySource::kToken);
  EXPECT_EQ(proven->principal.credential, token_.id);

  // The token's roles change: the session has the new ones at once.
  TokenRecord changed = token_;
  changed.roles = {"reviewer", "bsa_officer"};
  put_token(changed);
  EXPECT_EQ(authenticate_web_session(*store_, s.text, at(60))->principal.roles, changed.roles);
  // The token expires (at +7200) after the session (+3600): the session's end comes first.
  EXPECT_NE(refusal(s.text, at(3600)).find("session expired"), std::string::npos);
  changed.revoked_at = at(120);
  put_token(changed);
  EXPECT_NE(refusal(s.text, at(121)).find("revoked"), std::string::npos);
}

TEST_F(WebSessionTest, AProvidersSessionKeepsWhatItSaidAndEndsWhenSignedOut) {
  Principal p;
  p.person = "ana.lyst";
  p.organisation = "southbank";
  p.roles = {"analyst"};
  p.coordinate = true;
  p.source = IdentitySource::kOidc;
  p.credential = "oidc:0123abcd";
  IssuedWebSession s = open(p);
  EXPECT_EQ(s.record.kind, WebSessionKind::kOidc);
  auto proven = authenticate_web_session(*store_, s.text, at(1));
  ASSERT_TRUE(proven.ok()) << proven.error().message();
  EXPECT_EQ(proven->principal.person, "ana.lyst");
  EXPECT_EQ(proven->principal.organisation, "southbank");
  EXPECT_EQ(proven->principal.roles, p.roles);
  EXPECT_TRUE(proven->principal.coordinate);
  EXPECT_FALSE(proven->principal.admin);
  EXPECT_EQ(proven->principal.source, IdentitySource::kOidc);
  EXPECT_EQ(proven->principal.credential, "oidc:0123abcd");

  s.record.ended_at = at(2);
  StoreBatch batch;
  batch.web_sessions.push_back(s.record);
  ASSERT_TRUE(store_->apply(batch).ok());
  EXPECT_EQ(refusal(s.text, at(3)), "signed out");
}

TEST_F(WebSessionTest, RefusesWhatNobodyIssuedAndSweepsLongExpiredSessions) {
  const IssuedWebSession s = open(*principal_of(token_));
  std::string tampered = s.text;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(refusal(tampered, at(1)), "session not recognised");
  EXPECT_EQ(refusal("cws_0123456789abcdef_" + std::string(43, 'A'), at(1)),
            "session not recognised");
  EXPECT_EQ(refusal("ctk_" + s.text.substr(4), at(1)), "not a Coalition session");
  EXPECT_EQ(refusal("", at(1)), "not a Coalition session");
  // An asserted identity (the terminal's --as) has nothing that proved it.
  EXPECT_FALSE(
      issue_web_session(asserted_principal("someone", "reviewer", "northbank"), at(0), kHour).ok());

  StoreBatch sweep;
  sweep.web_sessions_expired_before = at(3601);
  ASSERT_TRUE(store_->apply(sweep).ok());
  auto gone = store_->web_session(s.record.id);
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
}

TEST(CsrfToken, BelongsToOneSession) {
  const std::string a = "cws_0123456789abcdef_" + std::string(43, 'A');
  const std::string b = "cws_0123456789abcdef_" + std::string(43, 'B');
  EXPECT_EQ(csrf_token(a).size(), 64u);
  EXPECT_EQ(csrf_token(a), csrf_token(a));
  EXPECT_NE(csrf_token(a), csrf_token(b));
  EXPECT_TRUE(csrf_token_matches(a, csrf_token(a)));
  EXPECT_FALSE(csrf_token_matches(a, csrf_token(b)));
  EXPECT_FALSE(csrf_token_matches(a, ""));
  EXPECT_FALSE(csrf_token_matches(a, csrf_token(a).substr(1)));
  // Not the plain hash of the cookie (which a log of hashes could hold).
  EXPECT_NE(csrf_token(a), sha256_hex(a));
}

TEST(CookieValue, ReadsOnePairOfAHeaderAsBrowsersSendIt) {
  EXPECT_EQ(cookie_value("a=1; __Host-coalition-session=cws_x; b=2", kSessionCookie), "cws_x");
  EXPECT_EQ(cookie_value("__Host-coalition-session=cws_y", kSessionCookie), "cws_y");
  EXPECT_EQ(cookie_value("a=1;__Host-coalition-session=z ", kSessionCookie), "z");
  EXPECT_EQ(cookie_value("x__Host-coalition-session=no; a=1", kSessionCookie), "");
  EXPECT_EQ(cookie_value("", kSessionCookie), "");
  EXPECT_EQ(cookie_value("__Host-coalition-session", kSessionCookie), "");
  EXPECT_EQ(cookie_value("a=1; a=2", "a"), "1");
}

}  // namespace
}  // namespace coalition::web_session_test
