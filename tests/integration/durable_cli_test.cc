// A durable execution driven through the CLI in virtual time, as a coordinator would: a form,
// a dual review with separation of duties and a business-day deadline that escalates, a partner
// signal, and the audit trail at the end.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/subprocess.h"
#include "support/temp_dir.h"
#include "test_paths.h"

namespace coalition {
namespace {

using nlohmann::json;

class DurableCli : public ::testing::Test {
 protected:
  test::ProcessResult coalition(std::vector<std::string> args) {
    args.insert(args.begin(), {test::kCoalitionBinary, "--log-level", "warn"});
    args.insert(args.end(), {"--store", store_});
    return test::run_process(
        args, {{"COALITION_PLUGIN_PATH", ""},
               {"COALITION_STORE", ""},
               {"COALITION_CONFIG", std::string(test::kSourceDir) + "/config/coalition.json"}});
  }
  json tasks() {
    auto r = coalition({"tasks", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out)["tasks"];
  }
  test::TempDir dir_;
  std::string store_ = (dir_.path() / "review.db").string();
};

TEST_F(DurableCli, ReviewEscalatesOnItsBusinessDayDeadlineAndEveryRuleIsEnforced) {
  const auto input =
      dir_.write("in.json", R"({"case_id": "CASE-2026-0042", "member": "northwind"})");
  auto run =
      coalition({"run", std::string(test::kSourceDir) + "/workflows/filing_review.json", "--input",
                 input.string(), "--as", "lead.lee", "--json", "--now", "2026-12-03T23:00:00Z"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string id = json::parse(run.out)["id"];
  EXPECT_EQ(json::parse(run.out)["status"], "waiting");
  const std::string draft = id + ".t1";
  const std::string review = id + ".t2";

  // The draft is for one organisation and must fit the form's schema.
  auto wrong_org =
      coalition({"complete", draft, "--as", "ana", "--role", "analyst", "--org", "southwind",
                 "--data", R"({"narrative_ref": "NAR-1"})", "--now", "2026-12-03T23:10:00Z"});
  EXPECT_EQ(wrong_org.exit_code, 77) << wrong_org.err;
  auto bad_answer =
      coalition({"complete", draft, "--as", "ana", "--role", "analyst", "--org", "northwind",
                 "--data", R"({"narrative_ref": "N"})", "--now", "2026-12-03T23:10:00Z"});
  EXPECT_EQ(bad_answer.exit_code, 65);
  EXPECT_NE(bad_answer.err.find("/narrative_ref"), std::string::npos) << bad_answer.err;
  ASSERT_EQ(coalition({"complete", draft, "--as", "ana", "--role", "analyst", "--org", "northwind",
                       "--data", R"({"narrative_ref": "NAR-1"})", "--now", "2026-12-03T23:10:00Z"})
                .exit_code,
            0);

  // Friday 4 December in Sydney + 2 business days = end of Tuesday 8 December, AEDT.
  auto open = tasks();
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0]["id"], review);
  EXPECT_EQ(open[0]["due"], "2026-12-08T12:59:59.000Z");

  const std::string vote = R"({"decision": "approve", "justification": "facts support it"})";
  struct Refused {
    std::vector<std::string> args;
    int code;
    const char* says;
  };
  const Refused refused[] = {
      {{"--as", "lead.lee", "--role", "reviewer", "--data", vote}, 77, "started this execution"},
      {{"--as", "ana", "--role", "reviewer", "--data", vote}, 77, "completed step 'draft'"},
      {{"--as", "rev.one", "--role", "reviewer", "--data", R"({"decision": "approve"})"},
       65,
       "justification"},
  };
  for (const auto& r : refused) {
    std::vector<std::string> args{"complete", review, "--now", "2026-12-04T01:00:00Z"};
    args.insert(args.end(), r.args.begin(), r.args.end());
    auto result = coalition(args);
    EXPECT_EQ(result.exit_code, r.code) << result.err;
    EXPECT_NE(result.err.find(r.says), std::string::npos) << result.err;
  }
  ASSERT_EQ(coalition({"complete", review, "--as", "rev.one", "--role", "reviewer", "--data", vote,
                       "--now", "2026-12-04T01:00:00Z"})
                .exit_code,
            0);
  auto again = coalition({"complete", review, "--as", "rev.one", "--role", "reviewer", "--data",
                          vote, "--now", "2026-12-04T01:00:00Z"});
  EXPECT_EQ(again.exit_code, 77);
  EXPECT_NE(again.err.find("quorum needs 2"), std::string::npos);

  // Nobody else votes: the reminder fires 4 hours before, then the task escalates to the deputy.
  ASSERT_EQ(coalition({"tick", "--now", "2026-12-08T13:30:00Z"}).exit_code, 0);
  open = tasks();
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0]["roles"], json::array({"deputy"}));
  EXPECT_EQ(open[0]["due"], "2026-12-09T12:59:59.000Z");
  EXPECT_EQ(coalition({"complete", review, "--as", "rev.two", "--role", "reviewer", "--data", vote,
                       "--now", "2026-12-08T14:00:00Z"})
                .exit_code,
            77);
  ASSERT_EQ(coalition({"complete", review, "--as", "dep.uty", "--role", "deputy", "--data", vote,
                       "--now", "2026-12-08T14:00:00Z"})
                .exit_code,
            0);
  auto early = coalition({"signal", id, "not_this_one", "--now", "2026-12-08T15:00:00Z"});
  EXPECT_EQ(early.exit_code, 66) << early.err;
  ASSERT_EQ(coalition({"signal", id, "filing_ack", "--data", R"({"reference": "BSA-2026-000123"})",
                       "--now", "2026-12-08T15:00:00Z"})
                .exit_code,
            0);

  auto status = coalition({"status", id, "--json"});
  ASSERT_EQ(status.exit_code, 0);
  EXPECT_EQ(json::parse(status.out)["status"], "succeeded");
  EXPECT_EQ(json::parse(status.out)["output"]["ack"]["reference"], "BSA-2026-000123");

