// Notifications to the people of tasks, on a real SQLite store with in-memory plugins and a
// manual clock: the engine writes each one in the transaction of the event that calls for it
// (task opened, reminder, escalation, expiry), and the dispatcher delivers it through a step
// type, marking it sent, retrying it later, or failing it — all of it recorded in the store.
#include <gtest/gtest.h>

#include <mutex>

#include "app/notification_dispatcher.h"
#include "common/utc_time.h"
#include "runtime/engine.h"
#include "store/sqlite_store.h"
#include "support/approval_step.h"
#include "support/in_memory_plugins.h"
#include "support/temp_dir.h"
#include "workflow/workflow_loader.h"

// A namespace of its own: unity builds compile several test files as one.
namespace coalition::task_notifications_test {
namespace {

using nlohmann::json;

// Stands for the notify plugin: records what it was asked to send and answers as told.
class RecordingNotify {
 public:
  static constexpr sdk::StepTypeInfo kInfo{
      .name = "test.notify",
      .description = "Records notifications.",
      .parameters_schema =
          R"({"type":"object","additionalProperties":true,"x-coalition-confined-by":"within","properties":{"payload":{"type":"object","x-coalition-outbound":true}}})",
      .capabilities = COALITION_CAP_IDEMPOTENT | COALITION_CAP_THREAD_SAFE,
  };
  static inline std::mutex mutex;
  static inline std::vector<json> calls;          // {params, key, attempt, now}
  static inline std::vector<std::string> script;  // "ok", "retry", "fail": consumed in order
  sdk::Outcome execute(const json& params, const sdk::Context& context) {
    std::lock_guard lock(mutex);
    calls.push_back({{"params", params},
                     {"key", context.idempotency_key()},
                     {"attempt", context.document().value("attempt", 0)},
                     {"now", context.now()}});
    std::string next = "ok";
    if (!script.empty()) {
      next = script.front();
      script.erase(script.begin());
    }
    if (next == "retry") return sdk::Outcome::retryable("notify.smtp_unavailable", "mail down");
    if (next == "fail") return sdk::Outcome::permanent("notify.no_recipients", "nobody holds it");
    return sdk::Outcome::ok({{"recipients", json::array({{{"contact", "northwind.bsa"}}})}});
  }
};

constexpr sdk::PluginInfo kPlugin{"notifications_test", "1.0.0", "Test",
                                  sdk::PartnerType::kCoalition, "Test steps."};
const coalition_plugin_descriptor_t* entry(uint32_t, uint32_t) {
  return sdk::detail::describe<test::ApprovalStep, RecordingNotify>(kPlugin);
}

TimePoint utc(const char* text) {
  return *parse_utc(text);
}

constexpr const char* kReview = R"({"id": "review", "version": 1, "title": "t", "steps": [
  {"id": "approve", "kind": "task", "type": "test.approval",
   "parameters": {"title": "Approve the filing for case AML-EX-7"},
   "assign": {"roles": ["bsa_officer"], "organisation": "northwind"},
   "deadline": {"in": "PT4H", "remind": ["PT1H"],
                "escalate": [{"roles": ["chief_compliance_officer"], "in": "PT2H"}]},
   "result": "/approval"}]})";

class TaskNotificationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RecordingNotify::calls.clear();
    RecordingNotify::script.clear();
    auto plugin = loader_.load_entry(&entry, "libnotifications_test.so");
    ASSERT_TRUE(plugin.ok());
    ASSERT_TRUE(registry_.add(std::move(*plugin)).ok());
    auto store = SqliteStore::open(SqliteOptions{(dir_.path() / "s.db").string()});
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    config_.enabled = true;
    config_.step_type = "test.notify";
    config_.max_attempts = 3;
    config_.retry_after = std::chrono::minutes(1);
  }
  void start_engine(std::vector<NotificationKind> notify) {
    engine_ = std::make_unique<Engine>(registry_, catalog_, clock_,
                                       EngineOptions{.scheduler_threads = 1,
                                                     .plugin_threads = 1,
                                                     .store = store_.get(),
                                                     .calendars = &calendars_,
                                                     .notify = std::move(notify)});
  }
  std::string start(const std::string& id) {
    auto loaded = load_workflow(kReview, "wf.json");
    EXPECT_TRUE(loaded.problems.empty());
    EXPECT_TRUE(catalog_.add(loaded.workflow).ok());
    auto started = engine_->start(loaded.workflow, json::object(), id, "lead.lee");
    EXPECT_TRUE(started.ok()) << started.error().message();
    settle();
    return id;
  }
  void settle() {
    for (;;) {
      engine_->wait_idle();
      if (!clock_.fire_next(clock_.now())) break;
    }
    ASSERT_TRUE(engine_->sync().ok());
  }
  void advance_to(TimePoint until) {
    for (;;) {
      engine_->wait_idle();
      if (!clock_.fire_next(until)) break;
    }
    clock_.set_at_least(until);
    settle();
  }
  std::vector<NotificationRecord> stored(const std::string& execution = "") {
    auto all = store_->notifications({execution, std::nullopt, 100});
    EXPECT_TRUE(all.ok());
    std::vector<NotificationRecord> oldest_first(all->rbegin(), all->rend());
    return oldest_first;
  }

  test::TempDir dir_;
  test::FakeLibraryLoader libraries_;
  PluginLoader loader_{libraries_, json::object()};
  PluginRegistry registry_;
  WorkflowCatalog catalog_;
  CalendarSet calendars_;
  ManualClock clock_{utc("2026-12-07T10:00:00Z")};
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<Engine> engine_;
  NotificationsConfig config_;
};

TEST_F(TaskNotificationsTest, EveryTaskEventOwesOneNotificationWrittenWithIt) {
  start_engine({kAllNotificationKinds.begin(), kAllNotificationKinds.end()});
  const auto id = start("ex-1");
  auto owed = stored(id);
  ASSERT_EQ(owed.size(), 1u);
  const NotificationRecord& opened = owed[0];
  EXPECT_EQ(opened.kind, NotificationKind::kTaskOpened);
  EXPECT_EQ(opened.status, NotificationStatus::kPending);
  EXPECT_EQ(opened.created_at, utc("2026-12-07T10:00:00Z"));
  EXPECT_EQ(opened.subject["title"], "Approve the filing for case AML-EX-7");
  EXPECT_EQ(opened.subject["roles"], json({"bsa_officer"}));
  EXPECT_EQ(opened.subject["organisation"], "northwind");
  EXPECT_EQ(opened.subject["step"], "approve");
  EXPECT_EQ(opened.subject["due"], "2026-12-07T14:00:00.000Z");
  // Its id names the event it came with, which the store holds.
  bool found = false;
  const auto events = store_->history(id);  // held: the loop must not outlive the Result
  ASSERT_TRUE(events.ok());
  for (const auto& e : *events) {
    if (opened.id == id + "#" + std::to_string(e.seq)) found = e.type == EventType::kTaskCreated;
  }
  EXPECT_TRUE(found) << opened.id;

  advance_to(utc("2026-12-07T14:00:00Z"));  // the reminder at 13:00, then the escalation
  owed = stored(id);
  ASSERT_EQ(owed.size(), 3u);
  EXPECT_EQ(owed[1].kind, NotificationKind::kReminder);
  EXPECT_EQ(owed[1].created_at, utc("2026-12-07T13:00:00Z"));
  EXPECT_EQ(owed[2].kind, NotificationKind::kEscalated);
  EXPECT_EQ(owed[2].subject["roles"], json({"chief_compliance_officer"}));
  EXPECT_EQ(owed[2].subject["level"], 1);
  EXPECT_EQ(owed[2].subject["due"], "2026-12-07T16:00:00.000Z");
  advance_to(utc("2026-12-07T16:00:00Z"));
  owed = stored(id);
  ASSERT_EQ(owed.size(), 5u);  // the new tier's reminder at 15:00, then the expiry
  EXPECT_EQ(owed[4].kind, NotificationKind::kDeadlineExpired);
  EXPECT_EQ(owed[4].subject["task"], owed[0].task);
}

