// The OpenAPI document (docs/openapi.json) against the server: every route the server answers is
// documented and every documented route is answered; the server serves the repository's
// document; and real responses to every documented operation — successes and refusals — have a
// documented status, media type and a body that validates against the document's schema.
#include <signal.h>

#include <filesystem>
#include <set>

#include "app/installation.h"
#include "app/session.h"
#include "integration/server_fixture.h"
#include "plugin_host/library_loader.h"
#include "schema/json_schema.h"
#include "server/api.h"
#include "support/jwt_signer.h"

namespace coalition::test {
namespace {

json repository_document() {
  return json::parse(std::ifstream(std::filesystem::path(kSourceDir) / "docs" / "openapi.json"));
}

std::vector<std::string> segments_of(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 1;
  while (start <= path.size()) {
    const size_t slash = path.find('/', start);
    out.push_back(
        path.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

// The documented path template `path` (without its query) falls under: a literal match before
// one with parameters. Empty when none.
std::string template_of(const json& doc, const std::string& target) {
  const std::string path = target.substr(0, target.find('?'));
  const auto parts = segments_of(path);
  std::string best;
  size_t best_params = SIZE_MAX;
  for (const auto& [candidate, item] : doc["paths"].items()) {
    const auto want = segments_of(candidate);
    if (want.size() != parts.size()) continue;
    size_t params = 0;
    bool same = true;
    for (size_t i = 0; i < want.size() && same; ++i) {
      if (want[i].front() == '{') {
        ++params;
      } else {
        same = want[i] == parts[i];
      }
    }
    if (same && params < best_params) {
      best = candidate;
      best_params = params;
    }
  }
  return best;
}

// `node`, or what its "$ref" ("#/components/...") names.
json resolved(const json& doc, const json& node) {
  if (!node.is_object() || !node.contains("$ref")) return node;
  const std::string ref = node["$ref"];
  return doc.at(json::json_pointer(ref.substr(1)));
}

// A directory lookup that fails the first time (the partner's directory is down) and works
// when retried.
constexpr const char* kFlakyWorkflow = R"json({
  "id": "directory_lookup", "version": 1, "title": "Look a member up in a partner directory",
  "steps": [
    {"id": "lookup", "kind": "task", "type": "fail",
     "parameters": {"code": "directory.unavailable", "message": "the directory did not answer",
                    "succeed_on_attempt": 2},
     "result": "/lookup", "next": "done"},
    {"id": "done", "kind": "succeed"}
  ]
})json";

struct Recorded {
  std::string method;
  std::string target;
  HttpReply reply;
};

class ApiDocumentTest : public ServerTest {
 protected:
  HttpReply call(const std::string& method, const std::string& target, const std::string& token,
                 const json& body = nullptr,
                 const std::map<std::string, std::string>& headers = {}) {
    HttpReply r =
        client_->request(method, target, token, body.is_null() ? "" : body.dump(), headers);
    recorded_.push_back({method, target, r});
    return r;
  }

  // Polls the execution until it has `status` (or about 10 s pass); the last status seen.
  std::string wait_for_status(const std::string& token, const std::string& id,
                              const std::string& status) {
    std::string seen;
    for (int i = 0; i < 500 && seen != status; ++i) {
      seen = client_->get("/v1/executions/" + id, token).json().value("status", "");
      if (seen != status) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return seen;
  }

  // Every recorded reply against the document; the operations answered with a 2xx.
  void check_replies(const json& doc, std::set<std::string>& succeeded) {
    for (const auto& r : recorded_) check_reply(doc, r, succeeded);
  }

  static void check_reply(const json& doc, const Recorded& r, std::set<std::string>& succeeded) {
    {
      SCOPED_TRACE(r.method + " " + r.target + " -> " + std::to_string(r.reply.status) + " " +
                   r.reply.body.substr(0, 300));
      const std::string path = template_of(doc, r.target);
      ASSERT_FALSE(path.empty()) << "undocumented path";
      std::string method = r.method;
      std::transform(method.begin(), method.end(), method.begin(), ::tolower);
      ASSERT_TRUE(doc["paths"][path].contains(method)) << "undocumented method";
      const json& operation = doc["paths"][path][method];
      const std::string status = std::to_string(r.reply.status);
      ASSERT_TRUE(operation["responses"].contains(status)) << "undocumented status";
      // A redirect is what a navigation route succeeds with.
      if (r.reply.status < 400) succeeded.insert(method + " " + path);
      const json response = resolved(doc, operation["responses"][status]);
      std::string media = r.reply.headers.at("content-type");
      media = media.substr(0, media.find(';'));
      ASSERT_TRUE(response["content"].contains(media)) << "undocumented media type " << media;
      const json schema = response["content"][media]["schema"];
      if (media == "text/plain") return;
      json body;
      ASSERT_NO_THROW(body = json::parse(r.reply.body));
      // The schema with the document's components beside it, so its "$ref"s resolve.
      auto compiled = JsonSchema::compile(
          json{{"allOf", json::array({schema})}, {"components", doc["components"]}});
      ASSERT_TRUE(compiled) << compiled.error().message();
      const auto violations = compiled->validate(body);
      for (const auto& v : violations) {
        ADD_FAILURE() << "at '" << v.pointer << "': " << compiled->describe(v);
      }
    }
  }

  std::vector<Recorded> recorded_;
};

TEST_F(ApiDocumentTest, EveryRouteIsDocumentedAndEveryDocumentedRouteAnswered) {
  const json doc = repository_document();
  std::set<std::string> documented;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      std::string m = method;
      std::transform(m.begin(), m.end(), m.begin(), ::toupper);
      documented.insert(m + " " + path);
    }
  }
  // The route table, in process: the API over a session of its own store.
  RealFileSystem fs;
  auto config = app::read_config(std::filesystem::path(config_), fs);
  ASSERT_TRUE(config) << config.error().message();
  DllLibraryLoader libraries;
  auto installation = app::open_installation(*config, fs, libraries);
  app::SessionOptions options;
  options.store = (dir_.path() / "routes.db").string();
  auto session = app::Session::open(*installation, options);
  ASSERT_TRUE(session) << session.error().message();
  std::set<std::string> answered;
  {
    Api api(**session, *config);
    for (const auto& route : api.router().routes())
      answered.insert(route.method + " " + route.path);
    // A documented operation is public exactly when its route needs no credential.
    for (const auto& route : api.router().routes()) {
      std::string m = route.method;
      std::transform(m.begin(), m.end(), m.begin(), ::tolower);
      const json& operation = doc["paths"][route.path][m];
      const bool is_public = operation.contains("security") && operation["security"].empty();
      EXPECT_EQ(is_public, !route.authenticated) << route.method << " " << route.path;
    }
  }
  ASSERT_TRUE((*session)->close());
  EXPECT_EQ(answered, documented);

  // And over HTTP: the served document is the repository's; each documented route answers
  // (public ones at once, the others with 401 for want of a credential), none with 404 or 405.
  serve();
  auto served = client_->get("/v1/openapi.json");
  ASSERT_EQ(served.status, 200);
  EXPECT_EQ(served.json(), doc);
  for (const auto& entry : documented) {
    const std::string method = entry.substr(0, entry.find(' '));
    std::string target = entry.substr(entry.find(' ') + 1);
    for (size_t open = target.find('{'); open != std::string::npos; open = target.find('{')) {
      target.replace(open, target.find('}', open) - open + 1, "x");
    }
    const int status = client_->request(method, target).status;
    const json& operation =
        doc["paths"][entry.substr(entry.find(' ') + 1)][method == "GET" ? "get" : "post"];
    const bool is_public = operation.contains("security") && operation["security"].empty();
    // Public routes answer without a credential: signing in refuses an empty body, a provider
    // nobody configured is not found, a sign-in that never started lands on the sign-in page.
    static const std::map<std::string, int> kPublic{{"POST /v1/session", 422},
                                                    {"GET /v1/auth/oidc/{id}/login", 404},
                                                    {"GET /v1/auth/oidc/callback", 303}};
    const auto special = kPublic.find(entry);
    EXPECT_EQ(status, !is_public ? 401 : special == kPublic.end() ? 200 : special->second) << entry;
  }
}

TEST_F(ApiDocumentTest, RealResponsesToEveryOperationFitTheDocument) {
  const json doc = repository_document();
  const std::string north = start_for("northbank");
  const std::string member =
      token({"--person", "rev.rai", "--org", "northbank", "--roles", "reviewer"});
  const std::string coordinator =
      token({"--person", "coord.cora", "--org", "secretariat", "--scopes", "coordinate"});
  const std::string admin = token({"--person", "admin.ada", "--scopes", "admin"});
  const std::string partner =
      token({"--person", "filing-portal", "--scopes", "signal:member_review"});
  const std::string monitor = token({"--person", "prometheus", "--scopes", "metrics"});
  const std::string colleague =
      token({"--person", "rev.ravi", "--org", "northbank", "--roles", "reviewer"});
  const std::string outsider =
      token({"--person", "rev.sol", "--org", "southbank", "--roles", "reviewer"});
  // A member's identity provider people may sign in to the web app through.
  const JwtSigner idp(JwtSigner::Kind::kP256, "idp-key-1");
  std::ofstream(dir_.path() / "jwks.json") << jwk_set({idp.jwk()});
  json config = json::parse(std::ifstream(config_));
  config["oidc"] = {{"issuers",
                     {{{"issuer", "https://sso.northbank.example"},
                       {"audience", "coalition-web"},
                       {"jwks_file", (dir_.path() / "jwks.json").string()},
                       {"sign_in",
                        {{"id", "northbank"},
                         {"name", "Northbank single sign-on"},
                         {"authorization_endpoint", "https://sso.northbank.example/authorize"},
                         {"token_endpoint", "https://sso.northbank.example/token"},
                         {"client_id", "coalition-web"},
                         {"redirect_uri", "https://coalition.example/v1/auth/oidc/callback"}}}}}}};
  std::ofstream(config_) << config.dump(2);
  serve();

  EXPECT_EQ(call("GET", "/healthz", "").status, 200);
  EXPECT_EQ(call("GET", "/readyz", "").status, 200);
  EXPECT_EQ(call("GET", "/v1/openapi.json", "").status, 200);
  EXPECT_EQ(call("GET", "/v1/me", member).status, 200);
  EXPECT_EQ(call("GET", "/v1/me", "").status, 401);
  const json tasks = inbox_of(member, 1);
  ASSERT_EQ(tasks.size(), 1u);
  const std::string task = tasks[0]["id"];
  EXPECT_EQ(tasks[0]["due_rule"], "P10D");  // the step's own span, under no business calendar
  EXPECT_FALSE(tasks[0].contains("calendar"));
  EXPECT_EQ(call("GET", "/v1/tasks?overdue=false&limit=10", member).status, 200);
  EXPECT_EQ(call("GET", "/v1/tasks?limit=0", member).status, 400);
  EXPECT_EQ(call("GET", "/v1/tasks/" + task, member).status, 200);
  EXPECT_EQ(call("GET", "/v1/tasks/" + north + ".t99", member).status, 404);
  const std::string later =
      format_utc(*parse_utc(tasks[0]["due"].get<std::string>()) + std::chrono::hours(24));
  EXPECT_EQ(call("POST", "/v1/tasks/" + task + "/extend", member,
                 {{"due", later}, {"justification", "awaiting records"}})
                .status,
            200);
  EXPECT_EQ(call("POST", "/v1/tasks/" + task + "/extend", member, {{"due", "soon"}}).status, 422);

  // Claims and hand-overs: the holder alone may complete; a hand-over needs a justification
  // and someone a live token proves able to take it.
  auto claimed = call("POST", "/v1/tasks/" + task + "/claim", member);
  ASSERT_EQ(claimed.status, 200) << claimed.body;
  EXPECT_EQ(claimed.json()["assignee"], "rev.rai");
  EXPECT_EQ(call("POST", "/v1/tasks/" + task + "/claim", colleague).status, 409);
  EXPECT_EQ(inbox_of(colleague, 0).size(), 0u);
  EXPECT_EQ(call("POST", "/v1/tasks/" + task + "/release", colleague).status, 403);
  auto released = call("POST", "/v1/tasks/" + task + "/release", member);
  EXPECT_EQ(released.json().contains("assignee"), false) << released.body;
  EXPECT_EQ(call("POST", "/v1/tasks/" + task + "/release", member).status, 409);
  EXPECT_EQ(call("POST", "/v1/tasks/" + task + "/reassign", member, {{"to", "rev.ravi"}}).status,
            422);
  EXPECT_EQ(call("POST", "/v1/tasks/" + task + "/reassign", member,
                 {{"to", "nobody.known"}, {"justification", "leave"}})
                .status,
            422);
  auto handed = call("POST", "/v1/tasks/" + task + "/reassign", member,
                     {{"to", "rev.ravi"}, {"justification", "on leave from tomorrow"}});
  ASSERT_EQ(handed.status, 200) << handed.body;
  EXPECT_EQ(handed.json()["assignee"], "rev.ravi");
  EXPECT_EQ(call("POST", "/v1/tasks/" + task + "/complete", member,
                 {{"answer", {{"decision", "approve"}}}})
                .status,
            409);
  auto back = call("POST", "/v1/tasks/" + task + "/reassign", coordinator,
                   {{"to", "rev.rai"}, {"justification", "back from leave"}});
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(back.json()["assignee"], "rev.rai");

  // Executions: search, read, export.
  auto page = call("GET",
                   "/v1/executions?workflow=member_review&status=waiting,running"
                   "&organisation=northbank&limit=5",
                   coordinator);
  ASSERT_EQ(page.status, 200);
  ASSERT_EQ(page.json()["executions"].size(), 1u) << page.body;
  EXPECT_EQ(page.json()["executions"][0]["initiator"], "coord.cora");
  EXPECT_EQ(
      call("GET", "/v1/executions?organisation=southbank", coordinator).json()["executions"].size(),
      0u);
  EXPECT_EQ(call("GET", "/v1/executions?status=stalled", coordinator).status, 400);
  auto status = call("GET", "/v1/executions/" + north, coordinator);
  ASSERT_EQ(status.status, 200);
  // The review's deadline, moved by the reviewer above (the rule says so, by role; the history
  // says who); a coordinator's next due time is the earliest deadline they see.
  ASSERT_EQ(status.json()["deadlines"].size(), 1u) << status.body;
  EXPECT_EQ(status.json()["deadlines"][0]["step"], "review");
  EXPECT_EQ(status.json()["deadlines"][0]["task"], task);
  EXPECT_EQ(status.json()["deadlines"][0]["rule"], "moved by reviewer");
  EXPECT_EQ(status.json()["deadlines"][0]["due"], later);
  EXPECT_EQ(status.json()["deadlines"][0]["cap"], tasks[0]["cap"]);
  EXPECT_EQ(status.json()["next_due"], later);
  EXPECT_EQ(call("GET", "/v1/executions?escalated=true", coordinator).json()["executions"].size(),
            0u);
  EXPECT_EQ(call("GET", "/v1/executions?escalated=maybe", coordinator).status, 400);
  EXPECT_EQ(call("GET", "/v1/executions/" + north + "/history", coordinator).status, 200);
  EXPECT_EQ(call("GET", "/v1/executions/" + north + "/timeline", member).status, 200);
  EXPECT_EQ(call("GET", "/v1/executions/nope", member).status, 404);
  auto exported = call("GET", "/v1/executions/" + north + "/export", coordinator);
  EXPECT_EQ(exported.json()["view"]["clearance"], "member");
  EXPECT_EQ(call("GET", "/v1/executions/" + north + "/export", member).status, 403);

  EXPECT_EQ(call("POST", "/v1/tasks/" + task + "/complete", member,
                 {{"answer", {{"decision", "approve"}}}})
                .status,
            200);
  EXPECT_EQ(call("POST", "/v1/tasks/" + task + "/complete", member, json::array()).status, 422);
  // Until the execution reaches its wait step, the signal is refused (and documented so).
  int signalled = 0;
  for (int i = 0; i < 200 && signalled != 200; ++i) {
    signalled = call("POST", "/v1/executions/" + north + "/signals/filing_ack", partner,
                     {{"ack", "PORTAL-1"}})
                    .status;
    if (signalled != 200) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(signalled, 200);
  EXPECT_EQ(call("POST", "/v1/executions/" + north + "/signals/filing_ack", member, json::object())
                .status,
            403);
  EXPECT_EQ(call("POST", "/v1/executions", coordinator,
                 {{"workflow", "member_review"},
                  {"input", {{"member", "northbank"}, {"case_id", "C-3"}}}},
                 {{"Idempotency-Key", "doc-1"}})
                .status,
            201);
  EXPECT_EQ(call("POST", "/v1/executions", coordinator,
                 {{"workflow", "member_review"},
                  {"input", {{"member", "northbank"}, {"case_id", "C-3"}}}},
                 {{"Idempotency-Key", "doc-1"}})
                .status,
            200);
  EXPECT_EQ(
      call("POST", "/v1/executions", coordinator, {{"workflow", "member_review"}, {"input", 3}})
          .status,
      422);
  EXPECT_EQ(call("POST", "/v1/executions", member, {{"workflow", "member_review"}}).status, 403);

  // Workflows.
  auto listed = call("GET", "/v1/workflows", coordinator);
  ASSERT_EQ(listed.json()["workflows"].size(), 1u) << listed.body;
  auto drawn = call("GET", "/v1/workflows/member_review?graph=mermaid", coordinator);
  EXPECT_EQ(drawn.json()["graph"].get<std::string>().rfind("flowchart", 0), 0u) << drawn.body;
  auto as_data = call("GET", "/v1/workflows/member_review?graph=json", coordinator);
  ASSERT_TRUE(as_data.json()["graph"].is_object()) << as_data.body;
  EXPECT_EQ(as_data.json()["graph"]["nodes"].size(), 5u);  // start, end and the three steps
  EXPECT_EQ(call("GET", "/v1/workflows/member_review?graph=svg", coordinator).status, 400);
  EXPECT_EQ(call("GET", "/v1/workflows/member_review?version=9", coordinator).status, 404);
  EXPECT_EQ(call("GET", "/v1/workflows", member).status, 403);
  json version2 = json::parse(kWorkflow);
  version2["version"] = 2;
  auto valid = call("POST", "/v1/workflows/validate", coordinator, version2);
  EXPECT_EQ(valid.json()["valid"], true) << valid.body;
  json broken = version2;
  broken["steps"][0]["type"] = "aproval";
  auto invalid = call("POST", "/v1/workflows/validate", coordinator, broken);
  EXPECT_EQ(invalid.json()["valid"], false);
  EXPECT_EQ(invalid.json()["problems"][0]["pointer"], "/steps/0/type") << invalid.body;
  EXPECT_EQ(call("POST", "/v1/workflows", admin, version2).status, 201);
  EXPECT_EQ(call("POST", "/v1/workflows", admin, version2).status, 200);
  json changed = version2;
  changed["title"] = "Changed without a new version";
  EXPECT_EQ(call("POST", "/v1/workflows", admin, changed).status, 409);
  auto refused = call("POST", "/v1/workflows", admin, broken);
  EXPECT_EQ(refused.status, 422);
  EXPECT_EQ(refused.json()["problems"][0]["pointer"], "/steps/0/type");
  EXPECT_EQ(call("POST", "/v1/workflows", coordinator, version2).status, 403);
  EXPECT_EQ(call("GET", "/v1/workflows", coordinator).json()["workflows"].size(), 2u);
  // A registered version starts executions at once.
  EXPECT_EQ(call("POST", "/v1/executions", coordinator,
                 {{"workflow", "member_review"},
                  {"version", 2},
                  {"input", {{"member", "northbank"}, {"case_id", "C-4"}}}})
                .status,
            201);

  // Cancel and retry.
  auto doomed = call(
      "POST", "/v1/executions", coordinator,
      {{"workflow", "member_review"}, {"input", {{"member", "northbank"}, {"case_id", "C-5"}}}});
  ASSERT_EQ(doomed.status, 201) << doomed.body;
  const std::string doomed_id = doomed.json()["id"];
  EXPECT_EQ(call("POST", "/v1/executions/" + doomed_id + "/cancel", coordinator).status, 422);
  // A member who sees an execution learns they may not; nobody else learns it exists.
  EXPECT_EQ(
      call("POST", "/v1/executions/" + north + "/cancel", member, {{"justification", "duplicate"}})
          .status,
      403);
  EXPECT_EQ(call("POST", "/v1/executions/" + doomed_id + "/retry", outsider,
                 {{"justification", "duplicate"}})
                .status,
            404);
  auto cancelled = call("POST", "/v1/executions/" + doomed_id + "/cancel", coordinator,
                        {{"justification", "opened twice for the same case"}});
  ASSERT_EQ(cancelled.status, 200) << cancelled.body;
  EXPECT_EQ(cancelled.json()["status"], "cancelled");
  EXPECT_EQ(call("POST", "/v1/executions/" + doomed_id + "/cancel", coordinator,
                 {{"justification", "again"}})
                .status,
            409);
  EXPECT_EQ(call("POST", "/v1/executions/" + doomed_id + "/retry", coordinator,
                 {{"justification", "not failed"}})
                .status,
            409);
  EXPECT_EQ(call("POST", "/v1/workflows", admin, json::parse(kFlakyWorkflow)).status, 201);
  auto flaky = call("POST", "/v1/executions", coordinator,
                    {{"workflow", "directory_lookup"}, {"input", json::object()}});
  ASSERT_EQ(flaky.status, 201) << flaky.body;
  const std::string flaky_id = flaky.json()["id"];
  EXPECT_EQ(wait_for_status(coordinator, flaky_id, "failed"), "failed");
  auto retried = call("POST", "/v1/executions/" + flaky_id + "/retry", coordinator,
                      {{"justification", "the directory is back"}});
  ASSERT_EQ(retried.status, 200) << retried.body;
  EXPECT_EQ(wait_for_status(coordinator, flaky_id, "succeeded"), "succeeded");

  // Migrations: a waiting execution of version 1 moves to version 2 (registered above).
  auto older = call("POST", "/v1/executions", coordinator,
                    {{"workflow", "member_review"},
                     {"version", 1},
                     {"input", {{"member", "northbank"}, {"case_id", "C-6"}}}});
  ASSERT_EQ(older.status, 201) << older.body;
  const std::string older_id = older.json()["id"];
  EXPECT_EQ(wait_for_status(coordinator, older_id, "waiting"), "waiting");
  const json plan{
      {"workflow", "member_review"}, {"from", 1}, {"to", 2}, {"executions", {older_id}}};
  auto dry = call("POST", "/v1/migrations", coordinator, {{"plan", plan}, {"dry_run", true}});
  ASSERT_EQ(dry.status, 200) << dry.body;
  EXPECT_EQ(dry.json()["movable"], 1) << dry.body;
  EXPECT_EQ(dry.json()["executions"][0]["result"], "would migrate") << dry.body;
  EXPECT_EQ(call("POST", "/v1/migrations", member, {{"plan", plan}, {"dry_run", true}}).status,
            403);
  auto same = call("POST", "/v1/migrations", coordinator,
                   {{"plan", {{"workflow", "member_review"}, {"from", 1}, {"to", 1}}}});
  EXPECT_EQ(same.status, 422) << same.body;
  EXPECT_EQ(same.json()["pointer"], "/plan/to") << same.body;
  auto unknown = call(
      "POST", "/v1/migrations", coordinator,
      {{"plan",
        {{"workflow", "member_review"}, {"from", 1}, {"to", 2}, {"steps", {{"reviw", "review"}}}}},
       {"dry_run", true}});
  EXPECT_EQ(unknown.status, 422) << unknown.body;
  EXPECT_EQ(unknown.json()["pointer"], "/plan/steps/reviw") << unknown.body;
  EXPECT_EQ(call("POST", "/v1/migrations", coordinator, {{"plan", plan}}).status,
            422);  // applying needs a justification
  EXPECT_EQ(
      call("POST", "/v1/migrations", coordinator,
           {{"plan", {{"workflow", "member_review"}, {"from", 1}, {"to", 9}}}, {"dry_run", true}})
          .status,
      404);
  auto moved = call("POST", "/v1/migrations", coordinator,
                    {{"plan", plan}, {"justification", "version 2 is the agreed one"}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.json()["executions"][0]["result"], "migrated") << moved.body;
  auto now_on = call("GET", "/v1/executions/" + older_id, coordinator);
  EXPECT_EQ(now_on.json()["workflow"], "member_review@2") << now_on.body;

  // Administration.
  EXPECT_EQ(call("GET", "/v1/tokens", admin).status, 200);
  auto made = call("POST", "/v1/tokens", admin,
                   {{"person", "new.nia"}, {"organisation", "northbank"}, {"roles", {"reviewer"}}});
  ASSERT_EQ(made.status, 201);
  EXPECT_EQ(
      call("POST", "/v1/tokens", admin, {{"person", "bad"}, {"scopes", {"superuser"}}}).status,
      400);
  EXPECT_EQ(
      call("POST", "/v1/tokens/" + made.json()["id"].get<std::string>() + "/revoke", admin).status,
      200);
  EXPECT_EQ(call("POST", "/v1/tokens/0000000000000000/revoke", admin).status, 404);
  EXPECT_EQ(call("GET", "/v1/audit/verify", admin).status, 200);
  EXPECT_EQ(call("GET", "/v1/audit/verify", member).status, 403);
  auto held = call("POST", "/v1/executions/" + north + "/legal-hold", admin,
                   {{"reason", "law-enforcement keep-open request LE-1"}});
  EXPECT_EQ(held.json()["changed"], true) << held.body;
  EXPECT_EQ(call("POST", "/v1/executions/" + north + "/legal-hold", admin, json::object()).status,
            422);
  EXPECT_EQ(call("POST", "/v1/executions/nope/legal-hold", admin, {{"reason", "x"}}).status, 404);
  auto holds = call("GET", "/v1/legal-holds", admin);
  ASSERT_EQ(holds.json()["holds"].size(), 1u) << holds.body;
  EXPECT_EQ(holds.json()["holds"][0]["execution"], north);
  EXPECT_EQ(holds.json()["holds"][0]["workflow"], "member_review@1");
  EXPECT_EQ(holds.json()["holds"][0]["reason"], "law-enforcement keep-open request LE-1");
  EXPECT_EQ(call("GET", "/v1/legal-holds", member).status, 403);
  EXPECT_EQ(call("GET", "/v1/legal-holds?limit=0", admin).status, 400);
  EXPECT_EQ(
      call("POST", "/v1/executions/" + north + "/legal-hold/release", admin, {{"reason", "closed"}})
          .status,
      200);
  EXPECT_EQ(call("POST", "/v1/executions/" + north + "/legal-hold/release", member, json::object())
                .status,
            403);
  EXPECT_EQ(call("GET", "/v1/legal-holds", admin).json()["holds"].size(), 0u);
  auto every = call("GET", "/v1/legal-holds?released=true&limit=5", admin);
  ASSERT_EQ(every.json()["holds"].size(), 1u) << every.body;
  EXPECT_TRUE(every.json()["holds"][0].contains("released_at"));
  auto retention = call("GET", "/v1/retention", admin);
  ASSERT_EQ(retention.status, 200);
  EXPECT_EQ(retention.json()["workflows"].size(), 3u) << retention.body;  // and directory_lookup
  EXPECT_EQ(retention.json()["workflows"][0]["rules"].size(), 2u);
  EXPECT_EQ(call("GET", "/v1/retention", member).status, 403);
  auto purged = call("POST", "/v1/purge", admin, {{"dry_run", true}});
  EXPECT_EQ(purged.json()["dry_run"], true) << purged.body;
  EXPECT_EQ(call("POST", "/v1/purge", admin, {{"dry_run", "yes"}}).status, 422);
  EXPECT_EQ(call("POST", "/v1/purge", member, json::object()).status, 403);

  // The web app's session: a token signs in, the cookie reads, a change needs the CSRF token.
  auto signed_in = call("POST", "/v1/session", "", {{"token", colleague}});
  ASSERT_EQ(signed_in.status, 201) << signed_in.body;
  const std::string cookie =
      signed_in.headers["set-cookie"].substr(0, signed_in.headers["set-cookie"].find(';'));
  const std::string csrf = signed_in.json()["csrf"];
  EXPECT_EQ(signed_in.json()["may"], (json{{"purge", false}, {"legal_hold", false}}));
  EXPECT_EQ(call("POST", "/v1/session", "", {{"token", "ctk_unknown"}}).status, 401);
  EXPECT_EQ(call("POST", "/v1/session", "", {{"token", partner}}).status, 403);
  EXPECT_EQ(call("POST", "/v1/session", "", json::object()).status, 422);
  EXPECT_EQ(call("GET", "/v1/session", "", nullptr, {{"Cookie", cookie}}).status, 200);
  EXPECT_EQ(call("GET", "/v1/session", member).status, 404);
  EXPECT_EQ(call("POST", "/v1/session/end", "", json::object(), {{"Cookie", cookie}}).status, 403);
  EXPECT_EQ(call("POST", "/v1/session/end", member, json::object()).status, 404);
  EXPECT_EQ(call("POST", "/v1/session/end", "", json::object(),
                 {{"Cookie", cookie}, {"X-CSRF-Token", csrf}})
                .status,
            200);
  EXPECT_EQ(call("GET", "/v1/session", "", nullptr, {{"Cookie", cookie}}).status, 401);

  EXPECT_EQ(call("GET", "/v1/auth/providers", "").json()["providers"][0]["id"], "northbank");
  auto leaving = call("GET", "/v1/auth/oidc/northbank/login", "");
  EXPECT_EQ(leaving.status, 302);
  EXPECT_EQ(leaving.headers["location"].rfind("https://sso.northbank.example/authorize?", 0), 0u);
  EXPECT_EQ(call("GET", "/v1/auth/oidc/southbank/login", "").status, 404);
  auto stray = call("GET", "/v1/auth/oidc/callback?state=never-started&code=x", "");
  EXPECT_EQ(stray.headers["location"], "/sign-in?failed=refused");

  auto metrics = call("GET", "/metrics", monitor);
  ASSERT_EQ(metrics.status, 200) << metrics.body;
  // The first execution, and the retried one.
  EXPECT_NE(metrics.body.find("coalition_executions{status=\"succeeded\"} 2\n"), std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("coalition_tasks_open "), std::string::npos);
  EXPECT_NE(metrics.body.find("coalition_tasks_overdue 0\n"), std::string::npos);
  EXPECT_NE(metrics.body.find("# TYPE coalition_step_duration_seconds histogram"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("coalition_commit_batch_size_bucket{le=\"+Inf\"}"),
            std::string::npos);
  EXPECT_NE(metrics.body.find("# TYPE coalition_plugin_quarantined gauge"), std::string::npos);
  EXPECT_NE(metrics.body.find("coalition_plugin_threads_stranded 0\n"), std::string::npos);
  // No name, organisation or id in a label.
  EXPECT_NE(metrics.body.find("coalition_executions{status=\"cancelled\"} 1\n"), std::string::npos);
  for (const char* secret : {"northbank", "rev.rai", "coord.cora", "member_review"}) {
    EXPECT_EQ(metrics.body.find(secret), std::string::npos) << secret;
  }
  EXPECT_EQ(call("GET", "/metrics", member).status, 403);
  EXPECT_EQ(call("GET", "/metrics", "").status, 401);

  std::set<std::string> succeeded;
  check_replies(doc, succeeded);
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      EXPECT_EQ(succeeded.count(method + " " + path), 1u)
          << method << " " << path << " was never answered with success";
    }
  }
  auto stopped = server_.stop(SIGTERM);
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  auto verify = cli({"audit", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

}  // namespace
}  // namespace coalition::test
