// Cost of one in-process step call through the whole engine path: parameter validation against
// the schema, serialization of parameters and context, the C ABI call, decoding of the answer
// and output-schema validation. Usage: coalition_bench_plugin_call [--n N] [--step noop|set]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "plugin_host/plugin_loader.h"

int main(int argc, char** argv) {
  using namespace coalition;
  long n = 200000;
  std::string step = "noop";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--n") == 0) n = std::stol(argv[i + 1]);
    if (std::strcmp(argv[i], "--step") == 0) step = argv[i + 1];
  }
  const std::string library = step == "noop" ? "libnoop.so" : "libdata.so";
  DllLibraryLoader libraries;
  PluginLoader loader(libraries, nlohmann::json::object());
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
  StepContext context{"ex-bench",   "step",       1,  "ex-bench/step",
                      std::nullopt, std::nullopt, "", std::nullopt};

  long failures = 0;
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < n; ++i) {
    if (type->execute(params, context).status != StepStatus::kOk) ++failures;
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf(
      "{\"workload\":\"plugin_call\",\"step\":\"%s\",\"n\":%ld,\"wall_s\":%.3f,"
      "\"us_per_call\":%.3f,\"failures\":%ld,\"peak_rss_kb\":%ld,\"mode\":\"in_process\"}\n",
      step.c_str(), n, wall, wall * 1e6 / static_cast<double>(n), failures, usage.ru_maxrss);
  return failures == 0 ? 0 : 70;
}
