// Data protection through the real CLI, enforced by the engine rather than by each workflow:
// what each role sees of the AML review (asserted field by field, by absence), exports without
// restricted data, retention purges with tombstones and legal holds, images and video refused
// on every way in, and contact channels never in clear in the logs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "store/sqlite_store.h"
#include "support/coalition_cli.h"

namespace coalition {
namespace {

using nlohmann::json;

const std::string kAmlId = "ex-aml-review-0417";
// What a relationship manager must never learn: that a report exists, its reference, its
// filing time, the determination, the deadline computed for it. Member roles may know the
// regime that applies to the member; they may not see the report's fields.
const std::vector<std::string> kReportFields{"SMR-EX-2026-000311", "\"filed_at\": \"",
                                             "\"suspect_identified\"", "\"imminent_risk\"",
                                             "M4, C1 and X1 observed"};
const std::vector<std::string> kReportSecrets{
    "SMR-EX-2026-000311", "filed_at", "2026-12-04T22:00", "determination",
    "regulatory",         "signoff",  "filing",           "AU_SMR",
    "2026-12-07T12:59:59"};

class DataProtection : public test::CoalitionCli {
 protected:
  void run_aml_demo() {
    auto demo = test::run_process(
        {"/bin/bash", "-c", "cd \"$0\" && tools/aml-demo \"$1\" \"$2\" \"$3\" \"$4\"",
         test::kSourceDir, store_, test::kCoalitionBinary, config_, dir_.path().string()},
        {{"COALITION_STORE", store_}});
    ASSERT_EQ(demo.exit_code, 0) << demo.out << demo.err;
  }
  std::string view(const std::vector<std::string>& command, const std::string& role) {
    std::vector<std::string> args = command;
    args.push_back("--view");
    args.push_back(role);
    auto r = cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
  static void expect_none_of(const std::string& text, const std::vector<std::string>& secrets,
                             const std::string& what) {
    for (const auto& s : secrets) {
      EXPECT_EQ(text.find(s), std::string::npos) << what << " shows '" << s << "':\n" << text;
    }
  }
  // Entries of `type` in the store's audit log for `execution`, read directly.
  size_t audit_entries(const std::string& type, const std::string& execution = kAmlId) {
    auto store = SqliteStore::open(SqliteOptions{store_});
    EXPECT_TRUE(store.ok());
    const auto entries = (*store)->audit(execution);
    size_t n = 0;
    for (const auto& a : *entries) n += a.type == type;
    return n;
  }
};

TEST_F(DataProtection, ARelationshipManagerNeverLearnsThatAReportExists) {
  run_aml_demo();
  const json status = json::parse(view({"status", kAmlId, "--json"}, "relationship_manager"));
  EXPECT_EQ(status["status"], "succeeded");
  EXPECT_EQ(status["view"]["clearance"], "public");
  EXPECT_FALSE(status.contains("output"));  // every output field is member or restricted
  EXPECT_FALSE(status.contains("next_due"));
  EXPECT_TRUE(status["open_tasks"].empty());
  // The last change a public view shows is the last event it may see, not the filing.
  EXPECT_EQ(status["updated_at"], "2026-12-07T03:10:00.000Z");
  expect_none_of(status.dump(), kReportSecrets, "status");

  const json history = json::parse(view({"history", kAmlId, "--json"}, "relationship_manager"));
  ASSERT_EQ(history["events"].size(), 2u);  // started, completed: no step is public
  for (const auto& e : history["events"]) {
    EXPECT_EQ(e.value("step", ""), "");
    const json data = e.value("data", json::object());  // absent when nothing is left of it
    EXPECT_FALSE(data.contains("input"));
    EXPECT_FALSE(data.contains("output"));
  }
  expect_none_of(history.dump(), kReportSecrets, "history");
  const std::string timeline = view({"timeline", kAmlId}, "relationship_manager");
  expect_none_of(timeline, kReportSecrets, "timeline");
  EXPECT_EQ(timeline.find("REFUSED"), std::string::npos) << timeline;
}

TEST_F(DataProtection, MemberRolesSeeTheirStepsButNotTheReport) {
  run_aml_demo();
  const json history = json::parse(view({"history", kAmlId, "--json"}, "compliance_ops"));
  std::set<std::string> steps;
  for (const auto& e : history["events"]) steps.insert(e.value("step", ""));
  EXPECT_TRUE(steps.count("intake"));
  EXPECT_TRUE(steps.count("kyb_refresh"));
  EXPECT_TRUE(steps.count("account_action"));
  for (const auto& s : steps) {
    EXPECT_NE(s.rfind("report", 0), 0u) << s;
    EXPECT_NE(s, "determination");
    EXPECT_NE(s, "suspicious");
  }
  expect_none_of(history.dump(2), kReportFields, "member history");
  const json status = json::parse(view({"status", kAmlId, "--json"}, "compliance_ops"));
  EXPECT_EQ(status["output"],
            json::parse(R"({"action": "terminate", "case_id": "AML-2026-0417"})"));
  // The photo refused at the KYB checklist (a member step) is in a member's timeline.
  EXPECT_NE(view({"timeline", kAmlId}, "compliance_ops").find("image/jpeg"), std::string::npos);

  const json officer = json::parse(view({"status", kAmlId, "--json"}, "bsa_officer"));
  EXPECT_EQ(officer["output"]["filing"]["reference"], "SMR-EX-2026-000311");
  // Unknown roles see what the public sees.
  EXPECT_FALSE(json::parse(view({"status", kAmlId, "--json"}, "visitor")).contains("output"));
}

TEST_F(DataProtection, ExportsNeverCarryRestrictedDataAndAreAudited) {
  run_aml_demo();
  for (const std::string role : {"bsa_officer", "compliance_ops"}) {
    const auto out = view({"export", kAmlId}, role);
    const json doc = json::parse(out);
    EXPECT_EQ(doc["view"]["clearance"], "member") << role;  // capped, even for the officer
    EXPECT_EQ(doc["context"]["action"], "terminate");
    EXPECT_EQ(doc["context"]["case_id"], "AML-2026-0417");
    expect_none_of(out, kReportFields, "export for " + role);
  }
  auto plain = cli({"export", kAmlId, "--out", (dir_.path() / "x.json").string()});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  std::ifstream file(dir_.path() / "x.json");
  const std::string written((std::istreambuf_iterator<char>(file)), {});
  EXPECT_EQ(written.find("SMR-EX-2026-000311"), std::string::npos);
  EXPECT_EQ(std::filesystem::status(dir_.path() / "x.json").permissions() &
                std::filesystem::perms::others_read,
            std::filesystem::perms::none);
  EXPECT_EQ(audit_entries("exported"), 3u);
  EXPECT_EQ(cli({"audit", "verify"}).exit_code, 0);
}

TEST_F(DataProtection, PurgeLeavesTombstonesSkipsHoldsAndKeepsTheChain) {
  run_aml_demo();
  auto hold = cli({"hold", kAmlId, "--reason", "LE keep-open request LE-EX-2026-0042", "--as",
                   "legal.lou", "--role", "legal", "--now", "2026-12-08T00:00:00Z"});
  ASSERT_EQ(hold.exit_code, 0) << hold.err;
  EXPECT_NE(cli({"hold", kAmlId, "--reason", "again", "--as", "legal.lou", "--role", "legal"})
                .out.find("already under legal hold"),
            std::string::npos);
  // Only the roles the configuration names may purge or release a hold (permissions).
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"purge", "--now", "2034-01-01T00:00:00Z"},
        std::vector<std::string>{"purge", "--now", "2034-01-01T00:00:00Z", "--as", "random.person",
                                 "--role", "nobody"},
        std::vector<std::string>{"hold", kAmlId, "--release", "--reason", "mine now", "--as",
                                 "random.person", "--role", "nobody"}}) {
    auto refused = cli(args);
    EXPECT_EQ(refused.exit_code, 77) << refused.err;
    EXPECT_NE(refused.err.find("(config: permissions)"), std::string::npos) << refused.err;
  }
  // Both record types expired (SMR filed 4 Dec 2026 + P5Y; finished + P7Y).
  auto held = cli({"purge", "--now", "2034-01-01T00:00:00Z", "--json", "--as", "records.rae",
                   "--role", "records_officer"});
  ASSERT_EQ(held.exit_code, 0) << held.err;
  EXPECT_EQ(json::parse(held.out)["held"], 2);
  EXPECT_EQ(json::parse(held.out)["purged"], 0);
  EXPECT_EQ(audit_entries("purge_skipped"), 2u);
  const json officer = json::parse(view({"status", kAmlId, "--json"}, "bsa_officer"));
  EXPECT_EQ(officer["legal_hold"]["placed_by"], "legal.lou");
  EXPECT_FALSE(
      json::parse(view({"status", kAmlId, "--json"}, "compliance_ops")).contains("legal_hold"));
  ASSERT_EQ(cli({"purge", "--now", "2034-01-02T00:00:00Z", "--as", "records.rae", "--role",
                 "records_officer"})
                .exit_code,
            0);
  EXPECT_EQ(audit_entries("purge_skipped"), 2u);  // once per hold, not once per run

