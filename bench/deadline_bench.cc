// W5 of bench/README.md, the deadline storm, in real time on the embedded store (synchronous=FULL):
// N executions (default 100,000) each parked on a `wait` until an instant of its input; the
// instants fall due together (--spread 0) or evenly over --spread seconds (the figure:
// 1,000,000 within 60 s). Phases:
//   park     every execution started (from --threads client threads) and committed, parked on
//            its wait; rate, resident memory and store bytes per parked execution.
//   cancel   the wall clock's timer cancel, timed with nothing pending and again with the N
//            wake-ups pending: µs per cancel of 10,000 timers (O(log n) shows as a small ratio).
//   storm    real time passes the instants and every execution carries on to its end. Lateness
//            per deadline = when its wait step's `step_succeeded` was recorded minus its instant
//            (from the store after the run, ms); time from the first instant to the last firing.
//            Meanwhile a thread asks the engine for the status of a random execution every
//            10 ms: how many answers, their p99 and slowest latency.
// Parking must end before the first instant (--lead seconds after the run starts, default
// 10 + N / 2,500): a run whose parking overran says so and fails.
// --reload-backlog B sets EngineOptions::reload_backlog (how many executions wake-ups may have
// reloaded and not yet committed).
// Prints one JSON line. Usage: coalition_bench_deadlines [--n N] [--spread S] [--lead L]
//                                                         [--threads T] [--reload-backlog B]
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/utc_time.h"
#include "durable_fixture.h"
#include "own_cpu_time.h"

namespace {

using namespace coalition;
using namespace coalition::bench;
using nlohmann::json;

struct Options {
  long n = 100000;
  double spread_s = 0;
  double lead_s = -1;  // < 0: 10 + n / 2,500
  long threads = 64;
  size_t reload_backlog = 0;  // 0: the engine's default
};

json deadline_workflow() {
  return {{"id", "w5_deadline"},
          {"version", 1},
          {"title", "W5"},
          {"steps",
           {{{"id", "hold"}, {"kind", "wait"}, {"until", "/input/due"}, {"next", "done"}},
            {{"id", "done"}, {"kind", "succeed"}}}}};
}

int64_t to_ms(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// µs per cancel of `count` timers a day ahead, cancelled in random order, beside whatever the
// clock already holds.
double cancel_us(Clock& clock, long count) {
  std::vector<uint64_t> ids;
  ids.reserve(count);
  const TimePoint later = clock.now() + std::chrono::hours(24);
  for (long i = 0; i < count; ++i) {
    ids.push_back(clock.call_at(later + std::chrono::milliseconds(i), [] {}));
  }
  std::shuffle(ids.begin(), ids.end(), std::mt19937_64(7));
  const auto start = SteadyClock::now();
  for (const uint64_t id : ids) clock.cancel(id);
  return seconds_since(start) * 1e6 / static_cast<double>(count);
}

// A read-only connection of its own, beside the engine's: counts and the events after the run.
class StoreReader {
 public:
  explicit StoreReader(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      std::fprintf(stderr, "cannot open %s: %s\n", path.c_str(), sqlite3_errmsg(db_));
      std::exit(70);
    }
    sqlite3_busy_timeout(db_, 5000);
  }
  ~StoreReader() { sqlite3_close(db_); }
  StoreReader(const StoreReader&) = delete;
  StoreReader& operator=(const StoreReader&) = delete;

  // From the store's partial index of unfinished executions (its predicate repeated word for
  // word, as SQLite requires to use it): the cost falls as they finish. Counting the finished
  // ones instead read a million index entries a second, a sixth of a core taken from the engine
  // in the storm it measures.
  long unfinished() {
    long count = -1;
    query(
        "SELECT count(*) FROM executions INDEXED BY executions_active"
        " WHERE status = 'running' OR status = 'waiting'",
        [&](sqlite3_stmt* row) { count = sqlite3_column_int64(row, 0); });
    return count;
  }
  std::unordered_set<std::string> succeeded() {
    std::unordered_set<std::string> ids;
    query("SELECT id FROM executions WHERE status = 'succeeded'", [&](sqlite3_stmt* row) {
      ids.emplace(reinterpret_cast<const char*>(sqlite3_column_text(row, 0)));
    });
    return ids;
  }
  // execution id -> when (ms) its wait step ended.
  std::unordered_map<std::string, int64_t> wait_ends() {
    std::unordered_map<std::string, int64_t> ends;
    query("SELECT execution_id, at FROM events WHERE type = 'step_succeeded' AND step = 'hold'",
          [&](sqlite3_stmt* row) {
            ends.emplace(reinterpret_cast<const char*>(sqlite3_column_text(row, 0)),
                         sqlite3_column_int64(row, 1));
          });
    return ends;
  }

 private:
  template <typename Row>
  void query(const char* sql, Row row) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) != SQLITE_OK) {
      std::fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db_));
      std::exit(70);
    }
    while (sqlite3_step(stmt) == SQLITE_ROW) row(stmt);
    sqlite3_finalize(stmt);
  }
  sqlite3* db_ = nullptr;
};

double percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto index = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1));
  return sorted[index];
}

// Asks for a random execution's status every 10 ms until told to stop; latencies in ms.
std::vector<double> ask_status(Engine& engine, const std::vector<std::string>& ids,
                               const std::atomic<bool>& stop) {
  std::vector<double> latencies;
  std::mt19937_64 random(11);
  std::uniform_int_distribution<size_t> pick(0, ids.size() - 1);
  while (!stop.load()) {
    const auto start = SteadyClock::now();
    auto status = engine.snapshot(ids[pick(random)]);
    latencies.push_back(seconds_since(start) * 1e3);
    if (!status) latencies.back() = -1;  // unknown: counted as unanswered
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return latencies;
}

struct Storm {
  double fire_all_s = 0;
  double cpu_s = 0;  // the process's, user and system, from the first instant to the last firing
  std::vector<double> lateness_ms;  // of each execution whose wait ended
  std::vector<double> status_ms;
  long unanswered = 0;
  long failures = 0;  // executions whose wait never ended or that did not succeed
};

Storm storm(DurableFixture& f, const std::vector<std::string>& ids,
            const std::vector<int64_t>& due_ms, TimePoint first_due, TimePoint last_due) {
  Storm result;
  std::atomic<bool> stop{false};
  std::thread asker([&] { result.status_ms = ask_status(*f.engine, ids, stop); });
  StoreReader reader(f.file.string());
  const auto give_up = last_due + std::chrono::minutes(10);
  // The firing's CPU is counted from the first instant.
  std::this_thread::sleep_for(std::max(first_due - utc_now(), TimePoint::duration::zero()));
  const double cpu_before = bench::own_cpu_seconds();
  // None can be done before the last instant: counting the unfinished starts there.
  std::this_thread::sleep_for(std::max(last_due - utc_now(), TimePoint::duration::zero()));
  while (reader.unfinished() != 0 && utc_now() < give_up) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  result.cpu_s = bench::own_cpu_seconds() - cpu_before;
  stop = true;
  asker.join();
  (void)f.engine->sync();
  result.unanswered = static_cast<long>(std::count_if(
      result.status_ms.begin(), result.status_ms.end(), [](double ms) { return ms < 0; }));
  std::erase_if(result.status_ms, [](double ms) { return ms < 0; });
  std::sort(result.status_ms.begin(), result.status_ms.end());

  const auto ends = reader.wait_ends();
  const auto succeeded = reader.succeeded();
  int64_t last_end = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    const auto it = ends.find(ids[i]);
    if (it == ends.end() || succeeded.count(ids[i]) == 0) ++result.failures;
    if (it == ends.end()) continue;
    result.lateness_ms.push_back(static_cast<double>(it->second - due_ms[i]));
    last_end = std::max(last_end, it->second);
  }
  std::sort(result.lateness_ms.begin(), result.lateness_ms.end());
  result.fire_all_s = static_cast<double>(last_end - to_ms(first_due)) / 1e3;
  return result;
}

