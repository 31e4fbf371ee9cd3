// The web app's side of `coalition serve`: signing in with a token sets a session cookie page
// scripts cannot read; changes made with it need the session's CSRF token and must come from
// the app's own origin; revoking the token or signing out ends it; the app's files are served
// with a strict Content-Security-Policy. A real server on loopback, a real store.
#include <signal.h>
#include <sqlite3.h>

#include <sodium.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "common/sha256.h"
#include "integration/server_fixture.h"
#include "server/http_server.h"
#include "server/problem.h"
#include "support/jwt_signer.h"
#include "support/tls_certificate.h"

namespace coalition::web_session_test {
namespace {

using nlohmann::json;
using test::HttpReply;

// "name=value" of a Set-Cookie header: what a browser sends back.
std::string cookie_pair(const std::string& set_cookie) {
  return set_cookie.substr(0, set_cookie.find(';'));
}

// The Set-Cookie line of `name` among a reply's (one per line).
std::string set_cookie_of(const HttpReply& r, const std::string& name) {
  auto it = r.headers.find("set-cookie");
  if (it == r.headers.end()) return {};
  std::istringstream lines(it->second);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(name + "=", 0) == 0) return line;
  }
  return {};
}

// The raw value of `name` in a URL's query or a form body.
std::string param(const std::string& text, const std::string& name) {
  const size_t start = text.find('?') == std::string::npos ? 0 : text.find('?') + 1;
  std::istringstream pairs(text.substr(start));
  for (std::string pair; std::getline(pairs, pair, '&');) {
    if (pair.rfind(name + "=", 0) == 0) return pair.substr(name.size() + 1);
  }
  return {};
}

// PKCE S256 of a verifier, as the provider computes it.
std::string s256(const std::string& verifier) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(verifier.data()),
                     verifier.size());
  return test::JwtSigner::base64url(std::string(reinterpret_cast<char*>(digest), sizeof digest));
}

class WebSessionTest : public test::ServerTest {
 protected:
  // Signs `token` in; the cookie pair and the CSRF token.
  std::pair<std::string, std::string> sign_in(const std::string& token) {
    HttpReply r = client_->post("/v1/session", "", json{{"token", token}});
    EXPECT_EQ(r.status, 201) << r.body;
    return {cookie_pair(r.headers["set-cookie"]), r.json().value("csrf", "")};
  }

  HttpReply with_cookie(const std::string& method, const std::string& target,
                        const std::string& cookie, const json& body = nullptr,
                        std::map<std::string, std::string> headers = {}) {
    headers["Cookie"] = cookie;
    return client_->request(method, target, "", body.is_null() ? "" : body.dump(), headers);
  }

