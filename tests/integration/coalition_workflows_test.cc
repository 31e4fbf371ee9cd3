// The coalition workflows through the real CLI, in virtual time: the AML review (the scenario
// of tools/aml-demo, the main job's), the escalation run and the contact verification, then
// what the store, the outbox and the contact directory say about them.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "store/sqlite_store.h"
#include "support/coalition_cli.h"
#include "support/smtp_sink.h"
#include "support/tls_certificate.h"
#include "support/webhook_sink.h"

namespace coalition {
namespace {

using nlohmann::json;

class CoalitionWorkflows : public test::CoalitionCli {
 protected:
  // Runs aml_review for `input` (merged over the example) through intake, KYB, red flags and the
  // determination `determination` at `determined_at`.
  std::string review_until_determination(const json& overrides, const json& determination,
                                         const std::string& determined_at) {
    json input = json::parse(
        std::ifstream(std::string(test::kSourceDir) + "/workflows/examples/aml_review.input.json"));
    if (overrides.is_object()) input.update(overrides);
    const auto file = dir_.path() / "input.json";
    std::ofstream(file) << input.dump();
    const std::string id = "aml";
    EXPECT_EQ(cli({"run", std::string(test::kSourceDir) + "/workflows/aml_review.json", "--input",
                   file.string(), "--id", id, "--as", "lead.lia", "--now",
                   input["alert_at"].get<std::string>()})
                  .exit_code,
              0);
    const std::string t0 = input["alert_at"];
    EXPECT_EQ(complete(id, "intake", "inv.ivy", "investigator",
                       R"({"subject_type": "merchant", "subject_ref": "MER-EX-1", "trigger":
                           "transaction_monitoring", "trigger_ref": "ALERT-EX-9", "evidence": ["TXN-EX-1"]})",
                       t0),
              0)
        << last_error_;
    json kyb{{"answers", json::object()}};
    for (const char* item :
         {"beneficial_ownership", "match_check", "sanctions_adverse_media", "mcc_accuracy",
          "site_review", "adult_content_controls", "crypto_exposure"}) {
      kyb["answers"][item] = {{"status", "not_observed"}};
    }
    EXPECT_EQ(complete(id, "kyb_refresh", "inv.ivy", "investigator", kyb.dump(), t0), 0)
        << last_error_;
    json flags{{"answers", json::object()}};
    const json catalogue =
        json::parse(std::ifstream(std::string(test::kSourceDir) + "/config/red_flags.json"));
    for (const auto& item : catalogue["items"]) {
      for (const auto& m : item["typical_members"]) {
        if (m == input["member_type"] || m == "*")
          flags["answers"][item["id"].get<std::string>()] = {{"status", "not_observed"}};
      }
    }
    flags["answers"].begin().value() = {{"status", "observed"}, {"evidence", "TXN-EX-1"}};
    EXPECT_EQ(complete(id, "red_flags", "inv.ivy", "investigator", flags.dump(), t0), 0)
        << last_error_;
    EXPECT_EQ(
        complete(id, "determination", "bsa.bo", "bsa_officer", determination.dump(), determined_at),
        0)
        << last_error_;
    return id;
  }

  // contact_verification for the police liaison entry, started Monday 7 December 2026.
  int start_verification() {
    return cli({"run", std::string(test::kSourceDir) + "/workflows/contact_verification.json",
                "--input",
                std::string(test::kSourceDir) +
                    "/workflows/examples/contact_verification.input.json",
                "--id", "cv", "--as", "secretariat.sam", "--now", "2026-12-07T00:00:00Z"})
        .exit_code;
  }

  // The loopback mail server of the notification tests (write_test_authority first): STARTTLS
  // with the test CA's certificate, one account.
  test::SmtpSink::Options mail_server_options() const {
    return {dir_.path() / "cert.pem", dir_.path() / "key.pem", "secretariat", "s3cret-EX", true};
  }
  // Points notify's mail at `server` (the password comes from COALITION_SMTP_PASSWORD) and
  // turns on the engine's task notifications with `notifications`.
  void mail_through(const test::SmtpSink& server, const json& notifications) {
    json config = json::parse(std::ifstream(config_));
    config["plugins"]["config"]["notify"]["smtp"] = {
        {"url", "smtp://127.0.0.1:" + std::to_string(server.port())},
        {"from", "coalition@secretariat.example.org"},
        {"username", "secretariat"},
        {"ca_file", (dir_.path() / "ca.pem").string()}};
    config["notifications"] = notifications;
    std::ofstream(config_) << config.dump(2);
  }

  std::string outbox_code(const std::string& channel, size_t line_number) {
    std::ifstream in(dir_.path() / "outbox" / (channel + ".jsonl"));
    std::string line;
    for (size_t i = 0; i <= line_number; ++i) EXPECT_TRUE(std::getline(in, line)) << channel;
    return json::parse(line).value("code", "");
  }

  // The open tasks of `execution`.
  json open_tasks(const std::string& execution) {
    json tasks = json::parse(cli({"tasks", "--execution", execution, "--json"}).out);
    return tasks.is_object() ? tasks["tasks"] : tasks;
  }
  // The open task of `execution` whose step path ends with `suffix`, or "" (tasks of parallel
  // branches and maps open in any order, so their numbers are not known in advance).
  std::string task_of(const std::string& execution, const std::string& suffix) {
    for (const auto& t : open_tasks(execution)) {
      const std::string step = t.value("step", std::string());
      if (step.size() >= suffix.size() &&
          step.compare(step.size() - suffix.size(), suffix.size(), suffix) == 0) {
        return t["id"];
      }
    }
    return "";
  }
  json directory_entry(const std::string& id) {
    const json doc = json::parse(std::ifstream(dir_.path() / "contacts.json"));
    for (const auto& e : doc["entries"]) {
      if (e["id"] == id) return e;
    }
    return json();
  }
};

