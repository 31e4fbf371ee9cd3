// coalition serve as a real process on a loopback port: identities from tokens only,
// organisation isolation answered as 404, refusals audited, limits, and a graceful SIGTERM.
#include <signal.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/utc_time.h"
#include "integration/server_fixture.h"
#include "server/http_server.h"
#include "server/problem.h"
#include "support/jwt_signer.h"
#include "support/tls_certificate.h"

namespace coalition::test {
namespace {

using nlohmann::json;

TEST_F(ServerTest, AnswersHealthAndRefusesRequestsWithoutAValidCredential) {
  serve();
  EXPECT_EQ(client_->get("/healthz").status, 200);
  EXPECT_EQ(client_->get("/readyz").json()["status"], "ready");

  auto none = client_->get("/v1/tasks");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.headers["content-type"], "application/problem+json");
  EXPECT_EQ(none.headers["www-authenticate"], "Bearer realm=\"coalition\"");
  EXPECT_EQ(none.json()["type"], "urn:coalition:problem:unauthenticated");
  EXPECT_EQ(none.json()["status"], 401);

  EXPECT_EQ(client_->request("GET", "/v1/tasks", "", "", {{"Authorization", "Basic YTpi"}}).status,
            401);
  EXPECT_EQ(client_->get("/v1/tasks", "not-a-token").status, 401);
  // The right shape with a secret nobody issued.
  EXPECT_EQ(client_->get("/v1/tasks", "ctk_0123456789abcdef_" + std::string(43, 'A')).status, 401);
  EXPECT_EQ(client_->get("/v1/nothing-here").status, 404);
  auto wrong = client_->request("DELETE", "/v1/tasks");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.headers["allow"], "GET");
}

