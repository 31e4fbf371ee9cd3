// One audit entry for a run of an execution's events, and the run read back event by event
// (audit/audit_grouping.h): what makes a run, what the folded entry says, and what reads back.
#include "audit/audit_grouping.h"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "audit/audit_chain.h"
#include "common/sha256.h"

namespace coalition::audit_grouping_test {
namespace {

using nlohmann::json;

TimePoint at(int64_t ms) {
  return TimePoint(std::chrono::milliseconds(1798675200000 + ms));
}

AuditDraft event_draft(uint64_t seq, const std::string& actor = "engine",
                       const std::string& step = "review", const std::string& execution = "ex-1") {
  AuditDraft d = make_audit_draft(at(static_cast<int64_t>(seq)), actor, "", "", execution, step,
                                  "step_scheduled", {{"event", seq}});
  d.event_seq = seq;
  return d;
}

AuditRecord sealed(const AuditDraft& d, const std::string& digests) {
  AuditRecord r = seal_audit_entry(d, 7, kAuditGenesisHash, d.at, digests);
  return r;
}

std::vector<AuditDraft> grouped(std::vector<AuditDraft> drafts) {
  std::vector<AuditDraft> out;
  append_grouped_audit(out, std::move(drafts));
  return out;
}

TEST(AuditGroupingTest, ARunOfOneActorsConsecutiveEventsOnOneStepIsOneEntry) {
  std::vector<AuditDraft> drafts{event_draft(4, "engine", "s1"), event_draft(5, "engine", "s1"),
                                 event_draft(6, "engine", "s1")};
  drafts[1].summary = "{}";
  drafts[2].type = "attempt_started";
  const auto out = grouped(std::move(drafts));
  ASSERT_EQ(out.size(), 1u);
  const AuditDraft& e = out[0];
  EXPECT_EQ(e.type, kAuditEventsType);
  EXPECT_EQ(e.event_seq, 4u);
  EXPECT_EQ(e.event_count, 3u);
  EXPECT_EQ(e.step, "s1");
  EXPECT_EQ(e.at, at(4)) << "the run's first time";
  EXPECT_EQ(e.summary_hash, sha256_hex(e.summary));
  EXPECT_EQ(e.summary, R"({"events":[{"type":"step_scheduled","summary":{"event":4}},)"
                       R"({"type":"step_scheduled"},)"
                       R"({"type":"attempt_started","summary":{"event":6}}]})")
      << "an event with nothing more to say is its type alone";
}

// A purge empties the summary of an entry on a step members may not see whole: without the
// caller saying which steps are alike, an entry holds one step's events.
TEST(AuditGroupingTest, AnotherStepEndsARun) {
  const auto out = grouped({event_draft(1, "engine", ""), event_draft(2, "engine", "draft"),
                            event_draft(3, "engine", "draft"), event_draft(4, "engine", "sar"),
                            event_draft(5, "engine", "sar")});
  std::vector<std::pair<std::string, uint64_t>> runs;  // (step, events)
  for (const auto& d : out) runs.emplace_back(d.step, d.event_count);
  EXPECT_EQ(runs,
            (std::vector<std::pair<std::string, uint64_t>>{{"", 1}, {"draft", 2}, {"sar", 2}}));
}

// Steps members see alike share an entry, each item naming its step where it is not the
// entry's; a step on the other side of that line (here "sar") ends the run.
TEST(AuditGroupingTest, StepsMembersSeeAlikeShareAnEntryAndAnotherSideEndsIt) {
  const auto restricted = [](const std::string& step) { return step == "sar"; };
  std::vector<std::pair<std::string, std::string>> asked;
  const StepsAlike alike = [&](const std::string& a, const std::string& b) {
    asked.emplace_back(a, b);
    return restricted(a) == restricted(b);
  };
  std::vector<AuditDraft> drafts{
      event_draft(1, "engine", ""),      event_draft(2, "engine", "draft"),
      event_draft(3, "engine", "draft"), event_draft(4, "engine", "sar"),
      event_draft(5, "engine", "sar"),   event_draft(6, "engine", "")};
  drafts[2].summary = "{}";
  std::vector<AuditDraft> out;
  append_grouped_audit(out, std::move(drafts), alike);
  std::vector<std::pair<std::string, uint64_t>> runs;  // (step, events)
  for (const auto& d : out) runs.emplace_back(d.step, d.event_count);
  EXPECT_EQ(runs, (std::vector<std::pair<std::string, uint64_t>>{{"", 3}, {"sar", 2}, {"", 1}}));
  EXPECT_EQ(out[0].summary, R"({"events":[{"type":"step_scheduled","summary":{"event":1}},)"
                            R"({"type":"step_scheduled","step":"draft","summary":{"event":2}},)"
                            R"({"type":"step_scheduled","step":"draft"}]})")
      << "the entry's own step is left out of its items";
  EXPECT_EQ(out[1].summary, R"({"events":[{"type":"step_scheduled","summary":{"event":4}},)"
                            R"({"type":"step_scheduled","summary":{"event":5}}]})");
  EXPECT_EQ(asked, (std::vector<std::pair<std::string, std::string>>{
                       {"", "draft"}, {"draft", "sar"}, {"sar", ""}}))
      << "asked only where the step changes";
}

TEST(AuditGroupingTest, AnEntryOfSeveralStepsReadsBackWithEachEventsStep) {
  std::vector<AuditDraft> out;
  append_grouped_audit(out,
                       {event_draft(4, "engine", "s1"), event_draft(5, "engine", "s2"),
                        event_draft(6, "engine", "")},
                       [](const std::string&, const std::string&) { return true; });
  ASSERT_EQ(out.size(), 1u);
  const AuditRecord entry =
      sealed(out[0], std::string(64, 'a') + std::string(64, 'b') + std::string(64, 'c'));
  EXPECT_EQ(entry.step, "s1");
  std::vector<std::string> steps;
  for (const auto& r : expand_audit_entry(entry)) steps.push_back(r.step);
  EXPECT_EQ(steps, (std::vector<std::string>{"s1", "s2", ""}));
  AuditRecord odd = entry;  // an item whose step is not text: which step is unknown
  odd.summary = R"({"events":[{"type":"a"},{"type":"b","step":7},{"type":"c"}]})";
  const auto records = expand_audit_entry(odd);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].part, 0u) << "read as it is: for full views only";
}