TEST_F(CoalitionWorkflows, EndToEndWithEscalationRefusalsAndExactDeadlines) {
  // The script names the workflow files relative to the source tree.
  auto demo = test::run_process(
      {"/bin/bash", "-c", "cd \"$0\" && tools/aml-demo \"$1\" \"$2\" \"$3\" \"$4\"",
       test::kSourceDir, store_, test::kCoalitionBinary, config_, dir_.path().string()},
      {{"COALITION_STORE", store_}});
  ASSERT_EQ(demo.exit_code, 0) << demo.out << demo.err;
  const std::string id = "ex-aml-review-0417";

  auto status = cli({"status", id, "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const json st = json::parse(status.out);
  EXPECT_EQ(st["status"], "succeeded");
  EXPECT_EQ(st["output"]["filing"]["reference"], "SMR-EX-2026-000311");
  EXPECT_EQ(st["output"]["filing"]["late"], false);
  // AU SMR: 3 business days after a determination at 14:00 Sydney on Wednesday 2 December
  // 2026 -> end of Monday 7 December, 23:59:59 AEDT.
  EXPECT_EQ(st["output"]["filing"]["due_at"], "2026-12-07T12:59:59Z");

  const json ev = events(id);
  std::vector<std::string> story;
  for (const auto& e : ev) {
    const std::string type = e.value("type", std::string());
    if (type == "task_created" || type == "task_completed" || type == "escalated" ||
        type == "deadline_expired") {
      story.push_back(type + " " + e.value("step", std::string()) + " " +
                      e["data"].value("actor", "") + e["data"].value("due", ""));
    }
  }
  const std::vector<std::string> want{
      "task_created intake ",
      "task_completed intake inv.ivy",
      "task_created kyb_refresh 2026-12-16T12:59:59.000Z",  // 10 business days from the alert
      "task_completed kyb_refresh inv.ivy",
      "task_created red_flags ",
      "task_completed red_flags inv.ivy",
      "task_created determination 2026-12-09T12:59:59.000Z",
      "task_completed determination bsa.bo",
  };
  ASSERT_GE(story.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(story[i], want[i]) << i;

  auto find = [&](const std::string& type, const std::string& step_suffix) -> json {
    for (const auto& e : ev) {
      const std::string step = e.value("step", std::string());
      if (e["type"] == type && step.size() >= step_suffix.size() &&
          step.compare(step.size() - step_suffix.size(), step_suffix.size(), step_suffix) == 0) {
        return e;
      }
    }
    return json();
  };
  // The P0 escalation ran beside the filing: the police liaison acknowledged within the hour.
  const json page = find("task_created", "rounds[0]/round[0]/page");
  ASSERT_FALSE(page.is_null());
  EXPECT_EQ(page["data"]["roles"], json::array({"le_liaison"}));
  EXPECT_EQ(page["data"]["due"], "2026-12-02T04:00:00.000Z");
  // The stale emergency line it skipped owed ex-police-au a re-verification, due in 5 business
  // days of its calendar (au-national: Wednesday 2 December 14:00 AEDT to Wednesday 9th), which
  // its contacts admin gave; the directory records it.
  const json reverify = find("task_created", "stale_contacts[0]/reverification");
  ASSERT_FALSE(reverify.is_null());
  EXPECT_EQ(reverify["data"]["roles"], json::array({"contacts_admin", "le_emergency"}));
  EXPECT_EQ(reverify["data"]["organisation"], "ex-police-au");
  EXPECT_EQ(reverify["data"]["due"], "2026-12-09T12:59:59.000Z");
  EXPECT_FALSE(find("step_succeeded", "stale_contacts[0]/record_verified").is_null());
  // The narrative is due halfway to the SMR deadline (7 days before it is already past).
  EXPECT_EQ(find("task_created", "filing_work[work]/narrative")["data"]["due"],
            "2026-12-04T19:59:59.000Z");
  // The filer missed 48 hours: escalated to the deputy at exactly 48 h, due 24 h later.
  const json escalated = find("escalated", "signoff_window[signoff]/signoff");
  ASSERT_FALSE(escalated.is_null());
  EXPECT_EQ(escalated["at"], "2026-12-04T04:00:00.000Z");
  EXPECT_EQ(escalated["data"]["roles"], json::array({"deputy_bsa_officer"}));
  EXPECT_EQ(escalated["data"]["due"], "2026-12-05T04:00:00.000Z");
  EXPECT_EQ(find("task_completed", "signoff_window[signoff]/signoff")["data"]["actor"],
            "deputy.dee");
  // As it escalated unsigned, with the report unfiled, the CCO had a deadline-risk notice.
  const json risk = find("step_succeeded", "signoff_window[escalation_notice]/deadline_risk");
  ASSERT_FALSE(risk.is_null());
  EXPECT_EQ(risk["at"], "2026-12-04T04:00:00.000Z");
  EXPECT_EQ(risk["data"]["output"]["contact"], "northwind.chief_compliance_officer");
  // More than 48 h were left when the sign-off came: the CCO watcher was cancelled unsent.
  EXPECT_TRUE(find("step_succeeded", "signoff_window[cco_notice]/notify_cco").is_null());
  // The filing task is due at the regulatory deadline; MATCH listing 5 days after the decision.
  EXPECT_EQ(find("task_created", "filing_work[work]/file")["data"]["due"],
            "2026-12-07T12:59:59.000Z");
  EXPECT_EQ(find("task_created", "match_listing")["data"]["due"], "2026-12-10T01:00:00.000Z");

  // The timeline tells the refusals: the photo (no bytes) and the maker-checker violation.
  auto timeline = cli({"timeline", id});
  ASSERT_EQ(timeline.exit_code, 0) << timeline.err;
  EXPECT_NE(timeline.out.find("REFUSED inv.ivy (investigator): image/jpeg at "
                              "/answers/beneficial_ownership/evidence"),
            std::string::npos)
      << timeline.out;
  EXPECT_NE(timeline.out.find("separation of duties: inv.ivy completed step 'intake'"),
            std::string::npos);
  EXPECT_NE(timeline.out.find("ESCALATED task t8 to deputy_bsa_officer"), std::string::npos);
  auto verify = cli({"audit", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;

  // The photo's bytes are nowhere in the store (its file and its write-ahead log).
  const std::string bytes = store_bytes();
  EXPECT_NE(bytes.find("SMR-EX-2026-000311"), std::string::npos);  // what was stored is there
  EXPECT_EQ(bytes.find("/9j/4AAQSkZJRgABAQAAAQABAAD"), std::string::npos);
  // The outbox has the escalation notice, references only, addressed from the directory.
  std::ifstream outbox(dir_.path() / "outbox" / "phone.jsonl");
  std::string line;
  ASSERT_TRUE(std::getline(outbox, line));
  const json notice = json::parse(line);
  EXPECT_EQ(notice["contact"], "ex-police-au.le_liaison");
  EXPECT_EQ(notice["payload"]["case_id"], "AML-2026-0417");
  EXPECT_EQ(notice["payload"]["tier"], "law_enforcement");
}

TEST_F(CoalitionWorkflows, EscalationRunPagesRoundByRoundTogetherAndReverifiesStaleContacts) {
  const std::string wf = std::string(test::kSourceDir) + "/workflows/escalation_run.json";
  const std::string input =
      std::string(test::kSourceDir) + "/workflows/examples/escalation_run.input.json";
  auto run = cli({"run", wf, "--input", input, "--id", "esc", "--as", "sec.sam", "--now",
                  "2026-12-07T10:00:00Z"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // Round 1: the police liaison alone; beside it, the re-verification of the stale emergency
  // line it skipped, for ex-police-au, due in 5 business days of au-national (Monday 7 December
  // 21:00 AEDT to the end of Monday 14th).
  const std::string liaison = task_of("esc", "rounds[0]/round[0]/page");
  const std::string reverify = task_of("esc", "stale_contacts[0]/reverification");
  ASSERT_FALSE(liaison.empty());
  ASSERT_FALSE(reverify.empty());
  const json open = open_tasks("esc");
  EXPECT_EQ(open.size(), 2u) << open.dump(2);
  for (const auto& t : open) {
    if (t["id"] == reverify) {
      EXPECT_EQ(t["due"], "2026-12-14T12:59:59.000Z");
      EXPECT_EQ(t["organisation"], "ex-police-au");
      EXPECT_EQ(t["roles"], json::array({"contacts_admin", "le_emergency"}));
    }
  }
  // The wrong role cannot acknowledge for the police liaison.
  auto wrong =
      cli({"complete", liaison, "--as", "nw.oncall", "--role", "ts_oncall", "--org", "northwind",
           "--data", R"({"acknowledged": true})", "--now", "2026-12-07T10:05:00Z"});
  EXPECT_EQ(wrong.exit_code, 77) << wrong.err;
  // No answer in the hour: round 2 pages the member's on-call and the secretariat's duty officer
  // at the same time, both due an hour later.
  ASSERT_EQ(cli({"tick", "--now", "2026-12-07T11:00:01Z"}).exit_code, 0);
  const std::string on_call = task_of("esc", "rounds[1]/round[0]/page");
  const std::string duty = task_of("esc", "rounds[1]/round[1]/page");
  ASSERT_FALSE(on_call.empty());
  ASSERT_FALSE(duty.empty());
  EXPECT_EQ(open_tasks("esc").size(), 3u);
  // The duty officer acknowledges first: the on-call's page is withdrawn.
  auto ack = cli({"complete", duty, "--as", "duty.dora", "--role", "duty_officer", "--org",
                  "coalition-secretariat", "--data", R"({"acknowledged": true})", "--now",
                  "2026-12-07T11:20:00Z"});
  ASSERT_EQ(ack.exit_code, 0) << ack.err;
  auto late =
      cli({"complete", on_call, "--as", "nw.oncall", "--role", "ts_oncall", "--org", "northwind",
           "--data", R"({"acknowledged": true})", "--now", "2026-12-07T11:25:00Z"});
  EXPECT_NE(late.exit_code, 0);
  EXPECT_NE(late.err.find("is not open"), std::string::npos) << late.err;
  // The run waits for the re-verification; the owner confirms the entry and the directory
  // records who, when and how.
  EXPECT_EQ(json::parse(cli({"status", "esc", "--json"}).out)["status"], "waiting");
  auto confirmed = cli({"complete", reverify, "--as", "admin.ash", "--role", "contacts_admin",
                        "--org", "ex-police-au", "--data", R"({"outcome": "verified"})", "--now",
                        "2026-12-08T01:00:00Z"});
  ASSERT_EQ(confirmed.exit_code, 0) << confirmed.err;
  const json entry = directory_entry("ex-police-au.le_emergency");
  EXPECT_EQ(entry["last_verified_at"], "2026-12-08T01:00:00Z");
  EXPECT_EQ(entry["verified_by"], "admin.ash");
  EXPECT_EQ(entry["verification_method"], "owner_reverification");
  const json st = json::parse(cli({"status", "esc", "--json"}).out);
  ASSERT_EQ(st["status"], "succeeded") << st.dump(2);
  EXPECT_EQ(st["output"]["acknowledged_by"], "coalition.duty_officer");
  EXPECT_EQ(st["output"]["tier"], "on_call_with_duty_officer");
  EXPECT_EQ(st["output"]["at"], "2026-12-07T11:20:00.000Z");
  // The emergency line was last verified 2026-06-01: 91 + 30 days later it is stale.
  EXPECT_EQ(st["output"]["skipped"],
            json::parse(R"([{"entry": "ex-police-au.le_emergency", "status": "stale",
                             "tier": "law_enforcement"}])"));
  // Both pages of round 2 went out at 11:00, references only.
  std::vector<std::string> paged;
  for (const auto& channel : {"phone", "email"}) {
    std::ifstream outbox(dir_.path() / "outbox" / (std::string(channel) + ".jsonl"));
    for (std::string line; std::getline(outbox, line);) {
      const json m = json::parse(line);
      paged.push_back(m["contact"].get<std::string>() + "@" + m["at"].get<std::string>());
      EXPECT_EQ(m["payload"]["case_id"], "AML-2026-0417");
    }
  }
  std::sort(paged.begin(), paged.end());
  EXPECT_EQ(paged, (std::vector<std::string>{"coalition.duty_officer@2026-12-07T11:00:00.000Z",
                                             "ex-police-au.le_liaison@2026-12-07T10:00:00.000Z",
                                             "northwind.ts_oncall@2026-12-07T11:00:00.000Z"}));
  // The audit log has the story, with the refusal in its place and who acted.
  auto store = SqliteStore::open(SqliteOptions{store_});
  ASSERT_TRUE(store.ok());
  const auto audit = (*store)->audit("esc");
  ASSERT_TRUE(audit.ok());
  std::vector<std::string> trail;
  for (const auto& a : *audit) {
    if (a.type == "task_refused" || a.type == "deadline_expired" || a.type == "task_completed" ||
        a.type == "execution_completed") {
      trail.push_back(a.type + " " + a.actor + " " + a.at.substr(5, 11));
    }
  }
  EXPECT_EQ(trail,
            (std::vector<std::string>{
                "task_refused nw.oncall 12-07T10:05", "deadline_expired engine 12-07T11:00",
                "task_completed duty.dora 12-07T11:20", "task_refused nw.oncall 12-07T11:25",
                "task_completed admin.ash 12-08T01:00", "execution_completed engine 12-08T01:00"}));
  EXPECT_TRUE((*store)->verify_audit()->ok);
}

TEST_F(CoalitionWorkflows,
       ContactVerificationFallsBackToTheSecondChannelAndNeedsTwoPeopleForAChange) {
  ASSERT_EQ(start_verification(), 0);
  // 10 business days under au-national from Monday 7 December 11:00 AEDT: Monday 21st.
  auto tasks = json::parse(cli({"tasks", "--json"}).out);
  tasks = tasks.is_object() ? tasks["tasks"] : tasks;
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0]["due"], "2026-12-21T12:59:59.000Z");
  EXPECT_EQ(tasks[0]["roles"], json::array({"le_liaison"}));
  EXPECT_EQ(tasks[0]["organisation"], "ex-police-au");

  // The primary channel's code, repeated wrongly: the step fails and the secondary channel opens.
  const std::string primary = outbox_code("phone", 0);
  ASSERT_EQ(primary.size(), 6u);
  const std::string wrong = primary == "000000" ? "000001" : "000000";
  ASSERT_EQ(cli({"complete", "cv.t1", "--as", "liaison.lou", "--role", "le_liaison", "--org",
                 "ex-police-au", "--data", R"({"acknowledged": true, "code": ")" + wrong + R"("})",
                 "--now", "2026-12-07T01:00:00Z"})
                .exit_code,
            0);
  const std::string secondary = outbox_code("email", 0);
  EXPECT_NE(secondary, primary);  // each notification has its own code
  ASSERT_EQ(
      cli({"complete", "cv.t2", "--as", "liaison.lou", "--role", "le_liaison", "--org",
           "ex-police-au", "--data", R"({"acknowledged": true, "code": ")" + secondary + R"("})",
           "--now", "2026-12-07T02:00:00Z"})
          .exit_code,
      0);
  json entry = directory_entry("ex-police-au.le_liaison");
  EXPECT_EQ(entry["version"], 2);
  EXPECT_EQ(entry["last_verified_at"], "2026-12-07T02:00:00Z");
  EXPECT_EQ(entry["verification_method"], "otp_secondary_channel");
  EXPECT_EQ(entry["verified_by"], "liaison.lou");

  // A statutory endpoint: the secretariat compares it with the published page and proposes a
  // change; the same person may not approve it.
  ASSERT_EQ(cli({"complete", "cv.t3", "--as", "secretariat.sam", "--role", "secretariat", "--data",
                 R"({"result": "changed", "evidence_url": "https://police-au.example.org/contact",
                     "proposed_channels": [{"type": "phone", "address": "+61 491 570 112", "priority": 1}]})",
                 "--now", "2026-12-08T00:00:00Z"})
                .exit_code,
            0);
  auto self =
      cli({"complete", "cv.t4", "--as", "secretariat.sam", "--role", "secretariat", "--data",
           R"({"decision": "approve", "justification": "mine"})", "--now", "2026-12-08T01:00:00Z"});
  EXPECT_EQ(self.exit_code, 77);
  EXPECT_NE(self.err.find("separation of duties"), std::string::npos) << self.err;
  EXPECT_EQ(directory_entry("ex-police-au.le_liaison")["version"], 2);  // nothing changed
  ASSERT_EQ(cli({"complete", "cv.t4", "--as", "secretariat.lee", "--role", "secretariat", "--data",
                 R"({"decision": "approve", "justification": "checked the page"})", "--now",
                 "2026-12-08T02:00:00Z"})
                .exit_code,
            0);
  entry = directory_entry("ex-police-au.le_liaison");
  EXPECT_EQ(entry["version"], 3);
  EXPECT_EQ(entry["channels"][0]["address"], "+61 491 570 112");
  EXPECT_EQ(entry["history"].back()["maker"], "secretariat.sam");
  EXPECT_EQ(entry["history"].back()["checker"], "secretariat.lee");
  EXPECT_EQ(entry["history"].back()["previous"]["channels"][0]["address"], "+61 491 570 110");

  // Verified: the run parks until the next quarterly cycle, then challenges again.
  const json st = json::parse(cli({"status", "cv", "--json"}).out);
  EXPECT_EQ(st["status"], "waiting");
  EXPECT_EQ(st["next_due"], "2027-03-09T02:00:00.000Z");
  ASSERT_EQ(cli({"tick", "--now", "2027-03-09T02:00:01Z"}).exit_code, 0);
  auto next = json::parse(cli({"tasks", "--json"}).out);
  next = next.is_object() ? next["tasks"] : next;
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0]["step"], "challenge");
  EXPECT_NE(next[0]["id"], "cv.t1");
  EXPECT_EQ(next[0]["due"], "2027-03-23T12:59:59.000Z");  // 10 business days, still AEDT
}