int w5(const Options& o, const PluginRegistry& registry) {
  DurableFixture f("w5", registry, nullptr, o.reload_backlog);
  auto workflow = load_or_exit(deadline_workflow());
  (void)f.catalog.add(workflow);
  const double cancel_empty_us = cancel_us(f.clock, 10000);

  const double lead_s = o.lead_s >= 0 ? o.lead_s : 10.0 + static_cast<double>(o.n) / 2500.0;
  const TimePoint first_due = std::chrono::ceil<std::chrono::milliseconds>(
      utc_now() + std::chrono::microseconds(static_cast<int64_t>(lead_s * 1e6)));
  const auto spread = std::chrono::microseconds(static_cast<int64_t>(o.spread_s * 1e6));
  std::vector<std::string> ids(o.n);
  std::vector<int64_t> due_ms(o.n);
  std::atomic<long> refused{0};
  const long rss_before = rss_kb();
  const auto start = SteadyClock::now();
  in_parallel(o.n, o.threads, [&](long i) {
    const TimePoint due =
        std::chrono::floor<std::chrono::milliseconds>(first_due + spread * i / o.n);
    due_ms[i] = to_ms(due);
    auto id = f.engine->start(workflow, json{{"due", format_utc(due)}});
    if (id) ids[i] = *id;
    if (!id) ++refused;
  });
  f.engine->wait_idle();
  (void)f.engine->sync();
  const double park = seconds_since(start);
  const long rss_parked = rss_kb();
  const uint64_t bytes = f.bytes();
  const double cancel_pending_us = cancel_us(f.clock, 10000);
  if (refused > 0 || utc_now() >= first_due) {
    std::fprintf(stderr,
                 "W5: %ld starts refused; parking took %.1f s of the %.1f s lead (give a longer "
                 "--lead)\n",
                 refused.load(), park, lead_s);
    return 70;
  }

  const Storm s = storm(f, ids, due_ms, first_due, first_due + spread);
  auto lateness = s.lateness_ms;
  auto status = s.status_ms;
  const long failures = s.failures;
  const auto fired = static_cast<double>(lateness.size());
  std::printf(
      "{\"workload\":\"W5\",\"n\":%ld,\"spread_s\":%.1f,\"threads\":%ld,\"park_s\":%.3f,"
      "\"park_per_s\":%.0f,\"rss_per_parked_bytes\":%.0f,\"store_bytes_per_parked\":%.0f,"
      "\"cancel_us_none_pending\":%.2f,\"cancel_us_n_pending\":%.2f,\"fire_all_s\":%.3f,"
      "\"fired_per_s\":%.0f,\"lateness_p50_ms\":%.0f,\"lateness_p99_ms\":%.0f,"
      "\"lateness_max_ms\":%.0f,\"cpu_us_per_fired\":%.1f,\"status_answers\":%zu,"
      "\"status_unanswered\":%ld,"
      "\"status_p99_ms\":%.2f,\"status_max_ms\":%.2f,\"peak_rss_mb\":%.0f,"
      "\"failures\":%ld,\"store\":\"sqlite synchronous=FULL\"}\n",
      o.n, o.spread_s, o.threads, park, static_cast<double>(o.n) / park,
      static_cast<double>(rss_parked - rss_before) * 1024.0 / static_cast<double>(o.n),
      static_cast<double>(bytes) / static_cast<double>(o.n), cancel_empty_us, cancel_pending_us,
      s.fire_all_s, s.fire_all_s > 0 ? fired / s.fire_all_s : 0.0, percentile(lateness, 0.5),
      percentile(lateness, 0.99), lateness.empty() ? 0.0 : lateness.back(),
      fired > 0 ? s.cpu_s * 1e6 / fired : 0.0, status.size(), s.unanswered,
      percentile(status, 0.99), status.empty() ? 0.0 : status.back(),
      static_cast<double>(peak_rss_kb()) / 1024.0, failures);
  std::fflush(stdout);
  return failures == 0 ? 0 : 70;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--n") o.n = std::stol(argv[i + 1]);
    if (flag == "--spread") o.spread_s = std::stod(argv[i + 1]);
    if (flag == "--lead") o.lead_s = std::stod(argv[i + 1]);
    if (flag == "--threads") o.threads = std::stol(argv[i + 1]);
    if (flag == "--reload-backlog") o.reload_backlog = std::stoul(argv[i + 1]);
  }
  if (o.n <= 0 || o.threads <= 0 || o.spread_s < 0) {
    std::fprintf(stderr,
                 "usage: coalition_bench_deadlines [--n N] [--spread S] [--lead L] "
                 "[--threads T]\n");
    return 64;
  }
  spdlog::set_level(spdlog::level::warn);
  const PluginRegistry registry;  // wait and succeed are built in: no plugin runs
  return w5(o, registry);
}