TEST_F(TaskNotificationsTest, OnlyTheKindsConfiguredAreOwedAndNoneWhenOff) {
  start_engine({NotificationKind::kEscalated});
  start("ex-2");
  EXPECT_TRUE(stored().empty());
  advance_to(utc("2026-12-07T14:00:00Z"));
  ASSERT_EQ(stored().size(), 1u);
  EXPECT_EQ(stored()[0].kind, NotificationKind::kEscalated);
  engine_.reset();
  start_engine({});
  start("ex-3");
  advance_to(utc("2026-12-07T18:00:00Z"));
  EXPECT_TRUE(stored("ex-3").empty());
}

TEST_F(TaskNotificationsTest, TheDispatcherSendsToTheTasksRolesWithReferencesOnly) {
  start_engine({NotificationKind::kTaskOpened});
  const auto id = start("ex-4");
  app::NotificationDispatcher dispatcher(*store_, registry_, clock_, config_);
  auto sent = dispatcher.deliver_due(clock_.now());
  ASSERT_TRUE(sent.ok()) << sent.error().message();
  EXPECT_EQ(*sent, 1u);
  ASSERT_EQ(RecordingNotify::calls.size(), 1u);
  const json& call = RecordingNotify::calls[0];
  EXPECT_EQ(call["params"]["to"],
            json({{"people", {{"roles", {"bsa_officer"}}, {"organisation", "northwind"}}},
                  {"channel", "email"}}));
  EXPECT_EQ(call["params"]["message"], "task.opened");
  EXPECT_EQ(call["params"]["within"], "northwind") << "a task's people are of its organisation";
  const json& payload = call["params"]["payload"];
  EXPECT_EQ(payload["title"], "Approve the filing for case AML-EX-7");
  EXPECT_EQ(payload["execution"], id);
  EXPECT_FALSE(payload.contains("roles"));
  for (const auto& [field, value] : payload.items()) {
    EXPECT_NE(std::find(call["params"]["allow"].begin(), call["params"]["allow"].end(), field),
              call["params"]["allow"].end())
        << field << " is sent but not allowed";
  }
  EXPECT_EQ(call["key"], stored(id)[0].id) << "the notification's id is the idempotency key";
  EXPECT_EQ(call["now"], "2026-12-07T10:00:00.000Z");
  const auto after = stored(id);
  EXPECT_EQ(after[0].status, NotificationStatus::kSent);
  EXPECT_EQ(after[0].sent_at, clock_.now());
  EXPECT_EQ(after[0].delivery["recipients"][0]["contact"], "northwind.bsa");
  EXPECT_EQ(*dispatcher.deliver_due(clock_.now()), 0u) << "sent once";
}