TEST_F(CoalitionWorkflows, ContactVerificationWithoutAnswerMarksTheEntryStale) {
  ASSERT_EQ(start_verification(), 0);
  // The primary window ends Monday 21 December 23:59:59 AEDT; the secondary channel then has 5
  // business days across Christmas (the 25th and Boxing Day observed on the 28th are holidays):
  // 22, 23, 24, 29, 30 December.
  ASSERT_EQ(cli({"tick", "--now", "2026-12-21T13:00:00Z"}).exit_code, 0);
  auto tasks = json::parse(cli({"tasks", "--json"}).out);
  tasks = tasks.is_object() ? tasks["tasks"] : tasks;
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0]["step"], "second_channel");
  EXPECT_EQ(tasks[0]["due"], "2026-12-30T12:59:59.000Z");
  ASSERT_EQ(cli({"tick", "--now", "2027-01-31T00:00:00Z"}).exit_code, 0);
  EXPECT_EQ(directory_entry("ex-police-au.le_liaison")["status"], "stale");
  tasks = json::parse(cli({"tasks", "--json"}).out);
  tasks = tasks.is_object() ? tasks["tasks"] : tasks;
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0]["step"], "follow_up");
  EXPECT_EQ(tasks[0]["roles"], json::array({"secretariat"}));
  // The owner was told through the directory's channel, by reference.
  std::ifstream outbox(dir_.path() / "outbox" / "phone.jsonl");
  std::string line, last;
  while (std::getline(outbox, line)) last = line;
  const json notice = json::parse(last);
  EXPECT_EQ(notice["message"], "verification.stale");
  EXPECT_EQ(notice["contact"], "coalition.duty_officer");
  EXPECT_EQ(notice["payload"], json::parse(R"({"entry": "ex-police-au.le_liaison"})"));
}

