// GET /metrics: the engine's health in the Prometheus text format (version 0.0.4) — executions
// by status, open and overdue tasks, step latency, commit batch sizes, step errors by code.
// plus the health of isolated plugin hosts and plugin-pool threads stuck in calls that never
// returned. Labels carry statuses, bounds, error codes and plugin ids only: never a person, an
// organisation or an execution.
// A monitoring system reads it with a token holding the `metrics` scope (or admin).
#include <fmt/format.h>

#include "server/route_support.h"
#include "server/routes.h"

namespace coalition {

namespace {

std::string number(double v) {
  return fmt::format("{}", v);
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void histogram(std::string& out, const char* name, const char* help,
               const std::vector<double>& bounds, const std::vector<uint64_t>& cumulative,
               double sum, uint64_t count) {
  header(out, name, "histogram", help);
  for (size_t i = 0; i < bounds.size(); ++i) {
    out += fmt::format("{}_bucket{{le=\"{}\"}} {}\n", name, number(bounds[i]), cumulative[i]);
  }
  out += fmt::format("{}_bucket{{le=\"+Inf\"}} {}\n", name, count);
  out += fmt::format("{}_sum {}\n{}_count {}\n", name, number(sum), name, count);
}

// One sample of `name` per isolated plugin, labelled with its id.
template <class Value>
void per_plugin(std::string& out, const std::vector<PluginHealth>& hosts, const char* name,
                const char* type, const char* help, Value value) {
  header(out, name, type, help);
  for (const auto& h : hosts) {
    out += fmt::format("{}{{plugin=\"{}\"}} {}\n", name, h.plugin_id, value(h));
  }
}

}  // namespace

void add_metrics_route(Router& router, app::Session& s) {
  router.add(waiting(
      {"GET", "/metrics", true, [&s](const RouteCall& c) {
         if (!c.principal->metrics && !c.principal->admin) {
           return problem_response(
               Error::permission_denied("metrics need the metrics or admin scope"));
         }
         auto counts = s.store().counts(s.clock().now());
         if (!counts) return problem_response(counts.error());
         std::string out;
         header(out, "coalition_executions", "gauge", "Executions in the store, by status.");
         for (const auto status : kAllExecutionStatuses) {
           auto it = counts->executions.find(status);
           out += fmt::format("coalition_executions{{status=\"{}\"}} {}\n", to_string(status),
                              it == counts->executions.end() ? 0 : it->second);
         }
         header(out, "coalition_tasks_open", "gauge", "Open human tasks.");
         out += fmt::format("coalition_tasks_open {}\n", counts->open_tasks);
         header(out, "coalition_tasks_overdue", "gauge", "Open human tasks past their due time.");
         out += fmt::format("coalition_tasks_overdue {}\n", counts->overdue_tasks);

         const auto steps = s.metrics().step_seconds();
         histogram(out, "coalition_step_duration_seconds",
                   "Plugin step attempts, from start to outcome, since the server started.",
                   steps.bounds, steps.cumulative, steps.sum, steps.count);

         const CommitStats commits = s.engine().commit_stats();
         std::vector<double> bounds;
         std::vector<uint64_t> cumulative;
         uint64_t running = 0;
         for (size_t i = 0; i < CommitStats::kBatchBounds.size(); ++i) {
           bounds.push_back(static_cast<double>(CommitStats::kBatchBounds[i]));
           running += commits.batches[i];
           cumulative.push_back(running);
         }
         histogram(out, "coalition_commit_batch_size",
                   "Store transactions by how many executions' changes each carried.", bounds,
                   cumulative, static_cast<double>(commits.sources), commits.transactions);
         header(out, "coalition_store_syncs_total", "counter",
                "Syncs of the store to disk, each making one or more transactions durable.");
         out += fmt::format("coalition_store_syncs_total {}\n", commits.syncs);

         header(out, "coalition_plugin_errors_total", "counter",
                "Step attempts that failed or were retried, by error code.");
         for (const auto& [code, n] : s.metrics().step_errors()) {
           out += fmt::format("coalition_plugin_errors_total{{code=\"{}\"}} {}\n", code, n);
         }
         // Isolated plugins: whether a host runs, how often one started and failed, and whether
         // the plugin is quarantined — what an operator alerts on.
         std::vector<PluginHealth> hosts;
         if (s.installation().plugin_hosts) hosts = s.installation().plugin_hosts->health();
         per_plugin(out, hosts, "coalition_plugin_host_up", "gauge",
                    "Whether the isolated plugin's host process is running.",
                    [](const PluginHealth& h) { return h.running ? 1 : 0; });
         per_plugin(out, hosts, "coalition_plugin_host_starts_total", "counter",
                    "Host processes started for the isolated plugin, the first included.",
                    [](const PluginHealth& h) { return h.starts; });
         per_plugin(out, hosts, "coalition_plugin_host_failures_total", "counter",
                    "Hosts of the isolated plugin that crashed, hung or would not start.",
                    [](const PluginHealth& h) { return h.failures; });
         per_plugin(out, hosts, "coalition_plugin_quarantined", "gauge",
                    "Whether the isolated plugin is quarantined (its calls fail at once).",
                    [](const PluginHealth& h) { return h.quarantined ? 1 : 0; });
         header(out, "coalition_plugin_threads_stranded", "gauge",
                "Plugin-pool threads abandoned to in-process calls that never returned.");
         out += fmt::format("coalition_plugin_threads_stranded {}\n",
                            PluginCallPool::stranded_in_process());
         HttpResponse r;
         r.content_type = "text/plain; version=0.0.4; charset=utf-8";
         r.body = std::move(out);
         return r;
       }}));
}

}  // namespace coalition
