// Workloads of bench/README.md that need no store: W1 (linear, 10 noop steps) and W2 (fan-out, one
// parallel step with 100 noop branches). Prints one JSON line per workload.
// Usage: coalition_bench [--workload W1|W2|all] [--n N] [--concurrency C] [--clients K]
//                        [--scheduler-threads S] [--plugin-threads P] [--isolated]
// --clients K starts the executions from K threads (as a server's request threads do), each in
// windows of C / K: C in flight in all. A non-blocking step runs on the thread that started its
// execution, so one client keeps the engine's work on one core.
// --isolated runs the noop plugin in a plugin host child process (W6 with the whole engine).
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "common/file_system.h"
#include "plugin_host/host_launcher.h"
#include "plugin_host/isolated_plugin.h"
#include "plugin_host/plugin_registry.h"
#include "runtime/engine.h"
#include "runtime/system_clock.h"
#include "workflow/workflow_loader.h"

namespace {

using namespace coalition;
using nlohmann::json;

std::string linear_workflow() {
  json steps = json::array();
  for (int i = 0; i < 10; ++i) {
    json step{{"id", "s" + std::to_string(i)}, {"kind", "task"}, {"type", "noop"}};
    if (i < 9) step["next"] = "s" + std::to_string(i + 1);
    steps.push_back(step);
  }
  return json{{"id", "w1_linear"}, {"version", 1}, {"title", "W1"}, {"steps", steps}}.dump();
}

std::string fanout_workflow() {
  json branches = json::array();
  for (int i = 0; i < 100; ++i) {
    branches.push_back(
        {{"name", "b" + std::to_string(i)},
         {"steps", json::array({{{"id", "n"}, {"kind", "task"}, {"type", "noop"}}})}});
  }
  json fan{{"id", "fan"}, {"kind", "parallel"}, {"branches", branches}};
  return json{{"id", "w2_fanout"}, {"version", 1}, {"title", "W2"}, {"steps", json::array({fan})}}
      .dump();
}

long peak_rss_kb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

struct Options {
  std::string workload = "all";
  long n = -1;
  long concurrency = 256;
  size_t scheduler_threads = 1;
  size_t plugin_threads = 2;
  long clients = 1;
  bool isolated = false;
};

int run(const char* name, const std::string& text, long n, long units_per_execution,
        const char* unit, const Options& o, const PluginRegistry& registry) {
  auto loaded = load_workflow(text, name);
  if (!loaded.workflow) return 70;
  WorkflowCatalog catalog;
  SystemClock clock;
  Engine engine(
      registry, catalog, clock,
      EngineOptions{.scheduler_threads = o.scheduler_threads, .plugin_threads = o.plugin_threads});
  long failures = 0;
  // No more clients than executions in flight: each keeps at least one.
  const long clients = std::max(1L, std::min({o.clients, n, o.concurrency}));
  std::vector<std::vector<std::string>> ids(static_cast<size_t>(clients));
  // Each client starts its share of the executions in windows of its share of C, waiting for
  // the engine to go idle after each window (the whole engine's: a non-blocking execution has
  // ended when its start returns, so this waits for nothing else in W1 and W2).
  auto client = [&](long k) {
    const long count = n / clients + (k < n % clients ? 1 : 0);
    const long window = o.concurrency / clients + (k < o.concurrency % clients ? 1 : 0);
    auto& mine = ids[static_cast<size_t>(k)];
    mine.reserve(static_cast<size_t>(count));
    long in_window = 0;
    for (long i = 0; i < count; ++i) {
      mine.push_back(*engine.start(loaded.workflow, json::object()));
      if (++in_window >= window || i + 1 == count) {
        engine.wait_idle();
        in_window = 0;
      }
    }
  };
  const auto start = std::chrono::steady_clock::now();
  {
    std::vector<std::thread> others;
    for (long k = 1; k < clients; ++k) others.emplace_back(client, k);
    client(0);
    for (auto& t : others) t.join();
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Checked after the clock stops: a snapshot copies the execution's whole history (a client's
  // query, not the engine's work per step; inside the timed loop it was 16% of the samples).
  for (const auto& mine : ids) {
    for (const auto& id : mine) {
      if (engine.snapshot(id)->status != ExecutionStatus::kSucceeded) ++failures;
    }
  }
  std::printf(
      "{\"workload\":\"%s\",\"n\":%ld,\"concurrency\":%ld,\"clients\":%ld,\"wall_s\":%.3f,"
      "\"executions_per_s\":%.0f,\"us_per_%s\":%.2f,\"failures\":%ld,\"peak_rss_kb\":%ld,"
      "\"scheduler_threads\":%zu,\"plugin_threads\":%zu,\"store\":\"memory\","
      "\"plugins\":\"%s\"}\n",
      name, n, o.concurrency, clients, wall, static_cast<double>(n) / wall, unit,
      wall * 1e6 / static_cast<double>(n * units_per_execution), failures, peak_rss_kb(),
      o.scheduler_threads, o.plugin_threads, o.isolated ? "isolated" : "in_process");
  std::fflush(stdout);
  return failures == 0 ? 0 : 70;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--isolated") {
      o.isolated = true;
      continue;
    }
    if (i + 1 >= argc) break;
    const char* value = argv[++i];
    if (flag == "--workload") o.workload = value;
    if (flag == "--n") o.n = std::stol(value);
    if (flag == "--concurrency") o.concurrency = std::stol(value);
    if (flag == "--scheduler-threads") o.scheduler_threads = std::stoul(value);
    if (flag == "--plugin-threads") o.plugin_threads = std::stoul(value);
    if (flag == "--clients") o.clients = std::stol(value);
  }
  spdlog::set_level(spdlog::level::warn);
  DllLibraryLoader libraries;
  PluginLoader loader(libraries, json::object());
  PluginHostLimits limits;
  limits.threads = std::max<size_t>(o.plugin_threads, 1);
  PluginHosts hosts(std::make_unique<SpawnHostLauncher>(default_host_program(), limits), limits);
  if (o.isolated) {
    loader.isolate_with(
        hosts,
        [](const std::string&, const std::filesystem::path&) { return Isolation::kIsolated; }, {});
  }
  PluginRegistry registry;
  RealFileSystem fs;
  auto report = install_plugins({COALITION_BENCH_PLUGIN_DIR}, fs, loader, registry);
  if (!report.errors.empty() || registry.find("noop") == nullptr) {
    std::fprintf(stderr, "cannot load the noop plugin from %s\n", COALITION_BENCH_PLUGIN_DIR);
    return 78;
  }
  int rc = 0;
  if (o.workload == "W1" || o.workload == "all") {
    rc |= run("W1", linear_workflow(), o.n > 0 ? o.n : 10000, 10, "step", o, registry);
  }
  if (o.workload == "W2" || o.workload == "all") {
    rc |= run("W2", fanout_workflow(), o.n > 0 ? o.n : 1000, 100, "branch", o, registry);
  }
  return rc;
}
