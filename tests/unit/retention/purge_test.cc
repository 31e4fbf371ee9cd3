// Retention on a real SQLite store: what a purge removes, the tombstone and audit entry it
// leaves, legal holds (placed, released, or named by the workflow's output), idempotence, and an
// audit chain that still verifies — and that breaks when a summary goes without a tombstone.
#include "retention/purge.h"

#include <gtest/gtest.h>

#include <set>

#include "audit/audit_chain.h"
#include "audit/audit_grouping.h"
#include "retention/legal_hold.h"
#include "retention/retention_policy.h"
#include "store/sqlite_store.h"
#include "support/temp_dir.h"
#include "workflow/visibility.h"
#include "workflow/workflow_loader.h"

namespace coalition {
namespace {

using nlohmann::json;

constexpr const char* kCase = R"({
  "id": "case_review", "version": 1, "title": "t",
  "visibility": {"roles": {"officer": "restricted", "analyst": "member"}},
  "retention": {"restricted": {"keep": "P10D", "from": "/filing/filed_at"},
                "execution": {"keep": "P30D"}, "hold": "/hold"},
  "steps": [
    {"id": "intake", "kind": "task", "type": "form", "result": "/intake", "next": "file"},
    {"id": "file", "kind": "task", "type": "form", "result": "/filing", "visibility": "restricted"}
  ]})";

TimePoint utc(const char* text) {
  return *parse_utc(text);
}

class PurgeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = load_workflow(kCase, "case.json");
    ASSERT_TRUE(loaded.workflow) << loaded.problems.front().message;
    ASSERT_TRUE(catalog_.add(loaded.workflow).ok());
    auto store = SqliteStore::open(SqliteOptions{(dir_.path() / "s.db").string()});
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
  }

  // A finished execution as the engine would have stored it: finished 1 Dec, filed 2 Dec.
  // `grouped`: the events' entries folded as the engine folds them (audit/audit_grouping.h),
  // steps mixed where members see all of them or none.
  void add_execution(const std::string& id, bool hold_in_output = false, bool grouped = false) {
    const TimePoint t0 = utc("2026-12-01T00:00:00Z");
    json output = {{"intake", {{"case", "CASE-EX-7"}}},
                   {"filing", {{"reference", "SAR-EX-7"}, {"filed_at", "2026-12-02T00:00:00Z"}}}};
    if (hold_in_output) output["hold"] = true;
    StoreBatch b;
    b.executions.push_back({id, "case_review", 1, ExecutionStatus::kSucceeded, "lead.lee", t0,
                            t0 + std::chrono::hours(2), std::nullopt, json{{"v", 1}},
                            ExecutionResult::succeeded(output)});
    // Each event with the audit entry that records it, as Execution::record writes them.
    auto event = [&](uint64_t seq, EventType type, const std::string& step, json data) {
      b.events.push_back({id, Event{seq, t0, type, step, data.dump()}});
      b.audit.push_back(make_audit_draft(t0, "x", "r", "", id, step, std::string(to_string(type)),
                                         {{"seq", seq}}));
      b.audit.back().event_seq = seq;
    };
    event(1, EventType::kExecutionStarted, "", {{"input", json::object()}});
    event(2, EventType::kStepSucceeded, "intake", {{"output", output["intake"]}});
    event(3, EventType::kTaskCreated, "file", {{"task", id + ".t1"}});
    event(4, EventType::kStepSucceeded, "file", {{"output", output["filing"]}});
    event(5, EventType::kExecutionCompleted, "", {{"output", output}});
    if (grouped) {
      std::vector<AuditDraft> drafts = std::move(b.audit);
      b.audit.clear();
      const VisibilityPolicy policy =
          VisibilityPolicy::compile(*catalog_.find("case_review", 1), &catalog_);
      append_grouped_audit(b.audit, std::move(drafts),
                           [&](const std::string& a, const std::string& c) {
                             return policy.can_see_step(a, Visibility::kMember) ==
                                    policy.can_see_step(c, Visibility::kMember);
                           });
    }
    b.tasks.push_back({id + ".t0", id, "intake", TaskStatus::kCompleted, std::nullopt, t0,
                       json{{"title", "intake"}}});
    b.tasks.push_back({id + ".t1", id, "file", TaskStatus::kCompleted, std::nullopt, t0,
                       json{{"title", "file SAR"}}});
    for (const auto& [step, type] : std::vector<std::pair<std::string, std::string>>{
             {"intake", "task_completed"}, {"file", "task_completed"}}) {
      b.audit.push_back(make_audit_draft(t0, "x", "r", "", id, step, type, {{"n", 1}}));
    }
    ASSERT_TRUE(store_->apply(b).ok());
  }

  PurgeReport purge(const char* now, json installation = json::object()) {
    PurgeOptions o;
    o.now = utc(now);
    auto report = purge_expired(*store_, catalog_, installation, o);
    EXPECT_TRUE(report.ok()) << report.error().message();
    return report.ok() ? *report : PurgeReport{};
  }
  std::string dump_events(const std::string& id) {
    std::string out;
    const auto events = *store_->history(id);  // a copy: the Result is a temporary
    for (const auto& e : events) out += e.step + ":" + e.payload + "\n";
    return out;
  }
  size_t audit_count() { return store_->audit("")->size(); }

  test::TempDir dir_;
  WorkflowCatalog catalog_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(PurgeTest, NothingHappensBeforeTheAnchorPlusThePeriod) {
  add_execution("ex-1");
  const auto before = dump_events("ex-1");
  const auto report = purge("2026-12-11T23:59:59Z");  // filed 2 Dec + 10 days = 12 Dec
  EXPECT_EQ(report.purged, 0u);
  EXPECT_EQ(report.kept, 2u);
  EXPECT_EQ(dump_events("ex-1"), before);
  EXPECT_TRUE(store_->tombstones("ex-1")->empty());
}

