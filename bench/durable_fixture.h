// What the benchmarks on a durable store share: a SQLite store in $TMPDIR with synchronous=FULL
// (acknowledged = fsynced), or the PostgreSQL database that --store URL names (an empty one: the
// bench writes into it), under an engine on the wall clock; the process's resident memory, and a
// workflow definition loaded or the run stopped.
// With COALITION_BENCH_KEEP set, the store file is kept (its path on stderr) for inspection.
#ifndef COALITION_BENCH_DURABLE_FIXTURE_H_
#define COALITION_BENCH_DURABLE_FIXTURE_H_

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "plugin_host/plugin_registry.h"
#include "runtime/engine.h"
#include "runtime/system_clock.h"
#include "store/postgres_leases.h"
#include "store/postgres_store.h"
#include "store/sqlite_store.h"
#include "workflow/workflow_loader.h"

namespace coalition::bench {

using SteadyClock = std::chrono::steady_clock;

inline long rss_kb() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0;
  long resident = 0;
  statm >> pages >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

// The most resident memory the process has had (getrusage), in KiB.
inline long peak_rss_kb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

inline double seconds_since(SteadyClock::time_point t) {
  return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

// fn(0) .. fn(n - 1) from `threads` client threads (thread t takes t, t + threads, ...).
template <typename Fn>
void in_parallel(long n, long threads, Fn fn) {
  std::vector<std::thread> pool;
  for (long t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (long i = t; i < n; i += threads) fn(i);
    });
  }
  for (auto& th : pool) th.join();
}

inline std::shared_ptr<const Workflow> load_or_exit(const nlohmann::json& doc) {
  auto loaded = load_workflow(doc.dump(), doc["id"].get<std::string>());
  if (!loaded.workflow) {
    std::fprintf(stderr, "%s\n", loaded.problems.front().message.c_str());
    std::exit(70);
  }
  return loaded.workflow;
}

// --store URL: a PostgreSQL database instead of a SQLite file.
inline std::string& store_url() {
  static std::string url;
  return url;
}

struct DurableFixture {
  std::filesystem::path file;
  std::unique_ptr<Store> store;
  SqliteStore* sqlite = nullptr;  // the store, when it is SQLite
  uint64_t empty_bytes = 0;       // PostgreSQL: the database before the run (catalogs)
  WorkflowCatalog catalog;
  SystemClock clock;
  std::unique_ptr<Engine> engine;

  // `sink` (may be null) hears every event the engine records; it must outlive the fixture.
  // `reload_backlog`: EngineOptions::reload_backlog (0: the engine's default).
  DurableFixture(const char* name, const PluginRegistry& registry, EventSink* sink = nullptr,
                 size_t reload_backlog = 0) {
    if (!store_url().empty()) {
      auto opened = PostgresStore::open(PostgresOptions{store_url()});
      if (!opened) {
        std::fprintf(stderr, "%s\n", opened.error().message().c_str());
        std::exit(69);
      }
      store = std::move(*opened);
      empty_bytes = store->size_bytes();
    } else {
      file = std::filesystem::temp_directory_path() /
             (std::string("coalition_bench_") + name + "_" + std::to_string(getpid()) + ".db");
      auto opened = SqliteStore::open(SqliteOptions{file.string(), "FULL"}).value();
      sqlite = opened.get();
      store = std::move(opened);
    }
    EngineOptions options{
        .scheduler_threads = 1, .plugin_threads = 2, .store = store.get(), .calendars = nullptr};
    if (reload_backlog > 0) options.reload_backlog = reload_backlog;
    engine = std::make_unique<Engine>(registry, catalog, clock, std::move(options), sink);
  }
  ~DurableFixture() {
    engine.reset();
    store.reset();
    if (file.empty()) return;
    if (std::getenv("COALITION_BENCH_KEEP") != nullptr) {
      std::fprintf(stderr, "kept %s\n", file.c_str());
      return;
    }
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file.string() + suffix);
  }
  DurableFixture(const DurableFixture&) = delete;
  DurableFixture& operator=(const DurableFixture&) = delete;
  // What the run wrote, on disk.
  uint64_t bytes() {
    if (sqlite != nullptr) (void)sqlite->checkpoint();
    return store->size_bytes() - empty_bytes;
  }
  // How the JSON line names the store.
  const char* kind() const {
    return sqlite != nullptr ? "sqlite synchronous=FULL" : "postgresql synchronous_commit=on";
  }
};

}  // namespace coalition::bench

#endif  // COALITION_BENCH_DURABLE_FIXTURE_H_
