// Cost of one step call through the whole engine path: parameter validation against the schema,
// serialization of parameters and context, the C ABI call — in process, or in a plugin host
// child process over its socket (W6) — decoding of the answer and output-schema validation.
// Usage: coalition_bench_plugin_call [--n N] [--step noop|set] [--mode in_process|isolated]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "plugin_host/host_launcher.h"
#include "plugin_host/isolated_plugin.h"
#include "plugin_host/plugin_loader.h"

int main(int argc, char** argv) {
  using namespace coalition;
  long n = 200000;
  std::string step = "noop";
  std::string mode = "in_process";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--n") == 0) n = std::stol(argv[i + 1]);
    if (std::strcmp(argv[i], "--step") == 0) step = argv[i + 1];
    if (std::strcmp(argv[i], "--mode") == 0) mode = argv[i + 1];
  }
  const std::string library = step == "noop" ? "libnoop.so" : "libdata.so";
  DllLibraryLoader libraries;
  PluginLoader loader(libraries, nlohmann::json::object());
  const PluginHostLimits limits;
  PluginHosts hosts(std::make_unique<SpawnHostLauncher>(default_host_program(), limits), limits);
  if (mode == "isolated") {
    loader.isolate_with(
        hosts,
        [](const std::string&, const std::filesystem::path&) { return Isolation::kIsolated; }, {});
  }
  auto plugin = loader.load(std::string(COALITION_BENCH_PLUGIN_DIR) + "/" + library);
  if (!plugin) {
    std::fprintf(stderr, "%s\n", plugin.error().message().c_str());
    return 78;
  }
  const StepType* type = nullptr;
  for (const auto& t : plugin->step_types) {
    if (t->info().name == step) type = t.get();
  }
  if (type == nullptr) return 64;
  const nlohmann::json params =
      step == "noop" ? nlohmann::json::object()
                     : nlohmann::json{{"value", {{"case", "FC-2026-0001"}, {"tier", 2}}}};
  StepContext context;
  context.execution_id = "ex-bench";
  context.step_id = "step";
  context.idempotency_key = "ex-bench/step";

  long failures = 0;
  std::vector<double> latencies(static_cast<size_t>(n));
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < n; ++i) {
    const auto before = std::chrono::steady_clock::now();
    if (type->execute(params, context).status != StepStatus::kOk) ++failures;
    latencies[static_cast<size_t>(i)] =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - before)
            .count();
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::sort(latencies.begin(), latencies.end());
  const auto at = [&latencies](double q) {
    return latencies[std::min(latencies.size() - 1, static_cast<size_t>(q * latencies.size()))];
  };
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf(
      "{\"workload\":\"%s\",\"step\":\"%s\",\"n\":%ld,\"wall_s\":%.3f,"
      "\"us_per_call\":%.3f,\"p50_us\":%.2f,\"p99_us\":%.2f,\"failures\":%ld,"
      "\"peak_rss_kb\":%ld,\"mode\":\"%s\"}\n",
      mode == "isolated" ? "W6" : "plugin_call", step.c_str(), n, wall,
      wall * 1e6 / static_cast<double>(n), at(0.5), at(0.99), failures, usage.ru_maxrss,
      mode.c_str());
  return failures == 0 ? 0 : 70;
}
