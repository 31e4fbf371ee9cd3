#include "app/session.h"

#include "app/schedule_actions.h"
#include "common/logging.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "common/instant_text.h"
#include "common/json_text.h"
#include "common/private_file.h"
#include "common/sha256.h"
#include "common/state_directory.h"
#include "common/utc_time.h"
#include "runtime/system_clock.h"
#include "store/postgres_leases.h"
#include "store/postgres_store.h"
#include "store/sqlite_store.h"
#include "workflow/workflow_loader.h"

namespace coalition::app {

std::string store_path(const Installation& installation, const std::string& option) {
  return store_location(installation.config, option);
}

std::string store_location(const EngineConfig& config, const std::string& option) {
  if (!option.empty()) return option;
  if (const char* env = std::getenv("COALITION_STORE"); env != nullptr && *env != '\0') return env;
  if (!config.store_url.empty()) return config.store_url;
  if (!config.store_path.empty()) return config.store_path.string();
  return "coalition.db";
}

namespace {

// The crash journal of a node on a PostgreSQL store lives on this machine, not in the
// database: store.journal, else the state directory, one file per database and node name.
std::string postgres_journal_path(const Installation& installation, const std::string& url,
                                  const std::string& node) {
  if (!installation.config.store_journal.empty()) return installation.config.store_journal;
  const std::string name =
      "postgres-" + sha256_hex(redacted_postgres_url(url)).substr(0, 16) + "-" + node + ".journal";
  const auto file = default_state_file(name);
  return file.empty() ? name : file.string();
}

// store.node.name, else the host name (what a node is called in leases and logs).
std::string node_name(const EngineConfig& config) {
  if (!config.store_node.name.empty()) return config.store_node.name;
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) != 0 || host[0] == '\0') return "node";
  std::string name(host.data());
  for (char& c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '.' && c != '-') c = '_';
  }
  return name;
}

// One acting process per store: SQLite would serialize the writes anyway, but two engines
// would both resume the same executions. The lock is an flock on the store file itself (SQLite's
// own locks are fcntl locks, which flock does not touch), so a symbolic link or another path to
// the same file meets the same lock. The kernel releases it when a process dies, even by
// SIGKILL, so a crash never leaves the store locked.
// A node's crash journal is its own: a second process on this machine under the same node name
// would mix what the two work on, so it is refused (flock on a file beside the journal: the
// kernel lets it go when the process dies).
Result<int> lock_journal(const std::string& journal, const std::string& node) {
  const auto parent = std::filesystem::path(journal).parent_path();
  if (auto made = create_private_directories(parent.string()); !parent.empty() && !made) {
    return std::move(made).error();
  }
  auto fd = open_store_file(journal + ".lock");
  if (!fd) return std::move(fd).error();
  if (::flock(*fd, LOCK_EX | LOCK_NB) == 0) return fd;
  ::close(*fd);
  return Error::conflict("another process on this machine runs as engine node '" + node +
                         "' on this database (its crash journal " + journal +
                         " is in use): give each node its own store.node.name");
}

