// OIDC bearer tokens: what a verifier accepts (RS256, ES256 from a configured issuer, for this
// audience, in time) and maps to a principal, and everything it refuses.
#include "auth/oidc_verifier.h"

#include <gtest/gtest.h>

#include "auth/jwt.h"
#include "support/jwt_signer.h"

namespace coalition {
namespace {

using nlohmann::json;
using test::JwtSigner;

// Keys an identity provider publishes; the test rotates them and counts fetches.
struct KeySet {
  std::string text;
  int fetches = 0;
  bool down = false;
};

class ScriptedSource final : public JwksSource {
 public:
  explicit ScriptedSource(KeySet& set) : set_(set) {}
  Result<std::string> fetch() override {
    ++set_.fetches;
    if (set_.down) return Error::io("the identity provider is down");
    return set_.text;
  }

 private:
  KeySet& set_;
};

constexpr const char* kIssuer = "https://id.example-coalition.test";
const TimePoint kNow = TimePoint(std::chrono::seconds(1'800'000'000));

int64_t at(std::chrono::seconds offset) {
  return std::chrono::duration_cast<std::chrono::seconds>(kNow.time_since_epoch() + offset).count();
}

// Made once: an RSA key takes a while, and more so under the sanitizers.
const JwtSigner& provider_rsa() {
  static const JwtSigner signer(JwtSigner::Kind::kRsa, "rsa-1");
  return signer;
}
const JwtSigner& provider_ec() {
  static const JwtSigner signer(JwtSigner::Kind::kP256, "ec-1");
  return signer;
}

class OidcVerifierTest : public ::testing::Test {
 protected:
  OidcVerifierTest() : rsa_(provider_rsa()), ec_(provider_ec()) {
    keys_.text = test::jwk_set({rsa_.jwk(), ec_.jwk()});
    config_.issuer = kIssuer;
    config_.audience = "coalition";
    config_.jwks_url = "https://id.example-coalition.test/keys";
    config_.organisation_claim = "org";
    config_.scopes_claim = "coalition_scopes";
    make_verifier(std::chrono::hours(1));
  }

  // A verifier over the scripted keys, fetched once before the first request (as `serve` does).
  void make_verifier(std::chrono::milliseconds min_refetch) {
    verifier_.reset();
    verifier_ = std::make_unique<OidcVerifier>(
        std::vector<OidcIssuerConfig>{config_},
        [this](const OidcIssuerConfig&) { return std::make_unique<ScriptedSource>(keys_); },
        min_refetch);
    EXPECT_TRUE(verifier_->prefetch().empty() || keys_.down);
    keys_.fetches = 0;  // counted from here: what requests cause
  }

  json claims() const {
    return {{"iss", kIssuer},
            {"aud", json::array({"coalition", "other-app"})},
            {"sub", "00u1f2e3"},
            {"org", "northbank"},
            {"roles", {"reviewer", "bsa_officer"}},
            {"coalition_scopes", "coordinate openid profile"},
            {"iat", at(std::chrono::seconds(-10))},
            {"exp", at(std::chrono::seconds(3600))}};
  }

  std::string refusal(const std::string& token) {
    auto p = verifier_->verify(token, kNow);
    EXPECT_FALSE(p);
    if (p) return "accepted";
    EXPECT_EQ(p.error().code(), ErrorCode::kUnauthenticated) << p.error().message();
    return p.error().message();
  }

  const JwtSigner& rsa_;
  const JwtSigner& ec_;
  KeySet keys_;
  OidcIssuerConfig config_;
  std::unique_ptr<OidcVerifier> verifier_;
};

TEST_F(OidcVerifierTest, AcceptsRs256AndEs256AndMapsTheClaims) {
  for (const JwtSigner* signer : {&rsa_, &ec_}) {
    auto p = verifier_->verify(signer->sign(claims()), kNow);
    ASSERT_TRUE(p) << p.error().message();
    EXPECT_EQ(p->person, "00u1f2e3");
    EXPECT_EQ(p->organisation, "northbank");
    EXPECT_EQ(p->roles, (std::vector<std::string>{"reviewer", "bsa_officer"}));
    EXPECT_TRUE(p->coordinate);
    EXPECT_FALSE(p->admin);  // "openid" and "profile" are the provider's words: not granted
    EXPECT_EQ(p->source, IdentitySource::kOidc);
    EXPECT_EQ(p->credential.size(), 16u);
    EXPECT_EQ(p->credential.find("00u1f2e3"), std::string::npos);  // no identifier in clear
  }
  EXPECT_EQ(keys_.fetches, 0);  // the start-up fetch serves them all
}

TEST_F(OidcVerifierTest, RefusesWhatWasNotSignedByTheIssuersKeys) {
  // A payload changed after signing.
  std::string token = rsa_.sign(claims());
  const size_t first = token.find('.');
  const size_t second = token.find('.', first + 1);
  json forged = claims();
  forged["roles"] = {"admin"};
  token = token.substr(0, first + 1) + JwtSigner::base64url(forged.dump()) + token.substr(second);
  EXPECT_EQ(refusal(token), "bearer token: the signature does not verify");
  // A key the issuer does not publish, under a published kid.
  JwtSigner stranger(JwtSigner::Kind::kRsa, "rsa-1");
  EXPECT_EQ(refusal(stranger.sign(claims())), "bearer token: the signature does not verify");
  // No algorithm games: none, HMAC with the public key as secret, a header that lies.
  EXPECT_EQ(refusal(rsa_.sign(claims(), {{"alg", "none"}})),
            "bearer token: the token's algorithm is not accepted for this issuer");
  EXPECT_EQ(refusal(rsa_.sign(claims(), {{"alg", "HS256"}})),
            "bearer token: the token's algorithm is not accepted for this issuer");
  EXPECT_EQ(refusal(ec_.sign(claims(), {{"alg", "RS256"}})),
            "bearer token: signed with a key this server does not know");
  EXPECT_EQ(refusal(rsa_.sign(claims(), {{"kid", "rsa-9"}})),
            "bearer token: signed with a key this server does not know");
}

TEST_F(OidcVerifierTest, RefusesTheWrongIssuerAudienceOrTime) {
  json c = claims();
  c["iss"] = "https://elsewhere.test";
  EXPECT_EQ(refusal(rsa_.sign(c)), "bearer token: an issuer this server does not trust");
  c = claims();
  c["aud"] = "other-app";
  EXPECT_EQ(refusal(rsa_.sign(c)), "bearer token: not issued for this audience");
  c = claims();
  c.erase("exp");
  EXPECT_EQ(refusal(rsa_.sign(c)), "bearer token: no expiry (exp)");
  // Expired beyond the skew (60 s) is refused; within it, accepted.
  c = claims();
  c["exp"] = at(std::chrono::seconds(-61));
  EXPECT_EQ(refusal(rsa_.sign(c)), "bearer token: expired");
  c["exp"] = at(std::chrono::seconds(-30));
  EXPECT_TRUE(verifier_->verify(rsa_.sign(c), kNow));
  c = claims();
  c["nbf"] = at(std::chrono::seconds(120));
  EXPECT_EQ(refusal(rsa_.sign(c)), "bearer token: not valid yet");
  c = claims();
  c["iat"] = at(std::chrono::seconds(600));
  EXPECT_EQ(refusal(rsa_.sign(c)), "bearer token: issued in the future");
}

TEST_F(OidcVerifierTest, RefusesClaimsThatNameNobodyOrTheEngine) {
  json c = claims();
  c.erase("sub");
  EXPECT_EQ(refusal(rsa_.sign(c)), "bearer token: no person claim 'sub'");
  c["sub"] = "engine";
  EXPECT_EQ(refusal(rsa_.sign(c)),
            "bearer token: the person claim names nobody this server accepts");
  c["sub"] = " rev.rai ";  // a normal form: the same person as "rev.rai"
  auto p = verifier_->verify(rsa_.sign(c), kNow);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->person, "rev.rai");
  c = claims();
  for (const json& bad : {json{"reviewer", 7}, json{"reviewer", ""}, json{"a\u001fb"}}) {
    c["roles"] = bad;
    EXPECT_EQ(refusal(rsa_.sign(c)),
              "bearer token: the claim 'roles' holds something that is not a name");
  }
}

TEST_F(OidcVerifierTest, UnknownKeyIdsCannotMakeTheServerHammerTheProvider) {
  ASSERT_TRUE(verifier_->verify(rsa_.sign(claims()), kNow));
  const JwtSigner made_up(JwtSigner::Kind::kRsa, "rsa-made-up");
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(refusal(made_up.sign(claims())),
              "bearer token: signed with a key this server does not know");
  }
  verifier_->wait_idle();
  EXPECT_EQ(keys_.fetches, 0);  // within min_refetch of the start-up fetch: none
}

TEST_F(OidcVerifierTest, RotatedKeysAreFetchedInTheBackground) {
  make_verifier(std::chrono::milliseconds(0));
  const JwtSigner next(JwtSigner::Kind::kRsa, "rsa-2");
  auto answer = [&] {
    auto p = verifier_->verify(next.sign(claims()), kNow);
    return p ? std::string("accepted") : p.error().message();
  };
  const std::string unknown = "bearer token: signed with a key this server does not know";
  // Not published yet: refused, and one fetch asked for, made in the background.
  EXPECT_EQ(answer(), unknown);
  verifier_->wait_idle();
  EXPECT_EQ(keys_.fetches, 1);
  // Published: the next token asks again and the one after finds it.
  keys_.text = test::jwk_set({rsa_.jwk(), next.jwk()});
  EXPECT_EQ(answer(), unknown);
  verifier_->wait_idle();
  EXPECT_EQ(keys_.fetches, 2);
  EXPECT_EQ(answer(), "accepted");
}

TEST_F(OidcVerifierTest, TheKeysHeldStayInUseWhileTheProviderIsDown) {
  config_.jwks_refresh = std::chrono::milliseconds(0);  // every request finds them stale
  make_verifier(std::chrono::milliseconds(0));
  keys_.down = true;
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(verifier_->verify(rsa_.sign(claims()), kNow));
    verifier_->wait_idle();
  }
  EXPECT_GE(keys_.fetches, 1);  // tried, failed, kept the keys
}

TEST_F(OidcVerifierTest, AnIssuerIsTrustedOnlyForItsOrganisationsAndRoles) {
  config_.organisations = {"northbank", "Southbank "};
  config_.roles = {"reviewer"};
  make_verifier(std::chrono::hours(1));
  auto p = verifier_->verify(rsa_.sign(claims()), kNow);
  ASSERT_TRUE(p) << p.error().message();
  EXPECT_EQ(p->roles, std::vector<std::string>{"reviewer"});  // bsa_officer is not its to grant
  json c = claims();
  c["org"] = "westbank";
  EXPECT_EQ(refusal(rsa_.sign(c)), "bearer token: an organisation this issuer is not trusted for");
  // An issuer that speaks for one member: the claim cannot move its people elsewhere.
  config_.organisations.clear();
  config_.organisation = "northbank";
  make_verifier(std::chrono::hours(1));
  p = verifier_->verify(rsa_.sign(c), kNow);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->organisation, "northbank");
}

