// The HTTP API under load, on loopback: a real `coalition serve` process on a SQLite store
// (synchronous=FULL), N open approval tasks spread over 20 member organisations, and C
// keep-alive connections (one credential each, reviewers of one organisation):
//   inbox   every connection reads its inbox (GET /v1/tasks, a page of 50) for --seconds
//   complete every connection completes tasks of its organisation (POST .../complete), each a
//           durable commit, until each has done its share
// Bounded in count and time. Prints one JSON line: throughput and p50/p99 latency of each, and
// the CPU seconds the server and the load (this process) used in each phase.
// Usage: coalition_bench_server [--tasks N] [--connections C] [--seconds S]
//                               [--server-threads T (network threads, default 2)]
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "own_cpu_time.h"
#include "support/http_client.h"

extern char** environ;

namespace {

using coalition::bench::own_cpu_seconds;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr int kOrganisations = 20;

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "coalition_bench_server: %s\n", why.c_str());
  std::exit(70);
}

std::string slurp(const fs::path& file) {
  std::ifstream in(file);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Runs a coalition command to completion; its stdout.
std::string run_coalition(const fs::path& dir, std::vector<std::string> args) {
  std::vector<std::string> argv{COALITION_BENCH_BINARY, "--config", (dir / "config.json").string(),
                                "--log-level", "warn"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--store");
  argv.push_back((dir / "bench.db").string());
  const std::string cmd_out = (dir / "cmd.out").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, cmd_out.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> raw;
  for (auto& a : argv) raw.push_back(a.data());
  raw.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, raw[0], &actions, nullptr, raw.data(), environ) != 0) die("spawn");
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) die("coalition " + args[0] + " failed");
  return slurp(cmd_out);
}

// CPU seconds (user + system) a process has used so far: the server's from /proc, this
// process's (the 64 clients) from getrusage. Both share the machine's cores, so the line reports
// how the time of each phase was split between the load and the server.
double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(field);  // utime, stime
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

struct Latencies {
  std::vector<double> ms;
  void add(Clock::time_point from) {
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - from).count());
  }
  double percentile(double p) {
    if (ms.empty()) return 0;
    std::sort(ms.begin(), ms.end());
    return ms[std::min(ms.size() - 1, static_cast<size_t>(p * static_cast<double>(ms.size())))];
  }
};

}  // namespace

