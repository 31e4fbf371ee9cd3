// Steering executions and tasks on a real SQLite store: cancel, retry from the failed step
// (also in a later process), and claims, releases and hand-overs with every rule they keep.
#include <gtest/gtest.h>

#include <atomic>

#include "common/utc_time.h"
#include "runtime/engine.h"
#include "store/sqlite_store.h"
#include "support/approval_step.h"
#include "support/in_memory_plugins.h"
#include "support/temp_dir.h"
#include "workflow/workflow_loader.h"

// A namespace of its own: unity builds compile several test files as one.
namespace coalition::steering_test {
namespace {

using nlohmann::json;

using test::ApprovalStep;

// A partner directory that is down until the test brings it back; records each attempt.
class Directory {
 public:
  static constexpr sdk::StepTypeInfo kInfo{
      .name = "steer.directory",
      .description = "Fails permanently while the directory is down.",
      .parameters_schema = R"({"type":"object","properties":{}})",
      .capabilities = COALITION_CAP_THREAD_SAFE | COALITION_CAP_IDEMPOTENT,
  };
  static inline std::atomic<bool> up{false};
  static inline std::atomic<int> calls{0};
  static inline std::string last_key;  // written before the outcome, read after wait_idle
  sdk::Outcome execute(const json&, const sdk::Context& context) {
    ++calls;
    last_key = context.idempotency_key();
    if (!up) return sdk::Outcome::permanent("directory.unavailable", "no answer");
    return sdk::Outcome::ok({{"member", "northbank"}, {"attempt", context.attempt()}});
  }
};

constexpr sdk::PluginInfo kPlugin{"steer_test", "1.0.0", "Test", sdk::PartnerType::kCoalition,
                                  "Test steps."};
const coalition_plugin_descriptor_t* entry(uint32_t, uint32_t) {
  return sdk::detail::describe<ApprovalStep, Directory>(kPlugin);
}

TimePoint utc(const char* text) {
  return *parse_utc(text);
}

// A reviewer's task runs beside a directory lookup; both must succeed.
constexpr const char* kCheck = R"({"id": "check", "version": 1, "title": "Check", "steps": [
  {"id": "both", "kind": "parallel", "branches": [
     {"name": "review", "steps": [
        {"id": "approve", "kind": "task", "type": "test.approval",
         "parameters": {"title": "Approve"},
         "assign": {"roles": ["reviewer"], "organisation": "northbank"},
         "deadline": {"in": "P5D", "escalate": [{"roles": ["deputy"], "in": "P2D"}]},
         "result": "/approval"}]},
     {"name": "lookup", "steps": [
        {"id": "pause", "kind": "wait", "for": "PT1H", "next": "directory"},
        {"id": "directory", "kind": "task", "type": "steer.directory", "result": "/entry"}]}],
   "result": "/both", "next": "panel"},
  {"id": "panel", "kind": "task", "type": "test.approval", "parameters": {"title": "Panel"},
   "assign": {"roles": ["reviewer"], "quorum": 2}, "next": "done"},
  {"id": "done", "kind": "succeed"}]})";

class SteeringTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Directory::up = false;
    Directory::calls = 0;
    auto plugin = loader_.load_entry(&entry, "libsteer_test.so");
    ASSERT_TRUE(plugin.ok());
    ASSERT_TRUE(registry_.add(std::move(*plugin)).ok());
    auto loaded = load_workflow(kCheck, "check.json");
    ASSERT_TRUE(loaded.problems.empty()) << loaded.problems.front().format("check.json");
    workflow_ = loaded.workflow;
    ASSERT_TRUE(catalog_.add(workflow_).ok());
    auto store = SqliteStore::open(SqliteOptions{(dir_.path() / "s.db").string()});
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
  }

  std::unique_ptr<Engine> engine() {
    return std::make_unique<Engine>(
        registry_, catalog_, clock_,
        EngineOptions{.scheduler_threads = 1, .plugin_threads = 2, .store = store_.get()});
  }
  static Status completion_by(Engine& e, const std::string& task, const Actor& actor) {
    auto done = e.complete_task(task, actor, {{"decision", "approve"}});
    if (!done) return std::move(done).error();
    return ok_status();
  }
  std::string status(const std::string& id) {
    return std::string(to_string((*store_->execution(id))->status));
  }
  std::string task_status(const std::string& id) {
    return std::string(to_string((*store_->task(id))->status));
  }
  std::vector<Event> history(const std::string& id) { return *store_->history(id); }
  size_t audited(const std::string& id, const std::string& type) {
    const auto audit = store_->audit(id);
    size_t n = 0;
    for (const auto& a : *audit) n += a.type == type ? 1 : 0;
    return n;
  }
  // Fires every timer due up to `until`, letting each firing settle.
  void advance(Engine& e, TimePoint until) {
    for (;;) {
      e.wait_idle();
      if (!clock_.fire_next(until)) break;
    }
    clock_.set_at_least(until);
    e.wait_idle();
    ASSERT_TRUE(e.sync().ok());
  }

  test::TempDir dir_;
  test::FakeLibraryLoader libraries_;
  PluginLoader loader_{libraries_, json::object()};
  PluginRegistry registry_;
  WorkflowCatalog catalog_;
  ManualClock clock_{utc("2026-12-01T09:00:00Z")};
  std::unique_ptr<SqliteStore> store_;
  std::shared_ptr<const Workflow> workflow_;
};

const Actor kCoordinator{"coord.cora", "coordinator", "secretariat"};
const Actor kRai{"rev.rai", "reviewer", "northbank"};
const Actor kRavi{"rev.ravi", "reviewer", "northbank"};

TEST_F(SteeringTest, ARetryCarriesOnFromTheFailedStepInALaterProcess) {
  {
    auto e = engine();
    ASSERT_TRUE(e->start(workflow_, json::object(), "ex-1", "coord.cora").ok());
    e->wait_idle();
    ASSERT_TRUE(e->sync().ok());
    ASSERT_EQ(task_status("ex-1.t1"), "open");
    advance(*e, clock_.now() + std::chrono::hours(1));  // the lookup runs while the task is open
  }
  // The lookup failed the parallel step; the reviewer's open task was cancelled with it.
  ASSERT_EQ(status("ex-1"), "failed");
  EXPECT_EQ(task_status("ex-1.t1"), "cancelled");
  EXPECT_EQ(Directory::calls, 1);
  const std::string key = Directory::last_key;
  const uint64_t last_seq = history("ex-1").back().seq;

  Directory::up = true;
  auto e = engine();  // a later process: the CLI's retry, or a server
  ASSERT_TRUE(e->recover().ok());
  auto blank = e->retry("ex-1", kCoordinator, "  ");
  ASSERT_FALSE(blank.ok());
  EXPECT_EQ(blank.error().code(), ErrorCode::kInvalidData);
  ASSERT_TRUE(e->retry("ex-1", kCoordinator, "the directory is back").ok());
  auto twice = e->retry("ex-1", kCoordinator, "again");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code(), ErrorCode::kConflict);
  e->wait_idle();
  ASSERT_TRUE(e->sync().ok());

  // The lookup ran again as its next attempt with the same idempotency key; the reviewer's
  // task is open again, as it stood, and completing it carries the execution on.
  EXPECT_EQ(Directory::calls, 2);
  EXPECT_EQ(Directory::last_key, key);
  EXPECT_EQ(task_status("ex-1.t1"), "open");
  EXPECT_NE(status("ex-1"), "failed");
  ASSERT_TRUE(e->complete_task("ex-1.t1", kRai, {{"decision", "approve"}}).ok());
  e->wait_idle();
  ASSERT_TRUE(e->sync().ok());
  // The panel's task is numbered after every task the execution ever had.
  auto panel = store_->task("ex-1.t2");
  ASSERT_TRUE(panel.ok() && panel->has_value());
  EXPECT_EQ((*panel)->step, "panel");

  const auto events = history("ex-1");
  uint64_t seq = 0;
  bool retried = false;
  for (const auto& ev : events) {
    EXPECT_EQ(ev.seq, ++seq) << "events keep one numbering across the retry";
    if (ev.type == EventType::kExecutionRetried) {
      retried = true;
      EXPECT_EQ(ev.seq, last_seq + 1);
      EXPECT_EQ(ev.data()["error"], "parallel.branch_failed");
      EXPECT_EQ(ev.data()["justification"], "the directory is back");
      EXPECT_EQ(ev.data()["steps"], json::array({"both[lookup]/directory"}));
    }
    if (ev.type == EventType::kAttemptStarted && ev.step == "both[lookup]/directory" &&
        ev.seq > last_seq) {
      EXPECT_EQ(ev.data()["attempt"], 2);
    }
  }
  EXPECT_TRUE(retried);
  EXPECT_EQ(audited("ex-1", "execution_retried"), 1u);
  EXPECT_TRUE(store_->verify_audit()->ok);
  // Nothing to retry once it runs again, nor in an execution that did not fail.
  auto running = e->retry("ex-1", kCoordinator, "again");
  ASSERT_FALSE(running.ok());
  EXPECT_EQ(running.error().code(), ErrorCode::kConflict);
  auto unknown = e->retry("ex-404", kCoordinator, "why");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), ErrorCode::kNotFound);
}