  std::string store_text(const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(store_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* q = nullptr;
    sqlite3_prepare_v2(db, sql.c_str(), -1, &q, nullptr);
    std::string out;
    while (sqlite3_step(q) == SQLITE_ROW) {
      for (int i = 0; i < sqlite3_column_count(q); ++i) {
        const auto* text = sqlite3_column_text(q, i);
        out += text ? reinterpret_cast<const char*>(text) : "NULL";
        out += "|";
      }
      out += "\n";
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    return out;
  }
};

TEST_F(WebSessionTest, ATokenSignsInACookieThatActsOnlyWithItsCsrfTokenFromTheSameOrigin) {
  const std::string north = start_for("northbank");
  const std::string member =
      token({"--person", "rev.rai", "--org", "northbank", "--roles", "reviewer"});
  serve();
  ASSERT_EQ(inbox_of(member, 1).size(), 1u);

  HttpReply signed_in = client_->post("/v1/session", "", json{{"token", member}});
  ASSERT_EQ(signed_in.status, 201) << signed_in.body;
  const std::string set_cookie = signed_in.headers["set-cookie"];
  // A __Host- cookie: Secure, Path=/, no Domain; and out of reach of page scripts and of other
  // sites' requests.
  EXPECT_EQ(set_cookie.rfind("__Host-coalition-session=cws_", 0), 0u) << set_cookie;
  for (const char* attribute :
       {"; Path=/", "; HttpOnly", "; Secure", "; SameSite=Strict", "; Max-Age=28800"}) {
    EXPECT_NE(set_cookie.find(attribute), std::string::npos) << attribute << " in " << set_cookie;
  }
  EXPECT_EQ(set_cookie.find("Domain"), std::string::npos);
  const json session = signed_in.json();
  EXPECT_EQ(session["person"], "rev.rai");
  EXPECT_EQ(session["organisation"], "northbank");
  EXPECT_EQ(session["identity"], "token");
  const std::string csrf = session["csrf"];
  EXPECT_EQ(csrf.size(), 64u);
  // The body never carries the cookie's secret, nor the token.
  EXPECT_EQ(signed_in.body.find("cws_"), std::string::npos);
  EXPECT_EQ(signed_in.body.find(member), std::string::npos);
  const std::string cookie = cookie_pair(set_cookie);

  // Reads with the cookie alone.
  HttpReply inbox = with_cookie("GET", "/v1/tasks", cookie);
  ASSERT_EQ(inbox.status, 200) << inbox.body;
  const std::string task = inbox.json()["tasks"][0]["id"];
  EXPECT_EQ(with_cookie("GET", "/v1/session", cookie).json()["csrf"], csrf);

  // A change needs the CSRF token, the right one, and a request from the app's own origin.
  const json approve{{"answer", {{"decision", "approve"}}}};
  const std::string complete = "/v1/tasks/" + task + "/complete";
  HttpReply bare = with_cookie("POST", complete, cookie, approve);
  EXPECT_EQ(bare.status, 403) << bare.body;
  EXPECT_NE(bare.json()["detail"].get<std::string>().find("X-CSRF-Token"), std::string::npos);
  EXPECT_EQ(with_cookie("POST", complete, cookie, approve, {{"X-CSRF-Token", std::string(64, 'a')}})
                .status,
            403);
  EXPECT_EQ(with_cookie("POST", complete, cookie, approve,
                        {{"X-CSRF-Token", csrf}, {"Sec-Fetch-Site", "cross-site"}})
                .status,
            403);
  EXPECT_EQ(client_->get("/v1/tasks/" + task, member).json()["status"], "open");
  HttpReply done = with_cookie("POST", complete, cookie, approve,
                               {{"X-CSRF-Token", csrf}, {"Sec-Fetch-Site", "same-origin"}});
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(done.json()["completions"][0]["actor"], "rev.rai") << done.body;

  // A bearer token needs no CSRF token (nothing ambient about it) and has no browser session.
  EXPECT_EQ(client_->get("/v1/session", member).status, 404);

  // Sign-in refusals: a wrong token, a service credential, another site, a form post.
  EXPECT_EQ(client_->post("/v1/session", "", json{{"token", "ctk_nope"}}).status, 401);
  const std::string partner =
      token({"--person", "filing-portal", "--scopes", "signal:member_review"});
  EXPECT_EQ(client_->post("/v1/session", "", json{{"token", partner}}).status, 403);
  EXPECT_EQ(client_
                ->request("POST", "/v1/session", "", json{{"token", member}}.dump(),
                          {{"Sec-Fetch-Site", "cross-site"}})
                .status,
            403);
  EXPECT_EQ(client_
                ->request("POST", "/v1/session", "", "token=" + member,
                          {{"Content-Type", "application/x-www-form-urlencoded"}})
                .status,
            400);

  // Signing out ends the session in the store: the same cookie, replayed, is refused.
  EXPECT_EQ(with_cookie("POST", "/v1/session/end", cookie, json::object()).status, 403);
  HttpReply out =
      with_cookie("POST", "/v1/session/end", cookie, json::object(), {{"X-CSRF-Token", csrf}});
  ASSERT_EQ(out.status, 200) << out.body;
  EXPECT_EQ(out.headers["set-cookie"].find("Max-Age=0"), out.headers["set-cookie"].find("Max"));
  EXPECT_NE(out.headers["set-cookie"].find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(with_cookie("GET", "/v1/tasks", cookie).status, 401);
  EXPECT_EQ(server_.stop(SIGTERM).exit_code, 0);

  // The store keeps a hash of the cookie, never the cookie; the log names the session, not it.
  const std::string rows = store_text("SELECT * FROM web_sessions");
  EXPECT_EQ(rows.find(cookie.substr(cookie.find('=') + 1)), std::string::npos);
  EXPECT_NE(rows.find("token|"), std::string::npos) << rows;
  EXPECT_EQ(audit_actors("session_started"), std::vector<std::string>{"rev.rai"});
  EXPECT_EQ(audit_actors("session_ended"), std::vector<std::string>{"rev.rai"});
  EXPECT_EQ(store_text("SELECT payload FROM audit").find("cws_"), std::string::npos);
  EXPECT_EQ(cli({"audit", "verify"}).exit_code, 0);
}

TEST_F(WebSessionTest, RevokingTheTokenOrTheSessionsLifetimeEndsTheSession) {
  set_server_config(
      {{"rate_per_second", 100000}, {"rate_burst", 100000}, {"session_lifetime", "PT5S"}});
  const std::string member =
      token({"--person", "rev.rai", "--org", "northbank", "--roles", "reviewer"});
  const std::string admin = token({"--person", "admin.ada", "--scopes", "admin"});
  serve();
  auto [revoked_cookie, revoked_csrf] = sign_in(member);
  auto [expiring_cookie, expiring_csrf] = sign_in(admin);
  ASSERT_EQ(with_cookie("GET", "/v1/me", revoked_cookie).status, 200);
  ASSERT_EQ(with_cookie("GET", "/v1/me", expiring_cookie).status, 200);
  // The admin, through the app, revokes the member's token: the member's session ends with it.
  const std::string id = member.substr(4, 16);
  HttpReply revoke = with_cookie("POST", "/v1/tokens/" + id + "/revoke", expiring_cookie,
                                 json::object(), {{"X-CSRF-Token", expiring_csrf}});
  ASSERT_EQ(revoke.status, 200) << revoke.body;
  HttpReply after = with_cookie("GET", "/v1/me", revoked_cookie);
  EXPECT_EQ(after.status, 401);
  EXPECT_NE(after.json()["detail"].get<std::string>().find("revoked"), std::string::npos);
  // Five seconds after it began, the admin's own session has run out (five: signing in, three
  // requests and a commit must fit in its lifetime on a busy machine).
  HttpReply late = with_cookie("GET", "/v1/me", expiring_cookie);
  for (int i = 0; i < 300 && late.status == 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    late = with_cookie("GET", "/v1/me", expiring_cookie);
  }
  EXPECT_EQ(late.status, 401);
  EXPECT_NE(late.json()["detail"].get<std::string>().find("expired"), std::string::npos);
  // A cookie of the right shape nobody issued.
  EXPECT_EQ(with_cookie("GET", "/v1/me",
                        "__Host-coalition-session=cws_0123456789abcdef_" + std::string(43, 'A'))
                .status,
            401);
}

TEST_F(WebSessionTest, ServesTheWebAppsFilesWithAStrictPolicyAndItsPagesAsIndex) {
  const auto web = dir_.path() / "web";
  std::filesystem::create_directories(web / "assets");
  const std::string index =
      "<!doctype html><html lang=\"en\"><head><title>Coalition</title>"
      "<script type=\"module\" src=\"/app-5XQ2ZK3A.js\"></script></head><body></body></html>";
  std::string script = "export const greeting = 'hello';\n";
  for (int i = 0; i < 200; ++i) script += "console.log(greeting, " + std::to_string(i) + ");\n";
  std::ofstream(web / "index.html") << index;
  std::ofstream(web / "app-5XQ2ZK3A.js") << script;
  std::ofstream(web / "assets" / "notes.txt") << "plain";
  set_server_config(
      {{"rate_per_second", 100000}, {"rate_burst", 100000}, {"web_root", web.string()}});
  serve();

  HttpReply root = client_->get("/");
  ASSERT_EQ(root.status, 200);
  EXPECT_EQ(root.body, index);
  EXPECT_EQ(root.headers["content-type"], "text/html; charset=utf-8");
  const std::string csp = root.headers["content-security-policy"];
  for (const char* directive :
       {"default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
        "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"}) {
    EXPECT_NE(csp.find(directive), std::string::npos) << directive << " in " << csp;
  }
  EXPECT_EQ(csp.find("unsafe"), std::string::npos);
  EXPECT_EQ(root.headers["cache-control"], "no-cache");
  EXPECT_EQ(root.headers["x-frame-options"], "DENY");
  EXPECT_EQ(root.headers["referrer-policy"], "no-referrer");

  // The app's own pages, where a browser navigates, are index.html; files keep their names;
  // a missing file is a 404.
  const std::map<std::string, std::string> navigation{{"Accept", "text/html,*/*;q=0.8"}};
  EXPECT_EQ(client_->request("GET", "/tasks/n-1.t1", "", "", navigation).body, index);
  EXPECT_EQ(client_->request("GET", "/executions", "", "", navigation).body, index);
  EXPECT_EQ(client_->get("/assets/notes.txt").body, "plain");
  EXPECT_EQ(client_->get("/app-OLD12345.js").status, 404);
  EXPECT_EQ(client_->get("/tasks/n-1.t1").status, 404);
  EXPECT_EQ(client_->get("/../index.html").status, 404);
  EXPECT_EQ(client_->request("GET", "/v1/nope", "", "", navigation).status, 404);
  EXPECT_EQ(client_->get("/v1/no-such-route").headers["content-type"], "application/problem+json");
  EXPECT_EQ(client_->request("POST", "/tasks/x").status, 404);

  HttpReply js = client_->get("/app-5XQ2ZK3A.js");
  ASSERT_EQ(js.status, 200);
  EXPECT_EQ(js.body, script);
  EXPECT_EQ(js.headers["content-type"], "text/javascript; charset=utf-8");
  EXPECT_EQ(js.headers["cache-control"], "public, max-age=31536000, immutable");
  // Compressed for a client that takes gzip; unchanged and not sent again when it has it.
  HttpReply packed = client_->request("GET", "/app-5XQ2ZK3A.js", "", "",
                                      {{"Accept-Encoding", "gzip, deflate, br"}});
  EXPECT_EQ(packed.headers["content-encoding"], "gzip");
  ASSERT_GE(packed.body.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(packed.body[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(packed.body[1]), 0x8b);
  EXPECT_LT(packed.body.size(), script.size() / 4);
  HttpReply again =
      client_->request("GET", "/app-5XQ2ZK3A.js", "", "", {{"If-None-Match", js.headers["etag"]}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());

  // API answers say they are no documents to run or frame.
  HttpReply api = client_->get("/healthz");
  EXPECT_EQ(api.headers["content-security-policy"], "default-src 'none'; frame-ancestors 'none'");
  EXPECT_EQ(api.headers["x-content-type-options"], "nosniff");
}

TEST_F(WebSessionTest, AConfiguredWebRootThatIsNotThereStopsTheServerWithOneSentence) {
  set_server_config({{"web_root", (dir_.path() / "nowhere").string()}});
  auto r = cli({"serve", "--listen", "127.0.0.1:0"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("index.html is missing"), std::string::npos) << r.err;
}

// A member's identity provider over HTTPS: it signs the person in (the test plays the person's
// consent), hands back a code, and trades it at its token endpoint for an ID token — only for
// the PKCE verifier whose S256 the authorization request carried.
TEST_F(WebSessionTest, SignsInThroughAnIdentityProviderWithTheCodeFlowAndPkce) {
  const auto tls = dir_.path() / "idp";
  std::filesystem::create_directories(tls);
  ASSERT_TRUE(test::write_self_signed_certificate(tls));
  const test::JwtSigner idp(test::JwtSigner::Kind::kRsa, "idp-key-1");
  std::ofstream(tls / "jwks.json") << test::jwk_set({idp.jwk()});
  const std::string issuer = "https://sso.northbank.example";

  struct Grant {
    std::string challenge;
    json claims;
  };
  std::mutex mutex;
  std::map<std::string, Grant> grants;  // code -> what the provider promised
  std::vector<json> exchanges;          // what the server sent to the token endpoint
  HttpServerOptions idp_options;
  idp_options.threads = 1;
  idp_options.tls_certificate = tls / "cert.pem";
  idp_options.tls_private_key = tls / "key.pem";
  HttpServer token_endpoint(idp_options, [&](HttpRequest r, HttpServer::Responder respond) {
    std::lock_guard<std::mutex> lock(mutex);
    const json form{{"grant_type", param(r.body, "grant_type")},
                    {"code", param(r.body, "code")},
                    {"client_id", param(r.body, "client_id")},
                    {"redirect_uri", param(r.body, "redirect_uri")},
                    {"code_verifier", param(r.body, "code_verifier")},
                    {"content_type", r.header("content-type")}};
    exchanges.push_back(form);
    auto grant = grants.find(form["code"]);
    if (r.path != "/token" || grant == grants.end() ||
        s256(form["code_verifier"]) != grant->second.challenge) {
      HttpResponse refused = problem_response(400, "invalid_grant", "no");
      refused.body = json{{"error", "invalid_grant"}}.dump();
      return respond(refused);
    }
    json claims = grant->second.claims;
    grants.erase(grant);  // a code works once
    respond(json_response(
        json{{"access_token", "opaque"}, {"token_type", "Bearer"}, {"id_token", idp.sign(claims)}}
            .dump()));
  });
  auto idp_address = token_endpoint.start("127.0.0.1", 0);
  ASSERT_TRUE(idp_address) << idp_address.error().message();

  json config = json::parse(std::ifstream(config_));
  config["oidc"] = {{"issuers",
                     {{{"issuer", issuer},
                       {"audience", "coalition-web"},
                       {"jwks_file", (tls / "jwks.json").string()},
                       {"organisation", "northbank"},
                       {"claims", {{"person", "preferred_username"}}},
                       {"sign_in",
                        {{"id", "northbank"},
                         {"name", "Northbank single sign-on"},
                         {"authorization_endpoint", issuer + "/authorize"},
                         {"token_endpoint", "https://" + *idp_address + "/token"},
                         {"token_ca_file", (tls / "cert.pem").string()},
                         {"client_id", "coalition-web"},
                         {"redirect_uri", "http://127.0.0.1/v1/auth/oidc/callback"},
                         {"scope", "openid profile"}}}}}}};
  std::ofstream(config_) << config.dump(2);
  const std::string north = start_for("northbank");
  serve();

  HttpReply listed = client_->get("/v1/auth/providers");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.json()["providers"],
            (json{{{"id", "northbank"}, {"name", "Northbank single sign-on"}}}));
  EXPECT_EQ(client_->get("/v1/auth/oidc/southbank/login").status, 404);

  // The person's browser goes to the provider with the request, and comes back with a code.
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  auto begin = [&](json claims) {
    HttpReply go = client_->get("/v1/auth/oidc/northbank/login");
    EXPECT_EQ(go.status, 302) << go.body;
    const std::string to = go.headers["location"];
    EXPECT_EQ(to.rfind(issuer + "/authorize?", 0), 0u) << to;
    EXPECT_EQ(param(to, "response_type"), "code");
    EXPECT_EQ(param(to, "client_id"), "coalition-web");
    EXPECT_EQ(param(to, "redirect_uri"), "http%3A%2F%2F127.0.0.1%2Fv1%2Fauth%2Foidc%2Fcallback");
    EXPECT_EQ(param(to, "scope"), "openid%20profile");
    EXPECT_EQ(param(to, "code_challenge_method"), "S256");
    const std::string state = param(to, "state");
    EXPECT_EQ(state.size(), 43u);
    const std::string cookie = set_cookie_of(go, "__Host-coalition-sign-in");
    EXPECT_EQ(cookie_pair(cookie), "__Host-coalition-sign-in=" + state);
    EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos) << cookie;
    EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
    claims["nonce"] = param(to, "nonce");
    const std::string code = "code-" + state.substr(0, 8);
    std::lock_guard<std::mutex> lock(mutex);
    grants[code] = Grant{param(to, "code_challenge"), claims};
    return std::tuple{state, cookie_pair(cookie), code};
  };
  const json person{{"iss", issuer},         {"aud", "coalition-web"},
                    {"sub", "00u7rai"},      {"preferred_username", "rev.rai"},
                    {"roles", {"reviewer"}}, {"exp", now + 600}};
  auto callback = [&](const std::string& state, const std::string& code,
                      const std::string& cookie) {
    return client_->request(
        "GET", "/v1/auth/oidc/callback?state=" + state + "&code=" + code, "", "",
        cookie.empty() ? std::map<std::string, std::string>{}
                       : std::map<std::string, std::string>{{"Cookie", cookie},
                                                            {"Sec-Fetch-Site", "cross-site"}});
  };

  auto [state, sign_in_cookie, code] = begin(person);
  HttpReply back = callback(state, code, sign_in_cookie);
  ASSERT_EQ(back.status, 303) << back.body;
  EXPECT_EQ(back.headers["location"], "/");
  const std::string session_cookie = set_cookie_of(back, "__Host-coalition-session");
  EXPECT_NE(session_cookie.find("SameSite=Strict"), std::string::npos)
      << back.headers["set-cookie"];
  EXPECT_NE(set_cookie_of(back, "__Host-coalition-sign-in").find("Max-Age=0"), std::string::npos);
  {
    std::lock_guard<std::mutex> lock(mutex);
    ASSERT_EQ(exchanges.size(), 1u);
    EXPECT_EQ(exchanges[0]["grant_type"], "authorization_code");
    EXPECT_EQ(exchanges[0]["client_id"], "coalition-web");
    EXPECT_EQ(exchanges[0]["content_type"], "application/x-www-form-urlencoded");
    EXPECT_EQ(exchanges[0]["code_verifier"].get<std::string>().size(), 43u);
  }
  // The browser is signed in as the provider said, within what the provider is trusted for.
  HttpReply me = with_cookie("GET", "/v1/session", cookie_pair(session_cookie));
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json()["person"], "rev.rai");
  EXPECT_EQ(me.json()["organisation"], "northbank");
  EXPECT_EQ(me.json()["identity"], "oidc");
  // The server runs the recorded execution as it starts: its task may open a moment later.
  json inbox;
  for (int i = 0; i < 500; ++i) {
    inbox = with_cookie("GET", "/v1/tasks", cookie_pair(session_cookie)).json();
    if (inbox["tasks"].size() >= 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(inbox["tasks"].size(), 1u) << inbox;
  EXPECT_EQ(inbox["tasks"][0]["execution"], north);

  // The ID token itself is no credential for the API (it carries a nonce); another site cannot
  // start a sign-in in a person's browser.
  {
    json id_claims = person;
    id_claims["nonce"] = "any";
    EXPECT_EQ(client_->get("/v1/me", idp.sign(id_claims)).status, 401);
    EXPECT_EQ(client_
                  ->request("GET", "/v1/auth/oidc/northbank/login", "", "",
                            {{"Sec-Fetch-Site", "cross-site"}})
                  .status,
              403);
  }
  // A sign-in is used once; it must come back to the browser that started it; a token from
  // another sign-in (its nonce) and a verifier the provider does not recognise are refused; a
  // person who declines lands on the sign-in page.
  EXPECT_EQ(callback(state, code, sign_in_cookie).headers["location"], "/sign-in?failed=refused");
  auto [state2, cookie2, code2] = begin(person);
  EXPECT_EQ(callback(state2, code2, "").headers["location"], "/sign-in?failed=refused");
  EXPECT_EQ(callback(state2, code2, cookie2).headers["location"], "/sign-in?failed=refused");
  auto [state3, cookie3, code3] = begin(person);
  {
    std::lock_guard<std::mutex> lock(mutex);
    grants[code3].claims["nonce"] = "a-nonce-of-another-sign-in";
  }
  EXPECT_EQ(callback(state3, code3, cookie3).headers["location"], "/sign-in?failed=refused");
  auto [state4, cookie4, code4] = begin(person);
  {
    std::lock_guard<std::mutex> lock(mutex);
    grants[code4].challenge = s256("a-verifier-an-eavesdropper-guessed");
  }
  EXPECT_EQ(callback(state4, code4, cookie4).headers["location"], "/sign-in?failed=refused");
  auto [state5, cookie5, code5] = begin(person);
  HttpReply declined =
      client_->request("GET", "/v1/auth/oidc/callback?state=" + state5 + "&error=access_denied", "",
                       "", {{"Cookie", cookie5}});
  EXPECT_EQ(declined.headers["location"], "/sign-in?failed=denied");
  EXPECT_EQ(callback(state5, code5, cookie5).headers["location"], "/sign-in?failed=refused");

  EXPECT_EQ(server_.stop(SIGTERM).exit_code, 0);
  token_endpoint.shutdown(std::chrono::seconds(1));
  // The session keeps the provider's answer under the credential's hash, not the subject.
  const std::string row =
      store_text("SELECT kind, person, organisation, credential FROM web_sessions");
  EXPECT_EQ(row.rfind("oidc|rev.rai|northbank|", 0), 0u) << row;
  EXPECT_EQ(row.find("00u7rai"), std::string::npos) << row;
  EXPECT_EQ(audit_actors("session_started"), std::vector<std::string>{"rev.rai"});
}

}  // namespace
}  // namespace coalition::web_session_test