TEST_F(CoalitionWorkflows, UsSarWithoutASuspectFiledLateIsAnIncidentThenContinuingReview) {
  // A US member: no suspect identified, so the SAR is due 60 days after the determination, and
  // the cap is the same day: no extension can move it.
  const std::string id = review_until_determination({{"member_type", "psp"},
                                                     {"regime", "US_SAR"},
                                                     {"jurisdictions", {"US"}},
                                                     {"alert_at", "2026-11-02T14:00:00Z"}},
                                                    {{"suspicious", true},
                                                     {"suspect_identified", false},
                                                     {"terrorism_financing", false},
                                                     {"imminent_risk", false},
                                                     {"justification", "C1 observed"}},
                                                    "2026-11-03T15:00:00Z");
  // The narrative feeds the filing: its deadline is capped by the filing's own cap, and an
  // extension past it is refused.
  auto drafting = json::parse(cli({"tasks", "--execution", id, "--json"}).out)["tasks"];
  ASSERT_EQ(drafting.size(), 1u);
  EXPECT_EQ(drafting[0]["cap"], "2027-01-02T15:00:00.000Z");
  auto too_late = cli({"extend", drafting[0]["id"], "--to", "2027-01-03", "--justification",
                       "records pending", "--as", "inv.ivy", "--role", "investigator", "--org",
                       "northwind", "--now", "2026-11-04T00:00:00Z"});
  EXPECT_EQ(too_late.exit_code, 65) << too_late.err;
  EXPECT_NE(too_late.err.find("after the cap 2027-01-02T15:00:00.000Z"), std::string::npos)
      << too_late.err;
  ASSERT_EQ(complete(id, "narrative", "inv.ivy", "investigator", R"({"narrative_ref": "NAR-EX-7"})",
                     "2026-11-04T15:00:00Z"),
            0)
      << last_error_;
  ASSERT_EQ(complete(id, "signoff", "bsa.bo", "bsa_officer",
                     R"({"decision": "approve", "justification": "ok"})", "2026-11-05T15:00:00Z"),
            0)
      << last_error_;
  const json file_task = find_event(id, "task_created", "filing_work[work]/file");
  EXPECT_EQ(file_task["data"]["due"], "2027-01-02T15:00:00.000Z");  // 60 days
  // Signed within the filer's 48 hours: no deadline-risk notice.
  EXPECT_TRUE(find_event(id, "step_succeeded", "deadline_risk").is_null());
  // Day 30 without a suspect, still unfiled: the CCO is reminded, once.
  EXPECT_EQ(
      find_event(id, "step_succeeded", "filing_deadline")["data"]["output"]["suspect_reminder_at"],
      "2026-12-03T15:00:00Z");
  ASSERT_EQ(cli({"tick", "--now", "2026-12-03T15:00:01Z"}).exit_code, 0);
  const json reminded = find_event(id, "step_succeeded", "suspect_reminder]/remind_suspect");
  ASSERT_FALSE(reminded.is_null());
  EXPECT_EQ(reminded["at"], "2026-12-03T15:00:00.000Z");
  EXPECT_EQ(reminded["data"]["output"]["contact"], "northwind.chief_compliance_officer");
  auto tasks = json::parse(cli({"tasks", "--execution", id, "--json"}).out);
  tasks = tasks.is_object() ? tasks["tasks"] : tasks;
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0]["cap"], "2027-01-02T15:00:00.000Z");
  auto extend =
      cli({"extend", tasks[0]["id"], "--to", "2027-01-10T00:00:00Z", "--justification", "more time",
           "--as", "bsa.bo", "--role", "bsa_officer", "--now", "2026-12-04T00:00:00Z"});
  EXPECT_NE(extend.exit_code, 0);
  EXPECT_NE(extend.err.find("cap"), std::string::npos) << extend.err;

  // Nobody files in time: a reminder the day before, the breach, the CCO told, a late filing.
  ASSERT_EQ(cli({"tick", "--now", "2027-01-02T15:00:01Z"}).exit_code, 0);
  EXPECT_EQ(find_event(id, "reminder_due", "filing_work[work]/file")["at"],
            "2027-01-01T15:00:00.000Z");
  EXPECT_EQ(find_event(id, "deadline_expired", "filing_work[work]/file")["data"]["action"],
            "next:late_incident");
  EXPECT_FALSE(find_event(id, "step_succeeded", "filing_work[work]/late_incident").is_null());
  ASSERT_EQ(complete(id, "file_late", "bsa.bo", "bsa_officer",
                     R"({"reference": "BSA-EX-31000777", "filed_at": "2027-01-04T12:00:00Z"})",
                     "2027-01-04T13:00:00Z"),
            0)
      << last_error_;
  const json filed = find_event(id, "step_succeeded", "filing_work[work]/file_late");
  EXPECT_EQ(filed["data"]["output"]["late"], true);
  EXPECT_EQ(filed["data"]["output"]["late_by"], "P1DT21H");
  EXPECT_EQ(filed["data"]["output"]["incident"]["type"], "late_filing");
  EXPECT_FALSE(find_event(id, "step_succeeded", "filing_work[work]/late_filed_incident").is_null());

  // A law-enforcement letter keeps the account open under legal hold; the continuing-activity
  // review falls 90 days after the filing, due by day 120.
  EXPECT_NE(complete(id, "account_action", "ops.oli", "compliance_ops",
                     R"({"action": "keep_open"})", "2027-01-05T00:00:00Z"),
            0);  // a keep-open needs the letter's reference
  ASSERT_EQ(complete(id, "account_action", "ops.oli", "compliance_ops",
                     R"({"action": "keep_open", "le_letter_ref": "LE-EX-2027-004"})",
                     "2027-01-05T00:00:00Z"),
            0)
      << last_error_;
  const json hold = find_event(id, "step_succeeded", "legal_hold");
  EXPECT_EQ(hold["data"]["output"]["letter_ref"], "LE-EX-2027-004");
  // Peer sharing (314(b)): this member holds no registration, so nothing is shared; the block
  // and why are recorded and audited, and the anonymised indicator signal is offered instead.
  ASSERT_EQ(complete(id, "peer_sharing", "bsa.bo", "bsa_officer",
                     R"({"share": true, "peer": "redwood-bank"})", "2027-01-05T01:00:00Z"),
            0)
      << last_error_;
  const json blocked = find_event(id, "step_succeeded", "sharing_blocked")["data"]["output"];
  EXPECT_EQ(blocked["allowed"], false);
  EXPECT_EQ(blocked["peer"], "redwood-bank");
  EXPECT_EQ(blocked["sharer_registration"]["reason"], "no 314(b) registration on record");
  EXPECT_EQ(blocked["peer_registration"]["valid"], true);
  EXPECT_TRUE(find_event(id, "task_created", "share_314b").is_null());
  {
    // Restricted steps never leave in an export: the audit is read from the store itself.
    auto store = SqliteStore::open(SqliteOptions{store_});
    ASSERT_TRUE(store.ok()) << store.error().to_string();
    const auto audit = (*store)->audit(id);
    ASSERT_TRUE(audit.ok());
    bool audited = false;
    for (const auto& entry : *audit) {
      audited = audited || (entry.step == "after_filing[sharing]/sharing_blocked" &&
                            entry.type == "step_succeeded");
    }
    EXPECT_TRUE(audited);
  }
  ASSERT_EQ(complete(id, "offer_signal", "bsa.bo", "bsa_officer",
                     R"({"send_indicator_signal": true, "signal_id": "SIG-EX-2027-0005"})",
                     "2027-01-05T02:00:00Z"),
            0)
      << last_error_;
  const json waiting = find_event(id, "wait_started", "until_review");
  ASSERT_FALSE(waiting.is_null());
  // The jurisdiction table's anchor chose the filing among the instants the step was given.
  const json continuing = find_event(id, "step_succeeded", "continuing_review")["data"]["output"];
  EXPECT_EQ(continuing["anchor"], "filed_at");
  EXPECT_EQ(continuing["anchored_at"], "2027-01-04T12:00:00Z");
  ASSERT_EQ(cli({"tick", "--now", "2027-04-04T12:00:01Z"}).exit_code, 0);
  const json review = find_event(id, "task_created", "review_activity");
  EXPECT_EQ(review["at"], "2027-04-04T12:00:00.000Z");
  EXPECT_EQ(review["data"]["due"], "2027-05-04T12:00:00.000Z");
  ASSERT_EQ(complete(id, "review_activity", "bsa.bo", "bsa_officer",
                     R"({"activity_continues": false})", "2027-04-10T00:00:00Z"),
            0)
      << last_error_;
  EXPECT_EQ(json::parse(cli({"status", id, "--json"}).out)["status"], "succeeded");
  EXPECT_EQ(cli({"audit", "verify"}).exit_code, 0);
}