TEST_F(SteeringTest, CancelStopsEverythingAndIsRecordedWithItsJustification) {
  Directory::up = true;
  auto e = engine();
  ASSERT_TRUE(e->start(workflow_, json::object(), "ex-1", "coord.cora").ok());
  e->wait_idle();
  ASSERT_TRUE(e->sync().ok());
  ASSERT_EQ(task_status("ex-1.t1"), "open");
  ASSERT_FALSE(e->cancel("ex-1", kCoordinator, "").ok());
  ASSERT_TRUE(e->cancel("ex-1", kCoordinator, "opened twice for the same case").ok());
  e->wait_idle();
  ASSERT_TRUE(e->sync().ok());
  EXPECT_EQ(status("ex-1"), "cancelled");
  EXPECT_EQ(task_status("ex-1.t1"), "cancelled");
  EXPECT_EQ((*store_->execution("ex-1"))->result.error.value().code, "execution.cancelled");
  const auto last = history("ex-1").back();
  EXPECT_EQ(last.type, EventType::kExecutionCancelled);
  EXPECT_EQ(last.data()["justification"], "opened twice for the same case");
  const auto audit = *store_->audit("ex-1");
  EXPECT_EQ(audit.back().type, "execution_cancelled");
  EXPECT_EQ(audit.back().actor, "coord.cora");
  // Nothing acts on it afterwards; it is neither cancelled again nor retried.
  EXPECT_FALSE(e->complete_task("ex-1.t1", kRai, {{"decision", "approve"}}).ok());
  auto again = e->cancel("ex-1", kCoordinator, "again");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kConflict);
  EXPECT_NE(again.error().message().find("cancelled"), std::string::npos);
  auto retry = e->retry("ex-1", kCoordinator, "undo");
  ASSERT_FALSE(retry.ok());
  EXPECT_EQ(retry.error().code(), ErrorCode::kConflict);
  // Retention sees it as ended.
  ASSERT_EQ(store_->finished_executions()->size(), 1u);
  EXPECT_TRUE(store_->verify_audit()->ok);
}