TEST(Jwt, MalformedTokensAreRefusedWithoutEchoingThem) {
  for (const std::string& text :
       std::vector<std::string>{"", "a.b", "a.b.c.d", "!!!.e30.c2ln", "e30.e30.", "W10.e30.c2ln",
                                "e30.e30.c2ln", std::string(kMaxJwtBytes + 1, 'a')}) {
    auto jwt = parse_jwt(text);
    ASSERT_FALSE(jwt) << text;
    EXPECT_EQ(jwt.error().code(), ErrorCode::kUnauthenticated);
    if (text.size() > 3) {
      EXPECT_EQ(jwt.error().message().find(text), std::string::npos);
    }
  }
  // "crit": an extension this server does not understand.
  const std::string header = JwtSigner::base64url(R"({"alg":"RS256","crit":["exp"]})");
  EXPECT_FALSE(parse_jwt(header + ".e30.c2ln"));
}

TEST(JsonWebKeySet, KeepsOnlyUsableSigningKeys) {
  JwtSigner weak(JwtSigner::Kind::kRsa, "weak", 1024);
  EXPECT_FALSE(parse_jwk_set(test::jwk_set({weak.jwk()})));
  JwtSigner ec(JwtSigner::Kind::kP256, "ec");
  json encryption = ec.jwk();
  encryption["use"] = "enc";
  json off_curve = ec.jwk();
  off_curve["y"] = off_curve["x"];
  json other_curve = ec.jwk();
  other_curve["crv"] = "P-384";
  EXPECT_FALSE(parse_jwk_set(test::jwk_set({encryption, off_curve, other_curve})));
  auto keys = parse_jwk_set(test::jwk_set({encryption, ec.jwk(), weak.jwk()}));
  ASSERT_TRUE(keys);
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].kid, "ec");
  EXPECT_FALSE(parse_jwk_set("{\"keys\": 3}"));
  // Members of the wrong type are skipped, never thrown over.
  keys =
      parse_jwk_set(test::jwk_set({json{{"kty", 1}}, json{{"kty", "EC"}, {"crv", 7}}, ec.jwk()}));
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->size(), 1u);
  EXPECT_FALSE(parse_jwk_set("not json"));
}

}  // namespace
}  // namespace coalition