TEST_F(CoalitionWorkflows, TerrorismFinancingSmrNotifiesTheCcoAtOnceAndEscalatesToTheCco) {
  // 24 hours to file: at sign-off the deadline is already less than 48 hours away.
  const std::string id = review_until_determination(json::object(),
                                                    {{"suspicious", true},
                                                     {"suspect_identified", true},
                                                     {"terrorism_financing", true},
                                                     {"imminent_risk", false},
                                                     {"justification", "TF indicators"}},
                                                    "2026-12-02T03:00:00Z");
  ASSERT_EQ(complete(id, "narrative", "inv.ivy", "investigator", R"({"narrative_ref": "NAR-EX-8"})",
                     "2026-12-02T05:00:00Z"),
            0)
      << last_error_;
  // 48 hours before a 24-hour deadline would be before the determination: the notice is due at
  // the determination itself, never earlier.
  EXPECT_EQ(find_event(id, "step_succeeded",
                       "report[filing]/filing_deadline")["data"]["output"]["cco_notice_at"],
            "2026-12-02T03:00:00Z");
  const json notice = find_event(id, "step_succeeded", "signoff_window[cco_notice]/notify_cco");
  ASSERT_FALSE(notice.is_null());
  EXPECT_EQ(notice["at"], "2026-12-02T05:00:00.000Z");
  EXPECT_EQ(notice["data"]["output"]["contact"], "northwind.chief_compliance_officer");
  EXPECT_EQ(notice["data"]["output"]["to"], "c***@northwind.example.com");
  // The filer's 48 hours are capped by the SMR deadline, and so is every tier after it: at
  // the deadline the task passes through the deputy to the CCO and expires; the CCO is told of
  // the missed sign-off and the report is filed late.
  const json signoff = find_event(id, "task_created", "signoff_window[signoff]/signoff");
  EXPECT_EQ(signoff["data"]["due"], "2026-12-03T03:00:00.000Z");
  ASSERT_EQ(cli({"tick", "--now", "2026-12-03T03:00:01Z"}).exit_code, 0);
  json levels = json::array();
  for (const auto& e : events(id)) {
    if (e["type"] == "escalated") levels.push_back({e["data"]["roles"], e["data"]["due"]});
  }
  EXPECT_EQ(levels, json::parse(R"([
      [["deputy_bsa_officer"], "2026-12-03T03:00:00.000Z"],
      [["chief_compliance_officer"], "2026-12-03T03:00:00.000Z"]])"));
  EXPECT_FALSE(
      find_event(id, "step_succeeded", "signoff_window[signoff]/signoff_missed").is_null());
  EXPECT_FALSE(find_event(id, "step_succeeded", "filing_work[work]/late_incident").is_null());
  ASSERT_EQ(complete(id, "file_late", "cco.cy", "chief_compliance_officer",
                     R"({"reference": "SMR-EX-2026-000999"})", "2026-12-03T06:00:00Z"),
            0)
      << last_error_;
  const json filed = find_event(id, "step_succeeded", "filing_work[work]/file_late");
  EXPECT_EQ(filed["data"]["output"]["late_by"], "PT3H");
  EXPECT_EQ(filed["data"]["output"]["filed_at"], "2026-12-03T06:00:00Z");

  // Peer sharing with both registrations current: allowed, the registrations are recorded,
  // and the officer records what was shared.
  const auto registry = dir_.path() / "config" / "members.json";
  json members = json::parse(std::ifstream(registry));
  for (auto& m : members["members"]) {
    if (m["id"] == "northwind")
      m["registration_314b"] = {{"id", "314B-EX-0042"}, {"registered_on", "2026-10-01"}};
    if (m["id"] == "tidewater") m["registration_314b"]["registered_on"] = "2026-07-01";
  }
  std::ofstream(registry) << members.dump(2);
  ASSERT_EQ(complete(id, "account_action", "ops.oli", "compliance_ops", R"({"action": "restrict"})",
                     "2026-12-03T07:00:00Z"),
            0)
      << last_error_;
  ASSERT_EQ(complete(id, "peer_sharing", "bsa.bo", "bsa_officer",
                     R"({"share": true, "peer": "tidewater"})", "2026-12-03T08:00:00Z"),
            0)
      << last_error_;
  const json allowed = find_event(id, "step_succeeded", "sharing_allowed")["data"]["output"];
  EXPECT_EQ(allowed["allowed"], true);
  EXPECT_EQ(allowed["sharer_registration"]["id"], "314B-EX-0042");
  EXPECT_EQ(allowed["peer_registration"]["id"], "314B-EX-0007");
  EXPECT_TRUE(find_event(id, "task_created", "offer_signal").is_null());
  // What the member records as shared with its peer never says that a report was filed.
  EXPECT_NE(complete(id, "share_314b", "bsa.bo", "bsa_officer",
                     R"({"shared_ref": "SHR-EX-12, our SAR, BSA ID 31000012345678"})",
                     "2026-12-03T08:30:00Z"),
            0);
  EXPECT_NE(last_error_.find("/shared_ref"), std::string::npos) << last_error_;
  EXPECT_NE(last_error_.find("report status"), std::string::npos) << last_error_;
  ASSERT_EQ(complete(id, "share_314b", "bsa.bo", "bsa_officer", R"({"shared_ref": "SHR-EX-12"})",
                     "2026-12-03T09:00:00Z"),
            0)
      << last_error_;
  EXPECT_EQ(json::parse(cli({"status", id, "--json"}).out)["status"], "succeeded");
}

// An internal target (KYB refresh: 10 business days from the alert) that is missed passes the
// work to the BSA officer; missed again, the task stays open with them, overdue, and the case
// goes on when they finish it: an internal target never fails a case.
TEST_F(CoalitionWorkflows, AMissedInternalTargetEscalatesAndNeverFailsTheCase) {
  const std::string wf = std::string(test::kSourceDir) + "/workflows/aml_review.json";
  const std::string input =
      std::string(test::kSourceDir) + "/workflows/examples/aml_review.input.json";
  ASSERT_EQ(cli({"run", wf, "--input", input, "--id", "late-kyb", "--as", "lead.lia", "--now",
                 "2026-12-01T22:00:00Z"})
                .exit_code,
            0);
  ASSERT_EQ(complete("late-kyb", "intake", "inv.ivy", "investigator",
                     R"({"subject_type": "merchant", "subject_ref": "MER-EX-2", "trigger":
                         "transaction_monitoring", "trigger_ref": "ALERT-EX-10", "evidence": []})",
                     "2026-12-01T23:00:00Z"),
            0)
      << last_error_;
  // Alert: Wednesday 2 December 2026, 09:00 in Sydney; 10 business days -> the end of
  // Wednesday 16 December (AEDT).
  const json kyb = find_event("late-kyb", "task_created", "kyb_refresh");
  EXPECT_EQ(kyb["data"]["due"], "2026-12-16T12:59:59.000Z");
  ASSERT_EQ(cli({"tick", "--now", "2026-12-16T13:00:00Z"}).exit_code, 0);
  const json escalated = find_event("late-kyb", "escalated", "kyb_refresh");
  EXPECT_EQ(escalated["data"]["roles"], json::array({"bsa_officer"}));
  EXPECT_EQ(escalated["data"]["due"], "2026-12-18T12:59:59.000Z");  // 2 business days more
  ASSERT_EQ(cli({"tick", "--now", "2026-12-21T00:00:00Z"}).exit_code, 0);
  const json expired = find_event("late-kyb", "deadline_expired", "kyb_refresh");
  EXPECT_EQ(expired["data"]["action"], "keep_open");
  EXPECT_EQ(json::parse(cli({"status", "late-kyb", "--json"}).out)["status"], "waiting");
  auto overdue = json::parse(cli({"tasks", "--overdue", "--json"}).out)["tasks"];
  ASSERT_EQ(overdue.size(), 1u) << overdue;
  EXPECT_EQ(overdue[0]["roles"], json::array({"bsa_officer"}));
  // Nothing fires again for it, and the officer's answer carries the case on.
  ASSERT_EQ(cli({"tick", "--now", "2026-12-28T00:00:00Z"}).exit_code, 0);
  size_t expiries = 0;
  for (const auto& e : events("late-kyb")) expiries += e["type"] == "deadline_expired" ? 1 : 0;
  EXPECT_EQ(expiries, 1u);
  json answers{{"answers", json::object()}};
  for (const char* item :
       {"beneficial_ownership", "match_check", "sanctions_adverse_media", "mcc_accuracy",
        "site_review", "adult_content_controls", "crypto_exposure"}) {
    answers["answers"][item] = {{"status", "not_observed"}};
  }
  ASSERT_EQ(complete("late-kyb", "kyb_refresh", "bsa.bo", "bsa_officer", answers.dump(),
                     "2026-12-28T01:00:00Z"),
            0)
      << last_error_;
  EXPECT_FALSE(find_event("late-kyb", "task_created", "red_flags").is_null());
}

TEST_F(CoalitionWorkflows, NotifyWaitsForASignalAndKeepsAddressesOutOfTheLog) {
  const auto file = dir_.path() / "notice.json";
  std::ofstream(file) << R"({"id": "notice", "version": 1, "title": "t", "steps": [
    {"id": "tell", "kind": "task", "type": "notify",
     "parameters": {"to": {"contact": "northwind.bsa_officer", "channel": 1},
                    "message": "filing.portal_ack", "payload": {"case_id": "AML-EX-1"},
                    "allow": ["case_id"], "ack": "signal", "signal": "portal_ack"},
     "result": "/ack"}]})";
  auto run =
      cli({"run", file.string(), "--id", "n1", "--as", "sec.sam", "--now", "2026-12-07T10:00:00Z"},
          "debug");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(json::parse(cli({"status", "n1", "--json"}).out)["status"], "waiting");
  auto wrong = cli({"signal", "n1", "other", "--data", "{}", "--now", "2026-12-07T10:05:00Z"});
  EXPECT_EQ(wrong.exit_code, 66) << wrong.err;
  auto signal = cli({"signal", "n1", "portal_ack", "--data", R"({"receipt": "RCPT-EX-1"})", "--now",
                     "2026-12-07T10:10:00Z"},
                    "debug");
  ASSERT_EQ(signal.exit_code, 0) << signal.err;
  const json st = json::parse(cli({"status", "n1", "--json"}).out);
  EXPECT_EQ(st["status"], "succeeded");
  const json ack = find_event("n1", "step_succeeded", "tell")["data"]["output"];
  EXPECT_EQ(ack["via"], "signal");
  EXPECT_EQ(ack["data"]["receipt"], "RCPT-EX-1");
  // The address went to the outbox, and nowhere else: not the logs, not the store.
  std::ifstream outbox(dir_.path() / "outbox" / "email.jsonl");
  std::string line;
  ASSERT_TRUE(std::getline(outbox, line));
  EXPECT_EQ(json::parse(line)["address"], "compliance@northwind.example.com");
  for (const auto& text : {run.out, run.err, signal.out, signal.err}) {
    EXPECT_EQ(text.find("compliance@northwind"), std::string::npos) << text;
  }
  EXPECT_EQ(store_bytes().find("compliance@northwind"), std::string::npos);
}

