// The partnership workflows (policy update and adoption, onboarding, signals) end to end through
// the real CLI in virtual time: cross-member signals, policy updates and member onboarding,
// asserting deadlines (business days across the members' own public holidays), escalations,
// refusals with their exact codes, what each role sees, and the order of the audit trail.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "store/sqlite_store.h"
#include "support/coalition_cli.h"

namespace coalition {
namespace {

using nlohmann::json;

class PartnershipWorkflows : public test::CoalitionCli {
 protected:
  // Paths built with std::filesystem: GCC 12 warns (wrongly, -Warray-bounds) about chained
  // string concatenation here.
  std::string wf(const std::string& name) {
    return (std::filesystem::path(test::kSourceDir) / "workflows" / (name + ".json")).string();
  }
  std::string example(const std::string& name) {
    return (std::filesystem::path(test::kSourceDir) / "workflows" / "examples" /
            (name + ".input.json"))
        .string();
  }
  json tasks(const std::string& id) {
    json t = json::parse(cli({"tasks", "--execution", id, "--json"}).out);
    return t.is_object() ? t["tasks"] : t;
  }
  // The open task whose step path ends with `suffix`.
  json task_at(const std::string& id, const std::string& suffix) {
    for (const auto& t : tasks(id)) {
      const std::string step = t["step"];
      if (step.size() >= suffix.size() &&
          step.compare(step.size() - suffix.size(), suffix.size(), suffix) == 0) {
        return t;
      }
    }
    return json();
  }
  // Completes that task; the CLI's result (exit code, stdout, stderr).
  test::ProcessResult act(const std::string& id, const std::string& suffix,
                          const std::string& actor, const std::string& role, const std::string& org,
                          const json& data, const std::string& now) {
    const json t = task_at(id, suffix);
    EXPECT_FALSE(t.is_null()) << "no open task at " << suffix << " in " << tasks(id).dump(1);
    if (t.is_null()) return {};
    std::vector<std::string> args{"complete", t["id"],  "--as",      actor,   "--role",
                                  role,       "--data", data.dump(), "--now", now};
    if (!org.empty()) {
      args.push_back("--org");
      args.push_back(org);
    }
    return cli(args);
  }
  json status(const std::string& id, const std::string& view = "") {
    std::vector<std::string> args{"status", id, "--json"};
    if (!view.empty()) {
      args.push_back("--view");
      args.push_back(view);
    }
    return json::parse(cli(args).out);
  }
  // The one-time code last sent to directory entry `contact` on `channel` (the outbox).
  std::string code_for(const std::string& channel, const std::string& contact) {
    std::ifstream in(dir_.path() / "outbox" / (channel + ".jsonl"));
    std::string line;
    std::string code;
    while (std::getline(in, line)) {
      const json m = json::parse(line);
      if (m.value("contact", "") == contact) code = m.value("code", "");
    }
    return code;
  }
  json context_of(const std::string& id) {
    return json::parse(cli({"export", id, "--view", "secretariat_analyst"}).out)["context"];
  }
  std::vector<AuditRecord> audit(const std::string& id) {
    auto store = SqliteStore::open(SqliteOptions{store_});
    EXPECT_TRUE(store.ok());
    return *(*store)->audit(id);
  }
};

// ---------------------------------------------------------------------------------------------
// cross_member_signal, published on Christmas Eve 2026: acknowledgement windows run across the
// recipients' own holidays (US: Christmas Friday 25th; AU: Christmas and Boxing Day observed on
// Monday 28th).
TEST_F(PartnershipWorkflows, CrossMemberSignalFromSubmissionToAnUpheldAppeal) {
  const std::string id = "sig";
  auto run = cli({"run", wf("cross_member_signal"), "--input", example("cross_member_signal"),
                  "--id", id, "--as", "lumen.ana", "--now", "2026-12-24T01:00:00Z"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // The submitter may not pass her own signal's quality check.
  auto own = act(id, "quality", "lumen.ana", "secretariat_analyst", "", {{"decision", "approve"}},
                 "2026-12-24T02:00:00Z");
  EXPECT_EQ(own.exit_code, 77) << own.err;
  ASSERT_EQ(act(id, "quality", "sec.sara", "secretariat_analyst", "", {{"decision", "approve"}},
                "2026-12-24T02:00:00Z")
                .exit_code,
            0);

  // Distribution: active signal consumers in scope; never the government unit.
  json st = status(id);
  ASSERT_EQ(st["status"], "waiting") << st.dump(2);
  const json all_events = events(id);
  json distribution;
  for (const auto& e : all_events) {
    if (e.value("step", "") == "distribute" && e["type"] == "step_succeeded") {
      distribution = e["data"]["output"];
    }
  }
  std::vector<std::string> recipients;
  for (const auto& r : distribution["recipients"]) recipients.push_back(r["member"]);
  EXPECT_EQ(recipients,
            (std::vector<std::string>{"northwind", "redwood-bank", "tidewater", "harborpay"}));
  std::map<std::string, std::string> excluded;
  for (const auto& x : distribution["excluded"]) excluded[x["member"]] = x["reason"];
  EXPECT_EQ(excluded["gov-cyber-unit"], "government actor");
  EXPECT_EQ(excluded["kestrel-chat"], "status conditional");
  EXPECT_EQ(excluded["maplecredit"], "outside the jurisdictions in scope");
  EXPECT_EQ(excluded["hotline-au"], "outside the sectors in scope");

  // Acknowledgement: 2 business days of each member's calendar, from 24 December.
  EXPECT_EQ(task_at(id, "receipts[0]/receive(signal_receipt)/acknowledge")["due"],
            "2026-12-30T12:59:59.000Z");  // AU: 29, 30 December (25, 28 holidays)
  EXPECT_EQ(task_at(id, "receipts[1]/receive(signal_receipt)/acknowledge")["due"],
            "2026-12-29T04:59:59.000Z");  // US: it is still the 23rd in New York: 24, 28 (25th)
  const std::string ack_at = "2026-12-28T23:00:00Z";
  for (const auto& [i, member] : std::vector<std::pair<int, std::string>>{
           {0, "northwind"}, {2, "tidewater"}, {3, "harborpay"}}) {
    const std::string path = "receipts[" + std::to_string(i) + "]/receive(signal_receipt)/";
    ASSERT_EQ(act(id, path + "acknowledge", member + ".lead", "signal_lead", member,
                  {{"acknowledged", true}}, ack_at)
                  .exit_code,
              0)
        << member;
  }
  // Redwood Bank misses it: at the due time the task passes to its deputy.
  ASSERT_EQ(cli({"tick", "--now", "2026-12-29T05:00:00Z"}).exit_code, 0);
  const json escalated = task_at(id, "receipts[1]/receive(signal_receipt)/acknowledge");
  EXPECT_EQ(escalated["roles"], json::array({"signal_lead_deputy"}));
  EXPECT_EQ(escalated["level"], 1);
  ASSERT_EQ(
      act(id, "receipts[1]/receive(signal_receipt)/acknowledge", "rw.deputy", "signal_lead_deputy",
          "redwood-bank", {{"acknowledged", true}}, "2026-12-29T06:00:00Z")
          .exit_code,
      0);

  const std::string t = "2026-12-30T08:00:00Z";
  auto path = [](int i, const char* step) {
    return "receipts[" + std::to_string(i) + "]/receive(signal_receipt)/" + step;
  };
  // Northwind: a match; the searcher may not review her own search; a reviewer confirms.
  ASSERT_EQ(act(id, path(0, "search"), "nw.ana", "signal_analyst", "northwind",
                {{"match", true}, {"matches", {"ACCT-EX-31"}}}, t)
                .exit_code,
            0);
  auto self_review = act(id, path(0, "review"), "nw.ana", "signal_reviewer", "northwind",
                         {{"decision", "approve"}, {"justification", "mine"}}, t);
  EXPECT_EQ(self_review.exit_code, 77);
  EXPECT_NE(self_review.err.find("separation of duties"), std::string::npos) << self_review.err;
  ASSERT_EQ(act(id, path(0, "review"), "nw.rev", "signal_reviewer", "northwind",
                {{"decision", "approve"}, {"justification", "violates our terms 4.1"}}, t)
                .exit_code,
            0);
  ASSERT_EQ(act(id, path(0, "act"), "nw.ts", "trust_safety", "northwind",
                {{"action", "account_removed"},
                 {"report_reference", "AUSTRAC-EX-20261230-7"},
                 {"reported_to", "FIU"}},
                t)
                .exit_code,
            0);
  ASSERT_EQ(act(id, path(0, "feedback"), "northwind.lead", "signal_lead", "northwind",
                {{"outcome", "actioned"}}, t)
                .exit_code,
            0);
  // Redwood: no match; "actioned" without a human review is refused with its code.
  ASSERT_EQ(
      act(id, path(1, "search"), "rw.ana", "signal_analyst", "redwood-bank", {{"match", false}}, t)
          .exit_code,
      0);
  auto unreviewed = act(id, path(1, "feedback"), "redwood-bank.lead", "signal_lead", "redwood-bank",
                        {{"outcome", "actioned"}}, t);
  EXPECT_EQ(unreviewed.exit_code, 77);
  EXPECT_NE(unreviewed.err.find("signal.human_review_required"), std::string::npos)
      << unreviewed.err;
  ASSERT_EQ(act(id, path(1, "feedback"), "redwood-bank.lead", "signal_lead", "redwood-bank",
                {{"outcome", "no_match"}}, t)
                .exit_code,
            0);
  // Tidewater: a match the reviewer does not confirm; still no "actioned".
  ASSERT_EQ(act(id, path(2, "search"), "tw.ana", "signal_analyst", "tidewater",
                {{"match", true}, {"matches", {"WAL-EX-8"}}}, t)
                .exit_code,
            0);
  ASSERT_EQ(act(id, path(2, "review"), "tw.rev", "signal_reviewer", "tidewater",
                {{"decision", "reject"}, {"justification", "no violation of our terms"}}, t)
                .exit_code,
            0);
  EXPECT_EQ(act(id, path(2, "feedback"), "tidewater.lead", "signal_lead", "tidewater",
                {{"outcome", "actioned"}}, t)
                .exit_code,
            77);
  ASSERT_EQ(act(id, path(2, "feedback"), "tidewater.lead", "signal_lead", "tidewater",
                {{"outcome", "false_positive"}}, t)
                .exit_code,
            0);
  // HarborPay: confirmed and actioned.
  ASSERT_EQ(act(id, path(3, "search"), "hp.ana", "signal_analyst", "harborpay",
                {{"match", true}, {"matches", {"MER-EX-4"}}}, t)
                .exit_code,
            0);
  ASSERT_EQ(act(id, path(3, "review"), "hp.rev", "signal_reviewer", "harborpay",
                {{"decision", "approve"}, {"justification", "merchant terms 9"}}, t)
                .exit_code,
            0);
  ASSERT_EQ(act(id, path(3, "act"), "hp.ts", "trust_safety", "harborpay",
                {{"action", "merchant_terminated"},
                 {"reported_to", "FIU"},
                 {"report_reference", "AUSTRAC-EX-20261230-9"}},
                t)
                .exit_code,
            0);
  ASSERT_EQ(act(id, path(3, "feedback"), "harborpay.lead", "signal_lead", "harborpay",
                {{"outcome", "actioned"}}, t)
                .exit_code,
            0);

  // A user's appeal upheld at Northwind: both members that actioned are told, and the
  // originator must re-review within 5 business days of its calendar (US: New Year's Day).
  ASSERT_EQ(cli({"signal", id, "appeal_upheld", "--data",
                 R"({"member": "northwind", "appeal_ref": "APL-EX-77"})", "--as", "northwind.lead",
                 "--now", "2026-12-31T00:00:00Z"})
                .exit_code,
            0);
  const json rereview = task_at(id, "lifecycle[appeal]/rereview");
  ASSERT_FALSE(rereview.is_null()) << tasks(id).dump(1) << status(id).dump(1);
  EXPECT_EQ(rereview["organisation"], "lumen-social");
  // 31 December, then 4-7 January (New Year's Day a holiday), in New York.
  EXPECT_EQ(rereview["due"], "2027-01-08T04:59:59.000Z");
  ASSERT_EQ(act(id, "lifecycle[appeal]/rereview", "lumen.ana", "signal_analyst", "lumen-social",
                {{"decision", "retract"}}, "2027-01-04T15:00:00Z")
                .exit_code,
            0);
  // Retracted: the signal is withdrawn from distribution. Every recipient is told and confirms
  // it removed the indicator (5 days); the run waits for them.
  st = status(id);
  ASSERT_EQ(st["status"], "waiting") << st.dump(2);
  std::vector<std::string> to_remove;
  for (const auto& task : tasks(id)) {
    if (task["step"].get<std::string>().rfind("tell_withdrawn[", 0) == 0) {
      to_remove.push_back(task["organisation"]);
      EXPECT_EQ(task["title"],
                "Signal SIG-EX-2026-0142 was withdrawn: remove its indicator from your systems and "
                "confirm")
          << task.dump(2);
      EXPECT_EQ(task["due"], "2027-01-09T15:00:00.000Z");
    }
  }
  std::sort(to_remove.begin(), to_remove.end());
  EXPECT_EQ(to_remove,
            (std::vector<std::string>{"harborpay", "northwind", "redwood-bank", "tidewater"}));
  ASSERT_EQ(act(id, "tell_withdrawn[0]/remove", "nw.lead", "signal_analyst", "northwind",
                {{"acknowledged", true}}, "2027-01-05T01:00:00Z")
                .exit_code,
            0);
  ASSERT_EQ(cli({"tick", "--now", "2027-01-10T00:00:00Z"}).exit_code, 0);  // the others lapse
  st = status(id);
  ASSERT_EQ(st["status"], "succeeded") << st.dump(2);
  const json& out = st["output"];
  EXPECT_EQ(out["status"], "withdrawn");
  EXPECT_EQ(out["tombstone"],
            json::parse(R"({"signal_id": "SIG-EX-2026-0142", "withdrawn_at": "2027-01-04T15:00:00Z",
                            "reason": "retracted by the originator after an appeal was upheld"})"));
  EXPECT_EQ(out["indicator_until"], "2027-01-04T15:00:00Z");
  std::map<std::string, std::string> removed;
  for (const auto& r : out["removals"]) removed[r["member"]] = r["removed"].dump();
  EXPECT_EQ(removed, (std::map<std::string, std::string>{{"northwind", "true"},
                                                         {"redwood-bank", "\"unconfirmed\""},
                                                         {"tidewater", "\"unconfirmed\""},
                                                         {"harborpay", "\"unconfirmed\""}}));
  // The audit says so (its entries keep identifiers, never outputs): the withdrawal decided at
  // the retraction, the withdrawal branch taken, Northwind's confirmation.
  std::vector<std::string> withdrawal_trail;
  for (const auto& a : audit(id)) {
    if (a.step == "ended" || a.step == "withdrawn" ||
        (a.type == "task_completed" && a.step.rfind("tell_withdrawn[", 0) == 0)) {
      withdrawal_trail.push_back(a.type + " " + a.step + " " + a.actor + " " + a.at.substr(0, 10));
    }
  }
  EXPECT_EQ(
      withdrawal_trail,
      (std::vector<std::string>{
          "step_scheduled ended engine 2027-01-04", "attempt_started ended engine 2027-01-04",
          "step_succeeded ended engine 2027-01-04", "step_scheduled withdrawn engine 2027-01-04",
          "branch_taken withdrawn engine 2027-01-04",
          "task_completed tell_withdrawn[0]/remove nw.lead 2027-01-05"}));
  // The indicator expires with the withdrawal: the first purge after it removes the
  // restricted data (the indicator) and leaves the tombstone.
  auto purge = cli({"purge", "--dry-run", "--now", "2027-01-11T00:00:00Z"});
  EXPECT_NE(purge.out.find(id), std::string::npos) << purge.out;
  EXPECT_NE(purge.out.find("restricted"), std::string::npos) << purge.out;
  EXPECT_EQ(out["lifecycle"]["appeal"]["decision"], "retract");
  std::map<std::string, bool> told;
  for (const auto& x : out["lifecycle"]["appeal"]["told"]) told[x["member"]] = x["told"];
  EXPECT_EQ(told, (std::map<std::string, bool>{{"northwind", true},
                                               {"redwood-bank", false},
                                               {"tidewater", false},
                                               {"harborpay", true}}));
  std::map<std::string, std::string> outcomes;
  for (const auto& r : out["receipts"]) outcomes[r["member"]] = r["outcome"];
  EXPECT_EQ(outcomes, (std::map<std::string, std::string>{{"northwind", "actioned"},
                                                          {"redwood-bank", "no_match"},
                                                          {"tidewater", "false_positive"},
                                                          {"harborpay", "actioned"}}));

  // Members see outcomes, never the statutory reports (restricted in signal_receipt) nor the
  // indicator itself; the transparency role sees no field at all.
  const std::string member_view = cli({"history", id, "--json", "--view", "signal_lead"}).out;
  EXPECT_EQ(member_view.find("AUSTRAC-EX-2026"), std::string::npos);
  EXPECT_EQ(member_view.find("f8f8f0cee0f4a84f"), std::string::npos);
  EXPECT_NE(member_view.find("false_positive"), std::string::npos);
  const json officer = status(id, "secretariat_analyst");
  EXPECT_EQ(officer["output"]["receipts"].size(), 4u);
  EXPECT_FALSE(status(id, "transparency").contains("output"));

  // The audit trail: three refusals in order (self-approval, self-review, then the two
  // unreviewed "actioned"), each with its reason.
  std::vector<std::string> refusals;
  for (const auto& a : audit(id)) {
    if (a.type != "task_refused") continue;
    const json s = json::parse(a.summary);
    refusals.push_back(a.actor + " " + s.value("message", "").substr(0, 40));
  }
  ASSERT_EQ(refusals.size(), 4u);
  EXPECT_EQ(refusals[0].rfind("lumen.ana separation of duties", 0), 0u) << refusals[0];
  EXPECT_EQ(refusals[1].rfind("nw.ana separation of duties", 0), 0u) << refusals[1];
  EXPECT_EQ(refusals[2].rfind("redwood-bank.lead signal.human_review_required", 0), 0u)
      << refusals[2];
  EXPECT_EQ(refusals[3].rfind("tidewater.lead signal.human_review_required", 0), 0u) << refusals[3];
  EXPECT_EQ(cli({"audit", "verify"}).exit_code, 0);
}

TEST_F(PartnershipWorkflows, SignalsWithoutLegalBasisOrWithPersonalDataAreRefusedWithTheirCode) {
  json input = json::parse(std::ifstream(example("cross_member_signal")));
  input["signal"]["legal_basis"] = "";
  std::ofstream(dir_.path() / "a.json") << input.dump();
  auto r = cli({"run", wf("cross_member_signal"), "--input", (dir_.path() / "a.json").string(),
                "--id", "s1", "--now", "2026-12-01T00:00:00Z", "--json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(json::parse(r.out)["error"]["code"], "signal.no_legal_basis") << r.out;
  input = json::parse(std::ifstream(example("cross_member_signal")));
  input["signal"]["source_context"] = "seller answers at seller.x@mail.example.org";
  std::ofstream(dir_.path() / "b.json") << input.dump();
  r = cli({"run", wf("cross_member_signal"), "--input", (dir_.path() / "b.json").string(), "--id",
           "s2", "--now", "2026-12-01T00:00:00Z", "--json"});
  EXPECT_EQ(json::parse(r.out)["error"]["code"], "signal.personal_data") << r.out;
  // Every recipient reads the signal: nothing in it may say that a report was filed.
  input = json::parse(std::ifstream(example("cross_member_signal")));
  input["signal"]["source_context"] = "merchant offboarded; STR lodged 2 Dec 2026";
  std::ofstream(dir_.path() / "d.json") << input.dump();
  r = cli({"run", wf("cross_member_signal"), "--input", (dir_.path() / "d.json").string(), "--id",
           "s4", "--now", "2026-12-01T00:00:00Z", "--json"});
  EXPECT_EQ(r.exit_code, 65) << r.err;
  EXPECT_NE(r.err.find("/signal/source_context: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("report status"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("offboarded"), std::string::npos) << r.err;
  EXPECT_NE(cli({"status", "s4", "--json"}).exit_code, 0) << "nothing was started";
  // An e-mail indicator travels as a keyed hash, never in clear.
  input = json::parse(std::ifstream(example("cross_member_signal")));
  input["signal"]["signal_type"] = "email";
  input["signal"]["value"] = "Seller.X@Mail.Example.org";
  std::ofstream(dir_.path() / "c.json") << input.dump();
  r = cli({"run", wf("cross_member_signal"), "--input", (dir_.path() / "c.json").string(), "--id",
           "s3", "--now", "2026-12-01T00:00:00Z", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json ev = events("s3");
  for (const auto& e : ev) {
    if (e.value("step", "") == "guard" && e["type"] == "step_succeeded") {
      const std::string shared = e["data"]["output"]["signal"]["value"];
      EXPECT_EQ(shared.rfind("hmac-sha256:", 0), 0u);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// policy_update: a model clause from draft to adoption matrix, with three members: Northwind
// (an Australian bank) adopts after its sign-offs were escalated, HarborPay declines and gets
// an exception, Lumen Social (a US platform) misses the effective date and is marked overdue.
TEST_F(PartnershipWorkflows, PolicyUpdateFromDraftToAdoptionMatrix) {
  const std::string id = "pol";
  ASSERT_EQ(cli({"run", wf("policy_update"), "--input", example("policy_update"), "--id", id,
                 "--as", "sec.pat", "--now", "2027-01-04T14:00:00Z"})
                .exit_code,
            0);
  ASSERT_EQ(act(id, "draft", "sec.pat", "secretariat_policy_lead", "",
                {{"version", "1.0"},
                 {"text",
                  "Customers who trade or sell child sexual abuse material are removed and "
                  "reported to the competent authorities."},
                 {"url", "https://coalition.example.org/model-clauses/csam-trade-1.0"},
                 {"segments", {"acquirer", "psp", "platform"}}},
                "2027-01-04T14:10:00Z")
                .exit_code,
            0);
  // 10 business days under us-federal from Monday 4 January: Martin Luther King Jr. Day (the
  // 18th) is skipped, so the end of Tuesday 19 January in New York.
  EXPECT_EQ(task_at(id, "committee")["due"], "2027-01-20T04:59:59.000Z");
  auto author = act(id, "committee", "sec.pat", "policy_committee", "",
                    {{"decision", "approve"}, {"justification", "mine"}}, "2027-01-05T15:00:00Z");
  EXPECT_EQ(author.exit_code, 77) << author.err;  // the author cannot approve
  for (const auto& [who, at] : std::vector<std::pair<std::string, std::string>>{
           {"cm.one", "2027-01-05T15:00:00Z"}, {"cm.two", "2027-01-05T16:00:00Z"}}) {
    ASSERT_EQ(act(id, "committee", who, "policy_committee", "",
                  {{"decision", "approve"}, {"justification", "aligned with the model clause"}}, at)
                  .exit_code,
              0);
  }
  auto member = [](int i, const std::string& step) {
    return "each_member[" + std::to_string(i) + "]/adopt(policy_adoption)/" + step;
  };
  // Acknowledgement: 5 business days of each member's own calendar.
  EXPECT_EQ(task_at(id, member(0, "acknowledge"))["due"], "2027-01-13T12:59:59.000Z");  // AU
  EXPECT_EQ(task_at(id, member(2, "acknowledge"))["due"], "2027-01-13T04:59:59.000Z");  // US

  // HarborPay declines; the secretariat grants an exception.
  ASSERT_EQ(act(id, member(1, "acknowledge"), "hp.pol", "member_policy_owner", "harborpay",
                {{"response", "decline"},
                 {"decline_reason", "conflicts with a local regulator's notice (fictional)"}},
                "2027-01-06T00:00:00Z")
                .exit_code,
            0);
  // Northwind adopts, finds one gap (tipping-off language) and drafts FI text.
  ASSERT_EQ(act(id, member(0, "acknowledge"), "nw.pol", "member_policy_owner", "northwind",
                {{"response", "adopt"}}, "2027-01-06T00:00:00Z")
                .exit_code,
            0);
  // Lumen acknowledges and then goes quiet.
  ASSERT_EQ(act(id, member(2, "acknowledge"), "lu.pol", "member_policy_owner", "lumen-social",
                {{"response", "adopt"}}, "2027-01-06T00:00:00Z")
                .exit_code,
            0);

  ASSERT_EQ(act(id, member(1, "exception_review"), "sec.pat", "secretariat_policy_lead", "",
                {{"decision", "approve"}, {"justification", "local law conflict"}},
                "2027-01-07T00:00:00Z")
                .exit_code,
            0);
  json answers = json::object();
  for (const char* item : {"prohibition", "terminate_hold_funds", "reports_to_authorities",
                           "acquirer_controls", "platform_appeals_review", "preservation"}) {
    answers[item] = {{"status", "observed"}, {"evidence", "https://northwind.example.com/terms#4"}};
  }
  answers["no_tipping_off"] = {{"status", "not_observed"}};
  ASSERT_EQ(act(id, member(0, "gap_assessment"), "nw.pol", "member_policy_owner", "northwind",
                {{"answers", answers}}, "2027-01-11T00:00:00Z")
                .exit_code,
            0);
  const json draft = task_at(id, member(0, "draft_text"));
  EXPECT_NE(draft.value("instructions", "").find("never promise per-customer disclosure"),
            std::string::npos)
      << draft.dump(1);  // the financial institution's jurisdiction branch
  ASSERT_EQ(act(id, member(0, "draft_text"), "nw.leg", "member_legal", "northwind",
                {{"draft_url", "https://northwind.example.com/drafts/terms-2027"},
                 {"draft_sha256", std::string(64, 'b')}},
                "2027-01-20T00:00:00Z")
                .exit_code,
            0);
  // The legal sign-off is due 21 days before the effective date (8 February); at 14 days the
  // executive sponsor joins.
  EXPECT_EQ(task_at(id, member(0, "legal_signoff"))["due"], "2027-02-08T04:59:59.000Z");
  ASSERT_EQ(cli({"tick", "--now", "2027-02-15T05:00:00Z"}).exit_code, 0);
  const json legal = task_at(id, member(0, "legal_signoff"));
  EXPECT_EQ(legal["level"], 2);
  EXPECT_EQ(legal["roles"], json::array({"member_legal", "exec_sponsor"}));
  EXPECT_EQ(legal["due"], "2027-03-01T04:59:59.000Z");
  ASSERT_EQ(act(id, member(0, "legal_signoff"), "nw.leg", "member_legal", "northwind",
                {{"decision", "approve"}}, "2027-02-16T00:00:00Z")
                .exit_code,
            0);
  // Compliance must be someone else than the drafter and the legal approver.
  auto same = act(id, member(0, "compliance_signoff"), "nw.leg", "member_compliance", "northwind",
                  {{"decision", "approve"}}, "2027-02-16T01:00:00Z");
  EXPECT_EQ(same.exit_code, 77);
  EXPECT_NE(same.err.find("separation of duties"), std::string::npos) << same.err;
  ASSERT_EQ(act(id, member(0, "compliance_signoff"), "nw.comp", "member_compliance", "northwind",
                {{"decision", "approve"}}, "2027-02-16T02:00:00Z")
                .exit_code,
            0);
  ASSERT_EQ(act(id, member(0, "attest"), "nw.pol", "member_policy_owner", "northwind",
                {{"published_url", "https://northwind.example.com/terms"},
                 {"text_sha256", std::string(64, 'c')},
                 {"effective_date", "2027-02-28"}},
                "2027-02-20T00:00:00Z")
                .exit_code,
            0);

  // The effective date passes: every adoption settles. Lumen has not attested: overdue, for the
  // secretariat's eyes only. The engine computes the adoption matrix from the outcomes; the
  // secretariat publishes it within 10 business days and chases Lumen every week meanwhile.
  ASSERT_EQ(cli({"tick", "--now", "2027-03-01T05:00:00Z"}).exit_code, 0);
  const json publish = task_at(id, "after_effective[publish]/publish_matrix");
  ASSERT_FALSE(publish.is_null()) << status(id, "secretariat_policy_lead").dump(1);
  EXPECT_EQ(publish["due"], "2027-03-13T04:59:59.000Z");
  EXPECT_NE(publish["instructions"].get<std::string>().find(
                "1 compliant, 1 overdue, 0 declined, 1 with an exception"),
            std::string::npos)
      << publish.dump(2);
  const std::string chase = "after_effective[chase]/follow_ups[0]/chase";
  EXPECT_EQ(task_at(id, chase)["due"], "2027-03-08T04:59:59.000Z");
  EXPECT_EQ(task_at(id, chase)["title"],
            "Overdue attestation of lumen-social: record it once published");
  ASSERT_EQ(cli({"tick", "--now", "2027-03-08T05:00:00Z"}).exit_code, 0);
  EXPECT_EQ(task_at(id, chase)["due"], "2027-03-15T04:59:59.000Z");
  // Lumen's own people are not told it is overdue: no task of theirs says so.
  for (const auto& t : tasks(id)) {
    EXPECT_NE(t.value("organisation", ""), "lumen-social") << t.dump(2);
  }
  ASSERT_EQ(act(id, chase, "sec.pat", "secretariat_policy_lead", "",
                {{"published_url", "https://lumen.example.net/policies/csam"},
                 {"text_sha256", std::string(64, 'd')},
                 {"effective_date", "2027-03-09"}},
                "2027-03-09T00:00:00Z")
                .exit_code,
            0);
  ASSERT_EQ(act(id, "after_effective[publish]/publish_matrix", "sec.pat", "secretariat_policy_lead",
                "", {{"matrix_url", "https://coalition.example.org/adoption/PC-2026-014"}},
                "2027-03-10T00:00:00Z")
                .exit_code,
            0);
  const json st = status(id, "secretariat_policy_lead");
  ASSERT_EQ(st["status"], "succeeded") << st.dump(2);
  std::map<std::string, std::string> statuses;
  for (const auto& a : st["output"]["adoptions"]) {
    statuses[a["member"]] = a.contains("status") ? a["status"] : a["overdue"]["status"];
  }
  EXPECT_EQ(statuses, (std::map<std::string, std::string>{{"northwind", "adopted"},
                                                          {"harborpay", "declined"},
                                                          {"lumen-social", "not_attested"}}));
  EXPECT_EQ(st["output"]["adoptions"][2]["overdue"]["overdue"], true);
  const json matrix = st["output"]["matrix"];
  EXPECT_EQ(matrix["totals"],
            json::parse(R"({"compliant": 1, "overdue": 1, "declined": 0, "exception": 1})"));
  EXPECT_EQ(matrix["by_sector"]["financial"],
            json::parse(R"({"compliant": 1, "overdue": 0, "declined": 0, "exception": 1})"));
  EXPECT_EQ(matrix["by_sector"]["technology"],
            json::parse(R"({"compliant": 0, "overdue": 1, "declined": 0, "exception": 0})"));
  // Lumen serves the US and Australia: counted in both.
  EXPECT_EQ(matrix["by_jurisdiction"]["AU"],
            json::parse(R"({"compliant": 1, "overdue": 1, "declined": 0, "exception": 1})"));
  EXPECT_EQ(matrix["by_jurisdiction"]["US"],
            json::parse(R"({"compliant": 0, "overdue": 1, "declined": 0, "exception": 0})"));
  EXPECT_EQ(matrix["url"], "https://coalition.example.org/adoption/PC-2026-014");
  EXPECT_EQ(st["output"]["follow_ups"][0]["status"], "adopted_late");
  // The committee sees the adoptions and the matrix's counts, not who was overdue, not the
  // secretariat's follow-up, and not where Lumen's expired attestation led.
  const json committee = status(id, "policy_committee");
  ASSERT_EQ(committee["output"]["adoptions"].size(), 3u);
  EXPECT_FALSE(committee["output"]["adoptions"][2].contains("overdue"));
  EXPECT_FALSE(committee["output"]["adoptions"][2].contains("status"))
      << committee["output"]["adoptions"][2].dump();  // "not attested" is the same mark
  EXPECT_EQ(committee["output"]["adoptions"][0]["status"], "adopted");
  EXPECT_FALSE(committee["output"].contains("follow_ups"))
      << committee["output"]["follow_ups"].dump(2);
  EXPECT_EQ(committee["output"]["matrix"]["totals"]["overdue"], 1);
  const std::string history = cli({"history", id, "--json", "--view", "policy_committee"}).out;
  EXPECT_EQ(history.find("/overdue\""), std::string::npos);
  EXPECT_EQ(history.find("adopt(policy_adoption)/overdue"), std::string::npos);
  EXPECT_EQ(history.find("next:overdue"), std::string::npos);
  EXPECT_EQ(history.find("follow_ups"), std::string::npos);
  EXPECT_EQ(history.find("\"overdue\": ["), std::string::npos);  // the matrix's member lists
  EXPECT_NE(history.find("adopt(policy_adoption)/attest"), std::string::npos);  // its own step
  // The secretariat's view names it.
  const std::string full = cli({"history", id, "--json", "--view", "secretariat_policy_lead"}).out;
  EXPECT_NE(full.find("next:overdue"), std::string::npos);

  // The audit trail, in order: the author's refusal, then the compliance refusal.
  std::vector<std::string> refused;
  for (const auto& a : audit(id)) {
    if (a.type == "task_refused") refused.push_back(a.actor + "@" + a.step);
  }
  EXPECT_EQ(refused, (std::vector<std::string>{"sec.pat@committee",
                                               "nw.leg@" + member(0, "compliance_signoff")}));
  EXPECT_EQ(cli({"audit", "verify"}).exit_code, 0);
}

// ---------------------------------------------------------------------------------------------
// member_onboarding: CoralPay, a US payment firm, from application to its first annual
// re-certification; then the roles an applicant can never or not yet have.
TEST_F(PartnershipWorkflows, MemberOnboardingFromApplicationToRecertification) {
  const std::string id = "onb";
  ASSERT_EQ(cli({"run", wf("member_onboarding"), "--input", example("member_onboarding"), "--id",
                 id, "--as", "sec.sam", "--now", "2026-12-07T14:00:00Z"})
                .exit_code,
            0);
  // D2: 10 business days under us-federal from Monday 7 December.
  EXPECT_EQ(task_at(id, "eligibility")["due"], "2026-12-22T04:59:59.000Z");
  ASSERT_EQ(act(id, "eligibility", "sec.ana", "secretariat_analyst", "",
                {{"sanctions_clear", true},
                 {"adverse_media_clear", true},
                 {"government_actor", false},
                 {"memo_ref", "MEMO-EX-2026-31"}},
                "2026-12-08T15:00:00Z")
                .exit_code,
            0);
  // Only CoralPay's own compliance officer attests for CoralPay; its staff-welfare policy is
  // not in place yet, so the admission will be conditional.
  const json attest{{"appeals_process", false},
                    {"human_review_before_action", true},
                    {"government_request_policy", true},
                    {"sar_programme", true},
                    {"staff_welfare_policy", false}};
  EXPECT_EQ(act(id, "attestations", "nw.comp", "applicant_compliance", "northwind", attest,
                "2026-12-09T15:00:00Z")
                .exit_code,
            77);
  ASSERT_EQ(act(id, "attestations", "cp.comp", "applicant_compliance", "coralpay", attest,
                "2026-12-09T15:00:00Z")
                .exit_code,
            0);
  // D4: 20 business days from Wednesday 9 December (Christmas and New Year's Day skipped):
  // the end of Friday 8 January in New York.
  EXPECT_EQ(task_at(id, "agreements[applicant]/applicant_legal")["due"],
            "2027-01-09T04:59:59.000Z");
  ASSERT_EQ(act(id, "agreements[applicant]/applicant_legal", "cp.legal", "applicant_legal",
                "coralpay", {{"decision", "approve"}}, "2026-12-10T15:00:00Z")
                .exit_code,
            0);
  ASSERT_EQ(act(id, "agreements[secretariat]/secretariat_legal", "sec.lee", "secretariat_legal", "",
                {{"decision", "approve"}}, "2026-12-10T16:00:00Z")
                .exit_code,
            0);
  // D6: each minimum contact role confirms the one-time code sent to its primary channel.
  for (const std::string role : {"bsa_officer", "exec_sponsor"}) {
    const std::string entry = "coralpay." + role;
    const std::string code = code_for("phone", entry);
    ASSERT_EQ(code.size(), 6u) << entry;
    const int i = role == "bsa_officer" ? 0 : 1;
    ASSERT_EQ(act(id, "contacts[" + std::to_string(i) + "]/verify(contact_verification)/challenge",
                  "cp." + role, role, "coralpay", {{"acknowledged", true}, {"code", code}},
                  "2026-12-11T15:00:00Z")
                  .exit_code,
              0)
        << entry;
  }
  json access{{"answers", json::object()}};
  for (const char* item : {"sso_mfa", "role_mapping", "training"}) {
    access["answers"][item] = {{"status", "observed"}, {"evidence", "TICKET-EX-77"}};
  }
  ASSERT_EQ(act(id, "access", "sec.ana", "secretariat_analyst", "", access, "2026-12-14T15:00:00Z")
                .exit_code,
            0);
  // D8: the policy baseline, no gaps, attested.
  const std::string baseline = "policy_baseline(policy_adoption)/";
  ASSERT_EQ(act(id, baseline + "acknowledge", "cp.pol", "member_policy_owner", "coralpay",
                {{"response", "adopt"}}, "2026-12-14T16:00:00Z")
                .exit_code,
            0);
  json gaps{{"answers", json::object()}};
  for (const char* item : {"prohibition", "terminate_hold_funds", "reports_to_authorities",
                           "acquirer_controls", "preservation", "no_tipping_off"}) {
    gaps["answers"][item] = {{"status", "observed"},
                             {"evidence", "https://coralpay.example.com/terms"}};
  }
  gaps["answers"]["platform_appeals_review"] = {{"status", "not_applicable"}};
  ASSERT_EQ(act(id, baseline + "gap_assessment", "cp.pol", "member_policy_owner", "coralpay", gaps,
                "2026-12-15T16:00:00Z")
                .exit_code,
            0);
  ASSERT_EQ(act(id, baseline + "attest", "cp.pol", "member_policy_owner", "coralpay",
                {{"published_url", "https://coralpay.example.com/terms"},
                 {"text_sha256", std::string(64, 'e')},
                 {"effective_date", "2026-12-16"}},
                "2026-12-16T16:00:00Z")
                .exit_code,
            0);
  // D9: two different people, the secretariat and the steering committee.
  ASSERT_EQ(
      act(id, "go_live", "sec.lead", "secretariat_lead", "",
          {{"decision", "approve"}, {"justification", "D2-D8 complete"}}, "2026-12-17T15:00:00Z")
          .exit_code,
      0);
  EXPECT_EQ(act(id, "go_live", "sec.lead", "steering_committee", "",
                {{"decision", "approve"}, {"justification", "again"}}, "2026-12-17T15:30:00Z")
                .exit_code,
            77);  // the same person cannot make the quorum
  ASSERT_EQ(act(id, "go_live", "sc.mia", "steering_committee", "",
                {{"decision", "approve"}, {"justification", "admit"}}, "2026-12-17T16:00:00Z")
                .exit_code,
            0);
  json ctx = context_of(id);
  EXPECT_EQ(ctx["membership"]["status"], "conditional");
  EXPECT_EQ(ctx["membership"]["roles"],
            json::array({"signal_contributor", "signal_consumer", "fi_sharing"}));
  // A conditional admission: CoralPay's compliance contact gets a remediation task naming the
  // unmet criterion, due in 30 business days of the secretariat's calendar (from Thursday 17
  // December, Christmas, New Year's Day, Martin Luther King Day skipped: Tuesday 2 February).
  const json remediation = task_at(id, "remediation");
  ASSERT_FALSE(remediation.is_null());
  EXPECT_EQ(remediation["roles"], json::array({"applicant_compliance"}));
  EXPECT_EQ(remediation["organisation"], "coralpay");
  EXPECT_EQ(remediation["due"], "2027-02-03T04:59:59.000Z");
  EXPECT_NE(remediation["instructions"].get<std::string>().find(
                "staff_welfare_policy (a welfare policy for staff exposed to abuse material or "
                "its reports is required)"),
            std::string::npos)
      << remediation.dump(2);
  json met = attest;
  met["staff_welfare_policy"] = true;
  ASSERT_EQ(act(id, "remediation", "cp.comp", "applicant_compliance", "coralpay",
                {{"attestations", met},
                 {"evidence_refs", {"https://coralpay.example.com/policies/staff-welfare"}}},
                "2026-12-21T16:00:00Z")
                .exit_code,
            0);
  ctx = context_of(id);
  EXPECT_EQ(ctx["membership"]["status"], "active");
  EXPECT_EQ(ctx["membership"]["remediated_at"], "2026-12-21T16:00:00.000Z");
  EXPECT_TRUE(ctx["grants"]["unmet"].empty());
  EXPECT_EQ(ctx["registration_314b"]["expires_on"], "2027-09-14");
  EXPECT_FALSE(ctx.contains("eligibility"));  // restricted: never exported

  // D10: the probation review 90 days after go-live, then the anniversary.
  ASSERT_EQ(cli({"tick", "--now", "2027-03-17T16:00:00Z"}).exit_code, 0);
  ASSERT_FALSE(task_at(id, "probation_review").is_null());
  ASSERT_EQ(act(id, "probation_review", "sec.lead", "secretariat_lead", "",
                {{"decision", "approve"}}, "2027-03-18T16:00:00Z")
                .exit_code,
            0);
  ASSERT_EQ(cli({"tick", "--now", "2027-12-18T16:00:00Z"}).exit_code, 0);
  // Re-certified without the human-review commitment: conditional, no longer a consumer.
  json weaker = attest;
  weaker["human_review_before_action"] = false;
  ASSERT_EQ(act(id, "recertify", "cp.comp", "applicant_compliance", "coralpay", weaker,
                "2027-12-20T16:00:00Z")
                .exit_code,
            0);
  ctx = context_of(id);
  EXPECT_EQ(ctx["grants"]["status"], "conditional");
  EXPECT_EQ(ctx["grants"]["roles"], json::array({"signal_contributor"}));
  EXPECT_EQ(ctx["registration_314b"]["valid"], false);  // expired on 14 September
  // A year later nobody re-certifies: the membership lapses and is suspended.
  ASSERT_EQ(cli({"tick", "--now", "2029-01-25T00:00:00Z"}).exit_code, 0);
  const json st = status(id);
  ASSERT_EQ(st["status"], "succeeded") << st.dump(2);
  EXPECT_EQ(st["output"]["status"], "suspended");
  // The applicant's own people see that the application is under way, nothing of the screen.
  const std::string applicant_view =
      cli({"history", id, "--json", "--view", "applicant_admin"}).out;
  EXPECT_EQ(applicant_view.find("MEMO-EX-2026-31"), std::string::npos);
  EXPECT_EQ(cli({"audit", "verify"}).exit_code, 0);
}

TEST_F(PartnershipWorkflows, AGovernmentActorIsAnObserverAndAPlatformWithoutAppealsConditional) {
  auto until_grants = [&](const std::string& id, const std::string& day, const json& applicant,
                          bool government, const json& attest) {
    json input = json::parse(std::ifstream(example("member_onboarding")));
    input["applicant"].update(applicant);
    std::ofstream(dir_.path() / (id + ".json")) << input.dump();
    EXPECT_EQ(
        cli({"run", wf("member_onboarding"), "--input", (dir_.path() / (id + ".json")).string(),
             "--id", id, "--now", day + "T14:00:00Z"})
            .exit_code,
        0);
    EXPECT_EQ(act(id, "eligibility", "sec.ana", "secretariat_analyst", "",
                  {{"sanctions_clear", true},
                   {"adverse_media_clear", true},
                   {"government_actor", government},
                   {"memo_ref", "MEMO-EX-2"}},
                  day + "T15:00:00Z")
                  .exit_code,
              0);
    EXPECT_EQ(act(id, "attestations", "x.comp", "applicant_compliance", applicant["id"], attest,
                  day + "T16:00:00Z")
                  .exit_code,
              0);
    return context_of(id)["grants"];
  };
  const json yes{{"appeals_process", true},
                 {"human_review_before_action", true},
                 {"government_request_policy", true},
                 {"staff_welfare_policy", true}};
  // The application said "not government"; the secretariat's screen found otherwise.
  const json gov =
      until_grants("gov", "2026-12-07", {{"id", "gov-unit-ex"}, {"type", "platform"}}, true, yes);
  EXPECT_EQ(gov["status"], "observer");
  EXPECT_TRUE(gov["roles"].empty());
  json no_appeals = yes;
  no_appeals["appeals_process"] = false;
  const json platform = until_grants("plat", "2026-12-08",
                                     {{"id", "quill-ex"}, {"type", "platform"}}, false, no_appeals);
  EXPECT_EQ(platform["status"], "conditional");
  EXPECT_EQ(platform["roles"], json::array({"signal_contributor"}));
  EXPECT_EQ(platform["withheld"][0]["role"], "signal_consumer");
  EXPECT_EQ(platform["unmet"][0]["criterion"], "appeals_process");
  // An applicant of government type is an observer whatever the screening form says.
  const json agency = until_grants("agency", "2026-12-09",
                                   {{"id", "agency-ex"}, {"type", "government"}}, false, yes);
  EXPECT_EQ(agency["status"], "observer");
  EXPECT_TRUE(agency["roles"].empty());
  EXPECT_EQ(agency["withheld"].size(), 3u);
}

// The coalition's identifiers: a number with fewer digits than the old patterns wanted starts;
// one that breaks the convention is refused with the convention in the message.
TEST_F(PartnershipWorkflows, IdentifiersFollowTheCoalitionsConventions) {
  json input = json::parse(std::ifstream(example("policy_update")));
  input["policy_change_id"] = "PC-2026-7";
  std::ofstream(dir_.path() / "short.json") << input.dump();
  auto ok = cli({"run", wf("policy_update"), "--input", (dir_.path() / "short.json").string(),
                 "--id", "pc7", "--now", "2026-12-07T14:00:00Z"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  input["policy_change_id"] = "2026-7";
  std::ofstream(dir_.path() / "bad.json") << input.dump();
  auto bad = cli({"run", wf("policy_update"), "--input", (dir_.path() / "bad.json").string(),
                  "--id", "bad", "--now", "2026-12-07T14:00:00Z"});
  EXPECT_EQ(bad.exit_code, 65);
  EXPECT_NE(bad.err.find("/policy_change_id: input does not match the input schema of "
                         "policy_update@2: expected The coalition's policy change number: PC-, "
                         "the year, a hyphen and the change's number in that year"),
            std::string::npos)
      << bad.err;
}

}  // namespace
}  // namespace coalition
