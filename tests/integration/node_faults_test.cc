// R2, several engine nodes on one PostgreSQL database under faults: three `coalition serve`
// processes share a database the test run started; N executions, started through whichever
// node is up (with an Idempotency-Key each) in a steady stream, each open a review task whose
// deadline escalates it five seconds later (longer than a freeze and a takeover: a deadline that
// passes before its task opens fails the step, by design); clients complete the escalated tasks
// through whichever node is up, while one node after another is killed (SIGKILL, then started
// again) or frozen past its lease (SIGSTOP, then SIGCONT), until every execution has finished.
// Every execution finishes; no task is completed twice and no step succeeds twice (no work was
// written by two nodes); every escalation timer fired exactly once; `audit verify` passes.
//
// CI runs it reduced (COALITION_R2_EXECUTIONS, default 150); `tools/node-faults` runs the full
// size (1,000) and prints the figures.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "support/coalition_cli.h"
#include "support/http_client.h"
#include "support/postgres_database.h"
#include "support/server_process.h"

namespace coalition::node_faults_test {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

size_t from_environment(const char* name, size_t fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::strtoul(value, nullptr, 10) : fallback;
}

constexpr const char* kWorkflow = R"json({
  "id": "r2_review", "version": 1, "title": "A member reviews; late reviews escalate",
  "input_schema": {
    "type": "object",
    "properties": {"member": {"type": "string"}, "case_id": {"type": "string"}},
    "required": ["member", "case_id"]
  },
  "steps": [
    {"id": "review", "kind": "task", "type": "approval",
     "parameters": {"title": "Review the member's case"},
     "assign": {"roles": ["reviewer"], "organisation": {"$path": "/input/member"}},
     "deadline": {"in": "PT5S", "escalate": [{"roles": ["reviewer", "deputy"], "in": "PT1H"}]},
     "result": "/review", "next": "done"},
    {"id": "done", "kind": "succeed"}
  ]
})json";

class NodeFaultsTest : public test::CoalitionCli {
 protected:
  struct Node {
    std::string config;
    std::filesystem::path folder;  // its working directory: its serve.out and serve.err
    std::unique_ptr<test::ServerProcess> process;
    std::string address;  // where it listens (a killed one: until it is started again)
  };

  void SetUp() override {
    test::CoalitionCli::SetUp();
    auto db = test::PostgresDatabase::create();
    ASSERT_TRUE(db.ok()) << db.error().message();
    db_ = std::move(*db);
    store_ = db_->url();  // every command and node: COALITION_STORE
    const json base = json::parse(std::ifstream(config_));
    for (int i = 0; i < 3; ++i) {
      json config = base;
      config["server"] = {{"rate_per_second", 100000}, {"rate_burst", 100000}};
      const std::string name = "n" + std::to_string(i + 1);
      config["store"]["journal"] = (dir_.path() / (name + ".journal")).string();
      config["store"]["node"] = {
          {"name", name}, {"lease", "PT2S"}, {"poll", "PT0.2S"}, {"busy_wait", "PT5S"}};
      Node node;
      node.config = (dir_.path() / "config" / (name + ".json")).string();
      node.folder = dir_.path() / name;
      std::filesystem::create_directories(node.folder);
      std::ofstream(node.config) << config.dump(2);
      nodes_.push_back(std::move(node));
    }
  }

  void TearDown() override {
    for (auto& n : nodes_) {
      if (n.process && n.process->running()) {
        ::kill(n.process->pid(), SIGCONT);
        (void)n.process->stop(SIGKILL);
      }
    }
  }

  bool start_node(size_t i) {
    auto process = std::make_unique<test::ServerProcess>();
    std::string why;
    if (!process->start({test::kCoalitionBinary, "--config", nodes_[i].config, "--log-level",
                         "warn", "serve", "--listen", "127.0.0.1:0"},
                        {{"COALITION_STORE", store_}}, nodes_[i].folder, &why)) {
      ADD_FAILURE() << "node " << i + 1 << " did not start: " << why;
      return false;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    nodes_[i].address = process->address();
    nodes_[i].process = std::move(process);
    return true;
  }

  // A node that answers now (none while every one is down: the caller waits).
  std::string any_node(std::mt19937& random) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> up;
    for (const auto& n : nodes_) {
      if (!n.address.empty()) up.push_back(n.address);
    }
    if (up.empty()) return "";
    return up[std::uniform_int_distribution<size_t>(0, up.size() - 1)(random)];
  }

  std::vector<std::string> column(const std::string& sql) {
    auto rows = db_->column(sql);
    EXPECT_TRUE(rows.ok()) << rows.error().message();
    return rows.ok() ? *rows : std::vector<std::string>();
  }
  size_t count(const std::string& sql) {
    auto rows = column(sql);
    return rows.empty() ? 0 : std::stoul(rows.front());
  }