TEST_F(PurgeTest, RestrictedDataGoesLeavingATombstoneAndAnAuditEntry) {
  add_execution("ex-1");
  const auto report = purge("2026-12-12T00:00:00Z");
  ASSERT_EQ(report.purged, 1u);
  EXPECT_EQ(report.actions[0]["expired_at"], "2026-12-12T00:00:00.000Z");
  const std::string events = dump_events("ex-1");
  EXPECT_EQ(events.find("SAR-EX-7"), std::string::npos) << events;
  EXPECT_EQ(events.find("filed_at"), std::string::npos) << events;
  EXPECT_NE(events.find("CASE-EX-7"), std::string::npos) << events;  // member data stays
  EXPECT_EQ(store_->history("ex-1")->size(), 3u);  // the file step's two events are gone
  auto tasks = *store_->tasks(TaskFilter{"ex-1", "", false});
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].step, "intake");
  auto record = **store_->execution("ex-1");
  EXPECT_FALSE(record.result.output.value().contains("filing"));

  auto tombstones = *store_->tombstones("ex-1");
  ASSERT_EQ(tombstones.size(), 1u);
  EXPECT_EQ(tombstones[0].record_type, "restricted");
  EXPECT_EQ(tombstones[0].purged_at, "2026-12-12T00:00:00.000Z");
  EXPECT_EQ(tombstones[0].policy["keep"], "P10D");
  EXPECT_EQ(tombstones[0].policy["from"], "/filing/filed_at");
  EXPECT_EQ(tombstones[0].policy["source"], "workflow");
  auto audit = *store_->audit("ex-1");
  EXPECT_EQ(audit.back().type, "purged");
  EXPECT_TRUE(audit[2].summary.empty());  // the file step's entry: digest kept, summary gone
  EXPECT_FALSE(audit[1].summary.empty());
  auto v = *store_->verify_audit();
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.redacted, 3u);  // the file step's two events and its task completion
}