// A notice that leaves the member never says a suspicious-activity report exists; one that
// stays within the member (its compliance officer told of its own filing) may, and notify then
// delivers to that organisation's contact entries only.
TEST_F(CoalitionWorkflows, ANoticeOutsideTheMemberNeverSaysAReportExists) {
  const auto file = dir_.path() / "tell.json";
  std::ofstream(file) << R"({"id": "tell", "version": 1, "title": "t", "steps": [
    {"id": "peer", "kind": "task", "type": "notify", "result": "/peer", "next": "own",
     "parameters": {"to": {"contact": "harborpay.bsa_officer", "channel": 1},
                    "message": "case.update", "payload": {"case_id": "AML-EX-9", "note": {"$path": "/input/note"}},
                    "allow": ["case_id", "note"]},
     "catch": [{"errors": ["disclosure.refused"], "result": "/peer_refused", "next": "own"}]},
    {"id": "own", "kind": "task", "type": "notify", "result": "/own", "next": "stray",
     "parameters": {"to": {"contact": "northwind.chief_compliance_officer", "channel": 1}, "within": "northwind",
                    "message": "incident.late_filing", "payload": {"case_id": "AML-EX-9", "filed_at": "2026-12-30T08:00:00Z"},
                    "allow": ["case_id", "filed_at"]}},
    {"id": "stray", "kind": "task", "type": "notify", "result": "/stray",
     "parameters": {"to": {"contact": "harborpay.bsa_officer", "channel": 1}, "within": "northwind",
                    "message": "incident.late_filing", "payload": {"case_id": "AML-EX-9"}},
     "catch": [{"errors": ["notify.outside_organisation"], "result": "/stray_refused", "next": "end"}]},
    {"id": "end", "kind": "succeed"}]})";
  const auto input = dir_.path() / "tell.input.json";
  std::ofstream(input) << R"({"note": "Account closed. SAR filed 2026-12-30."})";
  auto run = cli({"run", file.string(), "--id", "t1", "--as", "sec.sam", "--input", input.string(),
                  "--now", "2026-12-31T10:00:00Z"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const json st = json::parse(cli({"status", "t1", "--json"}).out);
  ASSERT_EQ(st["status"], "succeeded") << st.dump(2);
  const json peer = find_event("t1", "step_failed", "peer")["data"]["error"];
  EXPECT_EQ(peer["code"], "disclosure.refused");
  EXPECT_NE(peer["message"].get<std::string>().find("/payload/note"), std::string::npos) << peer;
  EXPECT_EQ(peer["message"].get<std::string>().find("Account closed"), std::string::npos);
  const json stray = find_event("t1", "step_failed", "stray")["data"]["error"];
  EXPECT_EQ(stray["code"], "notify.outside_organisation") << stray;
  // Only the compliance officer's notice went out: one line in the outbox, to northwind.
  std::ifstream outbox(dir_.path() / "outbox" / "email.jsonl");
  std::vector<json> lines;
  for (std::string line; std::getline(outbox, line);) lines.push_back(json::parse(line));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["contact"], "northwind.chief_compliance_officer");
  EXPECT_EQ(lines[0]["payload"]["filed_at"], "2026-12-30T08:00:00Z");
}

// The notify plugin end to end through the CLI: an e-mail over SMTP with STARTTLS and
// authentication to a loopback mail server, carrying the one-time code its acknowledgement
// repeats; then a webhook over HTTPS to a loopback endpoint, both trusted through a test CA.
TEST_F(CoalitionWorkflows, NotifyMailsOverStartTlsAndPostsToAnHttpsWebhook) {
  ASSERT_TRUE(test::write_test_authority(dir_.path()));
  const auto ca = dir_.path() / "ca.pem";
  test::SmtpSink mail_server(
      {dir_.path() / "cert.pem", dir_.path() / "key.pem", "secretariat", "s3cret-EX", true});
  test::WebhookSink pager({200, dir_.path() / "cert.pem", dir_.path() / "key.pem"});
  std::ofstream(dir_.path() / "smtp.password") << "s3cret-EX\n";
  json config = json::parse(std::ifstream(config_));
  json& notify = config["plugins"]["config"]["notify"];
  notify["smtp"] = {{"url", "smtp://127.0.0.1:" + std::to_string(mail_server.port())},
                    {"from", "coalition@secretariat.example.org"},
                    {"username", "secretariat"},
                    {"password_file", (dir_.path() / "smtp.password").string()},
                    {"ca_file", ca.string()}};
  notify["webhook_ca_file"] = ca.string();
  std::ofstream(config_) << config.dump(2);
  json directory = json::parse(std::ifstream(dir_.path() / "config" / "contacts.json"));
  for (auto& entry : directory["entries"]) {
    for (auto& channel : entry["channels"]) {
      if (channel["type"] == "webhook") channel["address"] = pager.url("/northwind-pager");
    }
  }
  std::ofstream(dir_.path() / "contacts.json") << directory.dump(2);

  const auto file = dir_.path() / "page.json";
  std::ofstream(file) << R"({"id": "page", "version": 1, "title": "t", "steps": [
    {"id": "mail", "kind": "task", "type": "notify",
     "parameters": {"to": {"contact": "northwind.bsa_officer", "channel": "email"},
                    "message": "filing.deadline_near", "payload": {"case_id": "AML-EX-1"},
                    "allow": ["case_id"], "ack": "task", "challenge": true},
     "assign": {"roles": ["bsa_officer"], "organisation": "northwind"},
     "result": "/mailed", "next": "hook"},
    {"id": "hook", "kind": "task", "type": "notify",
     "parameters": {"to": {"contact": "northwind.ts_oncall", "channel": "webhook"},
                    "message": "escalation.notice", "payload": {"case_id": "AML-EX-1"},
                    "allow": ["case_id"]},
     "result": "/paged", "next": "everyone"},
    {"id": "everyone", "kind": "task", "type": "notify",
     "parameters": {"to": {"people": {"roles": ["ts_oncall"]}, "channel": "webhook"},
                    "message": "escalation.notice", "payload": {"case_id": "AML-EX-1"},
                    "allow": ["case_id"]},
     "result": "/everyone"}]})";
  auto run =
      cli({"run", file.string(), "--id", "p1", "--as", "sec.sam", "--now", "2026-12-07T10:00:00Z"},
          "debug");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto mails = mail_server.received();
  ASSERT_EQ(mails.size(), 1u) << run.err;
  EXPECT_TRUE(mails[0].over_tls);
  EXPECT_EQ(mails[0].user, "secretariat");
  EXPECT_EQ(mails[0].to, std::vector<std::string>{"compliance@northwind.example.com"});
  const std::string& body = mails[0].data;
  EXPECT_NE(body.find("Subject: Coalition: filing.deadline_near"), std::string::npos) << body;
  EXPECT_NE(body.find("case_id: AML-EX-1"), std::string::npos) << body;
  const auto at = body.find("One-time code: ");
  ASSERT_NE(at, std::string::npos) << body;
  const std::string code = body.substr(at + 15, 6);
  EXPECT_EQ(find_event("p1", "step_succeeded", "mail").is_null(), true);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "outbox" / "email.jsonl"))
      << "with a mail server configured, e-mail does not go to the outbox";

  ASSERT_EQ(complete("p1", "mail", "bo.bea", "bsa_officer",
                     json{{"acknowledged", true}, {"code", code}}.dump(), "2026-12-07T10:05:00Z"),
            0)
      << last_error_;
  const json mailed = find_event("p1", "step_succeeded", "mail")["data"]["output"];
  EXPECT_EQ(mailed["verified"], true);
  EXPECT_EQ(json::parse(cli({"status", "p1", "--json"}).out)["status"], "succeeded");
  const auto hooks = pager.requests();
  ASSERT_GE(hooks.size(), 1u);
  EXPECT_EQ(hooks[0].target, "/northwind-pager");
  const json posted = json::parse(hooks[0].body);
  EXPECT_EQ(posted["contact"], "northwind.ts_oncall");
  EXPECT_EQ(posted["payload"]["case_id"], "AML-EX-1");
  EXPECT_FALSE(posted.contains("address"));
  EXPECT_EQ(hooks[0].idempotency_key, posted["idempotency_key"]);
  const json paged = find_event("p1", "step_succeeded", "hook")["data"]["output"];
  EXPECT_EQ(paged["delivered_via"], "webhook");
  // Every on-call entry with a webhook is reached; one without is named, and does not keep the
  // others from being told.
  const json everyone = find_event("p1", "step_succeeded", "everyone")["data"]["output"];
  ASSERT_EQ(everyone["recipients"].size(), 1u) << everyone.dump();
  EXPECT_EQ(everyone["recipients"][0]["contact"], "northwind.ts_oncall");
  ASSERT_EQ(everyone["unreached"].size(), 1u) << everyone.dump();
  EXPECT_EQ(everyone["unreached"][0]["contact"], "harborpay.ts_oncall");
  EXPECT_EQ(everyone["unreached"][0]["error"].get<std::string>().rfind("notify.no_channel", 0), 0u);
  EXPECT_EQ(pager.requests().size(), 2u);
  // The address and the password went to the mail server, and nowhere else.
  for (const auto& text : {run.out, run.err}) {
    EXPECT_EQ(text.find("compliance@northwind"), std::string::npos) << text;
    EXPECT_EQ(text.find("s3cret-EX"), std::string::npos);
  }
  EXPECT_EQ(store_bytes().find("compliance@northwind"), std::string::npos);
  EXPECT_EQ(store_bytes().find("s3cret-EX"), std::string::npos);
}