// A task with no organisation is anyone's who holds its roles: its notification is screened as
// outbound text, and a title that says a suspicious-activity report exists is left out.
TEST_F(TaskNotificationsTest, ATaskOfNoOrganisationIsToldWithoutATitleThatSaysAReportExists) {
  start_engine({NotificationKind::kTaskOpened});
  auto loaded = load_workflow(R"({"id": "coalition_wide", "version": 1, "title": "t", "steps": [
    {"id": "approve", "kind": "task", "type": "test.approval",
     "parameters": {"title": "Countersign the SAR for case AML-EX-8"},
     "assign": {"roles": ["secretariat_lead"]}, "result": "/approval"}]})",
                              "wf.json");
  ASSERT_TRUE(loaded.problems.empty());
  ASSERT_TRUE(catalog_.add(loaded.workflow).ok());
  ASSERT_TRUE(engine_->start(loaded.workflow, json::object(), "ex-wide", "lead.lee").ok());
  settle();
  app::NotificationDispatcher dispatcher(*store_, registry_, clock_, config_);
  ASSERT_EQ(*dispatcher.deliver_due(clock_.now()), 1u);
  ASSERT_EQ(RecordingNotify::calls.size(), 1u);
  const json& params = RecordingNotify::calls[0]["params"];
  EXPECT_FALSE(params.contains("within"));
  EXPECT_FALSE(params["payload"].contains("title")) << params.dump();
  EXPECT_EQ(params["payload"]["execution"], "ex-wide");
  EXPECT_EQ(stored("ex-wide")[0].status, NotificationStatus::kSent);
}

TEST_F(TaskNotificationsTest, ARetryableFailureWaitsLongerEachTimeThenFails) {
  start_engine({NotificationKind::kTaskOpened});
  const auto id = start("ex-5");
  RecordingNotify::script = {"retry", "retry", "retry"};
  app::NotificationDispatcher dispatcher(*store_, registry_, clock_, config_);
  const TimePoint t0 = clock_.now();
  EXPECT_EQ(*dispatcher.deliver_due(t0), 1u);
  auto n = stored(id)[0];
  EXPECT_EQ(n.status, NotificationStatus::kPending);
  EXPECT_EQ(n.attempts, 1u);
  EXPECT_EQ(n.next_at, t0 + std::chrono::minutes(1));
  EXPECT_EQ(n.last_error, "notify.smtp_unavailable: mail down");
  EXPECT_EQ(*dispatcher.deliver_due(t0 + std::chrono::seconds(59)), 0u) << "not before its time";
  EXPECT_EQ(*dispatcher.deliver_due(t0 + std::chrono::minutes(1)), 1u);
  n = stored(id)[0];
  EXPECT_EQ(n.attempts, 2u);
  EXPECT_EQ(n.next_at, t0 + std::chrono::minutes(3)) << "twice the wait after the second";
  EXPECT_EQ(*dispatcher.deliver_due(t0 + std::chrono::minutes(3)), 1u);
  n = stored(id)[0];
  EXPECT_EQ(n.status, NotificationStatus::kFailed) << "max_attempts 3";
  EXPECT_EQ(RecordingNotify::calls.size(), 3u);
  EXPECT_EQ(RecordingNotify::calls[2]["attempt"], 3);
  EXPECT_EQ(*dispatcher.deliver_due(t0 + std::chrono::hours(24)), 0u);
}

TEST_F(TaskNotificationsTest, APermanentFailureOrAMissingStepTypeFailsAtOnce) {
  start_engine({NotificationKind::kTaskOpened});
  start("ex-6");
  RecordingNotify::script = {"fail"};
  app::NotificationDispatcher dispatcher(*store_, registry_, clock_, config_);
  EXPECT_EQ(*dispatcher.deliver_due(clock_.now()), 1u);
  EXPECT_EQ(stored("ex-6")[0].status, NotificationStatus::kFailed);
  EXPECT_EQ(stored("ex-6")[0].last_error, "notify.no_recipients: nobody holds it");

  start("ex-7");
  NotificationsConfig missing = config_;
  missing.step_type = "mail.nowhere";
  app::NotificationDispatcher unconfigured(*store_, registry_, clock_, missing);
  EXPECT_EQ(*unconfigured.deliver_due(clock_.now()), 1u);
  EXPECT_EQ(stored("ex-7")[0].status, NotificationStatus::kFailed);
  EXPECT_EQ(stored("ex-7")[0].last_error,
            "notifications.no_step_type: step type 'mail.nowhere' (notifications.step_type) is "
            "not installed");
}

}  // namespace
}  // namespace coalition::task_notifications_test