  ASSERT_EQ(cli({"hold", kAmlId, "--release", "--reason", "LE letter withdrawn", "--as",
                 "legal.lou", "--role", "legal", "--now", "2034-01-03T00:00:00Z"})
                .exit_code,
            0);
  auto released = cli({"purge", "--now", "2034-01-04T00:00:00Z", "--json", "--as", "records.rae",
                       "--role", "records_officer"});
  ASSERT_EQ(released.exit_code, 0) << released.err;
  EXPECT_EQ(json::parse(released.out)["purged"], 2);
  EXPECT_EQ(cli({"audit", "verify"}).exit_code, 0);
}

TEST_F(DataProtection, RestrictedThenExecutionPurgesRemoveTheBytesFromTheStoreFile) {
  run_aml_demo();
  EXPECT_NE(store_bytes().find("SMR-EX-2026-000311"), std::string::npos);
  auto early = cli({"purge", "--now", "2031-12-04T21:59:59Z", "--json", "--as", "records.rae",
                    "--role", "records_officer"});
  ASSERT_EQ(early.exit_code, 0) << early.err;
  EXPECT_EQ(json::parse(early.out)["purged"], 0);
  auto restricted = cli({"purge", "--now", "2031-12-04T22:00:00Z", "--json", "--as", "records.rae",
                         "--role", "records_officer"});
  ASSERT_EQ(restricted.exit_code, 0) << restricted.err;
  const json r = json::parse(restricted.out);
  ASSERT_EQ(r["purged"], 1);
  EXPECT_EQ(r["actions"][0]["record_type"], "restricted");
  EXPECT_EQ(r["actions"][0]["policy"]["from"], "/filing/filed_at");
  // Gone from every row, from the free pages and from the write-ahead log.
  EXPECT_EQ(store_bytes().find("SMR-EX-2026-000311"), std::string::npos);
  const json officer = json::parse(view({"status", kAmlId, "--json"}, "bsa_officer"));
  EXPECT_FALSE(officer["output"].contains("filing"));
  EXPECT_EQ(officer["purged"][0]["record_type"], "restricted");
  EXPECT_FALSE(
      json::parse(view({"status", kAmlId, "--json"}, "compliance_ops")).contains("purged"));
  auto verify = cli({"audit", "verify", "--json"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out;
  EXPECT_GT(json::parse(verify.out)["redacted"].get<int>(), 0);

  // A second run at the same time changes nothing: same report, same store.
  const auto before = store_bytes();
  auto again = cli({"purge", "--now", "2031-12-04T22:00:00Z", "--json", "--as", "records.rae",
                    "--role", "records_officer"});
  EXPECT_EQ(json::parse(again.out)["purged"], 0);
  EXPECT_EQ(json::parse(again.out)["already_purged"], 1);
  EXPECT_EQ(store_bytes(), before);

  auto all = cli({"purge", "--now", "2033-12-07T03:10:00Z", "--json", "--as", "records.rae",
                  "--role", "records_officer"});
  ASSERT_EQ(json::parse(all.out)["purged"], 1);
  EXPECT_TRUE(events(kAmlId).empty());
  EXPECT_EQ(store_bytes().find("AML-2026-0417"), std::string::npos);  // the case id too
  const json after = json::parse(cli({"status", kAmlId, "--json"}).out);
  EXPECT_EQ(after["status"], "succeeded");
  EXPECT_EQ(after["purged"].size(), 2u);
  auto chain = cli({"audit", "verify"});
  EXPECT_EQ(chain.exit_code, 0) << chain.out;
  EXPECT_NE(chain.out.find("summaries removed by purges"), std::string::npos);
  EXPECT_EQ(cli({"purge", "--now", "2031-01-01T00:00:00Z", "--as", "records.rae", "--role",
                 "records_officer"})
                .exit_code,
            64);  // time moves on
}

// Every way into the engine, each with its own PNG (base64, distinct so a leak names its path):
// nothing is accepted, every refusal exits 65, and afterwards neither the store file, its
// write-ahead log nor any log line holds any of them.
TEST_F(DataProtection, NoPathIntoTheEngineAcceptsImageOrVideoBytes) {
  const auto png = [](const std::string& tag) { return "iVBORw0KGgoAAAANSUhEUg" + tag; };
  std::vector<std::string> planted;
  std::string logs;
  auto refused = [&](const std::string& tag, std::vector<std::string> args) {
    planted.push_back(png(tag));
    auto r = cli(args, "debug");
    logs += r.out + r.err;
    EXPECT_EQ(r.exit_code, 65) << tag << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("image/png"), std::string::npos) << tag << ": " << r.err;
  };
  const auto wf = dir_.path() / "check.json";
  std::ofstream(wf) << R"({"id": "check", "version": 1, "title": "t",
      "input_schema": {"type": "object", "properties": {"note": {"type": "string"}}},
      "steps": [
        {"id": "ask", "kind": "task", "type": "form", "result": "/answer", "next": "wait",
         "parameters": {"title": "Answer", "schema": {"type": "object"}},
         "assign": {"roles": ["analyst"]}, "deadline": {"in": "P3650D"}},
        {"id": "wait", "kind": "task", "type": "await_signal", "parameters": {"name": "go"}}]})";
  const auto smuggler = dir_.path() / "smuggler.json";
  planted.push_back(png("DEFINITION"));
  std::ofstream(smuggler) << R"({"id": "smuggler", "version": 1, "title": "t", "steps": [
      {"id": "a", "kind": "task", "type": "log", "parameters": {"message": ")" +
                                 planted.back() + R"("}}]})";
  for (const char* command : {"validate", "run"}) {
    auto r = cli({command, smuggler.string()}, "debug");
    logs += r.out + r.err;
    EXPECT_EQ(r.exit_code, 65) << command << r.out << r.err;
  }
  const auto input = [&](const std::string& tag) {
    const auto file = dir_.path() / (tag + ".json");
    std::ofstream(file) << json{{"note", png(tag)}}.dump();
    return file.string();
  };
  refused("RUNINPUT",
          {"run", wf.string(), "--input", input("RUNINPUT"), "--now", "2026-12-01T00:00:00Z"});
  refused("STARTINPUT",
          {"start", wf.string(), "--input", input("STARTINPUT"), "--now", "2026-12-01T00:00:00Z"});
  refused("RUNAS", {"run", wf.string(), "--as", png("RUNAS"), "--now", "2026-12-01T00:00:00Z"});
  auto ok =
      cli({"run", wf.string(), "--id", "chk", "--as", "lead.lee", "--now", "2026-12-01T00:00:00Z"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  const std::string answer_ok = R"({"data": {"ref": "TXN-EX-1"}})";
  refused("ANSWER", {"complete", "chk.t1", "--as", "ana", "--role", "analyst", "--data",
                     json{{"data", {{"evidence", png("ANSWER")}}}}.dump()});
  refused("COMPLETEAS", {"complete", "chk.t1", "--as", png("COMPLETEAS"), "--role", "analyst",
                         "--data", answer_ok});
  refused("COMPLETEORG", {"complete", "chk.t1", "--as", "ana", "--role", "analyst", "--org",
                          png("COMPLETEORG"), "--data", answer_ok});
  refused("JUSTIFY", {"extend", "chk.t1", "--to", "2026-12-03T00:00:00Z", "--justification",
                      png("JUSTIFY"), "--as", "ana", "--role", "analyst"});
  ASSERT_EQ(cli({"complete", "chk.t1", "--as", "ana", "--role", "analyst", "--data", answer_ok})
                .exit_code,
            0);
  refused("SIGNAL", {"signal", "chk", "go", "--data", json{{"x", png("SIGNAL")}}.dump()});
  refused("SIGNALAS", {"signal", "chk", "go", "--as", png("SIGNALAS")});
  refused("HOLD", {"hold", "chk", "--reason", png("HOLD"), "--as", "legal.lou", "--role", "legal"});
  refused("EXPORTAS", {"export", "chk", "--as", png("EXPORTAS")});
  refused("PURGEAS", {"purge", "--as", png("PURGEAS")});
  ASSERT_EQ(cli({"signal", "chk", "go", "--data", R"({"ref": "CASE-EX-2"})"}).exit_code, 0);
  EXPECT_EQ(json::parse(cli({"status", "chk", "--json"}).out)["status"], "succeeded");

  ASSERT_EQ(cli({"audit", "verify"}).exit_code, 0);
  const std::string bytes = store_bytes();
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.find("\x89PNG"), std::string::npos);
  for (const auto& p : planted) {
    EXPECT_EQ(bytes.find(p), std::string::npos) << "the store holds " << p;
    EXPECT_EQ(logs.find(p), std::string::npos) << "a log line holds " << p;
  }
  // The refusals that reached an execution are audited (where and what, never the bytes).
  EXPECT_GE(audit_entries("media_refused", "chk"), 7u);
}

