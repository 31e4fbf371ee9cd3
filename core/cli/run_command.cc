#include "cli/run_command.h"

#include <fmt/format.h>

#include <iostream>
#include <sstream>
#include <thread>

#include "cli/exit_code.h"
#include "common/json_text.h"
#include "runtime/engine.h"
#include "workflow/workflow_files.h"

namespace coalition::cli {

using nlohmann::json;

namespace {

json snapshot_json(const ExecutionSnapshot& s) {
  json history = json::array();
  for (const auto& e : s.history) history.push_back(e.to_json());
  json doc{{"id", s.id},
           {"workflow", s.workflow},
           {"status", s.status == ExecutionStatus::kRunning
                          ? (s.suspended_steps > 0 ? "waiting" : "running")
                          : to_string(s.status)},
           {"output", s.output},
           {"suspended_steps", s.suspended_steps},
           {"history", std::move(history)}};
  if (s.status == ExecutionStatus::kFailed) doc["error"] = s.error.to_json();
  return doc;
}

void print_text(const json& doc, const ExecutionSnapshot& s, std::ostream& out) {
  out << "execution " << s.id << " (" << s.workflow << "): " << doc["status"].get<std::string>()
      << "\n";
  if (s.status == ExecutionStatus::kSucceeded) out << "output: " << s.output.dump(2) << "\n";
  if (s.status == ExecutionStatus::kFailed) {
    out << "error: " << s.error.code << ": " << s.error.message << "\n";
  }
  std::map<std::string, size_t> counts;
  for (const auto& e : s.history) ++counts[std::string(to_string(e.type))];
  out << "history: " << s.history.size() << " events";
  for (const auto& [type, n] : counts) out << ", " << type << " " << n;
  out << "\n";
}

Result<json> read_input(const RunOptions& options, std::istream& in) {
  if (options.input_file.empty()) return json::object();
  std::string text;
  if (options.input_file == "-") {
    std::ostringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
  } else {
    auto file = read_text_file(options.input_file);
    if (!file) return Error::not_found(file.error().message());
    text = std::move(*file);
  }
  auto doc = parse_json(text);
  if (!doc) return Error::invalid_data(options.input_file + ": " + doc.error().message());
  return doc;
}

}  // namespace

int run_run_command(const RunOptions& options, const Installation& installation, std::istream& in,
                    std::ostream& out, std::ostream& err) {
  auto budget = parse_duration(options.wait_up_to);
  if (!budget) {
    err << "coalition run: --wait-up-to: " << budget.error().message() << "\n";
    return kExitUsage;
  }
  RealFileSystem fs;
  auto set = load_workflow_files({options.workflow_file}, fs);
  const auto& file = set.files.front();
  Problems problems = file.loaded.problems;
  if (file.loaded.workflow) {
    problems = validate_workflow(*file.loaded.workflow, installation.registry, set.catalog);
  }
  for (const auto& p : problems) err << p.format(file.path) << "\n";
  if (!file.readable) return kExitNoInput;
  if (!problems.empty()) return kExitDataError;

  auto input = read_input(options, in);
  if (!input) {
    err << "coalition run: " << input.error().message() << "\n";
    return exit_code_for(input.error());
  }
  SystemClock clock;
  Engine engine(
      installation.registry, set.catalog, clock,
      EngineOptions{installation.config.scheduler_threads, installation.config.plugin_threads});
  auto id = engine.start(file.loaded.workflow, std::move(*input));
  if (!id) {
    err << "coalition run: " << options.input_file << ": " << id.error().to_string() << "\n";
    return exit_code_for(id.error());
  }
  // Run until finished, or until the only thing left is a wait longer than the budget.
  for (;;) {
    engine.wait_idle();
    auto s = engine.snapshot(*id);
    if (s->status != ExecutionStatus::kRunning) break;
    auto due = clock.next_due();
    if (!due || *due - clock.now() > *budget) break;
    std::this_thread::sleep_until(*due + std::chrono::milliseconds(1));
  }
  auto snapshot = *engine.snapshot(*id);
  json doc = snapshot_json(snapshot);
  if (options.json) {
    out << doc.dump(2) << "\n";
  } else {
    print_text(doc, snapshot, out);
  }
  return snapshot.status == ExecutionStatus::kFailed ? 1 : kExitOk;
}

}  // namespace coalition::cli
