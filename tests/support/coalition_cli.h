// CoalitionCli: a test fixture for the coalition workflows through the real CLI — a copy of
// config/ whose plugins write into the test's directory, a store there, and helpers to run
// commands, read histories and complete tasks by step.
#ifndef COALITION_TESTS_SUPPORT_COALITION_CLI_H_
#define COALITION_TESTS_SUPPORT_COALITION_CLI_H_

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/subprocess.h"
#include "support/temp_dir.h"
#include "test_paths.h"

namespace coalition::test {

class CoalitionCli : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::filesystem::path src = kSourceDir;
    std::filesystem::copy(src / "config", dir_.path() / "config",
                          std::filesystem::copy_options::recursive);
    nlohmann::json config =
        nlohmann::json::parse(std::ifstream(dir_.path() / "config" / "coalition.json"));
    config["plugins"]["config"]["contacts"]["directory"] = (dir_.path() / "contacts.json").string();
    config["plugins"]["config"]["notify"]["directory"] = (dir_.path() / "contacts.json").string();
    config["plugins"]["config"]["notify"]["outbox"] = (dir_.path() / "outbox").string();
    config["plugins"]["config"]["notify"]["secret_file"] = (dir_.path() / "secret").string();
    config_ = (dir_.path() / "config" / "coalition.json").string();
    std::ofstream(config_) << config.dump(2);
    store_ = (dir_.path() / "store.db").string();
  }

  ProcessResult cli(std::vector<std::string> args, const std::string& log_level = "warn") {
    std::vector<std::string> argv{kCoalitionBinary, "--config", config_, "--log-level", log_level};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, {{"COALITION_STORE", store_}});
  }

  nlohmann::json events(const std::string& id) {
    auto r = cli({"history", id, "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out)["events"];
  }

  // Completes the open task of `id` whose step path ends with `step`; the exit code.
  int complete(const std::string& id, const std::string& step, const std::string& actor,
               const std::string& role, const std::string& data, const std::string& now,
               const std::string& org = "northwind") {
    auto listed = cli({"tasks", "--execution", id, "--json"});
    nlohmann::json tasks = nlohmann::json::parse(listed.out);
    tasks = tasks.is_object() ? tasks["tasks"] : tasks;
    for (const auto& t : tasks) {
      const std::string path = t["step"];
      if (path.size() >= step.size() &&
          path.compare(path.size() - step.size(), step.size(), step) == 0) {
        auto r = cli({"complete", t["id"], "--as", actor, "--role", role, "--org", org, "--data",
                      data, "--now", now});
        if (r.exit_code != 0) last_error_ = r.err;
        return r.exit_code;
      }
    }
    last_error_ = "no open task at " + step + " in " + listed.out;
    return -1;
  }

  nlohmann::json find_event(const std::string& id, const std::string& type,
                            const std::string& step_suffix) {
    for (const auto& e : events(id)) {
      const std::string step = e.value("step", std::string());
      if (e["type"] == type && step.size() >= step_suffix.size() &&
          step.compare(step.size() - step_suffix.size(), step_suffix.size(), step_suffix) == 0) {
        return e;
      }
    }
    return nlohmann::json();
  }

  std::string last_error_;

  // The store's bytes: the database file and its write-ahead log.
  std::string store_bytes() {
    std::string bytes;
    for (const std::string& f : {store_, store_ + "-wal"}) {
      std::ifstream in(f, std::ios::binary);
      bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return bytes;
  }

  TempDir dir_;
  std::string config_;
  std::string store_;
};

}  // namespace coalition::test

#endif  // COALITION_TESTS_SUPPORT_COALITION_CLI_H_