int main(int argc, char** argv) {
  int tasks = 4000;
  int connections = 64;
  double seconds = 5;
  int server_threads = 0;  // network threads; 0: the default (2)
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--tasks") tasks = std::stoi(argv[i + 1]);
    if (flag == "--connections") connections = std::stoi(argv[i + 1]);
    if (flag == "--seconds") seconds = std::stod(argv[i + 1]);
    if (flag == "--server-threads") server_threads = std::stoi(argv[i + 1]);
  }
  const fs::path dir =
      fs::temp_directory_path() / ("coalition-bench-server-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "config.json") << json{
      {"store", {{"synchronous", "FULL"}}},
      {"server",
       {{"threads", server_threads > 0 ? server_threads : 2},
        {"acting_threads", connections},
        {"rate_per_second", 1e6},
        {"rate_burst", 1e6},
        {"max_connections", connections * 2}}},
      {"log", {{"level", "warn"}}}}.dump();
  std::ofstream(dir / "review.json") << R"json({
    "id": "bench_review", "version": 1, "title": "One approval by a reviewer of the member",
    "input_schema": {"type": "object", "properties": {"member": {"type": "string"}},
                     "required": ["member"]},
    "steps": [
      {"id": "review", "kind": "task", "type": "approval", "parameters": {"title": "Review"},
       "assign": {"roles": ["reviewer"], "organisation": {"$path": "/input/member"}},
       "deadline": {"in": "P30D"}}
    ]
  })json";
  // N executions recorded, spread over the organisations (the server runs them on start).
  for (int org = 0; org < kOrganisations; ++org) {
    const fs::path input = dir / ("member-" + std::to_string(org) + ".json");
    std::ofstream(input) << json{{"member", "member-" + std::to_string(org)}}.dump();
    run_coalition(dir, {"start", (dir / "review.json").string(), "--input", input.string(),
                        "--count", std::to_string(tasks / kOrganisations), "--as", "coord.bench"});
  }
  std::vector<std::string> tokens;
  for (int c = 0; c < connections; ++c) {
    std::string out =
        run_coalition(dir, {"tokens", "create", "--person", "rev." + std::to_string(c), "--org",
                            "member-" + std::to_string(c % kOrganisations), "--roles", "reviewer"});
    tokens.push_back(out.substr(0, out.find('\n')));
  }

  // The server.
  std::vector<std::string> args{
      COALITION_BENCH_BINARY, "--config", (dir / "config.json").string(), "serve", "--listen",
      "127.0.0.1:0",          "--store",  (dir / "bench.db").string()};
  const std::string err_file = (dir / "serve.err").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  std::vector<char*> raw;
  for (auto& a : args) raw.push_back(a.data());
  raw.push_back(nullptr);
  pid_t server = 0;
  if (posix_spawn(&server, raw[0], &actions, nullptr, raw.data(), environ) != 0) die("spawn");
  std::string address;
  for (int i = 0; i < 3000 && address.empty(); ++i) {
    const std::string text = slurp(err_file);
    if (auto at = text.find("listening on http://"); at != std::string::npos) {
      const auto end = text.find('\n', at);
      if (end != std::string::npos) address = text.substr(at + 20, end - at - 20);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (address.empty()) die("the server did not start: " + slurp(err_file));
  // Until every task is open.
  {
    coalition::test::HttpClient probe(address);
    for (int i = 0; i < 6000; ++i) {
      auto page = probe.get("/v1/tasks?limit=500", tokens[0]).json();
      if (page.is_object() && page["tasks"].size() >= static_cast<size_t>(tasks / kOrganisations))
        break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  // Inbox reads.
  std::fprintf(stderr, "coalition_bench_server: server %d: inbox reads\n",
               static_cast<int>(server));
  const double read_cpu_server = cpu_seconds(server);
  const double read_cpu_load = own_cpu_seconds();
  std::vector<Latencies> read_latencies(connections);
  std::atomic<int> read_errors{0};
  const auto read_start = Clock::now();
  const auto read_until = read_start + std::chrono::duration<double>(seconds);
  {
    std::vector<std::thread> threads;
    for (int c = 0; c < connections; ++c) {
      threads.emplace_back([&, c] {
        coalition::test::HttpClient client(address);
        while (Clock::now() < read_until) {
          const auto t0 = Clock::now();
          auto r = client.get("/v1/tasks?limit=50", tokens[c]);
          if (r.status != 200) ++read_errors;
          read_latencies[c].add(t0);
        }
      });
    }
    for (auto& t : threads) t.join();
  }
  const double read_seconds = std::chrono::duration<double>(Clock::now() - read_start).count();
  const double read_server_cpu = cpu_seconds(server) - read_cpu_server;
  const double read_load_cpu = own_cpu_seconds() - read_cpu_load;
  Latencies reads;
  for (auto& l : read_latencies) reads.ms.insert(reads.ms.end(), l.ms.begin(), l.ms.end());

  // Completions. First the task ids, read page by page through each organisation's first
  // connection and dealt out to that organisation's connections; then only the completions
  // (POST .../complete, each a durable commit) are timed.
  std::vector<std::vector<std::string>> work(connections);
  {
    coalition::test::HttpClient client(address);
    for (int org = 0; org < kOrganisations && org < connections; ++org) {
      std::string cursor;
      std::vector<std::string> ids;
      for (;;) {
        auto page = client
                        .get("/v1/tasks?limit=500" + (cursor.empty() ? "" : "&cursor=" + cursor),
                             tokens[org])
                        .json();
        for (const auto& t : page["tasks"]) ids.push_back(t["id"]);
        if (!page.contains("next")) break;
        cursor = page["next"];
      }
      for (size_t i = 0; i < ids.size(); ++i) {
        const size_t sharers = (connections - org + kOrganisations - 1) / kOrganisations;
        work[org + kOrganisations * (i % sharers)].push_back(ids[i]);
      }
    }
  }
  std::vector<Latencies> complete_latencies(connections);
  std::atomic<int> completed{0};
  std::atomic<int> complete_errors{0};
  std::fprintf(stderr, "coalition_bench_server: server %d: completions\n",
               static_cast<int>(server));
  const double complete_cpu_server = cpu_seconds(server);
  const double complete_cpu_load = own_cpu_seconds();
  const auto complete_start = Clock::now();
  {
    std::vector<std::thread> threads;
    for (int c = 0; c < connections; ++c) {
      threads.emplace_back([&, c] {
        coalition::test::HttpClient client(address);
        for (const auto& id : work[c]) {
          const auto t0 = Clock::now();
          auto r = client.post("/v1/tasks/" + id + "/complete", tokens[c],
                               {{"answer", {{"decision", "approve"}}}});
          complete_latencies[c].add(t0);
          if (r.status == 200) {
            ++completed;
          } else if (complete_errors++ < 3) {
            std::fprintf(stderr, "complete %s: %d %s\n", id.c_str(), r.status, r.body.c_str());
          }
        }
      });
    }
    for (auto& t : threads) t.join();
  }
  const double complete_seconds =
      std::chrono::duration<double>(Clock::now() - complete_start).count();
  const double complete_server_cpu = cpu_seconds(server) - complete_cpu_server;
  const double complete_load_cpu = own_cpu_seconds() - complete_cpu_load;
  Latencies completes;
  for (auto& l : complete_latencies) {
    completes.ms.insert(completes.ms.end(), l.ms.begin(), l.ms.end());
  }

  kill(server, SIGTERM);
  int status = 0;
  waitpid(server, &status, 0);
  const int server_exit = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  const auto store_bytes = fs::file_size(dir / "bench.db");
  fs::remove_all(dir);

  json line{{"workload", "SERVER"},
            {"tasks", tasks},
            {"connections", connections},
            {"server_threads", server_threads > 0 ? server_threads : 2},
            {"inbox_reads", reads.ms.size()},
            {"inbox_reads_per_s", static_cast<double>(reads.ms.size()) / read_seconds},
            {"inbox_p50_ms", reads.percentile(0.50)},
            {"inbox_p99_ms", reads.percentile(0.99)},
            {"inbox_errors", read_errors.load()},
            {"inbox_server_cpu_s", read_server_cpu},
            {"inbox_load_cpu_s", read_load_cpu},
            {"completions", completed.load()},
            {"completions_per_s", completed.load() / complete_seconds},
            {"complete_p50_ms", completes.percentile(0.50)},
            {"complete_p99_ms", completes.percentile(0.99)},
            {"complete_errors", complete_errors.load()},
            {"complete_server_cpu_s", complete_server_cpu},
            {"complete_load_cpu_s", complete_load_cpu},
            {"store_bytes", store_bytes},
            {"server_exit", server_exit}};
  std::printf("%s\n", line.dump().c_str());
  return server_exit == 0 && read_errors == 0 && complete_errors == 0 ? 0 : 1;
}