// Notifications that reach people: with "notifications" configured, the task's opening, its
// reminder, its escalation and its expiry each go by e-mail to the contact entries that hold
// the task's roles in its organisation — through the notify plugin, over STARTTLS, references
// only — as virtual time moves.
TEST_F(CoalitionWorkflows, TaskEventsMailThePeopleWhoHoldTheTasksRoles) {
  ASSERT_TRUE(test::write_test_authority(dir_.path()));
  test::SmtpSink mail_server(mail_server_options());
  mail_through(mail_server, {{"channel", "email"}});
  const auto file = dir_.path() / "review.json";
  std::ofstream(file) << R"({"id": "review", "version": 1, "title": "t", "steps": [
    {"id": "approve", "kind": "task", "type": "approval",
     "parameters": {"title": "Approve the filing for case AML-EX-7"},
     "assign": {"roles": ["bsa_officer"], "organisation": "northwind"},
     "deadline": {"in": "PT4H", "remind": ["PT1H"],
                  "escalate": [{"roles": ["chief_compliance_officer"], "in": "PT2H"}]},
     "result": "/approval"}]})";
  const auto run = [&](std::vector<std::string> args) {
    auto r = test::run_process(
        [&] {
          std::vector<std::string> argv{test::kCoalitionBinary, "--config", config_};
          argv.insert(argv.end(), args.begin(), args.end());
          return argv;
        }(),
        {{"COALITION_STORE", store_}, {"COALITION_SMTP_PASSWORD", "s3cret-EX"}});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r;
  };
  run({"run", file.string(), "--id", "r1", "--as", "sec.sam", "--now", "2026-12-07T10:00:00Z"});
  auto mails = mail_server.received();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].to, std::vector<std::string>{"compliance@northwind.example.com"});
  EXPECT_TRUE(mails[0].over_tls);
  EXPECT_NE(mails[0].data.find("Subject: Coalition: task.opened"), std::string::npos);
  EXPECT_NE(mails[0].data.find("title: Approve the filing for case AML-EX-7"), std::string::npos)
      << mails[0].data;
  EXPECT_NE(mails[0].data.find("execution: r1"), std::string::npos);
  EXPECT_NE(mails[0].data.find("due: 2026-12-07T14:00:00.000Z"), std::string::npos);

  run({"tick", "--now", "2026-12-07T14:00:00Z"});  // the reminder at 13:00, the escalation at 14:00
  mails = mail_server.received();
  ASSERT_EQ(mails.size(), 3u);
  EXPECT_NE(mails[1].data.find("Subject: Coalition: task.reminder"), std::string::npos);
  EXPECT_EQ(mails[1].to, std::vector<std::string>{"compliance@northwind.example.com"});
  EXPECT_NE(mails[2].data.find("Subject: Coalition: task.escalated"), std::string::npos);
  EXPECT_EQ(mails[2].to, std::vector<std::string>{"cco-office@northwind.example.com"})
      << "the new tier's role";
  EXPECT_NE(mails[2].data.find("level: 1"), std::string::npos);

  // Each notification, as the store keeps it: sent, to whom (masked), never the address.
  const std::string bytes = store_bytes();
  EXPECT_EQ(bytes.find("compliance@northwind"), std::string::npos);
  EXPECT_EQ(bytes.find("cco-office@northwind"), std::string::npos);
  SqliteOptions options;
  options.path = store_;
  auto store = SqliteStore::open(options);
  ASSERT_TRUE(store.ok());
  auto sent = (*store)->notifications({"r1", NotificationStatus::kSent, 10});
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(sent->size(), 3u);
  const json recipients = sent->front().delivery["recipients"];
  ASSERT_EQ(recipients.size(), 1u);
  EXPECT_EQ(recipients[0]["contact"], "northwind.chief_compliance_officer");
  EXPECT_EQ(recipients[0]["delivered_via"], "smtp");

  // What the operator sees of them.
  const auto listed = run({"notifications", "--execution", "r1", "--json"});
  const json listing = json::parse(listed.out)["notifications"];
  ASSERT_EQ(listing.size(), 3u);
  EXPECT_EQ(listing[0]["kind"], "escalated");
  EXPECT_EQ(listing[0]["status"], "sent");
  EXPECT_EQ(listing[2]["kind"], "task_opened");
  const auto text = run({"notifications", "--status", "sent"});
  EXPECT_NE(text.out.find("escalated"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("to northwind.chief_compliance_officer (c"), std::string::npos)
      << text.out;
  EXPECT_EQ(text.out.find("cco-office@northwind"), std::string::npos) << "masked";
  EXPECT_EQ(run({"notifications", "--status", "failed"}).out, "no notifications\n");
}

// Media refused everywhere and first: an input that carries a photo and breaks the input schema
// is refused as media, not as a schema violation; a completion with a photo likewise; each is
// audited with who sent it (never the bytes) and told to the workflow's security contact.
TEST_F(CoalitionWorkflows, MediaIsRefusedBeforeTheSchemaAuditedAndToldToTheSecurityContact) {
  json config = json::parse(std::ifstream(config_));
  config["notifications"] = {{"channel", 1}};
  std::ofstream(config_) << config.dump(2);
  const auto file = dir_.path() / "intake.json";
  std::ofstream(file) << R"({"id": "intake", "version": 1, "title": "t",
    "security_contact": {"roles": ["duty_officer"], "organisation": "coalition-secretariat"},
    "input_schema": {"type": "object", "required": ["case_id"], "additionalProperties": false,
                     "properties": {"case_id": {"type": "string", "pattern": "^CASE-"}}},
    "steps": [{"id": "evidence", "kind": "task", "type": "form",
               "parameters": {"title": "Evidence references", "schema": {"type": "object",
                 "properties": {"refs": {"type": "array", "items": {"type": "string"}}},
                 "required": ["refs"], "additionalProperties": false}},
               "assign": {"roles": ["investigator"], "organisation": "northwind"},
               "result": "/evidence"}]})";
  const std::string photo = "/9j/4AAQSkZJRgABAQAAAQABAAD";
  const auto bad = dir_.path() / "bad.json";
  std::ofstream(bad) << json{{"case_id", 42},
                             {"attachments", {{{"mime", "image/jpeg"}, {"content", photo}}}}}
                            .dump();
  auto refused = cli({"run", file.string(), "--input", bad.string(), "--id", "m1", "--as",
                      "inv.ivy", "--now", "2026-12-07T10:00:00Z"});
  EXPECT_EQ(refused.exit_code, 65);
  EXPECT_NE(refused.err.find("/attachments/0/content: media refused in the input: image/jpeg"),
            std::string::npos)
      << refused.err;
  EXPECT_EQ(refused.err.find("input schema"), std::string::npos) << refused.err;

  const auto good = dir_.path() / "good.json";
  std::ofstream(good) << R"({"case_id": "CASE-EX-1"})";
  ASSERT_EQ(cli({"run", file.string(), "--input", good.string(), "--id", "m2", "--as", "inv.ivy",
                 "--now", "2026-12-07T10:05:00Z"})
                .exit_code,
            0);
  auto completion =
      cli({"complete", "m2.t1", "--as", "inv.ivy", "--role", "investigator", "--org", "northwind",
           "--data",
           json{{"refs", "not a list"}, {"content_type", "image/jpeg"}, {"body", photo}}.dump(),
           "--now", "2026-12-07T10:10:00Z"});
  EXPECT_EQ(completion.exit_code, 65);
  EXPECT_NE(completion.err.find("media refused"), std::string::npos) << completion.err;

  // Audited, with the actor (and the organisation they acted for), never the bytes.
  auto store = SqliteStore::open(SqliteOptions{store_});
  ASSERT_TRUE(store.ok());
  std::vector<std::string> refusals;
  for (const char* id : {"m1", "m2"}) {
    const auto audit = (*store)->audit(id);
    ASSERT_TRUE(audit.ok());
    for (const auto& a : *audit) {
      if (a.type == "media_refused")
        refusals.push_back(a.execution_id + " " + a.actor + " " + a.organisation);
    }
  }
  EXPECT_EQ(refusals, (std::vector<std::string>{"m1 inv.ivy ", "m2 inv.ivy northwind"}));
  EXPECT_EQ(store_bytes().find(photo), std::string::npos);
  // The security contact was told of each, through its primary channel, references only.
  std::ifstream outbox(dir_.path() / "outbox" / "phone.jsonl");
  std::vector<json> told;
  for (std::string line; std::getline(outbox, line);) {
    const json m = json::parse(line);
    if (m["message"] == "security.media_refused") told.push_back(m);
  }
  ASSERT_EQ(told.size(), 2u);
  EXPECT_EQ(told[0]["contact"], "coalition.duty_officer");
  EXPECT_EQ(told[0]["payload"]["source"], "input");
  EXPECT_EQ(told[0]["payload"]["pointer"], "/attachments/0/content");
  EXPECT_EQ(told[0]["payload"]["media"], "image/jpeg");
  EXPECT_EQ(told[0]["payload"]["actor"], "inv.ivy");
  EXPECT_EQ(told[1]["payload"]["source"], "completion");
  EXPECT_EQ(told[1]["payload"]["actor_organisation"], "northwind");
  EXPECT_EQ(told[1]["payload"]["step"], "evidence");
  for (const auto& m : told) EXPECT_EQ(m.dump().find(photo), std::string::npos);
}