// An entry holding the events of several steps members see keeps their summaries through a
// purge of restricted data: the restricted step's events were never folded in with them.
TEST_F(PurgeTest, AnEntryOfSeveralStepsKeepsWhatMembersSeeThroughARestrictedPurge) {
  add_execution("ex-1", false, /*grouped=*/true);
  std::set<uint64_t> entries;
  const auto before = *store_->audit("ex-1");  // a copy: the Result is a temporary
  for (const auto& a : before) entries.insert(a.seq);
  ASSERT_EQ(entries.size(), 5u) << "the start with intake, the file step, the end, two tasks";
  const auto report = purge("2026-12-12T00:00:00Z");
  ASSERT_EQ(report.purged, 1u);
  size_t kept = 0;
  const auto after = *store_->audit("ex-1");
  for (const auto& a : after) {
    if (a.type == "purged") continue;
    SCOPED_TRACE(a.step + " " + a.type);
    if (a.step == "file") {
      EXPECT_TRUE(a.summary.empty());
    } else {
      EXPECT_FALSE(a.summary.empty());
      kept += a.event_seq != 0 ? 1 : 0;
    }
  }
  EXPECT_EQ(kept, 3u) << "the start's, intake's and the end's records keep their summaries";
  auto v = *store_->verify_audit();
  EXPECT_TRUE(v.ok) << v.problem;
}

TEST_F(PurgeTest, PurgingTwiceChangesNothing) {
  add_execution("ex-1");
  purge("2026-12-12T00:00:00Z");
  const auto events = dump_events("ex-1");
  const size_t entries = audit_count();
  const auto again = purge("2026-12-13T00:00:00Z");
  EXPECT_EQ(again.purged, 0u);
  EXPECT_EQ(again.already, 1u);
  EXPECT_EQ(dump_events("ex-1"), events);
  EXPECT_EQ(audit_count(), entries);
  EXPECT_EQ(store_->tombstones("ex-1")->size(), 1u);
}

TEST_F(PurgeTest, ALegalHoldSkipsThePurgeAuditedOnceUntilReleased) {
  add_execution("ex-1");
  HoldRequest hold{"ex-1", "legal.lou", "legal", "LE request LE-EX-2026-0042",
                   utc("2026-12-05T00:00:00Z")};
  ASSERT_TRUE(*place_legal_hold(*store_, hold));
  EXPECT_FALSE(*place_legal_hold(*store_, hold));  // already in force: nothing changes
  const auto events = dump_events("ex-1");
  auto first = purge("2027-01-05T00:00:00Z");  // both record types expired
  EXPECT_EQ(first.held, 2u);
  EXPECT_EQ(first.purged, 0u);
  const size_t entries = audit_count();
  auto second = purge("2027-01-06T00:00:00Z");
  EXPECT_EQ(second.held, 2u);
  EXPECT_EQ(audit_count(), entries);  // the skip is audited once per hold
  EXPECT_EQ(dump_events("ex-1"), events);
  size_t skipped = 0;
  const auto audit = *store_->audit("ex-1");
  for (const auto& a : audit) skipped += a.type == "purge_skipped";
  EXPECT_EQ(skipped, 2u);

  hold.now = utc("2027-01-07T00:00:00Z");
  ASSERT_TRUE(release_legal_hold(*store_, hold).ok());
  EXPECT_EQ(release_legal_hold(*store_, hold).error().code(), ErrorCode::kNotFound);
  auto after = purge("2027-01-08T00:00:00Z");
  EXPECT_EQ(after.purged, 2u);
  EXPECT_TRUE(store_->history("ex-1")->empty());
  EXPECT_TRUE(store_->verify_audit()->ok);
}

TEST_F(PurgeTest, TheWorkflowsOutputCanHoldItsRecords) {
  add_execution("ex-1", /*hold_in_output=*/true);
  auto report = purge("2027-01-05T00:00:00Z");
  EXPECT_EQ(report.held, 2u);
  EXPECT_EQ(report.actions[0]["hold"], "context:/hold");
}