// A token's expiry given as a date works through that day (UTC), and the reading is said.
TEST_F(ServerTest, ATokenExpiringOnADateWorksThroughThatDay) {
  auto made = cli({"tokens", "create", "--person", "rev.day", "--org", "northbank", "--roles",
                   "reviewer", "--expires", "2099-12-31"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_NE(made.err.find("--expires 2099-12-31: read as 2099-12-31T23:59:59.000Z, the end of "
                          "2099-12-31 (23:59:59) in UTC"),
            std::string::npos)
      << made.err;
  auto listed = cli({"tokens", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("expires 2099-12-31T23:59:59.000Z"), std::string::npos) << listed.out;
  auto wrong = cli({"tokens", "create", "--person", "rev.day", "--expires", "31/12/2099"});
  EXPECT_EQ(wrong.exit_code, 64);
  EXPECT_NE(wrong.err.find("--expires: a date (2027-03-01: the end of that day, UTC)"),
            std::string::npos)
      << wrong.err;
}

// Every route x {no credential, malformed, expired, revoked, wrong organisation, wrong role,
// allowed}: the exact status each must answer.
TEST_F(ServerTest, AuthorizationMatrix) {
  const std::string north = start_for("northbank");
  const std::string member =
      token({"--person", "rev.rai", "--org", "northbank", "--roles", "reviewer"});
  const std::string other_org =
      token({"--person", "rev.sol", "--org", "southbank", "--roles", "reviewer"});
  const std::string wrong_role =
      token({"--person", "ana.lyst", "--org", "northbank", "--roles", "analyst"});
  const std::string expired = token(
      {"--person", "rev.old", "--org", "northbank", "--roles", "reviewer", "--expires", "PT1S"});
  const std::string revoked =
      token({"--person", "rev.gone", "--org", "northbank", "--roles", "reviewer"});
  auto revoke = cli({"tokens", "revoke", revoked.substr(4, 16)});
  ASSERT_EQ(revoke.exit_code, 0) << revoke.err;
  const std::string admin = token({"--person", "admin.ada", "--scopes", "admin"});
  const std::string coordinator =
      token({"--person", "coord.cora", "--org", "secretariat", "--scopes", "coordinate"});
  const std::string partner =
      token({"--person", "filing-portal", "--scopes", "signal:member_review"});
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // `expired` is past its time
  serve();

  const json tasks = inbox_of(member, 1);
  ASSERT_EQ(tasks.size(), 1u) << tasks;
  const std::string task = tasks[0]["id"];
  ASSERT_EQ(tasks[0]["execution"], north);
  EXPECT_EQ(tasks[0]["organisation"], "northbank");
  // The inbox lists summaries; the task itself carries the form's schema.
  EXPECT_FALSE(tasks[0].contains("answer_schema"));
  EXPECT_TRUE(client_->get("/v1/tasks/" + task, member).json().contains("answer_schema"));

  struct Case {
    std::string method;
    std::string target;
    json body;
    int other_org;  // wrong organisation
    int wrong_role;
    int coordinate;  // a coordinator: sees every execution, holds no role, no admin scope
  };
  // A day later than now due: inside the cap.
  const std::string later =
      format_utc(*parse_utc(tasks[0]["due"].get<std::string>()) + std::chrono::hours(24));
  const std::vector<Case> cases{
      {"GET", "/v1/tasks", nullptr, 200, 200, 200},
      {"GET", "/v1/tasks/" + task, nullptr, 404, 404, 200},
      {"GET", "/v1/executions/" + north, nullptr, 404, 404, 200},
      {"GET", "/v1/executions/" + north + "/history", nullptr, 404, 404, 200},
      {"GET", "/v1/executions/" + north + "/timeline", nullptr, 404, 404, 200},
      {"POST",
       "/v1/tasks/" + task + "/extend",
       {{"due", later}, {"justification", "awaiting records"}},
       404,
       404,
       403},
      {"POST",
       "/v1/tasks/" + task + "/complete",
       {{"answer", {{"decision", "approve"}}}},
       404,
       404,
       403},
      // A coordinator holds no reviewer role (the engine's 403), nobody holds the task (409),
      // nobody proves "mallory" can take it (422).
      {"POST", "/v1/tasks/" + task + "/claim", json::object(), 404, 404, 403},
      {"POST", "/v1/tasks/" + task + "/release", json::object(), 404, 404, 409},
      {"POST",
       "/v1/tasks/" + task + "/reassign",
       {{"to", "mallory"}, {"justification", "taking over"}},
       404,
       404,
       422},
      // A coordinator may cancel and retry: a blank justification (422) and an execution that
      // has not failed (409) show the call got past the access rules without changing north.
      {"POST", "/v1/executions/" + north + "/cancel", {{"justification", "  "}}, 404, 404, 422},
      {"POST", "/v1/executions/" + north + "/retry", {{"justification", "again"}}, 404, 404, 409},
      {"POST", "/v1/executions/" + north + "/signals/filing_ack", json::object(), 404, 404, 404},
      {"POST", "/v1/executions", {{"workflow", "member_review"}}, 403, 403, 422},
      {"GET", "/v1/tokens", nullptr, 403, 403, 403},
      {"POST", "/v1/tokens", {{"person", "mallory"}, {"scopes", {"admin"}}}, 403, 403, 403},
      {"POST", "/v1/tokens/0123456789abcdef/revoke", json::object(), 403, 403, 403},
      {"GET", "/v1/audit/verify", nullptr, 403, 403, 403},
      {"GET", "/v1/me", nullptr, 200, 200, 200},
      // Lists what the caller may see: nothing of another organisation's (checked below).
      {"GET", "/v1/executions", nullptr, 200, 200, 200},
      {"GET", "/v1/executions/" + north + "/export", nullptr, 404, 404, 200},
      {"POST",
       "/v1/executions/" + north + "/legal-hold",
       {{"reason", "LE request"}},
       403,
       403,
       403},
      {"POST", "/v1/executions/" + north + "/legal-hold/release", json::object(), 403, 403, 403},
      {"POST", "/v1/purge", {{"dry_run", true}}, 403, 403, 403},
      {"GET", "/v1/workflows", nullptr, 403, 403, 200},
      {"GET", "/v1/workflows/member_review", nullptr, 403, 403, 200},
      {"POST", "/v1/workflows/validate", json::parse(kWorkflow), 403, 403, 200},
      {"POST", "/v1/workflows", json::parse(kWorkflow), 403, 403, 403},
      {"GET", "/metrics", nullptr, 403, 403, 403},
  };
  auto call = [&](const Case& c, const std::string& credential,
                  std::map<std::string, std::string> headers = {}) {
    if (credential == "MALFORMED") headers["Authorization"] = "Bearer ctk_short";
    return client_->request(c.method, c.target, credential == "MALFORMED" ? "" : credential,
                            c.body.is_null() ? "" : c.body.dump(), headers);
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.method + " " + c.target);
    EXPECT_EQ(call(c, "").status, 401);
    EXPECT_EQ(call(c, "MALFORMED").status, 401);
    EXPECT_EQ(call(c, expired).json()["detail"], "token expired");
    EXPECT_EQ(call(c, revoked).json()["detail"], "token revoked");
    EXPECT_EQ(call(c, other_org).status, c.other_org);
    EXPECT_EQ(call(c, wrong_role).status, c.wrong_role);
    EXPECT_EQ(call(c, coordinator).status, c.coordinate);
  }
  // A task that does not exist answers like one of another organisation, and is audited too.
  EXPECT_EQ(client_
                ->post("/v1/tasks/" + north + ".t99/complete", member,
                       {{"answer", {{"decision", "approve"}}}})
                .status,
            404);
  // Nothing the refused calls did changed the task.
  json still = client_->get("/v1/tasks/" + task, member).json();
  EXPECT_EQ(still["completions"].size(), 0u);
  EXPECT_EQ(still["due"], tasks[0]["due"]);
  EXPECT_EQ(still["status"], "open");
  EXPECT_FALSE(still.contains("assignee")) << still;
  // Others' inboxes and execution lists do not show it; its own member's do.
  EXPECT_EQ(client_->get("/v1/tasks", other_org).json()["tasks"].size(), 0u);
  EXPECT_EQ(client_->get("/v1/tasks", wrong_role).json()["tasks"].size(), 0u);
  EXPECT_EQ(client_->get("/v1/executions", other_org).json()["executions"].size(), 0u);
  EXPECT_EQ(client_->get("/v1/executions", wrong_role).json()["executions"].size(), 0u);
  const json listed = client_->get("/v1/executions", member).json()["executions"];
  ASSERT_EQ(listed.size(), 1u) << listed;
  EXPECT_EQ(listed[0]["id"], north);
  EXPECT_FALSE(listed[0].contains("initiator"));  // a name for coordinators only
  // A partner system's credential lists nothing at all.
  EXPECT_EQ(client_->get("/v1/executions", partner).status, 403);

  // Allowed.
  auto me = client_->get("/v1/me", member).json();
  EXPECT_EQ(me["person"], "rev.rai");
  EXPECT_EQ(me["identity"], "token");
  EXPECT_EQ(client_->get("/v1/tasks/" + task, member).status, 200);
  auto status = client_->get("/v1/executions/" + north, member);
  ASSERT_EQ(status.status, 200) << status.body;
  EXPECT_EQ(status.json()["status"], "waiting");
  EXPECT_EQ(client_->get("/v1/executions/" + north + "/history", member).status, 200);
  EXPECT_EQ(client_->get("/v1/executions/" + north, coordinator).status, 200);
  EXPECT_EQ(client_->get("/v1/executions/" + north, partner).status, 404);
  auto moved = client_->post("/v1/tasks/" + task + "/extend", member,
                             {{"due", later}, {"justification", "awaiting records"}});
  EXPECT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(client_->get("/v1/tasks/" + task, member).json()["due"], later);
  // A date is the end of that day, here in UTC (the deadline names no calendar), said back.
  const std::string day = later.substr(0, 10);
  auto by_day = client_->post("/v1/tasks/" + task + "/extend", member,
                              {{"due", day}, {"justification", "to the end of that day"}});
  ASSERT_EQ(by_day.status, 200) << by_day.body;
  EXPECT_EQ(by_day.json()["due"], day + "T23:59:59.000Z");
  EXPECT_EQ(by_day.json()["reading"],
            "the end of " + day + " (23:59:59) in UTC (the task's deadline names no calendar)");
  EXPECT_EQ(client_->get("/v1/tasks/" + task, member).json()["due"], day + "T23:59:59.000Z");
  auto not_a_day = client_->post("/v1/tasks/" + task + "/extend", member,
                                 {{"due", "10 May"}, {"justification", "j"}});
  EXPECT_EQ(not_a_day.status, 422) << not_a_day.body;
  EXPECT_EQ(not_a_day.json()["pointer"], "/due") << not_a_day.body;
  EXPECT_EQ(client_->get("/v1/tasks/" + task, member).json()["due"], day + "T23:59:59.000Z");
  // A member sees the execution but may not send it a partner's signal.
  EXPECT_EQ(client_->post("/v1/executions/" + north + "/signals/filing_ack", member, json::object())
                .status,
            403);
  // An image in any field of the body, even one no route reads, is refused as media before the
  // route looks at the body (its schema included), audited with who sent it; without a valid
  // credential nothing is read, nothing audited.
  const json photo{
      {"answer", {{"decision", "approve"}}},
      {"attachments", {{{"content_type", "image/jpeg"}, {"data", "/9j/4AAQSkZJRgABAQAAAQABAAD"}}}}};
  auto refused_photo = client_->post("/v1/tasks/" + task + "/complete", "cot_not-a-token", photo);
  EXPECT_EQ(refused_photo.status, 401) << refused_photo.body;
  EXPECT_TRUE(audit_actors("media_refused").empty());
  refused_photo = client_->post("/v1/tasks/" + task + "/complete", member, photo);
  EXPECT_EQ(refused_photo.status, 422) << refused_photo.body;
  EXPECT_EQ(refused_photo.json()["code"], "media_not_permitted") << refused_photo.body;
  // The declared type is enough: the first field that says or shows an image is named.
  EXPECT_EQ(refused_photo.json()["pointer"], "/attachments/0/content_type");
  // Refused before the route's own check of the body: a body that is also malformed.
  auto both = client_->post(
      "/v1/tasks/" + task + "/extend", member,
      {{"due", 7},
       {"evidence", {{"mime", "image/png"}, {"bytes", "iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB"}}}});
  EXPECT_EQ(both.json()["code"], "media_not_permitted") << both.body;
  EXPECT_EQ(audit_actors("media_refused"), (std::vector<std::string>{"rev.rai", "rev.rai"}));
  // Each entry names the execution of the task, which the member may see.
  const std::string of_task = task.substr(0, task.rfind(".t"));
  EXPECT_EQ(audit_column("media_refused", "execution_id"),
            (std::vector<std::string>{of_task, of_task}));
  EXPECT_EQ(client_->get("/v1/tasks/" + task, member).json()["status"], "open");
  auto done = client_->post("/v1/tasks/" + task + "/complete", member,
                            {{"answer", {{"decision", "approve"}}}});
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(done.json()["completions"][0]["actor"], "rev.rai");
  auto again = client_->post("/v1/tasks/" + task + "/complete", member,
                             {{"answer", {{"decision", "approve"}}}});
  // Refused: "already completed" while the step takes the answer, "not found" once it closed.
  EXPECT_TRUE(again.status == 403 || again.status == 404) << again.body;

  // The partner's callback, with its narrowly scoped credential.
  json signalled;
  for (int i = 0; i < 200; ++i) {  // the execution reaches its wait step
    auto r = client_->post("/v1/executions/" + north + "/signals/filing_ack", partner,
                           {{"ack", "PORTAL-1"}});
    signalled = r.json();
    if (r.status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(signalled["delivered"], true) << signalled;
  EXPECT_EQ(client_->post("/v1/executions", partner, {{"workflow", "member_review"}}).status, 403);

  // Coordinators start executions, once per idempotency key.
  const json input{{"member", "northbank"}, {"case_id", "CASE-2"}};
  auto first = client_->request("POST", "/v1/executions", coordinator,
                                json{{"workflow", "member_review"}, {"input", input}}.dump(),
                                {{"Idempotency-Key", "req-7"}});
  ASSERT_EQ(first.status, 201) << first.body;
  auto repeat = client_->request("POST", "/v1/executions", coordinator,
                                 json{{"workflow", "member_review"}, {"input", input}}.dump(),
                                 {{"Idempotency-Key", "req-7"}});
  EXPECT_EQ(repeat.status, 200);
  EXPECT_EQ(repeat.json()["id"], first.json()["id"]);
  EXPECT_EQ(repeat.json()["created"], false);
  auto invalid = client_->post("/v1/executions", coordinator,
                               {{"workflow", "member_review"}, {"input", {{"member", 7}}}});
  EXPECT_EQ(invalid.status, 422);
  EXPECT_EQ(invalid.json()["code"], "invalid_data");
  EXPECT_FALSE(invalid.json().value("pointer", "").empty());

  // Admin.
  EXPECT_EQ(client_->get("/v1/tokens", admin).json()["tokens"].size(), 8u);
  EXPECT_EQ(client_->get("/v1/executions/" + north + "/export", coordinator).status, 200);
  EXPECT_EQ(client_->get("/v1/executions/" + north + "/export", member).status, 403);
  auto verified = client_->get("/v1/audit/verify", admin).json();
  EXPECT_EQ(verified["ok"], true) << verified;

  auto stopped = server_.stop(SIGTERM);
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  // The hidden refusals are in the audit log, under the callers' names.
  const auto refused = audit_actors("task_refused");
  // rev.rai's: the unknown task, and the second completion of the task already done.
  EXPECT_EQ(std::count(refused.begin(), refused.end(), "rev.rai"), 2);
  auto timeline = cli({"timeline", north});
  EXPECT_NE(timeline.out.find("REFUSED rev.sol"), std::string::npos) << timeline.out;
  EXPECT_NE(timeline.out.find("REFUSED ana.lyst"), std::string::npos) << timeline.out;
  auto verify = cli({"audit", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

TEST_F(ServerTest, ViewsFollowTheCallersRolesAndRestrictedReadsAreAudited) {
  const std::string north = start_for("northbank");
  const std::string member =
      token({"--person", "rev.rai", "--org", "northbank", "--roles", "reviewer"});
  const std::string officer =
      token({"--person", "bsa.bo", "--org", "northbank", "--roles", "reviewer,bsa_officer"});
  serve();
  ASSERT_EQ(inbox_of(member, 1).size(), 1u);
  auto seen = client_->get("/v1/executions/" + north + "/history", member).json();
  const std::string as_member = seen.dump();
  EXPECT_EQ(as_member.find("CASE-northbank"), std::string::npos) << as_member;
  auto full = client_->get("/v1/executions/" + north + "/history", officer).json();
  EXPECT_NE(full.dump().find("CASE-northbank"), std::string::npos);
  server_.stop(SIGTERM);
  // Only the restricted read is in the log.
  const auto actors = audit_actors("restricted_read");
  EXPECT_EQ(actors, std::vector<std::string>{"bsa.bo"});
}

// A follower role of the workflow's visibility policy (analyst, at public clearance) follows
// the workflow's executions of its own organisation without acting on anything; a role the
// policy gives a clearance but does not list as a follower (the AuthorizationMatrix's analyst
// without it) sees only what it holds a task in.
TEST_F(ServerTest, AFollowerRoleFollowsItsOrganisationsExecutionsAtItsClearance) {
  json followed = json::parse(kWorkflow);
  followed["visibility"]["followers"] = {"analyst"};
  std::ofstream(workflow_) << followed.dump();
  const std::string north = start_for("northbank");
  const std::string south = start_for("southbank");
  const std::string member =
      token({"--person", "rev.rai", "--org", "northbank", "--roles", "reviewer"});
  const std::string analyst =
      token({"--person", "ana.lyst", "--org", "northbank", "--roles", "analyst"});
  // Named in the policy (bsa_officer: restricted) but no follower.
  const std::string officer =
      token({"--person", "bsa.bo", "--org", "northbank", "--roles", "bsa_officer"});
  serve();
  ASSERT_EQ(inbox_of(member, 1).size(), 1u);
  auto listed = client_->get("/v1/executions", analyst).json()["executions"];
  ASSERT_EQ(listed.size(), 1u) << listed;
  EXPECT_EQ(listed[0]["id"], north);
  EXPECT_EQ(client_->get("/v1/executions/" + south, analyst).status, 404);
  auto status = client_->get("/v1/executions/" + north, analyst);
  ASSERT_EQ(status.status, 200) << status.body;
  EXPECT_EQ(status.json()["status"], "waiting") << status.body;
  EXPECT_EQ(status.body.find("CASE-northbank"), std::string::npos) << status.body;
  // At public clearance the step is what the policy shows in its place.
  EXPECT_EQ(status.body.find("\"review\""), std::string::npos) << status.body;
  const std::string history = client_->get("/v1/executions/" + north + "/history", analyst).body;
  EXPECT_EQ(history.find("CASE-northbank"), std::string::npos) << history;
  // Following is not acting: the task stays out of reach.
  const std::string task = inbox_of(member, 1)[0]["id"];
  EXPECT_EQ(client_->get("/v1/tasks/" + task, analyst).status, 404);
  EXPECT_EQ(client_->get("/v1/tasks", analyst).json()["tasks"].size(), 0u);
  // A role the policy does not list as a follower sees nothing, whatever its clearance.
  EXPECT_EQ(client_->get("/v1/executions/" + north, officer).status, 404);
  EXPECT_EQ(client_->get("/v1/executions", officer).json()["executions"].size(), 0u);
}

// A stop signal goes to whichever thread does not block it: every thread but the main one (which
// waits for it) must block SIGTERM and SIGINT, or one would end the server instead of stopping
// it (seen once: a plugin-host thread started before the command blocked them).
TEST_F(ServerTest, OnlyTheMainThreadTakesTheStopSignals) {
  serve();
  const pid_t pid = server_.pid();
  size_t threads = 0;
  for (const auto& task :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    if (task.path().filename() == std::to_string(pid)) continue;
    const std::string status = test::read_file(task.path() / "status");
    const auto at = status.find("SigBlk:");
    ASSERT_NE(at, std::string::npos) << status;
    const uint64_t blocked = std::stoull(status.substr(at + 7), nullptr, 16);
    const uint64_t stop = (uint64_t{1} << (SIGTERM - 1)) | (uint64_t{1} << (SIGINT - 1));
    EXPECT_EQ(blocked & stop, stop)
        << "thread " << task.path().filename() << " of " << test::read_file(task.path() / "comm");
    ++threads;
  }
  EXPECT_GT(threads, 0u);
  auto stopped = server_.stop(SIGTERM);
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
}

TEST_F(ServerTest, ADirectActingCommandIsToldAtOnceThatTheServerOwnsTheStore) {
  const std::string north = start_for("northbank");
  serve();
  auto r = cli({"signal", north, "filing_ack", "--as", "someone"});
  EXPECT_EQ(r.exit_code, 73) << r.err;
  EXPECT_NE(r.err.find("owned by coalition serve"), std::string::npos) << r.err;
  // Reading commands still work beside it.
  EXPECT_EQ(cli({"status", north}).exit_code, 0);
  auto stopped = server_.stop(SIGTERM);
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_NE(stopped.out.find("server stopped"), std::string::npos);
  // Once it is gone, direct use works again.
  EXPECT_EQ(cli({"signal", north, "no_such_signal", "--as", "someone"}).exit_code != 73, true);
}

TEST_F(ServerTest, RefusesOversizedAndMalformedRequests) {
  set_server_config({{"body_bytes", 4096}, {"header_bytes", 4096}});
  const std::string admin = token({"--person", "admin.ada", "--scopes", "admin"});
  serve();
  auto big = client_->post("/v1/tokens", admin, {{"person", std::string(8000, 'x')}});
  EXPECT_EQ(big.status, 413) << big.body;
  auto headers =
      client_->request("GET", "/v1/me", admin, "", {{"X-Padding", std::string(8000, 'y')}});
  EXPECT_EQ(headers.status, 431);
  const std::string garbage = client_->raw("NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(garbage.rfind("HTTP/1.1 400", 0), 0u) << garbage;
  auto not_json = client_->request("POST", "/v1/tokens", admin,
                                   "{\"person\": ", {{"Content-Type", "application/json"}});
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(not_json.json()["code"], "invalid_argument");
  // Still serving; the scheme's name in any case.
  EXPECT_EQ(client_->get("/v1/me", admin).status, 200);
  EXPECT_EQ(
      client_->request("GET", "/v1/me", "", "", {{"Authorization", "bearer " + admin}}).status,
      200);
}

TEST_F(ServerTest, RateLimitAnswers429WithRetryAfter) {
  set_server_config({{"rate_per_second", 0.5}, {"rate_burst", 3}});
  const std::string admin = token({"--person", "admin.ada", "--scopes", "admin"});
  serve();
  int limited = 0;
  std::string retry_after;
  for (int i = 0; i < 6; ++i) {
    auto r = client_->get("/v1/me", admin);
    if (r.status == 429) {
      ++limited;
      retry_after = r.headers["retry-after"];
    }
  }
  EXPECT_GE(limited, 2);
  EXPECT_FALSE(retry_after.empty());
  EXPECT_GE(std::stoi(retry_after), 1);
}

TEST_F(ServerTest, PlainHttpIsRefusedBeyondLoopback) {
  auto r = cli({"serve", "--listen", "0.0.0.0:0"});
  EXPECT_EQ(r.exit_code, 78) << r.err;
  EXPECT_NE(r.err.find("loopback"), std::string::npos) << r.err;
}

TEST_F(ServerTest, ServesTlsWithTheConfiguredCertificate) {
  ASSERT_TRUE(write_self_signed_certificate(dir_.path()));
  set_server_config({{"tls_certificate", (dir_.path() / "cert.pem").string()},
                     {"tls_private_key", (dir_.path() / "key.pem").string()}});
  const std::string admin = token({"--person", "admin.ada", "--scopes", "admin"});
  serve();
  auto me =
      HttpClient::tls_get(server_.address(), (dir_.path() / "cert.pem").string(), "/v1/me", admin);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json()["person"], "admin.ada");
  // Plain HTTP gets no HTTP answer from a TLS port.
  EXPECT_EQ(client_->get("/healthz").status, 0);
  auto stopped = server_.stop(SIGTERM);
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
}

TEST_F(ServerTest, UnusableTlsFilesAreAConfigurationError) {
  std::ofstream(dir_.path() / "cert.pem") << "not a certificate";
  std::ofstream(dir_.path() / "key.pem") << "not a key";
  set_server_config({{"tls_certificate", (dir_.path() / "cert.pem").string()},
                     {"tls_private_key", (dir_.path() / "key.pem").string()}});
  auto r = cli({"serve", "--listen", "127.0.0.1:0"});
  EXPECT_EQ(r.exit_code, 78) << r.err;
  EXPECT_NE(r.err.find("TLS certificate or key unusable"), std::string::npos) << r.err;
}

// 50 people complete their tasks at once while deadlines fire and escalate and a partner sends
// signals; the server is then killed (-9). Everything it acknowledged is in the store, every
// refusal it answered is in the audit log, and the chain verifies.
TEST_F(ServerTest, FiftyClientsWhileTimersEscalateLoseNothingAcknowledged) {
  constexpr int kClients = 50;
  json wf = json::parse(kWorkflow);
  wf["id"] = "busy_review";
  // Due a second after the task opens, escalated to deputies who are reviewers too.
  wf["steps"][0]["deadline"] = {
      {"in", "PT1S"}, {"escalate", {{{"roles", {"reviewer", "deputy"}}, {"in", "PT1H"}}}}};
  wf["visibility"]["roles"]["deputy"] = "member";
  std::ofstream(workflow_) << wf.dump();
  // Three processes of the CLI, not a hundred (they cost most of this test under ASan): the
  // executions in one start, the people's tokens made through the API by an administrator.
  const auto input = dir_.path() / "input-northbank.json";
  std::ofstream(input) << json{{"member", "northbank"}, {"case_id", "CASE-northbank"}}.dump();
  auto started = cli({"start", workflow_, "--input", input.string(), "--as", "coord.cora",
                      "--count", std::to_string(kClients)});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  std::vector<std::string> executions;
  std::istringstream ids(started.out);
  for (std::string id; std::getline(ids, id);) executions.push_back(id);
  ASSERT_EQ(executions.size(), static_cast<size_t>(kClients));
  const std::string admin = token({"--person", "admin.ada", "--scopes", "admin"});
  const std::string partner =
      token({"--person", "filing-portal", "--scopes", "signal:busy_review"});
  serve();
  std::vector<std::string> people;
  std::vector<std::string> tokens;
  for (int i = 0; i < kClients; ++i) {
    people.push_back("rev.p" + std::to_string(i));
    auto made = client_->post(
        "/v1/tokens", admin,
        {{"person", people.back()}, {"organisation", "northbank"}, {"roles", {"reviewer"}}});
    ASSERT_EQ(made.status, 201) << made.body;
    tokens.push_back(made.json()["token"].get<std::string>());
  }
  ASSERT_EQ(inbox_of(tokens[0], kClients).size(), static_cast<size_t>(kClients));

  struct Outcome {
    bool completed = false;
    int refusals = 0;  // answers of 422 the client got
    bool signalled = false;
  };
  std::vector<Outcome> outcomes(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      // Half the people act only once their deadline has passed: those tasks escalate while
      // the others are being completed.
      if (i % 2 == 1) std::this_thread::sleep_for(std::chrono::milliseconds(2500));
      HttpClient client(server_.address());
      const std::string task = executions[i] + ".t1";
      // A wrong answer first (refused and audited), then the right one.
      auto bad = client.post("/v1/tasks/" + task + "/complete", tokens[i],
                             {{"answer", {{"decision", "perhaps"}}}});
      if (bad.status == 422) ++outcomes[i].refusals;
      auto good = client.post("/v1/tasks/" + task + "/complete", tokens[i],
                              {{"answer", {{"decision", "approve"}}}});
      outcomes[i].completed = good.status == 200;
      for (int attempt = 0; attempt < 500 && outcomes[i].completed; ++attempt) {
        auto r = client.post("/v1/executions/" + executions[i] + "/signals/filing_ack", partner,
                             {{"ack", "PORTAL-" + std::to_string(i)}});
        if (r.status == 200) {
          outcomes[i].signalled = true;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    });
  }
  for (auto& c : clients) c.join();
  auto killed = server_.stop(SIGKILL);
  EXPECT_EQ(killed.exit_code, 128 + SIGKILL);

  int refusals = 0;
  int escalated = 0;
  for (int i = 0; i < kClients; ++i) {
    SCOPED_TRACE(executions[i]);
    EXPECT_TRUE(outcomes[i].completed);
    EXPECT_TRUE(outcomes[i].signalled);
    refusals += outcomes[i].refusals;
    const json history = events(executions[i]);
    bool completion = false;
    bool signal = false;
    for (const auto& e : history) {
      if (e["type"] == "task_completed" && e["data"]["actor"] == people[i]) completion = true;
      if (e["type"] == "signal_received") signal = true;
      if (e["type"] == "escalated") ++escalated;
    }
    EXPECT_EQ(completion, outcomes[i].completed);
    EXPECT_EQ(signal, outcomes[i].signalled);
  }
  EXPECT_EQ(refusals, kClients);
  // Every refusal answered is in the audit log, once.
  EXPECT_EQ(audit_actors("task_refused").size(), static_cast<size_t>(refusals));
  auto verify = cli({"audit", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  // The tasks of those who waited escalated beside the requests (others may have too).
  EXPECT_GE(escalated, kClients / 2);
}

// A store is created in real time or in virtual time and stays so: --now cannot move a
// real-time store's records to another instant, and the server runs only real-time stores.
// A coalition's identity provider: its keys fetched over HTTPS (a loopback server with a test
// certificate), its tokens accepted for people and refused for the wrong audience.
TEST_F(ServerTest, OidcBearerTokensFromAConfiguredIssuer) {
  const auto tls = dir_.path() / "idp";
  std::filesystem::create_directories(tls);
  ASSERT_TRUE(write_self_signed_certificate(tls));
  const JwtSigner idp(JwtSigner::Kind::kP256, "idp-key-1");
  const std::string keys = jwk_set({idp.jwk()});
  std::atomic<int> fetches{0};
  HttpServerOptions idp_options;
  idp_options.threads = 1;
  idp_options.tls_certificate = tls / "cert.pem";
  idp_options.tls_private_key = tls / "key.pem";
  HttpServer keys_server(idp_options, [&](HttpRequest r, HttpServer::Responder respond) {
    ++fetches;
    respond(r.path == "/.well-known/jwks.json" ? json_response(keys)
                                               : problem_response(404, "not_found", "no"));
  });
  auto idp_address = keys_server.start("127.0.0.1", 0);
  ASSERT_TRUE(idp_address) << idp_address.error().message();

  const std::string issuer = "https://idp.example-coalition.test";
  json config = json::parse(std::ifstream(config_));
  config["oidc"] = {{"issuers",
                     {{{"issuer", issuer},
                       {"audience", "coalition-api"},
                       {"jwks_url", "https://" + *idp_address + "/.well-known/jwks.json"},
                       {"jwks_ca_file", (tls / "cert.pem").string()},
                       {"claims", {{"person", "preferred_username"}, {"organisation", "org"}}}}}}};
  std::ofstream(config_) << config.dump(2);
  const std::string north = start_for("northbank");
  serve();
  EXPECT_EQ(fetches.load(), 1);  // fetched at start-up

  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  json claims{{"iss", issuer},      {"aud", "coalition-api"},
              {"sub", "00u7rai"},   {"preferred_username", "rev.rai"},
              {"org", "northbank"}, {"roles", {"reviewer"}},
              {"exp", now + 600}};
  const std::string member = idp.sign(claims);
  auto me = client_->get("/v1/me", member).json();
  EXPECT_EQ(me["person"], "rev.rai");
  EXPECT_EQ(me["identity"], "oidc");
  const json tasks = inbox_of(member, 1);
  ASSERT_EQ(tasks.size(), 1u);
  const std::string task = tasks[0]["id"];
  // People who sign in with the identity provider can be handed tasks, in the roles it gave
  // them when they last did; nobody else can.
  json colleague_claims = claims;
  colleague_claims["sub"] = "00u7ravi";
  colleague_claims["preferred_username"] = "rev.ravi";
  const std::string colleague = idp.sign(colleague_claims);
  const json handover{{"to", "rev.ravi"}, {"justification", "on leave from tomorrow"}};
  EXPECT_EQ(client_->post("/v1/tasks/" + task + "/reassign", member, handover).status, 422);
  EXPECT_EQ(client_->get("/v1/me", colleague).status, 200);  // signs in once
  auto handed = client_->post("/v1/tasks/" + task + "/reassign", member, handover);
  ASSERT_EQ(handed.status, 200) << handed.body;
  EXPECT_EQ(handed.json()["assignee"], "rev.ravi");
  auto back = client_->post("/v1/tasks/" + task + "/reassign", colleague,
                            {{"to", "rev.rai"}, {"justification", "back early"}});
  ASSERT_EQ(back.status, 200) << back.body;
  // An image in any field of the body, even one no route reads, is refused as media before the
  // route looks at the body (its schema included), audited with who sent it; without a valid
  // credential nothing is read, nothing audited.
  const json photo{
      {"answer", {{"decision", "approve"}}},
      {"attachments", {{{"content_type", "image/jpeg"}, {"data", "/9j/4AAQSkZJRgABAQAAAQABAAD"}}}}};
  auto refused_photo = client_->post("/v1/tasks/" + task + "/complete", "cot_not-a-token", photo);
  EXPECT_EQ(refused_photo.status, 401) << refused_photo.body;
  EXPECT_TRUE(audit_actors("media_refused").empty());
  refused_photo = client_->post("/v1/tasks/" + task + "/complete", member, photo);
  EXPECT_EQ(refused_photo.status, 422) << refused_photo.body;
  EXPECT_EQ(refused_photo.json()["code"], "media_not_permitted") << refused_photo.body;
  // The declared type is enough: the first field that says or shows an image is named.
  EXPECT_EQ(refused_photo.json()["pointer"], "/attachments/0/content_type");
  // Refused before the route's own check of the body: a body that is also malformed.
  auto both = client_->post(
      "/v1/tasks/" + task + "/extend", member,
      {{"due", 7},
       {"evidence", {{"mime", "image/png"}, {"bytes", "iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB"}}}});
  EXPECT_EQ(both.json()["code"], "media_not_permitted") << both.body;
  EXPECT_EQ(audit_actors("media_refused"), (std::vector<std::string>{"rev.rai", "rev.rai"}));
  EXPECT_EQ(client_->get("/v1/tasks/" + task, member).json()["status"], "open");
  auto done = client_->post("/v1/tasks/" + task + "/complete", member,
                            {{"answer", {{"decision", "approve"}}}});
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(done.json()["completions"][0]["actor"], "rev.rai");

  // Another organisation's person sees nothing of it; the wrong audience, a forged key and an
  // expired token are refused.
  claims["org"] = "southbank";
  claims["preferred_username"] = "rev.sol";
  EXPECT_EQ(client_->get("/v1/executions/" + north, idp.sign(claims)).status, 404);
  claims["aud"] = "another-app";
  EXPECT_EQ(client_->get("/v1/me", idp.sign(claims)).status, 401);
  claims["aud"] = "coalition-api";
  const JwtSigner forger(JwtSigner::Kind::kP256, "idp-key-1");
  EXPECT_EQ(client_->get("/v1/me", forger.sign(claims)).status, 401);
  claims["exp"] = now - 3600;
  auto expired = client_->get("/v1/me", idp.sign(claims));
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(expired.json()["detail"], "bearer token: expired");
  // API tokens still work beside it.
  EXPECT_EQ(client_->get("/v1/me", token({"--person", "admin.ada", "--scopes", "admin"})).status,
            200);

  auto stopped = server_.stop(SIGTERM);
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  keys_server.shutdown(std::chrono::seconds(1));
  // The completion's audit entry says how the person was identified.
  auto history = cli({"timeline", north});
  EXPECT_NE(history.out.find("rev.rai"), std::string::npos) << history.out;
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(store_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* q = nullptr;
  sqlite3_prepare_v2(db, "SELECT summary FROM audit WHERE type = 'task_completed'", -1, &q,
                     nullptr);
  ASSERT_EQ(sqlite3_step(q), SQLITE_ROW);
  const json summary = json::parse(reinterpret_cast<const char*>(sqlite3_column_text(q, 0)));
  sqlite3_finalize(q);
  sqlite3_close(db);
  EXPECT_EQ(summary["identity"].get<std::string>().rfind("oidc:", 0), 0u) << summary;
}

// The CLI against the server: a person on another machine does what they could at the terminal,
// as the credential says, with the same output and exit codes.
TEST_F(ServerTest, TheCliActsThroughTheServerAsTheCredentialSays) {
  const std::string north = start_for("northbank");
  const std::string member =
      token({"--person", "rev.rai", "--org", "northbank", "--roles", "reviewer"});
  const std::string coordinator =
      token({"--person", "coord.cora", "--org", "secretariat", "--scopes", "coordinate"});
  const std::string admin = token({"--person", "admin.ada", "--scopes", "admin"});
  const std::string partner =
      token({"--person", "filing-portal", "--scopes", "signal:member_review"});
  // Version 2 of the workflow, registered by a start for another member.
  json v2 = json::parse(kWorkflow);
  v2["version"] = 2;
  const auto v2_file = dir_.path() / "member_review_v2.json";
  std::ofstream(v2_file) << v2.dump();
  const auto west = dir_.path() / "input-westbank.json";
  std::ofstream(west) << R"({"member": "westbank", "case_id": "CASE-W"})";
  ASSERT_EQ(
      cli({"start", v2_file.string(), "--input", west.string(), "--as", "coord.cora"}).exit_code,
      0);
  serve();
  const std::string url = "http://" + server_.address();
  auto remote = [&](const std::string& credential, std::vector<std::string> args) {
    std::vector<std::string> argv{kCoalitionBinary, "--log-level", "warn", "--server", url};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, {{"COALITION_TOKEN", credential}});
  };
  ASSERT_EQ(inbox_of(member, 1).size(), 1u);

  // A migration's dry run through the server, as the coordinator's credential says.
  const auto plan = dir_.path() / "plan.json";
  std::ofstream(plan) << R"({"workflow": "member_review", "from": 1, "to": 2})";
  auto moving = remote(coordinator, {"migrate", "--plan", plan.string(), "--dry-run"});
  EXPECT_EQ(moving.exit_code, 0) << moving.err;
  EXPECT_EQ(moving.out, "dry run: member_review@1 -> member_review@2 (nothing changes)\n" + north +
                            "  would migrate\n1 execution(s): 1 can move, 0 cannot\n");
  EXPECT_EQ(remote(member, {"migrate", "--plan", plan.string(), "--dry-run"}).exit_code, 77);
  EXPECT_EQ(remote(coordinator, {"migrate", "--plan", plan.string()}).exit_code, 64);
  EXPECT_EQ(remote(coordinator,
                   {"migrate", "--plan", plan.string(), "--workflow", workflow_, "--dry-run"})
                .exit_code,
            64);

  auto tasks = remote(member, {"tasks"});
  ASSERT_EQ(tasks.exit_code, 0) << tasks.err;
  const std::string task = tasks.out.substr(0, tasks.out.find(' '));
  EXPECT_EQ(task.rfind(north + ".t", 0), 0u) << tasks.out;
  EXPECT_NE(tasks.out.find("roles reviewer"), std::string::npos) << tasks.out;
  // A date for the new deadline is read by the server, in the zone of the task's calendar (UTC
  // here: the deadline names none), and the reading is printed.
  auto inbox_listed = remote(member, {"tasks", "--json"});
  ASSERT_EQ(inbox_listed.exit_code, 0) << inbox_listed.err;
  const std::string due_day =
      json::parse(inbox_listed.out)["tasks"][0]["due"].get<std::string>().substr(0, 10);
  auto by_day = remote(member, {"extend", task, "--to", due_day, "--justification", "same day"});
  ASSERT_EQ(by_day.exit_code, 0) << by_day.err;
  EXPECT_EQ(by_day.out, "task " + task + " is now due " + due_day + "T23:59:59.000Z: the end of " +
                            due_day +
                            " (23:59:59) in UTC (the task's deadline names no calendar)\n");
  // Search dates are read here and sent as instants.
  auto since = remote(coordinator, {"executions", "--json", "--started-from", "2000-01-01",
                                    "--started-until", "2000-01-01"});
  ASSERT_EQ(since.exit_code, 0) << since.err;
  EXPECT_EQ(json::parse(since.out)["executions"].size(), 0u) << since.out;
  EXPECT_NE(since.err.find("--started-until 2000-01-01: read as 2000-01-02T00:00:00.000Z"),
            std::string::npos)
      << since.err;
  // Identity comes from the credential, never the command line.
  auto asserted = remote(member, {"complete", task, "--as", "mallory", "--role", "reviewer"});
  EXPECT_EQ(asserted.exit_code, 64);
  EXPECT_NE(asserted.err.find("--as is for direct store access"), std::string::npos)
      << asserted.err;
  EXPECT_EQ(remote("ctk_0123456789abcdef_" + std::string(43, 'A'), {"tasks"}).exit_code, 77);
  EXPECT_EQ(remote(member, {"worker"}).exit_code, 64);
  // Plain HTTP only to a loopback host, as the URL's authority names it; never the token sent.
  for (const char* elsewhere : {"http://127.0.0.1.example.org:8080", "http://127.0.0.1@example.org",
                                "http://example.org", "ftp://127.0.0.1"}) {
    auto r = run_process({kCoalitionBinary, "--server", elsewhere, "tasks"},
                         {{"COALITION_TOKEN", member}});
    EXPECT_EQ(r.exit_code, 64) << elsewhere << ": " << r.err;
    EXPECT_EQ(r.err.find(member), std::string::npos);
  }
  // A credential that would smuggle a header line is refused before anything is sent.
  auto smuggled = remote(member + "\r\nX-Forwarded-For: 10.0.0.1", {"tasks"});
  EXPECT_EQ(smuggled.exit_code, 77);
  EXPECT_NE(smuggled.err.find("control characters"), std::string::npos) << smuggled.err;
  EXPECT_EQ(smuggled.err.find(member), std::string::npos);
  // Refusals keep their exit codes: another organisation's task is not found (66).
  const std::string other =
      token({"--person", "rev.sol", "--org", "southbank", "--roles", "reviewer"});
  EXPECT_EQ(remote(other, {"complete", task, "--data", R"({"decision": "approve"})"}).exit_code,
            66);

  auto done = remote(member, {"complete", task, "--data", R"({"decision": "approve"})"});
  ASSERT_EQ(done.exit_code, 0) << done.err;
  EXPECT_EQ(done.out, "completed " + task + " as rev.rai (reviewer): 1/1 done\n");
  for (int i = 0; i < 200; ++i) {
    auto sent = remote(partner, {"signal", north, "filing_ack", "--data", R"({"ack": "P-1"})"});
    if (sent.exit_code == 0) {
      EXPECT_EQ(sent.out, "delivered signal filing_ack to " + north + "\n");
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::string status;
  for (int i = 0; i < 200; ++i) {
    status = remote(coordinator, {"status", north}).out;
    if (status.find("): succeeded") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_NE(status.find("execution " + north + " (member_review@1): succeeded"), std::string::npos)
      << status;
  // Searching: the coordinator sees the execution, filtered by member and status; another
  // member's reviewer does not; --org filters here, it names nobody.
  auto found =
      remote(coordinator, {"executions", "--org", "northbank", "--status", "succeeded", "--json"});
  ASSERT_EQ(found.exit_code, 0) << found.err;
  const json found_page = json::parse(found.out);
  ASSERT_EQ(found_page["executions"].size(), 1u) << found.out;
  EXPECT_EQ(found_page["executions"][0]["id"], north);
  EXPECT_NE(remote(coordinator, {"executions"}).out.find(north + "  member_review@1  succeeded"),
            std::string::npos);
  const json none =
      json::parse(remote(coordinator, {"executions", "--org", "southbank", "--json"}).out);
  EXPECT_TRUE(none["executions"].empty()) << none;
  const std::string stranger =
      token({"--person", "rev.sam", "--org", "southbank", "--roles", "reviewer"});
  EXPECT_EQ(remote(stranger, {"executions"}).out, "no executions match\n");
  auto each = remote(coordinator,
                     {"start", workflow_, "--each", workflow_, "--key", "/index", "--batch", "b"});
  EXPECT_EQ(each.exit_code, 64) << each.err;

  auto timeline = remote(coordinator, {"timeline", north, "--json"});
  ASSERT_EQ(timeline.exit_code, 0) << timeline.err;
  EXPECT_EQ(json::parse(timeline.out)["id"], north);
  EXPECT_NE(remote(member, {"history", north}).out.find("task_completed"), std::string::npos);

  // Starting from the workflow file, the id and version it names; an extension on its task.
  const auto input = dir_.path() / "remote-input.json";
  std::ofstream(input) << R"({"member": "northbank", "case_id": "CASE-R"})";
  auto started = remote(coordinator, {"start", workflow_, "--input", input.string()});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  const std::string second = started.out.substr(0, started.out.find('\n'));
  json open;
  for (int i = 0; i < 200 && open.empty(); ++i) {
    const json listed = json::parse(remote(member, {"tasks", "--json"}).out);
    for (const auto& t : listed["tasks"]) {
      if (t["execution"] == second) open = t;
    }
    if (open.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(open.empty());
  const std::string later =
      format_utc(*parse_utc(open["due"].get<std::string>()) + std::chrono::hours(48));
  auto extended = remote(member, {"extend", open["id"], "--to", later, "--justification",
                                  "waiting for the member's records"});
  EXPECT_EQ(extended.exit_code, 0) << extended.err;
  EXPECT_EQ(extended.out, "task " + open["id"].get<std::string>() + " is now due " + later + "\n");
  // Claims and hand-overs, as the credential says who acts.
  const std::string second_task = open["id"];
  const std::string colleague =
      token({"--person", "rev.ravi", "--org", "northbank", "--roles", "reviewer"});
  auto claimed = remote(member, {"claim", second_task});
  EXPECT_EQ(claimed.out, "task " + second_task + " is held by rev.rai\n") << claimed.err;
  EXPECT_EQ(remote(colleague, {"claim", second_task}).exit_code, 73);  // held by another
  auto handed = remote(member, {"reassign", second_task, "--to", "rev.ravi", "--justification",
                                "on leave from tomorrow"});
  EXPECT_EQ(handed.out, "task " + second_task + " is held by rev.ravi\n") << handed.err;
  auto released = remote(coordinator, {"release", second_task});
  EXPECT_EQ(released.out, "task " + second_task + " is released\n") << released.err;
  EXPECT_EQ(remote(member, {"cancel", second, "--justification", "duplicate"}).exit_code, 77);
  auto cancelled = remote(coordinator, {"cancel", second, "--justification", "duplicate"});
  EXPECT_EQ(cancelled.out, "execution " + second + " is cancelled\n") << cancelled.err;

  // Records: export, a legal hold, a purge's dry run, the audit chain.
  const auto exported = dir_.path() / "north-export.json";
  auto wrote = remote(coordinator, {"export", north, "--out", exported.string()});
  EXPECT_EQ(wrote.exit_code, 0) << wrote.err;
  EXPECT_EQ(json::parse(std::ifstream(exported))["execution"]["id"], north);
  EXPECT_EQ(remote(member, {"hold", north, "--reason", "LE-7"}).exit_code, 77);
  auto held = remote(admin, {"hold", north, "--reason", "LE-7"});
  EXPECT_EQ(held.out, "placed a legal hold on " + north + "\n") << held.err;
  auto purge = remote(admin, {"purge", "--dry-run", "--json"});
  ASSERT_EQ(purge.exit_code, 0) << purge.err;
  EXPECT_EQ(json::parse(purge.out)["dry_run"], true);
  auto verified = remote(admin, {"audit", "verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_EQ(verified.out.rfind("audit chain ok: ", 0), 0u) << verified.out;
  EXPECT_EQ(remote(member, {"audit", "verify"}).exit_code, 77);

  auto stopped = server_.stop(SIGTERM);
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  // No server: an I/O failure, said as such.
  auto gone = remote(member, {"tasks"});
  EXPECT_EQ(gone.exit_code, 74);
  EXPECT_NE(gone.err.find("no answer from " + url), std::string::npos) << gone.err;
}

TEST_F(ServerTest, VirtualTimeIsForRehearsalStores) {
  const std::string north = start_for("northbank");  // no --now: a real-time store
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"purge", "--now", "2040-01-01T00:00:00Z", "--as", "records.rae",
                                 "--role", "records_officer"},
        std::vector<std::string>{"tick", "--now", "2040-01-01T00:00:00Z"},
        std::vector<std::string>{"signal", north, "filing_ack", "--now", "2040-01-01T00:00:00Z"},
        std::vector<std::string>{"export", north, "--now", "2040-01-01T00:00:00Z"}}) {
    auto r = cli(args);
    EXPECT_EQ(r.exit_code, 64) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find("runs in real time"), std::string::npos) << r.err;
  }
  // Reading "what would be purged then" changes nothing and stays allowed.
  EXPECT_EQ(cli({"purge", "--dry-run", "--now", "2040-01-01T00:00:00Z"}).exit_code, 0);
  EXPECT_EQ(cli({"audit", "verify"}).exit_code, 0);

  // A rehearsal store: virtual from its first command; the server will not run it.
  const std::string rehearsal = (dir_.path() / "rehearsal.db").string();
  const auto input = dir_.path() / "input-r.json";
  std::ofstream(input) << json{{"member", "northbank"}, {"case_id", "R-1"}}.dump();
  auto started = cli({"start", workflow_, "--input", input.string(), "--as", "coord.cora",
                      "--store", rehearsal, "--now", "2026-12-01T09:00:00Z"});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  auto served = cli({"serve", "--listen", "127.0.0.1:0", "--store", rehearsal});
  EXPECT_EQ(served.exit_code, 73) << served.err;
  EXPECT_NE(served.err.find("virtual time"), std::string::npos) << served.err;
}

// What a list, the lateness filters and the legal holds tell a member comes from what they may
// see: a restricted step's task escalating (a report's sign-off) neither puts the execution on
// their escalated list nor shows its timer; another member's holds, and their reasons, stay out.
TEST_F(ServerTest, ListsAndHoldsTellAMemberOnlyWhatTheirClearanceSees) {
  std::ofstream(workflow_) << R"json({
    "id": "quiet_report", "version": 1, "title": "A member-visible intake beside a restricted report",
    "input_schema": {"type": "object",
                     "properties": {"member": {"type": "string"}, "case_id": {"type": "string"}}},
    "visibility": {"default": "member", "roles": {"reviewer": "member", "bsa_officer": "restricted"}},
    "steps": [
      {"id": "both", "kind": "parallel", "branches": [
        {"name": "intake", "steps": [
          {"id": "intake", "kind": "task", "type": "approval",
           "parameters": {"title": "Intake"},
           "assign": {"roles": ["reviewer"], "organisation": {"$path": "/input/member"}},
           "deadline": {"in": "P30D"}}]},
        {"name": "report", "steps": [
          {"id": "signoff", "kind": "task", "type": "approval", "visibility": "restricted",
           "parameters": {"title": "Sign the report off"},
           "assign": {"roles": ["bsa_officer"], "organisation": {"$path": "/input/member"}},
           "deadline": {"in": "PT1S", "escalate": [{"roles": ["deputy_bsa_officer"], "in": "PT1H"}]}}]}
      ]}
    ]})json";
  const std::string north = start_for("northbank");
  const std::string south = start_for("southbank");
  const std::string reviewer =
      token({"--person", "rev.rai", "--org", "northbank", "--roles", "reviewer"});
  const std::string southern_legal =
      token({"--person", "leg.lou", "--org", "southbank", "--roles", "legal,reviewer,bsa_officer"});
  const std::string admin = token({"--person", "admin.ada", "--scopes", "admin"});
  const std::string records =
      token({"--person", "rec.rob", "--org", "secretariat", "--roles", "records_officer"});
  serve();
  ASSERT_EQ(inbox_of(reviewer, 1).size(), 1u);
  // The sign-off escalates a second after it opened: the admin's escalated list shows both.
  json escalated;
  for (int i = 0; i < 300; ++i) {
    escalated = client_->get("/v1/executions?escalated=true", admin).json()["executions"];
    if (escalated.size() == 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(escalated.size(), 2u);
  // The reviewer sees the execution (their intake is in it), but nothing escalated in it.
  auto mine = client_->get("/v1/executions", reviewer).json()["executions"];
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0]["id"], north);
  const json status = client_->get("/v1/executions/" + north, reviewer).json();
  EXPECT_EQ(mine[0]["next_due"], status["next_due"]);  // the intake's, not the sign-off's
  EXPECT_EQ(status["deadlines"].size(), 1u);
  EXPECT_EQ(status["deadlines"][0]["step"], "both[intake]/intake");
  EXPECT_EQ(client_->get("/v1/executions?escalated=true", reviewer).json()["executions"].size(),
            0u);

  // Holds: the southern member's legal staff (who see their execution at restricted clearance)
  // see their own, not the northern one's.
  for (const auto& id : {north, south}) {
    ASSERT_EQ(client_
                  ->post("/v1/executions/" + id + "/legal-hold", admin,
                         json{{"reason", "keep-open letter for " + id}})
                  .status,
              200);
  }
  EXPECT_EQ(client_->get("/v1/legal-holds", admin).json()["holds"].size(), 2u);
  // The coalition's records officer, who purges, sees every hold a purge would skip.
  EXPECT_EQ(client_->get("/v1/legal-holds", records).json()["holds"].size(), 2u);
  const json theirs = client_->get("/v1/legal-holds", southern_legal).json();
  ASSERT_EQ(theirs["holds"].size(), 1u) << theirs.dump();
  EXPECT_EQ(theirs["holds"][0]["execution"], south);
  EXPECT_EQ(theirs.dump().find(north), std::string::npos);
  EXPECT_EQ(client_->get("/v1/legal-holds?limit=1", southern_legal).json().contains("more"), false);
  // Nor may they hold or release another member's execution: it does not exist for them.
  EXPECT_EQ(client_
                ->post("/v1/executions/" + north + "/legal-hold/release", southern_legal,
                       json{{"reason", "not ours"}})
                .status,
            404);
  EXPECT_EQ(client_
                ->post("/v1/executions/" + south + "/legal-hold/release", southern_legal,
                       json{{"reason", "letter withdrawn"}})
                .status,
            200);
}

}  // namespace
}  // namespace coalition::test