// Schedules as data: the first business day of each quarter under us-federal at 09:00 New York
// time, started by tick in virtual time with the period in the input; paused, resumed, listed.
TEST_F(CoalitionWorkflows, ASchedulesRunsStartEachQuarterWithThePeriodInTheirInput) {
  const auto workflow = dir_.path() / "quarterly_check.json";
  std::ofstream(workflow) << R"({"id": "quarterly_check", "version": 1, "title": "t",
    "input_schema": {"type": "object", "required": ["cycle"],
                     "properties": {"cycle": {"type": "string", "pattern": "^[0-9]{4}-Q[1-4]$"}}},
    "steps": [{"id": "note", "kind": "task", "type": "noop", "result": "/noted"}]})";
  const auto schedule = dir_.path() / "quarterly.json";
  std::ofstream(schedule) << R"({"id": "quarterly", "workflow": "quarterly_check",
    "when": {"business_day": 1, "of": "quarter", "calendar": "us-federal", "at": "09:00"},
    "input": {"cycle": {"$path": "/period"}}, "missed": "all"})";
  auto added = cli({"schedules", "add", schedule.string(), "--workflow", workflow.string(), "--now",
                    "2026-12-03T15:20:00Z", "--json"});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  const json record = json::parse(added.out);
  EXPECT_EQ(record["created"], true);
  EXPECT_EQ(record["next_period"], "2027-Q1");
  EXPECT_EQ(record["next_at"], "2027-01-04T14:00:00.000Z") << "1 January is a holiday";
  auto again = cli({"schedules", "add", schedule.string(), "--now", "2026-12-03T15:30:00Z"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out.rfind("unchanged quarterly", 0), 0u) << again.out;

  auto ticked = cli({"tick", "--now", "2027-04-02T00:00:00Z"});
  ASSERT_EQ(ticked.exit_code, 0) << ticked.err;
  EXPECT_NE(ticked.out.find(", 2 scheduled run(s) started"), std::string::npos)
      << "tick counts schedule runs like timers: " << ticked.out;
  json listed = json::parse(cli({"schedules", "list", "--json"}).out)["schedules"][0];
  EXPECT_EQ(listed["runs"], 2);
  EXPECT_EQ(listed["last_period"], "2027-Q2");
  EXPECT_EQ(listed["next_period"], "2027-Q3");
  const std::string q2 = listed["last_execution"];
  const json started = find_event(q2, "execution_started", "");
  EXPECT_EQ(started["data"]["input"]["cycle"], "2027-Q2");
  EXPECT_EQ(started["at"], "2027-04-01T13:00:00.000Z") << "09:00 in New York, on time";
  EXPECT_EQ(json::parse(cli({"status", q2, "--json"}).out)["status"], "succeeded");
  const json page = json::parse(cli({"executions", "--workflow", "quarterly_check", "--json"}).out);
  EXPECT_EQ(page["executions"].size(), 2u);

  ASSERT_EQ(cli({"schedules", "pause", "quarterly", "--now", "2027-04-02T00:00:00Z"}).exit_code, 0);
  auto paused = cli({"tick", "--now", "2027-10-05T00:00:00Z"});
  ASSERT_EQ(paused.exit_code, 0) << paused.err;
  EXPECT_NE(paused.out.find(", 0 scheduled run(s) started"), std::string::npos) << paused.out;
  listed = json::parse(cli({"schedules", "list", "--json"}).out)["schedules"][0];
  EXPECT_EQ(listed["paused"], true);
  EXPECT_EQ(listed["runs"], 2) << "nothing runs while paused";
  auto resumed = cli({"schedules", "resume", "quarterly", "--now", "2027-10-05T00:00:00Z"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("next 2028-Q1"), std::string::npos)
      << "what fell in the pause is not owed: " << resumed.out;
  EXPECT_EQ(
      json::parse(cli({"executions", "--workflow", "quarterly_check", "--json"}).out)["executions"]
          .size(),
      2u);

  // A schedule whose input the workflow refuses is refused when added, naming where.
  std::ofstream(dir_.path() / "bad.json") << R"({"id": "monthly", "workflow": "quarterly_check",
    "when": {"business_day": 1, "calendar": "us-federal"}, "input": {"cycle": {"$path": "/period"}}})";
  auto bad = cli(
      {"schedules", "add", (dir_.path() / "bad.json").string(), "--now", "2027-10-05T00:00:00Z"});
  EXPECT_EQ(bad.exit_code, 65) << bad.err;
  EXPECT_NE(bad.err.find("/input"), std::string::npos) << bad.err;
  std::ofstream(dir_.path() / "typo.json") << R"({"id": "weekly", "workflow": "quarterly_check",
    "when": {"cron": "0 9 * * MON"}})";
  auto typo = cli({"schedules", "add", (dir_.path() / "typo.json").string()});
  EXPECT_EQ(typo.exit_code, 65);
  EXPECT_NE(typo.err.find("/when/cron"), std::string::npos) << typo.err;
}

// The shipped schedule: contact verification of the Australian police liaison entry, started on
// the first business day of each quarter at 09:00 Sydney time, the quarter in its input.
TEST_F(CoalitionWorkflows, TheShippedQuarterlyVerificationScheduleStartsOnTheFirstBusinessDay) {
  const std::string src = test::kSourceDir;
  auto added =
      cli({"schedules", "add", src + "/workflows/schedules/contact_verification_quarterly.json",
           "--workflow", src + "/workflows/contact_verification.json", "--now",
           "2026-12-03T15:20:00Z", "--json"});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_EQ(json::parse(added.out)["next_at"], "2027-01-03T22:00:00.000Z")
      << "Monday 4 January 09:00 in Sydney: 1 January is a holiday, then a weekend";
  ASSERT_EQ(cli({"tick", "--now", "2027-01-05T00:00:00Z"}).exit_code, 0);
  const json listed = json::parse(cli({"schedules", "list", "--json"}).out)["schedules"][0];
  const std::string id = listed["last_execution"];
  const json input = find_event(id, "execution_started", "")["data"]["input"];
  EXPECT_EQ(input["cycle"], "2027-Q1");
  EXPECT_EQ(input["once"], true);
  EXPECT_EQ(json::parse(cli({"status", id, "--json"}).out)["status"], "waiting");
}

// In real time the worker delivers what a task owes its people on its own poll: a run recorded
// by `start` is run by the worker, its task opens, and the mail reaches the server while the
// worker runs — no other command needed.
TEST_F(CoalitionWorkflows, AWorkerMailsTheOpeningOfATaskInRealTime) {
  ASSERT_TRUE(test::write_test_authority(dir_.path()));
  test::SmtpSink mail_server(mail_server_options());
  mail_through(mail_server, {{"on", {"task_opened"}}});
  const auto file = dir_.path() / "approve.json";
  std::ofstream(file) << R"({"id": "approve_now", "version": 1, "title": "t", "steps": [
    {"id": "approve", "kind": "task", "type": "approval",
     "parameters": {"title": "Approve the notice for case AML-EX-8"},
     "assign": {"roles": ["bsa_officer"], "organisation": "northwind"}}]})";
  const std::map<std::string, std::string> env{{"COALITION_STORE", store_},
                                               {"COALITION_SMTP_PASSWORD", "s3cret-EX"}};
  auto started = test::run_process(
      {test::kCoalitionBinary, "--config", config_, "start", file.string(), "--as", "sec.sam"},
      env);
  ASSERT_EQ(started.exit_code, 0) << started.err;
  EXPECT_TRUE(mail_server.received().empty()) << "start only records the run";
  // Stopped once the mail has arrived (within two minutes, however busy the machine).
  auto worker = test::run_process_until_ready(
      {test::kCoalitionBinary, "--config", config_, "--log-level", "warn", "worker"}, env,
      [&] { return !mail_server.received().empty(); }, std::chrono::seconds(120), SIGTERM);
  const auto mails = mail_server.received();
  ASSERT_EQ(mails.size(), 1u) << worker.err;
  EXPECT_EQ(mails[0].to, std::vector<std::string>{"compliance@northwind.example.com"});
  EXPECT_NE(mails[0].data.find("title: Approve the notice for case AML-EX-8"), std::string::npos);
  EXPECT_EQ(worker.err.find("compliance@northwind"), std::string::npos) << worker.err;
}

}  // namespace
}  // namespace coalition