TEST_F(SteeringTest, ClaimsKeepATaskToOnePersonAndEveryRuleHolds) {
  Directory::up = true;
  {
    auto e = engine();
    ASSERT_TRUE(e->start(workflow_, json::object(), "ex-1", "coord.cora").ok());
    e->wait_idle();
    ASSERT_TRUE(e->claim_task("ex-1.t1", kRai).ok());
    ASSERT_TRUE(e->claim_task("ex-1.t1", kRai).ok());  // again: nothing changes
    ASSERT_TRUE(e->sync().ok());
  }
  EXPECT_EQ((*store_->task("ex-1.t1"))->doc["assignee"], "rev.rai");
  InboxFilter inbox;
  inbox.organisation = "northbank";
  inbox.roles = {"reviewer"};
  inbox.person = "rev.ravi";
  EXPECT_EQ(store_->inbox(inbox)->size(), 0u);  // held by someone else
  inbox.person = "rev.rai";
  EXPECT_EQ(store_->inbox(inbox)->size(), 1u);

  auto e = engine();  // the claim survived the process
  ASSERT_TRUE(e->recover().ok());
  struct Refusal {
    Status status;
    ErrorCode code;
    const char* says;
  };
  const Actor outsider{"rev.sol", "reviewer", "southbank"};
  const Refusal refusals[] = {
      {e->claim_task("ex-1.t1", kRavi), ErrorCode::kConflict, "claimed by rev.rai"},
      {e->claim_task("ex-1.t1", outsider), ErrorCode::kPermissionDenied, "northbank"},
      {completion_by(*e, "ex-1.t1", kRavi), ErrorCode::kConflict, "claimed by rev.rai"},
      {e->release_task("ex-1.t1", kRavi, false), ErrorCode::kPermissionDenied, "only they"},
      {e->reassign_task("ex-1.t1", kRavi, kRavi, "taking it", false), ErrorCode::kPermissionDenied,
       "only they"},
      {e->reassign_task("ex-1.t1", outsider, kRai, "leave", false), ErrorCode::kInvalidData,
       "cannot take task"},
      {e->reassign_task("ex-1.t1", kRavi, kRai, " ", false), ErrorCode::kInvalidData,
       "justification"},
  };
  for (const auto& r : refusals) {
    ASSERT_FALSE(r.status.ok()) << r.says;
    EXPECT_EQ(r.status.error().code(), r.code) << r.status.error().message();
    EXPECT_NE(r.status.error().message().find(r.says), std::string::npos)
        << r.status.error().message();
  }
  // The holder hands it on (delegation); the new holder completes it.
  ASSERT_TRUE(e->reassign_task("ex-1.t1", kRavi, kRai, "on leave from tomorrow", false).ok());
  EXPECT_FALSE(e->complete_task("ex-1.t1", kRai, {{"decision", "approve"}}).ok());
  ASSERT_TRUE(e->complete_task("ex-1.t1", kRavi, {{"decision", "approve"}}).ok());
  advance(*e, clock_.now() + std::chrono::hours(1));  // the lookup, then the panel's task
  ASSERT_EQ(task_status("ex-1.t2"), "open");
  // A task for two people cannot be one person's; a coordinator may release any claim.
  auto quorum = e->claim_task("ex-1.t2", kRai);
  ASSERT_FALSE(quorum.ok());
  EXPECT_EQ(quorum.error().code(), ErrorCode::kConflict);
  EXPECT_NE(quorum.error().message().find("needs 2 different people"), std::string::npos);
  auto unheld = e->release_task("ex-1.t2", kCoordinator, true);
  ASSERT_FALSE(unheld.ok());
  EXPECT_EQ(unheld.error().code(), ErrorCode::kConflict);

  std::vector<EventType> steering;
  for (const auto& ev : history("ex-1")) {
    if (ev.type == EventType::kTaskClaimed || ev.type == EventType::kTaskReassigned) {
      steering.push_back(ev.type);
    }
  }
  EXPECT_EQ(steering,
            (std::vector<EventType>{EventType::kTaskClaimed, EventType::kTaskReassigned}));
  const auto events = history("ex-1");
  for (const auto& ev : events) {
    if (ev.type != EventType::kTaskReassigned) continue;
    EXPECT_EQ(ev.data()["previous"], "rev.rai");
    EXPECT_EQ(ev.data()["assignee"], "rev.ravi");
    EXPECT_EQ(ev.data()["justification"], "on leave from tomorrow");
  }
  // Every refusal the execution saw is audited: all but the blank justification, which the
  // engine refuses before it looks for the task.
  EXPECT_EQ(audited("ex-1", "task_refused"), 9u);
  EXPECT_TRUE(store_->verify_audit()->ok);
}

