// The AML review and the escalation run through the real CLI, in virtual time: the scenario of
// tools/aml-demo (the main job's), then what the store says about it, event by event.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "support/subprocess.h"
#include "support/temp_dir.h"
#include "test_paths.h"

namespace coalition {
namespace {

using nlohmann::json;

class AmlReview : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::filesystem::path src = test::kSourceDir;
    std::filesystem::copy(src / "config", dir_.path() / "config",
                          std::filesystem::copy_options::recursive);
    json config = json::parse(std::ifstream(dir_.path() / "config" / "coalition.json"));
    config["plugins"]["config"]["contacts"]["directory"] = (dir_.path() / "contacts.json").string();
    config["plugins"]["config"]["notify"]["directory"] = (dir_.path() / "contacts.json").string();
    config["plugins"]["config"]["notify"]["outbox"] = (dir_.path() / "outbox").string();
    config["plugins"]["config"]["notify"]["secret_file"] = (dir_.path() / "secret").string();
    config_ = (dir_.path() / "config" / "coalition.json").string();
    std::ofstream(config_) << config.dump(2);
    store_ = (dir_.path() / "store.db").string();
  }

  test::ProcessResult cli(std::vector<std::string> args) {
    std::vector<std::string> argv{test::kCoalitionBinary, "--config", config_, "--log-level", "warn"};
    argv.insert(argv.end(), args.begin(), args.end());
    return test::run_process(argv, {{"COALITION_STORE", store_}});
  }

  json events(const std::string& id) {
    auto r = cli({"history", id, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out)["events"];
  }

  test::TempDir dir_;
  std::string config_;
  std::string store_;
};

TEST_F(AmlReview, EndToEndWithEscalationRefusalsAndExactDeadlines) {
  // The script names the workflow files relative to the source tree.
  auto demo = test::run_process({"/bin/bash", "-c",
                                 "cd \"$0\" && tools/aml-demo \"$1\" \"$2\" \"$3\" \"$4\"",
                                 test::kSourceDir, store_, test::kCoalitionBinary, config_,
                                 dir_.path().string()},
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
  const json page = find("task_created", "notify_in_turn[0]/page");
  ASSERT_FALSE(page.is_null());
  EXPECT_EQ(page["data"]["roles"], json::array({"le_liaison"}));
  EXPECT_EQ(page["data"]["due"], "2026-12-02T04:00:00.000Z");
  // The narrative is due halfway to the SMR deadline (7 days before it is already past).
  EXPECT_EQ(find("task_created", "report[filing]/narrative")["data"]["due"],
            "2026-12-04T19:59:59.000Z");
  // The filer missed 48 hours: escalated to the deputy at exactly 48 h, due 24 h later.
  const json escalated = find("escalated", "signoff_window[signoff]/signoff");
  ASSERT_FALSE(escalated.is_null());
  EXPECT_EQ(escalated["at"], "2026-12-04T04:00:00.000Z");
  EXPECT_EQ(escalated["data"]["roles"], json::array({"deputy_bsa_officer"}));
  EXPECT_EQ(escalated["data"]["due"], "2026-12-05T04:00:00.000Z");
  EXPECT_EQ(find("task_completed", "signoff_window[signoff]/signoff")["data"]["actor"],
            "deputy.dee");
  // More than 48 h were left when the sign-off came: the CCO watcher was cancelled unsent.
  EXPECT_TRUE(find("step_succeeded", "signoff_window[cco_notice]/notify_cco").is_null());
  // The filing task is due at the regulatory deadline; MATCH listing 5 days after the decision.
  EXPECT_EQ(find("task_created", "report[filing]/file")["data"]["due"], "2026-12-07T12:59:59.000Z");
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
  EXPECT_NE(timeline.out.find("ESCALATED task t7 to deputy_bsa_officer"), std::string::npos);
  auto verify = cli({"audit", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;

  // The photo's bytes are nowhere in the store file.
  std::ifstream db(store_, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(db)), std::istreambuf_iterator<char>());
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

TEST_F(AmlReview, EscalationRunMovesToTheNextContactOnTimeoutAndSkipsStaleOnes) {
  const std::string wf = std::string(test::kSourceDir) + "/workflows/escalation_run.json";
  const std::string input =
      std::string(test::kSourceDir) + "/workflows/examples/escalation_run.input.json";
  auto run = cli({"run", wf, "--input", input, "--id", "esc", "--as", "sec.sam", "--now",
                  "2026-12-07T10:00:00Z"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // The wrong role cannot acknowledge for the police liaison.
  auto wrong = cli({"complete", "esc.t1", "--as", "nw.oncall", "--role", "ts_oncall", "--org",
                    "northwind", "--data", R"({"acknowledged": true})", "--now",
                    "2026-12-07T10:05:00Z"});
  EXPECT_EQ(wrong.exit_code, 77) << wrong.err;
  ASSERT_EQ(cli({"tick", "--now", "2026-12-07T11:00:01Z"}).exit_code, 0);
  auto ack = cli({"complete", "esc.t2", "--as", "nw.oncall", "--role", "ts_oncall", "--org",
                  "northwind", "--data", R"({"acknowledged": true})", "--now",
                  "2026-12-07T11:20:00Z"});
  ASSERT_EQ(ack.exit_code, 0) << ack.err;
  const json st = json::parse(cli({"status", "esc", "--json"}).out);
  ASSERT_EQ(st["status"], "succeeded") << st.dump(2);
  EXPECT_EQ(st["output"]["acknowledged_by"], "northwind.ts_oncall");
  EXPECT_EQ(st["output"]["tier"], "member_on_call");
  EXPECT_EQ(st["output"]["at"], "2026-12-07T11:20:00.000Z");
  // The emergency line was last verified 2026-06-01: 91 + 30 days later it is stale.
  EXPECT_EQ(st["output"]["skipped"],
            json::parse(R"([{"entry": "ex-police-au.le_emergency", "status": "stale",
                             "tier": "law_enforcement"}])"));
  const json ev = events("esc");
  std::vector<std::string> order;
  for (const auto& e : ev) {
    const std::string type = e.value("type", std::string());
    if (type == "task_created" || type == "deadline_expired" || type == "task_completed") {
      order.push_back(type + "@" + e["at"].get<std::string>());
    }
  }
  EXPECT_EQ(order, (std::vector<std::string>{"task_created@2026-12-07T10:00:00.000Z",
                                             "deadline_expired@2026-12-07T11:00:00.000Z",
                                             "task_created@2026-12-07T11:00:00.000Z",
                                             "task_completed@2026-12-07T11:20:00.000Z"}));
}

}  // namespace
}  // namespace coalition
