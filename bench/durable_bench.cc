// Workloads of bench/README.md on the embedded store (synchronous=FULL, a file in $TMPDIR):
//   W4 durable linear: 10 steps with every transition committed before the next step starts,
//      at C executions in flight (C clients each starting one and waiting for its end;
//      --windows: windows of C run to completion one after another). The steps are `log` steps
//      at level debug (below the engine's level): a step type that acts on something, so its
//      start is committed before it runs. --step noop runs W1's steps instead, which act on
//      nothing: the engine commits such a chain with its start, one transaction an execution,
//      and that is not W4.
//   W3 human wait: prepare (noop) -> approve (a human task) -> finish (noop). Park N executions,
//      measure memory and store bytes per parked execution, then complete every task.
//   MAP wide map: one execution maps N items (default 100,000) whose context also holds a 1 KB
//      note, one `set` step per item, at limits.map_concurrency iterations at once: wall time,
//      peak RSS, store bytes (the issue-12 figure: iterations share the context).
// Prints one JSON line per workload.
// Usage: coalition_bench_durable [--workload W3|W4|MAP|all] [--n N] [--concurrency C] [--windows]
//        [--step log|noop]   (W4's step type; default log)
//        [--store postgresql://...]   (an empty database; default: a SQLite file in $TMPDIR)
//        [--nodes K]   (W4 on K engine nodes with leases sharing that PostgreSQL database)
// With COALITION_BENCH_KEEP set, the store file is kept (its path on stderr) for inspection.
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/file_system.h"
#include "durable_fixture.h"