Result<int> lock_store(const std::string& path) {
  if (path == ":memory:") return -1;
  auto fd = open_store_file(path);
  if (!fd) return std::move(fd).error();
  // A short wait lets scripted commands follow each other without racing the previous exit;
  // a store a server owns is not going to be free in a moment, so that is said at once.
  for (int i = 0; i < 50; ++i) {
    if (::flock(*fd, LOCK_EX | LOCK_NB) == 0) return fd;
    if (i == 0) {
      auto owner = read_text_file(path + ".owner", 4096);
      if (owner && !owner->empty()) {
        ::close(*fd);
        return Error::conflict(
            "store " + path + " is owned by " + *owner +
            "; act through it (coalition --server URL ..., or its HTTP API), or stop it first");
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ::close(*fd);
  return Error::io("store " + path +
                   " is in use by another coalition process (a worker?); stop it or wait for it "
                   "to finish, then try again");
}

}  // namespace

// The crash journal: what this process works on, for the next one to find if it dies.
Status Session::open_journal(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  if (auto made = create_private_directories(parent.string()); !parent.empty() && !made) {
    return made;
  }
  auto journal = CrashJournal::open(path);
  if (!journal) return std::move(journal).error();
  journal_ = std::move(*journal);
  CrashJournal::watch_faults();
  return ok_status();
}

Status Session::attach_sqlite(const Installation& installation, const SessionOptions& options,
                              const std::string& path) {
  if (options.act) {
    auto fd = lock_store(path);
    if (!fd) return std::move(fd).error();
    lock_fd_ = *fd;
    duties_ = true;  // the one acting process
    if (options.owner.empty() && path != ":memory:") {
      ::unlink((path + ".owner").c_str());  // left by an owner that died: no longer true
    }
    if (!options.owner.empty() && path != ":memory:") {
      // Written after the lock is held and removed before it goes: a stale file (after a
      // crash) is only read by a process that could not take the lock.
      if (auto w = write_private_file(path + ".owner", options.owner, true); !w) {
        return std::move(w).error();
      }
      owner_file_ = path + ".owner";
    }
    if (path != ":memory:") {
      if (auto j = open_journal(path + ".journal"); !j) return j;
    }
  }
  auto store = SqliteStore::open(SqliteOptions{path, installation.config.store_synchronous});
  if (!store) return std::move(store).error();
  store_ = std::move(*store);
  return ok_status();
}

// Several engine nodes share the database: each acting session is a node with leases
// (store/execution_leases.h). A server keeps a crash journal on this machine, locked so that
// two nodes never share one; a command keeps none (it lives for a moment, and takes up nothing
// it was not asked to act on).
Status Session::attach_postgres(const Installation& installation, const SessionOptions& options,
                                const std::string& url) {
  auto store = PostgresStore::open(PostgresOptions{url});
  if (!store) return std::move(store).error();
  if (options.act) {
    auto leases = PostgresLeases::open(url);
    if (!leases) return std::move(leases).error();
    leases_ = std::move(*leases);
    const auto& configured = installation.config.store_node;
    node_.leases = leases_.get();
    node_.name = node_name(installation.config);
    node_.lease = configured.lease;
    node_.busy_wait = configured.busy_wait;
    node_.poll = configured.poll;
    node_.adopt = options.adopt;
    if (options.adopt) {
      const std::string journal = postgres_journal_path(installation, url, node_.name);
      auto fd = lock_journal(journal, node_.name);
      if (!fd) return std::move(fd).error();
      lock_fd_ = *fd;
      if (auto j = open_journal(journal); !j) return j;
    }
  }
  postgres_ = store->get();
  store_ = std::move(*store);
  return ok_status();
}

// Asked for again at most once a second: a server's loop asks ten times a second.
// Other nodes register workflows too: what the store holds that this catalog lacks is added
// (definitions are immutable, so what the catalog has stays as it is).
Result<size_t> Session::refresh_catalog() {
  auto records = store_->workflows();
  if (!records) return std::move(records).error();
  size_t added = 0;
  for (const auto& r : *records) {
    if (catalog_.find(r.id, r.version) != nullptr) continue;
    auto loaded = load_workflow(r.document, "store:" + r.id + "@" + std::to_string(r.version));
    if (!loaded.workflow) {
      return Error::invalid_data("store " + store_name_ + ": workflow " + r.id + " version " +
                                 std::to_string(r.version) +
                                 " no longer loads: " + loaded.problems.front().message);
    }
    if (auto inserted = catalog_.insert(loaded.workflow); inserted && *inserted) ++added;
  }
  return added;
}

bool Session::has_duties() {
  if (duties_ || leases_ == nullptr) return duties_;
  const auto now = std::chrono::steady_clock::now();
  if (now < duty_checked_at_ + std::chrono::seconds(1)) return duty_held_;
  duty_checked_at_ = now;
  auto held = postgres_->take_duty_lock();
  if (!held) spdlog::warn("the duty lock could not be checked: {}", held.error().message());
  const bool was = duty_held_;
  duty_held_ = held && *held;
  if (duty_held_ != was) {
    spdlog::log(node_.adopt ? spdlog::level::info : spdlog::level::debug,
                "node {} {} the duties (scheduled starts, notifications, audit checkpoints)",
                node_.name, duty_held_ ? "took up" : "let go of");
  }
  return duty_held_;
}

Result<int> lock_store_file(const std::string& path) {
  return lock_store(path);
}

Result<std::unique_ptr<Session>> Session::open(const Installation& installation,
                                               const SessionOptions& options) {
  std::unique_ptr<Session> s(new Session());
  const std::string path = store_path(installation, options.store);
  std::optional<TimePoint> now;
  if (!options.now.empty()) {
    // Virtual time moves to a moment, never to "some time on a day": a date alone is refused.
    auto read = parse_instant_text(options.now, "--now", DateAlone::kRefused, TimeZone::utc());
    if (!read) return std::move(read).error();
    now = read->at;
  }
  const bool on_postgres = is_postgres_url(path);
  if (auto attached = on_postgres ? s->attach_postgres(installation, options, path)
                                  : s->attach_sqlite(installation, options, path);
      !attached) {
    return std::move(attached).error();
  }
  const std::string store_name = on_postgres ? redacted_postgres_url(path) : path;
  s->installation_ = &installation;

  s->store_name_ = store_name;
  if (auto added = s->refresh_catalog(); !added) return std::move(added).error();
  for (size_t i = 0; i < options.workflows.size(); ++i) {
    const auto& w = options.workflows[i];
    auto stored = s->catalog_.find(w->id, w->version);
    if (stored != nullptr && stored->document != w->document) {
      if (i == 0) {
        return Error::conflict("workflow " + w->id + " version " + std::to_string(w->version) +
                               " in " + w->source +
                               " differs from the definition the store already ran under that "
                               "version; definitions are immutable once used: give the change "
                               "a new version");
      }
      continue;
    }
    if (stored == nullptr) (void)s->catalog_.add(w);
  }
  if (!options.act) {
    // A reader judges lateness at the store's own instant: its virtual time in a rehearsal
    // (or --now, when a reading command is given one), else the wall clock. It moves nothing.
    auto mode = store_clock(*s->store_);
    if (!mode) return std::move(mode).error();
    auto stored_now = s->store_->meta("clock.now");
    if (!stored_now) return std::move(stored_now).error();
    std::optional<TimePoint> at = now;
    if (!at && *mode == StoreClock::kVirtual && *stored_now) at = parse_utc(**stored_now);
    if (at) {
      s->clock_ = std::make_unique<ManualClock>(*at);
    } else {
      s->clock_ = std::make_unique<SystemClock>();
    }
    return s;
  }

  auto calendars = load_calendars(installation.config);
  if (!calendars) return std::move(calendars).error();
  s->calendars_ = std::move(*calendars);
  auto mode = store_clock(*s->store_);
  if (!mode) return std::move(mode).error();
  const bool wants_virtual = now.has_value() || options.manual_clock;
  if (*mode == StoreClock::kUndecided) {
    // The first acting command decides, for good: a rehearsal in virtual time, or real work.
    StoreBatch batch;
    batch.meta.emplace_back(std::string(kClockModeKey), wants_virtual ? "virtual" : "real");
    if (auto written = s->store_->apply(batch); !written) return std::move(written).error();
    *mode = wants_virtual ? StoreClock::kVirtual : StoreClock::kReal;
  }
  if (*mode == StoreClock::kReal && wants_virtual) {
    return Error::invalid_argument(
        "this store runs in real time: --now (and tick) are for rehearsal stores, which run in "
        "virtual time from their first command on; a real-time store never moves to another "
        "instant");
  }
  auto stored_now = s->store_->meta("clock.now");
  if (!stored_now) return std::move(stored_now).error();
  std::optional<TimePoint> floor;
  if (*stored_now) floor = parse_utc(**stored_now);
  if (now && floor && *now < *floor) {
    return Error::invalid_argument("--now " + options.now + " is before the store's virtual time " +
                                   **stored_now + "; time only moves forward");
  }
  if (now || options.manual_clock) {
    TimePoint start = floor ? *floor : (now ? *now : utc_now());
    if (!options.recover && now) start = *now;  // nothing fires on the way there
    auto clock = std::make_unique<ManualClock>(start);
    s->manual_ = clock.get();
    s->clock_ = std::move(clock);
    const ManualClock* virtual_clock = s->manual_;
    set_log_virtual_time([virtual_clock] { return virtual_clock->peek(); });
  } else {
    s->clock_ = std::make_unique<SystemClock>();
  }
  EngineOptions engine_options{installation.config.scheduler_threads,
                               installation.config.plugin_threads,
                               s->store_.get(),
                               &s->calendars_,
                               installation.config.limits.execution,
                               s->journal_.get()};
  engine_options.node = s->node_;
  if (engine_options.node.leases != nullptr) {
    Session* session = s.get();
    engine_options.node.on_unknown_workflow = [session] {
      if (auto r = session->refresh_catalog(); !r) {
        spdlog::warn("workflows could not be read again: {}", r.error().message());
      }
    };
  }
  const NotificationsConfig& notifications = installation.config.notifications;
  if (notifications.enabled) {
    engine_options.notify = notifications.on;
    s->notifier_ = std::make_unique<NotificationDispatcher>(*s->store_, installation.registry,
                                                            *s->clock_, notifications);
  }
  s->engine_ = std::make_unique<Engine>(installation.registry, s->catalog_, *s->clock_,
                                        engine_options, &s->metrics_);
  if (!options.recover) return s;
  auto report = s->engine_->recover();
  if (!report) return std::move(report).error();
  s->recovery_ = std::move(*report);
  // With --now, what was due between the store's last time and now happens first, in order.
  if (now && s->manual_ != nullptr) {
    if (auto fired = s->advance_to(*now); !fired) return std::move(fired).error();
  }
  return s;
}

Result<StoreClock> store_clock(Store& store) {
  auto mode = store.meta(std::string(kClockModeKey));
  if (!mode) return std::move(mode).error();
  if (*mode) return **mode == "virtual" ? StoreClock::kVirtual : StoreClock::kReal;
  // Stores from before the mode was recorded: one that kept a virtual time is a rehearsal; one
  // already used without is real.
  auto stored_now = store.meta("clock.now");
  if (!stored_now) return std::move(stored_now).error();
  if (*stored_now) return StoreClock::kVirtual;
  auto used = store.recent_executions(1);
  if (!used) return std::move(used).error();
  return used->empty() ? StoreClock::kUndecided : StoreClock::kReal;
}

Session::~Session() {
  notifier_.reset();
  engine_.reset();
  if (manual_ != nullptr) set_log_virtual_time({});
  clock_.reset();
  // Before the lock goes: the next process reads the journal once it has it. A thread abandoned
  // to a plugin call that never returned still holds a mark in it: then the mapping stays (the
  // process is about to end; the next one finds that call in progress, which it was).
  // So does the lock on the store, until the process ends: the next process may not reuse the
  // journal's slots while that thread can still clear one. On PostgreSQL the lock is the
  // store's own connection, so the store is what stays.
  if (PluginCallPool::stranded_in_process() > 0) {
    (void)journal_.release();
    (void)store_.release();
    (void)leases_.release();
    return;
  }
  journal_.reset();
  store_.reset();
  if (!owner_file_.empty()) ::unlink(owner_file_.c_str());
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

Status Session::settle() {
  const TimePoint settle_from = clock_->now();
  for (;;) {
    for (;;) {
      engine_->wait_idle();
      if (auto s = engine_->sync(); !s) return s;
      if (manual_ == nullptr || !manual_->fire_next(manual_->now())) break;
      ++fired_;
    }
    if (auto s = engine_->sync(); !s) return s;
    // A schedule due when settling began starts its run, which runs until it waits like any
    // other. Only those: in real time, a run that takes longer than its schedule's period must
    // not keep this loop going for ever.
    if (!has_duties()) break;  // another node starts the scheduled runs
    auto started = run_due_schedules(*this, settle_from);
    if (!started) return std::move(started).error();
    schedule_runs_ += *started;
    if (*started == 0) break;
  }
  return deliver_notifications(/*drain=*/true);
}

Status Session::run_schedules() {
  if (!has_duties()) return ok_status();
  auto started = run_due_schedules(*this, clock_->now());
  if (!started) return std::move(started).error();
  schedule_runs_ += *started;
  return ok_status();
}

Status Session::deliver_notifications(bool drain) {
  if (notifier_ == nullptr || !has_duties()) return ok_status();
  // Committed events only: sync() ran first, so every notification they owe is in the store.
  // The time is taken once: what falls due while this runs waits for the next call, so a
  // delivery that fails faster than its retry wait cannot use up its attempts in one go.
  const TimePoint now = clock_->now();
  constexpr size_t kBatch = 50;
  for (;;) {
    auto delivered = notifier_->deliver_due(now, kBatch);
    if (!delivered) return std::move(delivered).error();
    if (!drain || *delivered < kBatch) return ok_status();
  }
}

Result<size_t> Session::advance_to(TimePoint until) {
  size_t fired = 0;
  if (auto s = settle(); !s) return std::move(s).error();
  // Engine timers and schedules in due order, each settled before the next: a schedule is a
  // timer like the others.
  for (;;) {
    const auto timer = manual_->next_due();
    auto schedule = next_schedule_at(*store_);
    if (!schedule) return std::move(schedule).error();
    const bool timer_due = timer && *timer <= until;
    const bool schedule_due = *schedule && **schedule <= until;
    if (!timer_due && !schedule_due) break;
    if (schedule_due && (!timer_due || **schedule < *timer)) {
      manual_->set_at_least(**schedule);  // settle() starts what is due at this instant
      if (auto s = settle(); !s) return std::move(s).error();
      auto after = next_schedule_at(*store_);
      if (!after) return std::move(after).error();
      if (*after && **after == **schedule) {  // the store kept it from moving on: stop here
        return Error::io("a schedule due at " + format_utc(**schedule) +
                         " could not start its run (coalition schedules list says why)");
      }
      continue;
    } else {
      if (!manual_->fire_next(until)) break;
      ++fired;
      ++fired_;
    }
    if (auto s = settle(); !s) return std::move(s).error();
  }
  manual_->set_at_least(until);
  // What falls due after the last timer and by `until` (a notification's retry) goes out too.
  if (auto s = deliver_notifications(/*drain=*/true); !s) return std::move(s).error();
  return fired;
}

Status Session::close() {
  if (engine_ == nullptr) return ok_status();
  if (auto s = settle(); !s) return s;
  if (manual_ != nullptr) {
    StoreBatch batch;
    batch.meta.emplace_back("clock.now", format_utc(manual_->now()));
    return store_->apply(batch);
  }
  return ok_status();
}

}  // namespace coalition::app