TEST_F(PurgeTest, TheExecutionRecordTakesEverythingButTheChainStillVerifies) {
  add_execution("ex-1");
  add_execution("ex-2");
  auto report = purge("2026-12-31T02:00:00Z");  // finished 1 Dec 02:00 + 30 days
  EXPECT_EQ(report.purged, 4u);
  EXPECT_TRUE(store_->history("ex-1")->empty());
  EXPECT_TRUE(store_->tasks(TaskFilter{"ex-1", "", false})->empty());
  auto record = **store_->execution("ex-1");
  EXPECT_EQ(record.status, ExecutionStatus::kSucceeded);  // the row stays, its data does not
  EXPECT_TRUE(record.result.empty());
  const auto audit = *store_->audit("ex-1");
  for (const auto& a : audit) {
    if (a.type != "purged") {
      EXPECT_TRUE(a.summary.empty()) << a.type;
    }
  }
  auto v = *store_->verify_audit();
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.entries, (5u + 2) * 2 + 4);  // per execution: 5 events and 2 completions
}

TEST_F(PurgeTest, ASummaryRemovedWithoutATombstoneBreaksTheChain) {
  add_execution("ex-1");
  StoreBatch tamper;
  Redaction r;
  r.execution_id = "ex-1";
  r.redact_audit = {2};
  tamper.redactions.push_back(r);
  ASSERT_TRUE(store_->apply(tamper).ok());
  auto v = *store_->verify_audit();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.first_bad_seq, 2u);
  EXPECT_NE(v.problem.find("no purge (tombstone and `purged` entry) covers"), std::string::npos)
      << v.problem;
}

TEST(RetentionPolicy, WorkflowThenInstallationThenBuiltIn) {
  auto loaded = load_workflow(
      R"({"id": "p", "version": 1, "title": "t", "retention": {"execution": {"keep": "P1D"}},
          "steps": [{"id": "a", "kind": "succeed"}]})",
      "p.json");
  ASSERT_TRUE(loaded.workflow);
  auto policy = retention_policy(*loaded.workflow,
                                 json{{"restricted", {{"keep", "P2D"}, {"from", "started"}}},
                                      {"execution", {{"keep", "P9D"}}}});
  ASSERT_EQ(policy.rules.size(), 2u);
  EXPECT_EQ(policy.rules[0].record_type, "restricted");
  EXPECT_EQ(policy.rules[0].source, "installation");
  EXPECT_EQ(policy.rules[0].from, "started");
  EXPECT_EQ(policy.rules[1].source, "workflow");
  EXPECT_EQ(format_calendar_period(policy.rules[1].keep), "P1D");
  auto fallback = retention_policy(*loaded.workflow, json::object());
  EXPECT_EQ(fallback.rules[0].source, "built-in");
  EXPECT_EQ(format_calendar_period(fallback.rules[0].keep), "P5Y");
}

TEST(RetentionPolicy, AMissingAnchorCountsFromCompletionAndSaysSo) {
  RetentionRule rule{"restricted", {0, 0, std::chrono::hours(24)}, "/filing/filed_at", "workflow"};
  std::string note;
  const TimePoint finished = utc("2026-12-01T00:00:00Z");
  EXPECT_EQ(retention_expiry(rule, finished, finished, json::object(), &note),
            utc("2026-12-02T00:00:00Z"));
  EXPECT_NE(note.find("/filing/filed_at"), std::string::npos);
  note.clear();
  EXPECT_EQ(retention_expiry(rule, finished, finished,
                             json{{"filing", {{"filed_at", "2026-12-05T00:00:00Z"}}}}, &note),
            utc("2026-12-06T00:00:00Z"));
  EXPECT_TRUE(note.empty());
}

}  // namespace
}  // namespace coalition