namespace {

using namespace coalition;
using namespace coalition::bench;
using nlohmann::json;
using Clock = SteadyClock;
using Fixture = DurableFixture;

// W4's step type (--step).
std::string& w4_step() {
  static std::string type = "log";
  return type;
}

json linear() {
  json steps = json::array();
  for (int i = 0; i < 10; ++i) {
    json step{{"id", "s" + std::to_string(i)}, {"kind", "task"}, {"type", w4_step()}};
    if (w4_step() == "log") step["parameters"] = {{"message", "W4 step"}, {"level", "debug"}};
    if (i < 9) step["next"] = "s" + std::to_string(i + 1);
    steps.push_back(step);
  }
  return {{"id", "w4_linear"}, {"version", 1}, {"title", "W4"}, {"steps", steps}};
}

json human_wait() {
  return {{"id", "w3_human_wait"},
          {"version", 1},
          {"title", "W3"},
          {"steps",
           {{{"id", "prepare"}, {"kind", "task"}, {"type", "noop"}, {"next", "approve"}},
            {{"id", "approve"},
             {"kind", "task"},
             {"type", "approval"},
             {"parameters", {{"title", "Approve"}}},
             {"assign", {{"roles", {"approver"}}}},
             {"next", "finish"}},
            {{"id", "finish"}, {"kind", "task"}, {"type", "noop"}}}}};
}

// Tells a client when the execution it started has ended (its last event recorded). An end
// can come before its client asks: the execution ran on while the start's acknowledgement was
// on its way.
class Ends final : public EventSink {
 public:
  void on_event(const std::string& execution_id, const Event& event) override {
    if (event.type != EventType::kExecutionCompleted && event.type != EventType::kExecutionFailed &&
        event.type != EventType::kExecutionCancelled) {
      return;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = waiting_.find(execution_id); it != waiting_.end()) {
      it->second->set_value();
      waiting_.erase(it);
    } else {
      early_.insert(execution_id);
    }
  }
  // False when the execution has not ended within a minute (the run then counts it failed and
  // goes on, instead of hanging on a store that failed).
  bool wait(const std::string& execution_id) {
    auto ended = std::make_shared<std::promise<void>>();
    auto future = ended->get_future();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (early_.erase(execution_id) > 0) return true;
      waiting_.emplace(execution_id, ended);
    }
    if (future.wait_for(std::chrono::minutes(1)) == std::future_status::ready) return true;
    std::lock_guard<std::mutex> lock(mutex_);
    waiting_.erase(execution_id);
    return false;
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<std::promise<void>>> waiting_;
  std::unordered_set<std::string> early_;
};

void print_w4(const char* mode, long n, long concurrency, double wall, const CommitStats& stats,
              double bytes, long failures, const char* store) {
  std::printf(
      "{\"workload\":\"W4\",\"mode\":\"%s\",\"step\":\"%s\",\"n\":%ld,\"concurrency\":%ld,"
      "\"wall_s\":%.3f,"
      "\"executions_per_s\":%.0f,\"step_transitions_per_s\":%.0f,\"us_per_step\":%.2f,"
      "\"transactions\":%llu,\"syncs\":%llu,\"drains_per_transaction\":%.1f,\"bytes_per_"
      "execution\":%.0f,"
      "\"failures\":%ld,\"store\":\"%s\"}\n",
      mode, w4_step().c_str(), n, concurrency, wall, n / wall, n * 10 / wall,
      wall * 1e6 / (n * 10.0), static_cast<unsigned long long>(stats.transactions),
      static_cast<unsigned long long>(stats.syncs),
      static_cast<double>(stats.sources) / static_cast<double>(stats.transactions), bytes / n,
      failures, store);
  std::fflush(stdout);
}

// C executions in flight throughout: C clients, each starting an execution (acknowledged once
// its start is committed), waiting until it has ended, and starting the next, until N have
// been started. Statuses are checked after the clock stops.
int w4(long n, long concurrency, const PluginRegistry& registry) {
  Ends ends;
  Fixture f("w4", registry, &ends);
  auto workflow = load_or_exit(linear());
  (void)f.catalog.add(workflow);
  std::vector<std::string> ids(n);
  std::atomic<long> next{0};
  const auto start = Clock::now();
  std::vector<std::thread> clients;
  for (long c = 0; c < std::min(concurrency, n); ++c) {
    clients.emplace_back([&] {
      for (long i = next++; i < n; i = next++) {
        auto id = f.engine->start(workflow, json::object());
        if (!id) continue;
        ids[i] = *id;
        if (!ends.wait(*id)) std::fprintf(stderr, "execution %s did not end\n", id->c_str());
      }
    });
  }
  for (auto& client : clients) client.join();
  (void)f.engine->sync();
  const double wall = seconds_since(start);
  f.engine->wait_idle();
  long failures = 0;
  for (const auto& id : ids) {
    auto s = id.empty() ? std::nullopt : f.engine->snapshot(id);
    if (!s || s->status != ExecutionStatus::kSucceeded) ++failures;
  }
  print_w4("in_flight", n, concurrency, wall, f.engine->commit_stats(),
           static_cast<double>(f.bytes()), failures, f.kind());
  return failures == 0 ? 0 : 70;
}

// --windows (the figures before 2026-12-06): windows of C executions, as W1: the window's
// starts are issued by 16 client threads at once (each start is acknowledged only once
// committed, so concurrent clients share commits), then the window runs to completion before
// the next one starts.
int w4_windows(long n, long concurrency, const PluginRegistry& registry) {
  Fixture f("w4", registry);
  auto workflow = load_or_exit(linear());
  (void)f.catalog.add(workflow);
  const auto start = Clock::now();
  long failures = 0;
  for (long done = 0; done < n; done += concurrency) {
    const long size = std::min(concurrency, n - done);
    std::vector<std::string> ids(size);
    in_parallel(size, std::min<long>(16, size), [&](long i) {
      auto id = f.engine->start(workflow, json::object());
      if (id) ids[i] = *id;
    });
    f.engine->wait_idle();
    for (const auto& id : ids) {
      auto s = id.empty() ? std::nullopt : f.engine->snapshot(id);
      if (!s || s->status != ExecutionStatus::kSucceeded) ++failures;
    }
  }
  (void)f.engine->sync();
  const double wall = seconds_since(start);
  print_w4("windows", n, concurrency, wall, f.engine->commit_stats(),
           static_cast<double>(f.bytes()), failures, f.kind());
  return failures == 0 ? 0 : 70;
}

// W4 on K engine nodes sharing one PostgreSQL database (store/execution_leases.h): K engines in
// this process, each with its own connections (writer, readers, leases) as a separate
// `coalition serve` would have, each starting and running its share of every window. The
// executions of a node stay with it (each parks nowhere), so this measures the cost of leases
// and of K writers on one database, not of hand-overs.
int w4_nodes(long n, long concurrency, long nodes, const PluginRegistry& registry) {
  struct Node {
    std::unique_ptr<PostgresStore> store;
    std::unique_ptr<PostgresLeases> leases;
    std::unique_ptr<Engine> engine;
  };
  WorkflowCatalog catalog;
  SystemClock clock;
  auto workflow = load_or_exit(linear());
  (void)catalog.add(workflow);
  std::vector<Node> all(static_cast<size_t>(nodes));
  uint64_t empty_bytes = 0;
  for (long k = 0; k < nodes; ++k) {
    auto store = PostgresStore::open(PostgresOptions{store_url()});
    auto leases = PostgresLeases::open(store_url());
    if (!store || !leases) {
      std::fprintf(stderr, "cannot open %s\n", store_url().c_str());
      return 69;
    }
    Node& node = all[static_cast<size_t>(k)];
    node.store = std::move(*store);
    node.leases = std::move(*leases);
    if (k == 0) empty_bytes = node.store->size_bytes();
    EngineOptions options{.scheduler_threads = 1,
                          .plugin_threads = 2,
                          .store = node.store.get(),
                          .calendars = nullptr};
    options.node = NodeOptions{
        .leases = node.leases.get(), .name = "bench" + std::to_string(k + 1), .adopt = false};
    node.engine = std::make_unique<Engine>(registry, catalog, clock, options);
  }
  const auto start = Clock::now();
  std::atomic<long> failures{0};
  uint64_t transactions = 0;
  for (long done = 0; done < n; done += concurrency) {
    const long size = std::min(concurrency, n - done);
    std::vector<std::string> ids(size);
    std::vector<Engine*> by(size);
    in_parallel(size, std::min<long>(16 * nodes, size), [&](long i) {
      Engine* engine = all[static_cast<size_t>(i % nodes)].engine.get();
      by[i] = engine;
      auto id = engine->start(workflow, json::object());
      if (id) {
        ids[i] = *id;
      } else if (failures++ == 0) {
        std::fprintf(stderr, "a start failed: %s\n", id.error().message().c_str());
      }
    });
    for (auto& node : all) node.engine->wait_idle();
    for (long i = 0; i < size; ++i) {
      if (ids[i].empty()) continue;
      auto s = by[i]->snapshot(ids[i]);
      if (!s || s->status != ExecutionStatus::kSucceeded) {
        if (failures++ == 0) {
          std::fprintf(stderr, "execution %s: %s\n", ids[i].c_str(),
                       !s ? "not found" : std::string(to_string(s->status)).c_str());
        }
      }
    }
  }
  for (auto& node : all) {
    (void)node.engine->sync();
    transactions += node.engine->commit_stats().transactions;
  }
  const double wall = seconds_since(start);
  const uint64_t bytes = all.front().store->size_bytes() - empty_bytes;
  std::printf(
      "{\"workload\":\"W4\",\"step\":\"%s\",\"nodes\":%ld,\"n\":%ld,\"concurrency\":%ld,"
      "\"wall_s\":%.3f,"
      "\"executions_per_s\":%.0f,\"step_transitions_per_s\":%.0f,\"transactions\":%llu,"
      "\"bytes_per_execution\":%.0f,\"failures\":%ld,"
      "\"store\":\"postgresql synchronous_commit=on, leases\"}\n",
      w4_step().c_str(), nodes, n, concurrency, wall, n / wall, n * 10 / wall,
      static_cast<unsigned long long>(transactions), static_cast<double>(bytes) / n,
      failures.load());
  std::fflush(stdout);
  all.clear();
  return failures == 0 ? 0 : 70;
}

// Starts are acknowledged (committed) one by one in the engine API, so park from several
// threads at once: their commits share transactions.
int w3(long n, long threads, const PluginRegistry& registry) {
  Fixture f("w3", registry);
  auto workflow = load_or_exit(human_wait());
  (void)f.catalog.add(workflow);
  const long rss_before = rss_kb();
  std::vector<std::string> ids(n);

  auto start = Clock::now();
  in_parallel(n, threads, [&](long i) { ids[i] = *f.engine->start(workflow, json::object()); });
  f.engine->wait_idle();
  (void)f.engine->sync();
  const double park = seconds_since(start);
  long parked = 0;
  for (const auto& id : ids) parked += f.engine->snapshot(id)->suspended_steps;
  const long rss_parked = rss_kb();
  const uint64_t bytes = f.bytes();

  const CommitStats parked_stats = f.engine->commit_stats();
  start = Clock::now();
  std::atomic<long> refused{0};
  in_parallel(n, threads, [&](long i) {
    auto done = f.engine->complete_task(ids[i] + ".t1", Actor{"approver.a", "approver", "", ""},
                                        {{"decision", "approve"}});
    if (!done) ++refused;
  });
  f.engine->wait_idle();
  (void)f.engine->sync();
  const double resume = seconds_since(start);
  const CommitStats resumed_stats = f.engine->commit_stats();
  long failures = refused;
  for (const auto& id : ids) {
    if (f.engine->snapshot(id)->status != ExecutionStatus::kSucceeded) ++failures;
  }
  std::printf(
      "{\"workload\":\"W3\",\"n\":%ld,\"threads\":%ld,\"parked\":%ld,\"park_s\":%.3f,"
      "\"park_per_s\":%.0f,\"rss_per_parked_bytes\":%.0f,\"store_bytes_per_parked\":%.0f,"
      "\"park_transactions\":%llu,\"park_syncs\":%llu,\"resume_s\":%.3f,"
      "\"resume_per_s\":%.0f,\"resume_transactions\":%llu,\"resume_syncs\":%llu,"
      "\"failures\":%ld}\n",
      n, threads, parked, park, n / park, (rss_parked - rss_before) * 1024.0 / n,
      static_cast<double>(bytes) / n, static_cast<unsigned long long>(parked_stats.transactions),
      static_cast<unsigned long long>(parked_stats.syncs), resume, n / resume,
      static_cast<unsigned long long>(resumed_stats.transactions - parked_stats.transactions),
      static_cast<unsigned long long>(resumed_stats.syncs - parked_stats.syncs), failures);
  std::fflush(stdout);
  return failures == 0 ? 0 : 70;
}

json wide_map() {
  return {
      {"id", "map_wide"},
      {"version", 1},
      {"title", "MAP"},
      {"steps",
       {{{"id", "each"},
         {"kind", "map"},
         {"items", "/input/members"},
         {"steps",
          {{{"id", "ack"},
            {"kind", "task"},
            {"type", "set"},
            {"parameters",
             {{"value", {{"member", {{"$path", "/item"}}}, {"position", {{"$path", "/index"}}}}}}},
            {"result", "/ack"}}}},
         {"result", "/acks"},
         {"next", "done"}},
        {{"id", "done"}, {"kind", "succeed"}, {"output", {{"$path", "/input/note"}}}}}}};
}

int wide(long n, const PluginRegistry& registry) {
  Fixture f("map", registry);
  auto workflow = load_or_exit(wide_map());
  (void)f.catalog.add(workflow);
  json members = json::array();
  for (long i = 0; i < n; ++i) members.push_back("member-" + std::to_string(i));
  json input{{"note", std::string(1024, 'n')}, {"members", std::move(members)}};
  const long rss_before = rss_kb();
  const auto start = Clock::now();
  auto id = f.engine->start(workflow, std::move(input));
  f.engine->wait_idle();
  const double wall = seconds_since(start);
  auto s = id ? f.engine->snapshot(*id) : std::nullopt;
  const bool ok = s && s->status == ExecutionStatus::kSucceeded;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf(
      "{\"workload\":\"MAP\",\"n\":%ld,\"wall_s\":%.3f,\"items_per_s\":%.0f,"
      "\"rss_before_mb\":%.1f,\"peak_rss_mb\":%.1f,\"store_bytes\":%llu,\"succeeded\":%s}\n",
      n, wall, n / wall, rss_before / 1024.0, usage.ru_maxrss / 1024.0,
      static_cast<unsigned long long>(f.bytes()), ok ? "true" : "false");
  std::fflush(stdout);
  return ok ? 0 : 70;
}

}  // namespace