TEST(AuditGroupingTest, AnotherActorAGapAnEntryWithoutAnEventOrAnotherExecutionEndsARun) {
  AuditDraft person = event_draft(3, "officer.kim");
  AuditDraft other_role = event_draft(7);
  other_role.role = "lead";
  AuditDraft other_org = event_draft(8);
  other_org.organisation = "northwind";
  AuditDraft no_event =
      make_audit_draft(at(9), "engine", "", "", "ex-1", "", "exported", json::object());
  const auto out =
      grouped({event_draft(1), event_draft(2), person, event_draft(4), event_draft(6), other_role,
               other_org, no_event, event_draft(10), event_draft(11, "engine", "review", "ex-2")});
  std::vector<std::pair<uint64_t, uint64_t>> runs;  // (first event, events)
  for (const auto& d : out) runs.emplace_back(d.event_seq, d.event_seq == 0 ? 0 : d.event_count);
  EXPECT_EQ(runs, (std::vector<std::pair<uint64_t, uint64_t>>{
                      {1, 2}, {3, 1}, {4, 1}, {6, 1}, {7, 1}, {8, 1}, {0, 0}, {10, 1}, {11, 1}}));
  EXPECT_EQ(out[1].type, "step_scheduled") << "an entry of one event stays as it was";
  EXPECT_EQ(out[1].summary, R"({"event":3})");
  EXPECT_EQ(out[6].type, "exported");
}

TEST(AuditGroupingTest, ASummaryThatIsNotAnObjectStaysInAnEntryOfItsOwn) {
  AuditDraft odd = event_draft(2);
  odd.summary = "[1]";
  const auto out = grouped({event_draft(1), odd, event_draft(3), event_draft(4)});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[1].summary, "[1]");
  EXPECT_EQ(out[2].event_seq, 3u);
  EXPECT_EQ(out[2].event_count, 2u);
}

TEST(AuditGroupingTest, AnEntryOfSeveralEventsReadsBackAsARecordEach) {
  AuditDraft quiet = event_draft(5, "engine", "s1");
  quiet.summary = "{}";
  const auto out = grouped({event_draft(4, "engine", "s1"), quiet});
  ASSERT_EQ(out.size(), 1u);
  const std::string first(64, 'a');
  const std::string second(64, 'b');
  const AuditRecord entry = sealed(out[0], first + second);
  const auto records = expand_audit_entry(entry);
  ASSERT_EQ(records.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    SCOPED_TRACE(i);
    const AuditRecord& r = records[i];
    EXPECT_EQ(r.seq, 7u);
    EXPECT_EQ(r.part, i + 1);
    EXPECT_EQ(r.hash, entry.hash);
    EXPECT_EQ(r.at, entry.at);
    EXPECT_EQ(r.actor, "engine");
    EXPECT_EQ(r.type, "step_scheduled");
    EXPECT_EQ(r.step, "s1");
    EXPECT_EQ(r.event_seq, 4 + i);
    EXPECT_EQ(r.event_hash, i == 0 ? first : second);
    EXPECT_EQ(json::parse(r.summary), (i == 0 ? json{{"event", 4}} : json::object()));
    EXPECT_EQ(r.summary_hash, sha256_hex(r.summary));
  }
}

TEST(AuditGroupingTest, AnEntryThatCannotSayWhichEventsIsReadAsItIs) {
  const auto out = grouped({event_draft(4), event_draft(5)});
  ASSERT_EQ(out.size(), 1u);
  const std::string digests(128, 'a');
  AuditRecord emptied = sealed(out[0], digests);
  emptied.summary.clear();                                                  // a purge emptied it
  AuditRecord short_list = sealed(out[0], digests + std::string(64, 'c'));  // three digests
  AuditRecord not_json = sealed(out[0], digests);
  not_json.summary = "{";
  AuditRecord one = sealed(grouped({event_draft(9)})[0], std::string(64, 'd'));
  for (const AuditRecord& r : {emptied, short_list, not_json, one}) {
    const auto records = expand_audit_entry(r);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].summary, r.summary);
    EXPECT_EQ(records[0].part, 0u);
    EXPECT_EQ(records[0].event_hash, r.event_hash);
  }
}

}  // namespace
}  // namespace coalition::audit_grouping_test