// Canary addresses in the contact directory, used for real (they reach the outbox), and in a
// workflow's own log message: not one log line, at debug level, shows any of them in clear.
TEST_F(DataProtection, ContactChannelsNeverAppearInTheLogs) {
  const auto seed = dir_.path() / "config" / "contacts.json";
  json directory = json::parse(std::ifstream(seed));
  std::vector<std::string> canaries;
  int n = 0;
  for (auto& entry : directory["entries"]) {
    for (auto& channel : entry["channels"]) {
      ++n;
      const std::string type = channel.value("type", "");
      if (type == "email") {
        channel["address"] = "canary" + std::to_string(n) + "@canary-mail.example.org";
      } else if (type == "phone") {
        channel["address"] = "+61 400 555 " + std::to_string(100 + n);
      } else {
        continue;
      }
      canaries.push_back(channel["address"]);
    }
  }
  ASSERT_GE(canaries.size(), 4u);
  std::ofstream(seed) << directory.dump(2);
  std::string logs;
  auto run = [&](std::vector<std::string> args) {
    auto r = cli(args, "debug");
    logs += r.out + r.err;
    return r.exit_code;
  };
  const std::string wf = std::string(test::kSourceDir) + "/workflows/escalation_run.json";
  const std::string input =
      std::string(test::kSourceDir) + "/workflows/examples/escalation_run.input.json";
  ASSERT_EQ(run({"run", wf, "--input", input, "--id", "esc", "--as", "sec.sam", "--now",
                 "2026-12-07T10:00:00Z"}),
            0);
  ASSERT_EQ(run({"tick", "--now", "2026-12-07T11:00:01Z"}), 0);
  // Round 2 pages the member's on-call and the duty officer together; the on-call answers.
  json open = json::parse(cli({"tasks", "--execution", "esc", "--json"}).out);
  open = open.is_object() ? open["tasks"] : open;
  std::string on_call;
  for (const auto& t : open) {
    if (t["step"].get<std::string>().find("rounds[1]/round[0]/page") != std::string::npos) {
      on_call = t["id"];
    }
  }
  ASSERT_FALSE(on_call.empty()) << open.dump(2);
  ASSERT_EQ(
      run({"complete", on_call, "--as", "nw.oncall", "--role", "ts_oncall", "--org", "northwind",
           "--data", R"({"acknowledged": true})", "--now", "2026-12-07T11:20:00Z"}),
      0);
  run({"status", "esc"});
  run({"timeline", "esc"});
  const auto says = dir_.path() / "says.json";
  std::ofstream(says) << R"({"id": "says", "version": 1, "title": "t", "steps": [
      {"id": "a", "kind": "task", "type": "log", "parameters": {"message": "reach )" +
                             canaries[0] + " or " + canaries[1] + R"( now"}}]})";
  ASSERT_EQ(run({"run", says.string(), "--now", "2026-12-07T12:00:00Z"}), 0);
  EXPECT_NE(logs.find("[email]"), std::string::npos) << logs;  // the log step did write
  // The addresses were used: the outbox, the only place they go, has them.
  std::string outbox;
  for (const auto& f : std::filesystem::directory_iterator(dir_.path() / "outbox")) {
    std::ifstream in(f.path());
    outbox.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  bool used = false;
  for (const auto& c : canaries) used = used || outbox.find(c) != std::string::npos;
  EXPECT_TRUE(used) << outbox;
  for (const auto& c : canaries) {
    EXPECT_EQ(logs.find(c), std::string::npos) << "a log line shows " << c;
  }
}

}  // namespace
}  // namespace coalition