int main(int argc, char** argv) {
  std::string workload = "all";
  long n = -1;
  long concurrency = 256;
  long nodes = 0;
  bool windows = false;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--windows") {
      windows = true;
      continue;
    }
    if (i + 1 >= argc) break;
    const char* value = argv[++i];
    if (flag == "--workload") workload = value;
    if (flag == "--n") n = std::stol(value);
    if (flag == "--concurrency") concurrency = std::stol(value);
    if (flag == "--store") store_url() = value;
    if (flag == "--nodes") nodes = std::stol(value);
    if (flag == "--step") w4_step() = value;
  }
  spdlog::set_level(spdlog::level::warn);
  DllLibraryLoader libraries;
  PluginLoader loader(libraries, json::object());
  PluginRegistry registry;
  RealFileSystem fs;
  auto report = install_plugins({COALITION_BENCH_PLUGIN_DIR}, fs, loader, registry);
  if (registry.find("noop") == nullptr || registry.find("approval") == nullptr ||
      registry.find("set") == nullptr || registry.find("log") == nullptr) {
    std::fprintf(stderr, "cannot load noop, human, data and log from %s\n",
                 COALITION_BENCH_PLUGIN_DIR);
    return 78;
  }
  if (registry.find(w4_step()) == nullptr) {
    std::fprintf(stderr, "--step %s: no such step type\n", w4_step().c_str());
    return 64;
  }
  int rc = 0;
  if (nodes > 0) {
    if (store_url().empty() || workload != "W4") {
      std::fprintf(stderr, "--nodes runs W4 on a PostgreSQL database: --workload W4 --store URL\n");
      return 64;
    }
    return w4_nodes(n > 0 ? n : 10000, concurrency, nodes, registry);
  }
  if (workload == "W4" || workload == "all") {
    rc |= windows ? w4_windows(n > 0 ? n : 10000, concurrency, registry)
                  : w4(n > 0 ? n : 10000, concurrency, registry);
  }
  if (workload == "W3" || workload == "all") rc |= w3(n > 0 ? n : 10000, concurrency, registry);
  if (workload == "MAP" || workload == "all") rc |= wide(n > 0 ? n : 100000, registry);
  return rc;
}
