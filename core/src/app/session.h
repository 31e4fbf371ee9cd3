// Session: what every command that reads or acts on executions needs — the store (a SQLite file
// locked for acting commands, so one engine process owns it at a time; a PostgreSQL database
// shared by engine nodes through leases), the workflows it holds, the calendars, a clock
// (virtual with --now), and a recovered engine.
#ifndef COALITION_APP_SESSION_H_
#define COALITION_APP_SESSION_H_

#include <memory>
#include <optional>
#include <string>

#include "app/installation.h"
#include "app/notification_dispatcher.h"
#include "calendar/business_calendar.h"
#include "runtime/engine.h"
#include "runtime/engine_metrics.h"
#include "store/postgres_store.h"
#include "store/store.h"
#include "workflow/workflow_validator.h"

namespace coalition::app {

struct SessionOptions {
  // --store: a SQLite file or a PostgreSQL URL (postgresql://...); empty: $COALITION_STORE,
  // config store.url, config store.path, ./coalition.db.
  std::string store;
  std::string now;            // --now RFC 3339; empty: real time
  bool act = true;            // false: read-only (no lock, no engine)
  bool manual_clock = false;  // virtual time even without --now
  // Acting sessions: false builds the engine without recovering any execution or firing any
  // timer — a dry run that must change nothing; --now is then only the instant it judges at.
  // (Its caller must not close() it either: closing settles and records the time.)
  bool recover = true;
  // Acting sessions: what to tell another process that finds the store locked ("coalition serve
  // at http://127.0.0.1:8080"), kept in <store>.owner while the session lives. Empty: nothing,
  // and such a process waits a moment for the lock as before.
  std::string owner;
  // Acting sessions on PostgreSQL, where several engine nodes may work at once
  // (store/execution_leases.h): true takes up the executions nobody alive works on (a server);
  // false (a command) leases only what it acts on and keeps no crash journal.
  bool adopt = false;
  // Workflows from files, added after the stored ones. The first must not differ from a stored
  // definition of the same id and version (kConflict); the others are skipped if they do.
  std::vector<std::shared_ptr<const Workflow>> workflows;
};

class Session {
 public:
  static Result<std::unique_ptr<Session>> open(const Installation& installation,
                                               const SessionOptions& options);
  ~Session();

  Store& store() { return *store_; }
  // What the session was opened on (its plugins and their hosts); outlives the session.
  const Installation& installation() const { return *installation_; }
  WorkflowCatalog& catalog() { return catalog_; }
  const CalendarSet& calendars() const { return calendars_; }
  Engine& engine() { return *engine_; }
  // Acting sessions: the engine's clock (virtual with --now). Reading sessions: a clock stopped
  // at the store's virtual time in a rehearsal (or at --now), else the wall clock.
  Clock& clock() { return *clock_; }
  ManualClock* manual_clock() { return manual_; }
  const RecoveryReport& recovery() const { return recovery_; }
  // What the engine's events say (step latency, error codes), since the session opened.
  const EngineMetrics& metrics() const { return metrics_; }
  // Every engine timer fired in virtual time (by advance_to and by settling at --now), and
  // every run a schedule started, since the session opened.
  size_t timers_fired() const { return fired_; }
  size_t schedule_runs() const { return schedule_runs_; }

  // Runs until nothing is left to do now: no scheduler work, no plugin call, no uncommitted
  // change. With a virtual clock, also fires every timer due at or before its current time.
  Status settle();
  // Virtual time: fires every timer due up to `until`, in due order, settling after each;
  // leaves the clock at `until`. Returns how many timers fired.
  Result<size_t> advance_to(TimePoint until);
  // Records the virtual clock's time in the store (time never goes back for later commands).
  Status close();
  // Delivers the notifications due now (notifications.enabled): all of them with `drain`
  // (settle() does), else one batch (a long-running process, on its period, so that a backlog
  // never holds up its loop). Only a failing store is an error.
  Status deliver_notifications(bool drain = false);
  // Starts the runs of the schedules due now (app/schedule_actions.h); settle() calls it, and a
  // long-running process calls it on its period.
  Status run_schedules();
  // Whether this session performs the store's one-at-a-time duties now: starting scheduled
  // runs, delivering notifications, signing audit checkpoints. On SQLite an acting session owns
  // the store, so always; on PostgreSQL one node at a time (the database's duty lock, taken
  // again by another node when the holder's connection ends).
  bool has_duties();
  // Adds to the catalog the workflows the store holds that it lacks (another node registered
  // them); how many.
  Result<size_t> refresh_catalog();

 private:
  Session() = default;
  const Installation* installation_ = nullptr;
  // Open the store and, for an acting session, take it: its lock, its owner note, the journal.
  Status attach_sqlite(const Installation& installation, const SessionOptions& options,
                       const std::string& path);
  Status attach_postgres(const Installation& installation, const SessionOptions& options,
                         const std::string& url);
  Status open_journal(const std::string& path);
  // Several nodes on PostgreSQL: the leases, and what this node is called.
  std::unique_ptr<ExecutionLeases> leases_;
  PostgresStore* postgres_ = nullptr;  // store_, when it is PostgreSQL's
  std::string store_name_;             // for messages (a URL without its password)
  NodeOptions node_;
  bool duties_ = false;  // SQLite acting sessions (PostgreSQL: the duty lock, below)
  bool duty_held_ = false;
  std::chrono::steady_clock::time_point duty_checked_at_{};

  std::unique_ptr<Store> store_;
  int lock_fd_ = -1;
  std::string owner_file_;                 // written while this session owns the store
  std::unique_ptr<CrashJournal> journal_;  // acting sessions: what this process works on
  WorkflowCatalog catalog_;
  CalendarSet calendars_;
  std::unique_ptr<Clock> clock_;
  ManualClock* manual_ = nullptr;
  EngineMetrics metrics_;  // the engine's event sink: declared first, so it outlives the engine
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<NotificationDispatcher> notifier_;  // acting sessions, when enabled
  RecoveryReport recovery_;
  size_t fired_ = 0;
  size_t schedule_runs_ = 0;
};

// Whether a store runs in real time or in virtual time (a rehearsal, --now): fixed by the first
// acting command and kept in the store's meta table under kClockModeKey. `--now` on a
// real-time store is refused, and `coalition serve` runs only real-time stores, so no command
// can move real records to another instant (a purge "in 2040").
enum class StoreClock { kUndecided, kReal, kVirtual };
inline constexpr std::string_view kClockModeKey = "clock.mode";
Result<StoreClock> store_clock(Store& store);

// The store the options and configuration select: a SQLite file's path or a PostgreSQL URL.
std::string store_path(const Installation& installation, const std::string& option);
std::string store_location(const EngineConfig& config, const std::string& option);

// Takes the acting-process lock of the SQLite store at `path` (what an acting session holds):
// the descriptor to close to release it. kConflict naming the owner when a server holds it.
Result<int> lock_store_file(const std::string& path);

}  // namespace coalition::app

#endif  // COALITION_APP_SESSION_H_