  auto history = coalition({"history", id, "--json"});
  ASSERT_EQ(history.exit_code, 0);
  const json events = json::parse(history.out)["events"];
  std::vector<std::string> order;
  for (const auto& e : events) {
    const std::string type = e["type"];
    if (type == "task_completed" || type == "reminder_due" || type == "escalated" ||
        type == "signal_received" || type == "execution_completed") {
      order.push_back(type + "@" + e["at"].get<std::string>());
    }
  }
  EXPECT_EQ(order, (std::vector<std::string>{
                       "task_completed@2026-12-03T23:10:00.000Z",
                       "task_completed@2026-12-04T01:00:00.000Z",
                       "reminder_due@2026-12-08T08:59:59.000Z",
                       "escalated@2026-12-08T12:59:59.000Z",
                       "task_completed@2026-12-08T14:00:00.000Z",
                       "signal_received@2026-12-08T15:00:00.000Z",
                       "execution_completed@2026-12-08T15:00:00.000Z",
                   }));

  auto verify = coalition({"audit", "verify", "--json"});
  ASSERT_EQ(verify.exit_code, 0) << verify.out;
  auto v = json::parse(verify.out);
  EXPECT_TRUE(v["ok"].get<bool>());
  // Every event is covered by an entry; the engine's runs of events share entries, and the 8
  // refusals (2 on the draft, 5 on the review, 1 unknown signal) have one each.
  EXPECT_EQ(v["events"].get<size_t>(), events.size());
  EXPECT_LT(v["entries"].get<size_t>(), events.size() + 8);
  // The execution's trail (as exported) still reads one item per event, and has the refusals.
  const auto exported = dir_.path() / "export.json";
  auto exporting =
      coalition({"export", id, "--out", exported.string(), "--now", "2026-12-08T16:00:00Z"});
  ASSERT_EQ(exporting.exit_code, 0) << exporting.err;
  const json trail = json::parse(test::run_process({"/bin/cat", exported.string()}).out)["audit"];
  size_t refusals = 0;
  size_t recorded = 0;
  for (const auto& a : trail) {
    const std::string type = a["type"];
    refusals += type == "task_refused" || type == "signal_refused" ? 1 : 0;
    recorded += a.contains("event") ? 1 : 0;
  }
  EXPECT_EQ(refusals, 8u);
  EXPECT_EQ(recorded, events.size());

