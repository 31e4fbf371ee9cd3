// The server test fixture: a store with the member_review workflow, tokens made with the CLI,
// and `coalition serve` as a real process on a loopback port.
#ifndef COALITION_TESTS_INTEGRATION_SERVER_FIXTURE_H_
#define COALITION_TESTS_INTEGRATION_SERVER_FIXTURE_H_

#include <sqlite3.h>

#include <fstream>
#include <memory>
#include <thread>

#include "support/coalition_cli.h"
#include "support/http_client.h"
#include "support/server_process.h"

namespace coalition::test {

using nlohmann::json;

// A member's reviewer approves; the partner's filing system acknowledges with a signal.
inline constexpr const char* kWorkflow = R"json({
  "id": "member_review", "version": 1, "title": "A member reviews, the partner acknowledges",
  "input_schema": {
    "type": "object",
    "properties": {"member": {"type": "string"}, "case_id": {"type": "string"}},
    "required": ["member", "case_id"]
  },
  "visibility": {
    "default": "member",
    "roles": {"reviewer": "member", "analyst": "public", "bsa_officer": "restricted"},
    "fields": {"/input/case_id": "restricted"}
  },
  "steps": [
    {"id": "review", "kind": "task", "type": "approval",
     "parameters": {"title": "Review the member's case"},
     "assign": {"roles": ["reviewer"], "organisation": {"$path": "/input/member"}},
     "deadline": {"in": "P10D", "cap": {"in": "P30D"}},
     "result": "/review", "next": "filed"},
    {"id": "filed", "kind": "task", "type": "await_signal", "parameters": {"name": "filing_ack"},
     "result": "/ack", "next": "done"},
    {"id": "done", "kind": "succeed"}
  ]
})json";

class ServerTest : public CoalitionCli {
 protected:
  void SetUp() override {
    CoalitionCli::SetUp();
    workflow_ = (dir_.path() / "member_review.json").string();
    std::ofstream(workflow_) << kWorkflow;
    set_server_config({{"rate_per_second", 100000}, {"rate_burst", 100000}});
  }

  void set_server_config(const json& server) {
    json config = json::parse(std::ifstream(config_));
    config["server"] = server;
    std::ofstream(config_) << config.dump(2);
  }

  // Records an execution for `member` (the server runs it once it starts); its id.
  std::string start_for(const std::string& member) {
    const auto input = dir_.path() / ("input-" + member + ".json");
    std::ofstream(input) << json{{"member", member}, {"case_id", "CASE-" + member}}.dump();
    auto r = cli({"start", workflow_, "--input", input.string(), "--as", "coord.cora"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string id = r.out.substr(0, r.out.find('\n'));
    return id;
  }

  std::string token(const std::vector<std::string>& args) {
    std::vector<std::string> all{"tokens", "create"};
    all.insert(all.end(), args.begin(), args.end());
    auto r = cli(all);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.substr(0, r.out.find('\n'));
  }

  void serve() {
    std::string why;
    ASSERT_TRUE(server_.start({kCoalitionBinary, "--config", config_, "--log-level", "warn",
                               "serve", "--listen", "127.0.0.1:0"},
                              {{"COALITION_STORE", store_}}, dir_.path(), &why))
        << why;
    client_ = std::make_unique<HttpClient>(server_.address());
  }

  // Waits until `token`'s inbox holds `n` tasks (the server runs the recorded executions).
  json inbox_of(const std::string& token, size_t n) {
    json tasks;
    for (int i = 0; i < 500; ++i) {
      tasks = client_->get("/v1/tasks", token).json()["tasks"];
      if (tasks.is_array() && tasks.size() >= n) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return tasks;
  }

  // The actors of the store's audit entries of `type`, in order.
  std::vector<std::string> audit_actors(const std::string& type) {
    return audit_column(type, "actor");
  }

  // A text column (`actor`, `execution_id`, ...) of the store's audit entries of `type`, in order.
  std::vector<std::string> audit_column(const std::string& type, const std::string& column) {
    std::vector<std::string> out;
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(store_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* q = nullptr;
    const std::string sql = "SELECT " + column + " FROM audit WHERE type = ?1 ORDER BY seq";
    sqlite3_prepare_v2(db, sql.c_str(), -1, &q, nullptr);
    sqlite3_bind_text(q, 1, type.c_str(), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(q) == SQLITE_ROW) {
      out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(q, 0)));
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    return out;
  }

  std::string workflow_;
  ServerProcess server_;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace coalition::test

#endif  // COALITION_TESTS_INTEGRATION_SERVER_FIXTURE_H_