  std::unique_ptr<test::PostgresDatabase> db_;
  std::mutex mutex_;
  std::vector<Node> nodes_;
};

TEST_F(NodeFaultsTest, ThreeNodesKilledAndFrozenFinishEveryExecutionOnce) {
  const size_t executions = from_environment("COALITION_R2_EXECUTIONS", 150);
  const auto began = Steady::now();
  // The workflow is registered through one node once all three run (the others read it from
  // the store when a start or an adopted execution needs it); the executions are started
  // through any node while they fail, each with an Idempotency-Key, so a start whose answer was
  // lost is repeated without a second execution.
  const json member{{"member", "northbank"}, {"case_id", "CASE-R2"}};
  auto admin = cli({"tokens", "create", "--person", "admin.ada", "--scopes", "admin"});
  ASSERT_EQ(admin.exit_code, 0) << admin.err;
  auto made =
      cli({"tokens", "create", "--person", "rev.rai", "--org", "northbank", "--roles", "reviewer"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string token = made.out.substr(0, made.out.find('\n'));
  auto coordinator = cli({"tokens", "create", "--person", "coord.cora", "--scopes", "coordinate"});
  ASSERT_EQ(coordinator.exit_code, 0) << coordinator.err;
  const std::string coordinate = coordinator.out.substr(0, coordinator.out.find('\n'));
  for (size_t i = 0; i < nodes_.size(); ++i) ASSERT_TRUE(start_node(i));
  {
    test::HttpClient client(nodes_[0].address);
    auto registered = client.post("/v1/workflows", admin.out.substr(0, admin.out.find('\n')),
                                  json::parse(kWorkflow));
    ASSERT_EQ(registered.status, 201) << registered.body;
  }

  std::atomic<bool> stop{false};
  std::atomic<size_t> started{0};
  std::atomic<size_t> start_retries{0};
  std::thread starter([&] {
    std::mt19937 random(3);
    for (size_t k = 0; k < executions && !stop; ++k) {
      for (;;) {
        if (stop) return;
        const std::string address = any_node(random);
        if (!address.empty()) {
          test::HttpClient client(address);
          auto r = client.request("POST", "/v1/executions", coordinate,
                                  json{{"workflow", "r2_review"}, {"input", member}}.dump(),
                                  {{"Idempotency-Key", "r2-" + std::to_string(k)}});
          if (r.status == 200 || r.status == 201) break;
        }
        ++start_retries;
        std::this_thread::sleep_for(milliseconds(50));
      }
      ++started;
      std::this_thread::sleep_for(milliseconds(30));  // a steady stream beside the faults
    }
  });

  // Clients: one finds the escalated tasks through any node, eight complete them.
  std::mutex queue_mutex;
  std::deque<std::string> queue;
  std::set<std::string> seen;
  std::atomic<size_t> acknowledged{0};
  std::atomic<size_t> retried{0};
  std::vector<std::string> given_up;  // answers other than success or "again"
  std::thread finder([&] {
    std::mt19937 random(7);
    while (!stop) {
      const std::string address = any_node(random);
      if (!address.empty()) {
        test::HttpClient client(address);
        auto page = client.get("/v1/tasks?escalated=true&limit=500", token);
        const json tasks = page.status == 200 ? page.json()["tasks"] : json();
        if (tasks.is_array()) {
          std::lock_guard<std::mutex> lock(queue_mutex);
          for (const auto& t : tasks) {
            const std::string id = t.value("id", "");
            if (seen.insert(id).second) queue.push_back(id);
          }
        }
      }
      std::this_thread::sleep_for(milliseconds(200));
    }
  });
  std::vector<std::thread> completers;
  for (int c = 0; c < 8; ++c) {
    completers.emplace_back([&, c] {
      std::mt19937 random(100 + c);
      while (!stop) {
        std::string task;
        {
          std::lock_guard<std::mutex> lock(queue_mutex);
          if (!queue.empty()) {
            task = queue.front();
            queue.pop_front();
          }
        }
        if (task.empty()) {
          std::this_thread::sleep_for(milliseconds(50));
          continue;
        }
        for (int attempt = 0; !stop; ++attempt) {
          const std::string address = any_node(random);
          if (address.empty()) {
            std::this_thread::sleep_for(milliseconds(100));
            continue;
          }
          test::HttpClient client(address);
          auto r = client.post("/v1/tasks/" + task + "/complete", token,
                               {{"answer", {{"decision", "approve"}}}});
          if (r.status == 200) {
            ++acknowledged;
            break;
          }
          // Another node works on it for a moment (409 execution.busy), the node went down
          // mid-request (no answer) or the database is out of reach: again, anywhere.
          const bool busy = r.status == 409 && r.json().value("code", "") == "execution.busy";
          if (r.status == 0 || r.status >= 500 || busy) {
            ++retried;
            std::this_thread::sleep_for(milliseconds(50));
            continue;
          }
          // A conflict otherwise: an attempt whose answer was lost had completed it already
          // (checked in the history below).
          {
            std::lock_guard<std::mutex> lock(queue_mutex);
            given_up.push_back(task + ": " + std::to_string(r.status) + " " + r.body);
          }
          break;
        }
      }
    });
  }

  // Faults until every execution has finished, one node at a time, the two others up.
  size_t kills = 0;
  size_t freezes = 0;
  std::mt19937 random(42);
  const auto deadline = Steady::now() + std::chrono::seconds(60 + executions / 4);
  const std::string unfinished =
      "SELECT count(*) FROM executions WHERE status <> 'succeeded' AND workflow_id = 'r2_review'";
  while (Steady::now() < deadline && (started < executions || count(unfinished) > 0)) {
    const size_t i = std::uniform_int_distribution<size_t>(0, nodes_.size() - 1)(random);
    Node& node = nodes_[i];
    // Clients keep sending to the node: a killed one refuses connections until it is back
    // (under a new port), a frozen one holds their requests until it thaws.
    if (random() % 2 == 0) {
      (void)node.process->stop(SIGKILL);
      ++kills;
      ASSERT_TRUE(start_node(i));
    } else {
      ::kill(node.process->pid(), SIGSTOP);
      ++freezes;
      std::this_thread::sleep_for(milliseconds(2600));  // past its 2 s lease
      ::kill(node.process->pid(), SIGCONT);
    }
    std::this_thread::sleep_for(milliseconds(1200));
  }
  stop = true;
  starter.join();
  finder.join();
  for (auto& t : completers) t.join();
  const double seconds = std::chrono::duration<double>(Steady::now() - began).count();
  std::string dropped_logs;
  for (auto& n : nodes_) {
    dropped_logs += n.process->err();
    auto stopped = n.process->stop(SIGTERM);
    EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  }

  // Every execution finished, each task completed once, each step succeeded once, each
  // escalation timer fired once.
  std::string stuck;
  for (const auto& row : column(
           "SELECT e.id || ' ' || e.status || ' owner ' || coalesce(e.owner, '-') || ' fence ' || "
           "e.fence || ' due ' || coalesce(e.next_due::text, '-') || ' events ' || "
           "(SELECT string_agg(type, ',' ORDER BY seq) FROM events v WHERE v.execution_id = e.id) "
           "FROM executions e WHERE e.status <> 'succeeded'")) {
    stuck += row + "\n";
  }
  for (const auto& g : given_up) stuck += "answered " + g + "\n";
  EXPECT_EQ(count(unfinished), 0u)
      << stuck << "the nodes said:\n"
      << dropped_logs.substr(dropped_logs.size() > 6000 ? dropped_logs.size() - 6000 : 0);
  EXPECT_EQ(started.load(), executions);
  EXPECT_EQ(count("SELECT count(*) FROM executions"), executions) << "no start made two";
  EXPECT_EQ(count("SELECT count(*) FROM executions WHERE status = 'succeeded'"), executions);
  EXPECT_EQ(column("SELECT execution_id || ' ' || step FROM events WHERE type = "
                   "'step_succeeded' GROUP BY execution_id, step HAVING count(*) > 1"),
            std::vector<std::string>{})
      << "a step succeeded twice";
  EXPECT_EQ(count("SELECT count(*) FROM events WHERE type = 'task_completed'"), executions);
  EXPECT_EQ(column("SELECT execution_id FROM events WHERE type = 'escalated' GROUP BY "
                   "execution_id HAVING count(*) <> 1"),
            std::vector<std::string>{})
      << "an escalation fired twice";
  EXPECT_EQ(count("SELECT count(*) FROM events WHERE type = 'escalated'"), executions);
  EXPECT_LE(acknowledged.load(), executions);
  auto verify = cli({"audit", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_GT(kills + freezes, 0u);

  size_t moved = 0;
  for (size_t at = dropped_logs.find("was claimed by another engine node"); at != std::string::npos;
       at = dropped_logs.find("was claimed by another engine node", at + 1)) {
    ++moved;
  }
  std::cout << "node faults: "
            << json{{"executions", executions},
                    {"nodes", nodes_.size()},
                    {"kills", kills},
                    {"freezes", freezes},
                    {"acknowledged", acknowledged.load()},
                    {"retried", retried.load()},
                    {"start_retries", start_retries.load()},
                    {"stale_writes_refused", moved},
                    {"seconds", seconds}}
                   .dump()
            << std::endl;
}

}  // namespace
}  // namespace coalition::node_faults_test