  // Time only moves forward.
  auto back = coalition({"tick", "--now", "2026-12-01T00:00:00Z"});
  EXPECT_EQ(back.exit_code, 64);
  EXPECT_NE(back.err.find("time only moves forward"), std::string::npos);
}

TEST_F(DurableCli, AChangedDefinitionUnderAUsedVersionIsRefused) {
  const std::string original =
      std::string(test::kSourceDir) + "/tests/workflows/cases/linear_data/workflow.json";
  auto first =
      coalition({"run", original, "--input",
                 std::string(test::kSourceDir) + "/tests/workflows/cases/linear_data/input.json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  auto doc = json::parse(test::run_process({"/bin/cat", original}).out);
  doc["title"] = doc["title"].get<std::string>() + " (edited)";
  const auto edited = dir_.write("workflow.json", doc.dump());
  auto second =
      coalition({"run", edited.string(), "--input",
                 std::string(test::kSourceDir) + "/tests/workflows/cases/linear_data/input.json"});
  EXPECT_EQ(second.exit_code, 73);
  EXPECT_NE(second.err.find("give the change a new version"), std::string::npos) << second.err;
}

TEST_F(DurableCli, UnknownCalendarIsAProblemBeforeAnythingRuns) {
  const auto file = dir_.write("cal.json", R"({"id": "cal_check", "version": 1, "title": "t",
      "steps": [{"id": "a", "kind": "task", "type": "noop",
                 "deadline": {"in": {"business_days": 3, "calendar": "atlantis-federal"}}}]})");
  auto validate = test::run_process({test::kCoalitionBinary, "--config",
                                     std::string(test::kSourceDir) + "/config/coalition.json",
                                     "validate", file.string()});
  EXPECT_EQ(validate.exit_code, 65);
  EXPECT_NE(validate.err.find("/steps/0/deadline/in/calendar: unknown business calendar "
                              "'atlantis-federal'; known: au-national, ca-federal, "
                              "gb-england-wales, ph-national, us-federal"),
            std::string::npos)
      << validate.err;
  auto run = coalition({"run", file.string()});
  EXPECT_EQ(run.exit_code, 65);
  EXPECT_EQ(run.out, "");
}

// A business-day deadline that reaches past the years a calendar covers fails its step with a
// configuration error naming the calendar and the date: it never counts days without holidays.
// `coalition calendars` shows a covered year and refuses one outside.
TEST_F(DurableCli, ADeadlinePastACalendarsCoverageFailsNamingCalendarAndDate) {
  const auto file = dir_.write("ph.json", R"({"id": "ph_check", "version": 1, "title": "t",
      "steps": [{"id": "a", "kind": "task", "type": "noop",
                 "deadline": {"in": {"business_days": 2, "calendar": "ph-national"}}}]})");
  // Earlier in December the deadline lies inside 2026: it is computed and the step runs.
  auto early = coalition({"run", file.string(), "--json", "--now", "2026-12-21T02:00:00Z"});
  ASSERT_EQ(early.exit_code, 0) << early.err;
  EXPECT_EQ(json::parse(early.out)["status"], "succeeded");

  // Monday 28 December 2026 in Manila: Tuesday 29 counts, 30 and 31 are holidays, and 1 January
  // 2027 is outside ph-national's coverage (2027 is not proclaimed yet).
  auto late = coalition({"run", file.string(), "--json", "--now", "2026-12-28T02:00:00Z"});
  EXPECT_EQ(json::parse(late.out.empty() ? "{}" : late.out).value("status", ""), "failed")
      << late.out << late.err;
  auto history = coalition({"history", json::parse(late.out)["id"], "--json"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  EXPECT_NE(history.out.find("config.calendar"), std::string::npos) << history.out;
  EXPECT_NE(history.out.find("calendar 'ph-national' covers 2024 to 2026 and 2027-01-01 is "
                             "outside it"),
            std::string::npos)
      << history.out;

  const std::string config = std::string(test::kSourceDir) + "/config/coalition.json";
  auto year = test::run_process(
      {test::kCoalitionBinary, "--config", config, "calendars", "ph-national", "--year", "2026"});
  ASSERT_EQ(year.exit_code, 0) << year.err;
  EXPECT_NE(year.out.find("2026-12-30 Wed  Rizal Day\n"), std::string::npos) << year.out;
  auto beyond = test::run_process(
      {test::kCoalitionBinary, "--config", config, "calendars", "ph-national", "--year", "2027"});
  EXPECT_EQ(beyond.exit_code, 78);
  EXPECT_NE(beyond.err.find("covers 2024 to 2026"), std::string::npos) << beyond.err;
  auto list =
      test::run_process({test::kCoalitionBinary, "--config", config, "calendars", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(json::parse(list.out).size(), 5u);
}

// A day where a day is meant: `extend --to 2027-05-10` is the end of that day in the zone of the
// task's deadline calendar, said in the output, and stays so after the deadline has moved; where
// a moment is needed (--now) a date alone is refused naming the forms expected.
TEST_F(DurableCli, ADateAloneIsTheEndOfThatDayInTheTasksCalendarZone) {
  const auto file = dir_.write("au.json", R"({"id": "au_check", "version": 1, "title": "t",
      "steps": [{"id": "review", "kind": "task", "type": "approval",
                 "parameters": {"title": "Review"}, "assign": {"roles": ["analyst"]},
                 "deadline": {"in": {"business_days": 5, "calendar": "au-national"}},
                 "next": "other"},
                {"id": "other", "kind": "task", "type": "approval",
                 "parameters": {"title": "Other"}, "assign": {"roles": ["analyst"]},
                 "deadline": {"in": "P3D"}}]})");
  auto run = coalition({"run", file.string(), "--json", "--id", "au1", "--as", "lead.lee", "--now",
                        "2027-05-03T00:00:00Z"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // Sydney is at +10:00 in May: the end of 10 May there is 13:59:59 UTC.
  auto moved = coalition({"extend", "au1.t1", "--to", "2027-05-10", "--justification",
                          "waiting for the member's records", "--as", "ana", "--role", "analyst",
                          "--now", "2027-05-03T01:00:00Z"});
  ASSERT_EQ(moved.exit_code, 0) << moved.err;
  EXPECT_EQ(moved.out,
            "task au1.t1 is now due 2027-05-10T13:59:59.000Z: the end of 2027-05-10 (23:59:59) in "
            "Australia/Sydney, the zone of the task's calendar au-national\n");
  // In July Sydney is still on standard time; the calendar stays the task's after one move.
  auto again = coalition({"extend", "au1.t1", "--to", "2027-07-01", "--justification", "more",
                          "--as", "ana", "--role", "analyst", "--now", "2027-05-03T02:00:00Z"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("due 2027-07-01T13:59:59.000Z: the end of 2027-07-01"),
            std::string::npos)
      << again.out;
  // In January, daylight time (+11:00).
  auto summer = coalition({"extend", "au1.t1", "--to", "2028-01-14", "--justification", "more",
                           "--as", "ana", "--role", "analyst", "--now", "2027-05-03T03:00:00Z"});
  ASSERT_EQ(summer.exit_code, 0) << summer.err;
  EXPECT_NE(summer.out.find("due 2028-01-14T12:59:59.000Z"), std::string::npos) << summer.out;
  auto task = coalition({"tasks", "--json"});
  ASSERT_EQ(task.exit_code, 0) << task.err;
  EXPECT_EQ(json::parse(task.out)["tasks"][0]["due"], "2028-01-14T12:59:59.000Z");
  EXPECT_EQ(json::parse(task.out)["tasks"][0]["calendar"], "au-national");
  // An instant is taken as it is, and says nothing more.
  auto exact =
      coalition({"extend", "au1.t1", "--to", "2027-06-01T09:00:00+10:00", "--justification",
                 "exact", "--as", "ana", "--role", "analyst", "--now", "2027-05-03T04:00:00Z"});
  ASSERT_EQ(exact.exit_code, 0) << exact.err;
  EXPECT_EQ(exact.out, "task au1.t1 is now due 2027-05-31T23:00:00.000Z\n");

  // A deadline counted in hours names no calendar: a date is read in UTC, and the output says
  // so.
  ASSERT_EQ(coalition({"complete", "au1.t1", "--as", "ana", "--role", "analyst", "--data",
                       R"({"decision": "approve"})", "--now", "2027-05-03T05:00:00Z"})
                .exit_code,
            0);
  auto utc = coalition({"extend", "au1.t2", "--to", "2027-05-10", "--justification", "j", "--as",
                        "ana", "--role", "analyst", "--now", "2027-05-03T06:00:00Z"});
  ASSERT_EQ(utc.exit_code, 0) << utc.err;
  EXPECT_EQ(utc.out,
            "task au1.t2 is now due 2027-05-10T23:59:59.000Z: the end of 2027-05-10 (23:59:59) in "
            "UTC (the task's deadline names no calendar)\n");

  // Neither form: the refusal names the option and both forms, with an example of each.
  auto typo = coalition({"extend", "au1.t2", "--to", "10/05/2027", "--justification", "j", "--as",
                         "ana", "--role", "analyst"});
  EXPECT_EQ(typo.exit_code, 64);
  EXPECT_NE(typo.err.find("--to: expected a date (2025-05-10, the end of that day, 23:59:59 in "
                          "UTC) or an RFC 3339 instant (2025-05-10T17:00:00Z or "
                          "2025-05-10T17:00:00+10:00), got \"10/05/2027\""),
            std::string::npos)
      << typo.err;
  auto no_day = coalition({"extend", "au1.t2", "--to", "2027-02-29", "--justification", "j", "--as",
                           "ana", "--role", "analyst"});
  EXPECT_EQ(no_day.exit_code, 64);
  EXPECT_NE(no_day.err.find("got \"2027-02-29\": no such calendar date"), std::string::npos)
      << no_day.err;
  // --now needs a moment: a date alone is refused, and nothing moves.
  auto tick = coalition({"tick", "--now", "2027-06-01"});
  EXPECT_EQ(tick.exit_code, 64);
  EXPECT_NE(tick.err.find("--now: \"2027-06-01\" is a date alone, and this needs a moment of the "
                          "day: expected an RFC 3339 instant with a time and an offset, such as "
                          "2025-05-10T17:00:00Z"),
            std::string::npos)
      << tick.err;
  auto after = coalition({"tasks", "--json"});
  EXPECT_EQ(json::parse(after.out)["tasks"][0]["due"], "2027-05-10T23:59:59.000Z");
}

// Searches take a day for a day: --due-before leaves that day out, --started-until takes it in;
// the reading is said on standard error, and standard output stays what a script parses.
TEST_F(DurableCli, SearchOptionsTakeADateAndSayHowTheyReadIt) {
  const auto file = dir_.write("day.json", R"({"id": "day_check", "version": 1, "title": "t",
      "steps": [{"id": "review", "kind": "task", "type": "approval",
                 "parameters": {"title": "Review"}, "assign": {"roles": ["analyst"]},
                 "deadline": {"in": "P30D"}}]})");
  for (const auto& [id, at] :
       {std::pair{"d1", "2027-03-01T08:00:00Z"}, std::pair{"d2", "2027-03-01T20:00:00Z"},
        std::pair{"d3", "2027-03-02T08:00:00Z"}}) {
    auto started = coalition({"run", file.string(), "--id", id, "--as", "lead.lee", "--now", at});
    ASSERT_EQ(started.exit_code, 0) << started.err;
  }
  // Due 2027-03-31T08:00Z, 2027-03-31T20:00Z and 2027-04-01T08:00Z.
  auto before = coalition({"tasks", "--json", "--due-before", "2027-04-01"});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  ASSERT_EQ(json::parse(before.out)["tasks"].size(), 2u) << before.out;
  for (const auto& t : json::parse(before.out)["tasks"]) EXPECT_NE(t["execution"], "d3");
  EXPECT_EQ(before.err,
            "--due-before 2027-04-01: read as 2027-04-01T00:00:00.000Z, the start of 2027-04-01 "
            "in UTC\n");
  auto until = coalition({"executions", "--json", "--started-until", "2027-03-01"});
  ASSERT_EQ(until.exit_code, 0) << until.err;
  const json page = json::parse(until.out);
  ASSERT_EQ(page["executions"].size(), 2u) << until.out;
  EXPECT_NE(until.err.find("--started-until 2027-03-01: read as 2027-03-02T00:00:00.000Z, up to "
                           "the end of 2027-03-01 in UTC"),
            std::string::npos)
      << until.err;
  auto from = coalition({"executions", "--json", "--started-from", "2027-03-02"});
  ASSERT_EQ(from.exit_code, 0) << from.err;
  ASSERT_EQ(json::parse(from.out)["executions"].size(), 1u) << from.out;
  EXPECT_EQ(json::parse(from.out)["executions"][0]["id"], "d3");
  auto wrong = coalition({"executions", "--started-from", "2027-3-2"});
  EXPECT_EQ(wrong.exit_code, 64);
  EXPECT_NE(wrong.err.find("--started-from: expected a date (2025-05-10, the start of that day in "
                           "UTC) or an RFC 3339 instant"),
            std::string::npos)
      << wrong.err;
}

// In virtual time a log line says both when it was written (the wall clock) and when it
// happened for the execution (the virtual instant), in text and in JSON.
TEST_F(DurableCli, LogLinesInVirtualTimeCarryTheVirtualInstant) {
  const auto file = dir_.write("log.json", R"({"id": "log_check", "version": 1, "title": "t",
      "steps": [{"id": "say", "kind": "task", "type": "log",
                 "parameters": {"message": "reference REF-7 seen", "level": "warn"}}]})");
  auto text = coalition({"run", file.string(), "--now", "2031-05-06T07:08:09Z"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.err.find(" (virtual 2031-05-06T07:08:09.000Z) warning [plugin.log] "),
            std::string::npos)
      << text.err;
  auto lines =
      coalition({"--log-format", "json", "run", file.string(), "--now", "2031-05-06T08:00:00Z"});
  ASSERT_EQ(lines.exit_code, 0) << lines.err;
  bool found = false;
  std::istringstream in(lines.err);
  for (std::string line; std::getline(in, line);) {
    const json entry = json::parse(line, nullptr, false);
    if (entry.is_object() && entry.value("msg", "").find("REF-7") != std::string::npos) {
      EXPECT_EQ(entry.value("virtual_ts", ""), "2031-05-06T08:00:00.000Z") << line;
      EXPECT_NE(entry.value("ts", ""), entry.value("virtual_ts", ""));
      found = true;
    }
  }
  EXPECT_TRUE(found) << lines.err;
}

TEST_F(DurableCli, WorkerShutsDownCleanlyOnSigterm) {
  // SIGTERM once the worker holds its store: it has blocked its stop signals by then (before,
  // the signal's default action ends any program: a fixed delay lost that race on a busy machine).
  auto worker = test::run_process_until_ready(
      {test::kCoalitionBinary, "--log-level", "warn", "worker", "--store", store_},
      {{"COALITION_CONFIG", ""}, {"COALITION_STORE", ""}},
      [&] { return test::locked_by_another_process(store_); }, std::chrono::seconds(120), SIGTERM);
  EXPECT_EQ(worker.exit_code, 0) << worker.err;
  EXPECT_NE(worker.err.find("SIGTERM, shutting down"), std::string::npos) << worker.err;
  EXPECT_NE(worker.out.find("worker stopped"), std::string::npos);
}

// A coordinator's daily steering at the terminal: a failed execution retried from its failed
// step, a duplicate cancelled, a task claimed and handed on; each told in the timeline.
TEST_F(DurableCli, RetryCancelClaimAndReassignAtTheTerminal) {
  const auto flaky = dir_.write("flaky.json", R"({
    "id": "directory_lookup", "version": 1, "title": "Look a member up",
    "steps": [
      {"id": "lookup", "kind": "task", "type": "fail",
       "parameters": {"code": "directory.unavailable", "message": "no answer",
                      "succeed_on_attempt": 2},
       "result": "/lookup", "next": "confirm"},
      {"id": "confirm", "kind": "task", "type": "approval",
       "parameters": {"title": "Confirm the entry"},
       "assign": {"roles": ["reviewer"], "organisation": "northwind"}, "next": "done"},
      {"id": "done", "kind": "succeed"}]})");
  auto run = coalition(
      {"run", flaky.string(), "--as", "coord.cora", "--json", "--now", "2026-12-01T09:00:00Z"});
  ASSERT_EQ(run.exit_code, 1) << run.err;  // failed
  const std::string id = json::parse(run.out)["id"];
  EXPECT_EQ(json::parse(run.out)["status"], "failed");

  auto needs_why = coalition({"retry", id, "--as", "coord.cora", "--now", "2026-12-01T10:00:00Z"});
  EXPECT_EQ(needs_why.exit_code, 64) << needs_why.err;  // --justification is required
  auto retried = coalition({"retry", id, "--justification", "the directory is back", "--as",
                            "coord.cora", "--now", "2026-12-01T10:00:00Z"});
  ASSERT_EQ(retried.exit_code, 0) << retried.err;
  EXPECT_EQ(retried.out, "execution " + id + " is running again\n");
  // The lookup ran again (attempt 2) and the confirmation task is open.
  auto open = tasks();
  ASSERT_EQ(open.size(), 1u) << open;
  const std::string task = open[0]["id"];

  auto claimed = coalition({"claim", task, "--as", "rev.rai", "--role", "reviewer", "--org",
                            "northwind", "--now", "2026-12-01T10:05:00Z"});
  ASSERT_EQ(claimed.exit_code, 0) << claimed.err;
  EXPECT_EQ(claimed.out, "task " + task + " is held by rev.rai\n");
  const auto listed = coalition({"tasks"});
  EXPECT_NE(listed.out.find(task + "  confirm"), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("held by rev.rai"), std::string::npos) << listed.out;
  auto taken =
      coalition({"complete", task, "--as", "rev.ravi", "--role", "reviewer", "--org", "northwind",
                 "--data", R"({"decision": "approve"})", "--now", "2026-12-01T10:06:00Z"});
  EXPECT_EQ(taken.exit_code, 73) << taken.err;
  EXPECT_NE(taken.err.find("claimed by rev.rai"), std::string::npos) << taken.err;
  auto no_role = coalition({"reassign", task, "--to", "rev.ravi", "--justification", "leave",
                            "--as", "rev.rai", "--role", "reviewer", "--org", "northwind"});
  EXPECT_EQ(no_role.exit_code, 64) << no_role.err;  // --to-role, at the terminal
  auto handed = coalition({"reassign", task, "--to", "rev.ravi", "--to-role", "reviewer",
                           "--justification", "on leave from tomorrow", "--as", "rev.rai", "--role",
                           "reviewer", "--org", "northwind", "--now", "2026-12-01T10:07:00Z"});
  ASSERT_EQ(handed.exit_code, 0) << handed.err;
  EXPECT_EQ(handed.out, "task " + task + " is held by rev.ravi\n");
  ASSERT_EQ(
      coalition({"complete", task, "--as", "rev.ravi", "--role", "reviewer", "--org", "northwind",
                 "--data", R"({"decision": "approve"})", "--now", "2026-12-01T10:08:00Z"})
          .exit_code,
      0);
  auto status = coalition({"status", id, "--json"});
  EXPECT_EQ(json::parse(status.out)["status"], "succeeded") << status.out;
  auto timeline = coalition({"timeline", id});
  for (const char* line :
       {"FAILED: directory.unavailable",
        "retried by coord.cora after directory.unavailable: the directory is back",
        "claimed by rev.rai",
        "handed from rev.rai to rev.ravi by rev.rai: on leave from tomorrow"}) {
    EXPECT_NE(timeline.out.find(line), std::string::npos) << line << "\n" << timeline.out;
  }

  // A second execution, cancelled; then nothing more happens to it.
  auto second = coalition(
      {"run", flaky.string(), "--as", "coord.cora", "--json", "--now", "2026-12-01T11:00:00Z"});
  const std::string other = json::parse(second.out)["id"];
  ASSERT_EQ(coalition({"retry", other, "--justification", "try again", "--as", "coord.cora",
                       "--now", "2026-12-01T11:01:00Z"})
                .exit_code,
            0);
  auto cancelled = coalition({"cancel", other, "--justification", "opened for the wrong member",
                              "--as", "coord.cora", "--now", "2026-12-01T11:02:00Z"});
  ASSERT_EQ(cancelled.exit_code, 0) << cancelled.err;
  EXPECT_EQ(cancelled.out, "execution " + other + " is cancelled\n");
  auto again = coalition({"cancel", other, "--justification", "again", "--as", "coord.cora",
                          "--now", "2026-12-01T11:03:00Z"});
  EXPECT_EQ(again.exit_code, 73) << again.err;
  EXPECT_NE(again.err.find("already cancelled"), std::string::npos) << again.err;
  EXPECT_EQ(json::parse(coalition({"status", other, "--json"}).out)["status"], "cancelled");
  EXPECT_NE(coalition({"timeline", other})
                .out.find("CANCELLED by coord.cora: opened for the wrong member"),
            std::string::npos);
  EXPECT_EQ(coalition({"audit", "verify"}).exit_code, 0);
}

// What a coordinator asks of the store every morning: which executions, of what, for whom,
// started when, late or escalated, a page at a time; which tasks of a member, held by whom,
// late, due soon.
TEST_F(DurableCli, ExecutionsAndTasksAreFoundByWhatACoordinatorAsks) {
  const auto workflow = dir_.write("confirm.json", R"({
    "id": "confirm_contacts", "version": 1, "title": "Confirm escalation contacts",
    "input_schema": {"type": "object", "properties": {"member": {"type": "string"}},
                     "required": ["member"]},
    "steps": [
      {"id": "confirm", "kind": "task", "type": "approval",
       "parameters": {"title": "Confirm escalation contacts"},
       "assign": {"roles": ["reviewer"], "organisation": {"$path": "/input/member"}},
       "deadline": {"in": "PT2H", "escalate": [{"roles": ["lead"], "in": "P1D"}]},
       "next": "done"},
      {"id": "done", "kind": "succeed"}]})");
  auto start = [&](const char* member, const char* at) {
    const auto input =
        dir_.write(std::string(member) + ".json", std::string(R"({"member": ")") + member + "\"}");
    auto r = coalition({"run", workflow.string(), "--input", input.string(), "--as", "coord.cora",
                        "--json", "--now", at});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out)["id"].get<std::string>();
  };
  const std::string a = start("northwind", "2026-12-01T09:00:00Z");  // due 11:00, escalates
  const std::string b = start("southwind", "2026-12-01T10:00:00Z");  // due 12:00
  const std::string c = start("northwind", "2026-12-01T11:30:00Z");  // due 13:30
  const std::string b_task = b + ".t1";
  ASSERT_EQ(coalition({"claim", b_task, "--as", "rev.rai", "--role", "reviewer", "--org",
                       "southwind", "--now", "2026-12-01T11:35:00Z"})
                .exit_code,
            0);

  // The ids a listing command prints as JSON, in its order.
  auto listed_ids = [&](const char* command, std::vector<std::string> args) {
    args.insert(args.begin(), command);
    args.emplace_back("--json");
    auto r = coalition(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> out;
    const json listed = json::parse(r.out);
    for (const auto& e : listed[command]) out.push_back(e["id"]);
    return out;
  };
  auto ids = [&](std::vector<std::string> args) { return listed_ids("executions", args); };
  using Ids = std::vector<std::string>;
  EXPECT_EQ(ids({}), (Ids{c, b, a}));  // newest first
  EXPECT_EQ(
      ids({"--workflow", "confirm_contacts", "--status", "waiting,running", "--org", "northwind"}),
      (Ids{c, a}));
  EXPECT_EQ(ids({"--status", "succeeded"}), Ids{});
  EXPECT_EQ(ids({"--escalated"}), Ids{a});
  EXPECT_EQ(
      ids({"--started-from", "2026-12-01T10:00:00Z", "--started-until", "2026-12-01T11:00:00Z"}),
      Ids{b});
  // At 12:30 B's task is past due (the store's time is 11:35: nothing has fired yet).
  EXPECT_EQ(ids({"--overdue", "--now", "2026-12-01T12:30:00Z"}), Ids{b});
  EXPECT_EQ(ids({"--overdue"}), Ids{});

  // Paging: two, then the rest from the cursor the first page ended with.
  auto first = coalition({"executions", "--limit", "2", "--json"});
  const json page = json::parse(first.out);
  ASSERT_EQ(page["executions"].size(), 2u);
  ASSERT_TRUE(page.contains("next"));
  EXPECT_EQ(ids({"--after", page["next"].get<std::string>()}), Ids{a});
  const auto text = coalition({"executions", "--limit", "1"});
  EXPECT_NE(text.out.find(c + "  confirm_contacts@1  waiting  started 2026-12-01T11:30:00.000Z"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("by coord.cora"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("more: add --after "), std::string::npos) << text.out;
  const auto wrong = coalition({"executions", "--status", "runing"});
  EXPECT_EQ(wrong.exit_code, 64) << wrong.err;
  EXPECT_NE(wrong.err.find("'runing' is none of running, waiting"), std::string::npos) << wrong.err;
  EXPECT_EQ(coalition({"executions", "--started-from", "yesterday"}).exit_code, 64);

  auto task_ids = [&](std::vector<std::string> args) { return listed_ids("tasks", args); };
  EXPECT_EQ(task_ids({"--org", "northwind"}), (Ids{c + ".t1", a + ".t1"}));  // by due time
  EXPECT_EQ(task_ids({"--assignee", "rev.rai"}), Ids{b_task});
  EXPECT_EQ(task_ids({"--overdue", "--now", "2026-12-01T12:30:00Z"}), Ids{b_task});
  EXPECT_EQ(task_ids({"--due-before", "2026-12-01T13:00:00Z"}), Ids{b_task});
  EXPECT_EQ(task_ids({"--org", "southwind", "--assignee", "rev.rai"}), Ids{b_task});
  EXPECT_EQ(task_ids({"--org", "northwind", "--assignee", "rev.rai"}), Ids{});
  EXPECT_EQ(coalition({"tasks", "--due-before", "soon"}).exit_code, 64);
}

// One execution per item of a list, each with its own input; the batch is checked whole before
// anything starts, and running it again starts only what is missing, whoever runs it.
TEST_F(DurableCli, BulkStartMakesOneExecutionPerItemAndARerunOnlyWhatIsMissing) {
  const auto workflow = dir_.write("notice.json", R"({
    "id": "member_notice", "version": 1, "title": "A notice to one member",
    "input_schema": {"type": "object", "properties": {"member": {"type": "string", "minLength": 3},
                     "quarter": {"type": "string"}}, "required": ["member", "quarter"]},
    "steps": [
      {"id": "ack", "kind": "task", "type": "approval",
       "parameters": {"title": {"$template": "Acknowledge the {/input/quarter} notice: {/input/member}"}},
       "assign": {"roles": ["policy_owner"], "organisation": {"$path": "/input/member"}}}]})");
  const auto registry = dir_.write("registry.json", R"({"members": [
    {"id": "northwind", "status": "active"}, {"id": "southwind", "status": "suspended"},
    {"id": "eastwind", "status": "active"}]})");
  const auto input =
      dir_.write("input.json", R"({"member": {"$path": "/item/id"}, "quarter": "2026-Q4"})");
  auto bulk = [&](const std::string& items, std::vector<std::string> more) {
    std::vector<std::string> args{"start",   workflow.string(), "--each",  items,
                                  "--items", "/members",        "--input", input.string(),
                                  "--key",   "/item/id",        "--batch", "2026-Q4 notice",
                                  "--as",    "coord.cora",      "--json"};
    args.insert(args.end(), more.begin(), more.end());
    return coalition(args);
  };
  const std::vector<std::string> active{"--where", R"({"path": "/item/status", "eq": "active"})"};
  auto listed = [&] {
    const json page = json::parse(coalition({"executions", "--json"}).out);
    return page["executions"].size();
  };

  auto dry = bulk(registry.string(), {"--where", active[1], "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  const json planned = json::parse(dry.out);
  EXPECT_EQ(planned["started"], 2);
  EXPECT_EQ(planned["skipped"], 1);
  EXPECT_EQ(listed(), 0u);  // a dry run starts nothing

  auto first = bulk(registry.string(), {"--where", active[1], "--now", "2026-12-01T09:00:00Z"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const json made = json::parse(first.out);
  EXPECT_EQ(made["started"], 2);
  EXPECT_EQ(made["executions"][0]["key"], "northwind");
  EXPECT_EQ(made["executions"][0]["id"], planned["executions"][0]["id"]);  // as announced
  EXPECT_EQ(made["executions"][1]["key"], "eastwind");
  EXPECT_EQ(listed(), 2u);
  // Recorded, as `start` records: the next acting command runs them.
  ASSERT_EQ(coalition({"tick", "--now", "2026-12-01T09:01:00Z"}).exit_code, 0);
  const auto tasks = coalition({"tasks"});
  EXPECT_NE(tasks.out.find("\"Acknowledge the 2026-Q4 notice: eastwind\""), std::string::npos)
      << tasks.out;

  // Again, by someone else and without --where: only southwind is new.
  auto again = coalition({"start", workflow.string(), "--each", registry.string(), "--items",
                          "/members", "--input", input.string(), "--key", "/item/id", "--batch",
                          "2026-Q4 notice", "--as", "coord.dev", "--now", "2026-12-01T09:05:00Z"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("northwind  " + made["executions"][0]["id"].get<std::string>() +
                           "  already started"),
            std::string::npos)
      << again.out;
  EXPECT_NE(again.out.find("batch 2026-Q4 notice: 1 started, 2 already started, 0 left out"),
            std::string::npos)
      << again.out;
  EXPECT_EQ(listed(), 3u);

  // The same batch name with a changed input is another batch: refused, not "already started".
  const auto changed =
      dir_.write("changed.json", R"({"member": {"$path": "/item/id"}, "quarter": "2027-Q1"})");
  auto renamed = coalition({"start", workflow.string(), "--each", registry.string(), "--items",
                            "/members", "--input", changed.string(), "--key", "/item/id", "--batch",
                            "2026-Q4 notice", "--now", "2026-12-01T09:06:00Z"});
  EXPECT_EQ(renamed.exit_code, 73) << renamed.err;
  EXPECT_NE(renamed.err.find("items/0 (key northwind): the batch started"), std::string::npos)
      << renamed.err;
  EXPECT_NE(renamed.err.find("another input"), std::string::npos) << renamed.err;
  // Bulk options belong to --each, and --each needs its key.
  EXPECT_EQ(coalition({"start", workflow.string(), "--dry-run"}).exit_code, 64);
  EXPECT_EQ(coalition({"start", workflow.string(), "--each", registry.string(), "--batch", "x"})
                .exit_code,
            64);

  // A batch with one bad item or a key twice starts nothing, and says which item.
  const auto bad = dir_.write("bad.json", R"({"members": [{"id": "westwind"}, {"id": "nw"}]})");
  auto refused = bulk(bad.string(), {"--now", "2026-12-01T09:10:00Z"});
  EXPECT_EQ(refused.exit_code, 65) << refused.err;
  EXPECT_NE(refused.err.find("items/1 (key nw): input does not match the input schema"),
            std::string::npos)
      << refused.err;
  const auto twice =
      dir_.write("twice.json", R"({"members": [{"id": "westwind"}, {"id": "westwind"}]})");
  auto doubled = bulk(twice.string(), {"--now", "2026-12-01T09:10:00Z"});
  EXPECT_EQ(doubled.exit_code, 65) << doubled.err;
  EXPECT_NE(doubled.err.find("the key 'westwind' is another item's too"), std::string::npos)
      << doubled.err;
  EXPECT_EQ(listed(), 3u);
  EXPECT_EQ(coalition({"start", workflow.string(), "--each", registry.string()}).exit_code, 64);
}

// A changed workflow reaches the executions already waiting on the old one: a dry run first,
// execution by execution, then the plan applied to those that can move.
TEST_F(DurableCli, MigrateMovesWaitingExecutionsToTheNewVersionAndSaysWhichCannot) {
  const char* kAck = R"({
    "id": "member_ack", "version": %d, "title": "A member acknowledges",
    "steps": [
      {"id": "%s", "kind": "task", "type": "approval",
       "parameters": {"title": "Acknowledge the notice"},
       "assign": {"roles": ["policy_owner"], "organisation": {"$path": "/input/member"}},
       "deadline": {"in": "%s", "escalate": [{"roles": ["compliance_lead"], "in": "P2D"}]},
       "result": "/ack"}]})";
  auto version = [&](int v, const char* step, const char* due) {
    char text[1024];
    std::snprintf(text, sizeof text, kAck, v, step, due);
    return dir_.write("ack" + std::to_string(v) + ".json", text);
  };
  const auto v1 = version(1, "ack", "P5D");
  const auto v2 = version(2, "acknowledge", "P10D");
  const auto plan = dir_.write("plan.json", R"({"workflow": "member_ack", "from": 1, "to": 2,
                                                "steps": {"ack": "acknowledge"}})");
  auto start = [&](const char* member, const char* now) {
    const auto input =
        dir_.write(std::string(member) + ".json", std::string(R"({"member": ")") + member + "\"}");
    auto r = coalition(
        {"start", v1.string(), "--input", input.string(), "--as", "coord.cora", "--now", now});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.substr(0, r.out.find('\n'));
  };
  const std::string early = start("northwind", "2026-12-01T09:00:00Z");
  const std::string late = start("eastwind", "2026-12-04T09:00:00Z");
  // The early one's task escalates on 6 December; the late one's is due on the 9th.
  ASSERT_EQ(coalition({"tick", "--now", "2026-12-07T09:00:00Z"}).exit_code, 0);

  const std::string history_before = coalition({"history", early, "--json"}).out;
  auto dry = coalition({"migrate", "--plan", plan.string(), "--workflow", v2.string(), "--dry-run",
                        "--as", "coord.cora", "--now", "2026-12-07T09:00:00Z"});
  EXPECT_EQ(dry.exit_code, 73) << dry.err;  // one cannot move
  EXPECT_EQ(dry.out, "dry run: member_ack@1 -> member_ack@2 (nothing changes)\n" + early +
                         "  CANNOT MIGRATE\n"
                         "  - the deadline of step ack changed, and its task has escalated 1 "
                         "time(s) under the old one: extend it instead, or migrate once it is "
                         "answered\n"
                         "    step ack becomes acknowledge\n" +
                         late +
                         "  would migrate\n"
                         "    step ack becomes acknowledge\n"
                         "    step acknowledge is due 2026-12-14T09:00:00.000Z (P10D), was "
                         "2026-12-09T09:00:00.000Z\n"
                         "2 execution(s): 1 can move, 1 cannot\n");
  EXPECT_EQ(json::parse(coalition({"status", late, "--json"}).out)["workflow"], "member_ack@1");
  // A dry run at a later instant changes nothing either: no timer fires, time does not move.
  auto later = coalition({"migrate", "--plan", plan.string(), "--workflow", v2.string(),
                          "--dry-run", "--as", "coord.cora", "--now", "2026-12-20T09:00:00Z"});
  EXPECT_NE(later.out.find("the deadline of step ack changed"), std::string::npos) << later.out;
  EXPECT_EQ(coalition({"history", early, "--json"}).out, history_before);
  EXPECT_EQ(coalition({"migrate", "--plan", plan.string(), "--dry-run", "--justification", "x",
                       "--as", "coord.cora"})
                .exit_code,
            64);

  auto unexplained = coalition(
      {"migrate", "--plan", plan.string(), "--workflow", v2.string(), "--as", "coord.cora"});
  EXPECT_EQ(unexplained.exit_code, 64) << unexplained.err;
  auto wrong_file = coalition({"migrate", "--plan", plan.string(), "--workflow", v1.string(),
                               "--dry-run", "--as", "coord.cora"});
  EXPECT_EQ(wrong_file.exit_code, 65) << wrong_file.err;
  EXPECT_NE(wrong_file.err.find("--workflow holds member_ack@1; the plan moves to member_ack@2"),
            std::string::npos)
      << wrong_file.err;
  const auto typo = dir_.write("typo.json", R"({"workflow": "member_ack", "from": 1, "to": 2,
                                                "steps": {"acq": "acknowledge"}})");
  auto mistyped = coalition({"migrate", "--plan", typo.string(), "--workflow", v2.string(),
                             "--dry-run", "--as", "coord.cora"});
  EXPECT_EQ(mistyped.exit_code, 65) << mistyped.err;
  EXPECT_NE(mistyped.err.find("/steps/acq"), std::string::npos) << mistyped.err;
  EXPECT_NE(mistyped.err.find("member_ack@1 has no step 'acq'"), std::string::npos) << mistyped.err;

  auto applied = coalition({"migrate", "--plan", plan.string(), "--workflow", v2.string(),
                            "--justification", "ten days agreed at the plenary", "--as",
                            "coord.cora", "--json", "--now", "2026-12-07T09:05:00Z"});
  EXPECT_EQ(applied.exit_code, 73) << applied.err;
  const json run = json::parse(applied.out);
  EXPECT_EQ(run["movable"], 1);
  EXPECT_EQ(run["blocked"], 1);
  EXPECT_EQ(run["executions"][0]["result"], "cannot migrate");
  EXPECT_EQ(run["executions"][1]["execution"], late);
  EXPECT_EQ(run["executions"][1]["result"], "migrated");

  // The late one runs version 2: its task under the new step, due on the 14th.
  EXPECT_EQ(json::parse(coalition({"status", late, "--json"}).out)["workflow"], "member_ack@2");
  EXPECT_EQ(json::parse(coalition({"status", early, "--json"}).out)["workflow"], "member_ack@1");
  const json open = tasks();
  bool found = false;
  for (const auto& t : open) {
    if (t["execution"] != late) continue;
    found = true;
    EXPECT_EQ(t["step"], "acknowledge");
    EXPECT_EQ(t["due"], "2026-12-14T09:00:00.000Z");
  }
  EXPECT_TRUE(found) << open;
  EXPECT_NE(coalition({"timeline", late})
                .out.find("MIGRATED from member_ack@1 to member_ack@2 by coord.cora: ten days "
                          "agreed at the plenary; ack is now acknowledge"),
            std::string::npos);
  // Answered on the new step, it finishes.
  const std::string task = late + ".t1";
  ASSERT_EQ(
      coalition({"complete", task, "--as", "po.pia", "--role", "policy_owner", "--org", "eastwind",
                 "--data", R"({"decision": "approve"})", "--now", "2026-12-07T10:00:00Z"})
          .exit_code,
      0);
  EXPECT_EQ(json::parse(coalition({"status", late, "--json"}).out)["status"], "succeeded");
  // The plan again: only the one left on version 1 is looked at.
  auto rerun = coalition({"migrate", "--plan", plan.string(), "--dry-run", "--as", "coord.cora",
                          "--json", "--now", "2026-12-07T10:00:00Z"});
  EXPECT_EQ(rerun.exit_code, 73) << rerun.err;
  EXPECT_EQ(json::parse(rerun.out)["executions"].size(), 1u) << rerun.out;
  EXPECT_EQ(coalition({"audit", "verify"}).exit_code, 0);
}

}  // namespace
}  // namespace coalition