TEST_F(SteeringTest, ARetryKeepsWhatFinishedBranchesProduced) {
  {
    auto e = engine();
    ASSERT_TRUE(e->start(workflow_, json::object(), "ex-1", "coord.cora").ok());
    e->wait_idle();
    // The review branch finishes first; then the lookup fails the parallel step.
    ASSERT_TRUE(e->complete_task("ex-1.t1", kRai, {{"decision", "approve"}}).ok());
    advance(*e, clock_.now() + std::chrono::hours(1));
  }
  ASSERT_EQ(status("ex-1"), "failed");
  Directory::up = true;
  auto e = engine();
  ASSERT_TRUE(e->recover().ok());
  ASSERT_TRUE(e->retry("ex-1", kCoordinator, "the directory is back").ok());
  e->wait_idle();
  ASSERT_TRUE(e->sync().ok());
  EXPECT_EQ(task_status("ex-1.t1"), "completed");  // not opened again: it was done
  const auto record = *store_->execution("ex-1");
  const json context = Execution::main_context(record->state, *store_->state_parts("ex-1"));
  EXPECT_EQ(context["both"]["review"]["approval"]["decision"], "approved") << context;
  EXPECT_EQ(context["both"]["lookup"]["entry"]["member"], "northbank") << context;
}

TEST_F(SteeringTest, APurgeOrAPassedDeadlineLeavesNothingToRetry) {
  auto e = engine();
  ASSERT_TRUE(e->start(workflow_, json::object(), "ex-1", "coord.cora").ok());
  ASSERT_TRUE(e->start(workflow_, json::object(), "ex-2", "coord.cora").ok());
  e->wait_idle();
  advance(*e, clock_.now() + std::chrono::hours(1));  // both lookups fail
  ASSERT_EQ(status("ex-1"), "failed");
  ASSERT_TRUE(store_->retry_point("ex-1")->has_value());
  // A purge of any of its records takes the snapshot a retry would need, and its parts.
  StoreBatch purge;
  Redaction r;
  r.execution_id = "ex-1";
  r.delete_events = {1};
  purge.redactions.push_back(r);
  ASSERT_TRUE(store_->apply(purge).ok());
  EXPECT_FALSE(store_->retry_point("ex-1")->has_value());
  EXPECT_TRUE(store_->state_parts("ex-1")->empty());
  auto purged = e->retry("ex-1", kCoordinator, "why");
  ASSERT_FALSE(purged.ok());
  EXPECT_EQ(purged.error().code(), ErrorCode::kConflict);

  // A deadline that passed inside a branch: retrying would only fire it again.
  Directory::up = true;
  ASSERT_TRUE(e->retry("ex-2", kCoordinator, "the directory is back").ok());
  advance(*e, utc("2026-12-09T10:00:00Z"));  // five days, two more for the deputy: expired
  ASSERT_EQ(status("ex-2"), "failed");
  EXPECT_EQ((*store_->execution("ex-2"))->result.error.value().code, "parallel.branch_failed");
  auto expired = e->retry("ex-2", kCoordinator, "again");
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code(), ErrorCode::kConflict);
  EXPECT_NE(expired.error().message().find("deadline passed"), std::string::npos)
      << expired.error().message();
}

TEST_F(SteeringTest, AnEscalationEndsTheClaimOfThePersonWhoLetTheDeadlinePass) {
  Directory::up = true;
  auto e = engine();
  ASSERT_TRUE(e->start(workflow_, json::object(), "ex-1", "coord.cora").ok());
  e->wait_idle();
  ASSERT_TRUE(e->claim_task("ex-1.t1", kRai).ok());
  advance(*e, utc("2026-12-06T10:00:00Z"));  // past the five days: the deputy's turn
  const auto task = *store_->task("ex-1.t1");
  ASSERT_TRUE(task.has_value());
  EXPECT_FALSE(task->doc.contains("assignee")) << task->doc;
  EXPECT_EQ(task->doc["roles"], json::array({"deputy"}));
  bool escalated = false;
  for (const auto& ev : history("ex-1")) {
    if (ev.type != EventType::kEscalated) continue;
    escalated = true;
    EXPECT_EQ(ev.data()["released"], "rev.rai");
  }
  EXPECT_TRUE(escalated);
  const Actor deputy{"dep.dana", "deputy", "northbank"};
  ASSERT_TRUE(e->complete_task("ex-1.t1", deputy, {{"decision", "approve"}}).ok());
}

}  // namespace
}  // namespace coalition::steering_test
