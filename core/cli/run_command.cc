#include "cli/run_command.h"

#include <CLI/CLI.hpp>
#include "cli/command_options.h"

#include <fmt/format.h>

#include <iostream>
#include <sstream>
#include <thread>

#include "cli/exit_code.h"
#include "cli/json_input.h"
#include "cli/workflow_to_run.h"
#include "common/json_text.h"
#include "common/text_field.h"
#include "runtime/engine.h"

namespace coalition::cli {

using nlohmann::json;

namespace {

json snapshot_json(const ExecutionRecord& r) {
  json doc{{"id", r.id},
           {"workflow", r.workflow_id + "@" + std::to_string(r.workflow_version)},
           {"status", r.status}};
  doc["output"] = r.result.output.value_or(nullptr);
  if (r.result.error) doc["error"] = to_json(*r.result.error);
  return doc;
}

// The history as counts per event type, read as counts: a map over 100,000 items has 300,000
// events, which the text summary has no reason to load.
void print_text(const json& doc, const std::map<EventType, size_t>& counts, std::ostream& out) {
  out << "execution " << doc["id"].get<std::string>() << " (" << doc["workflow"].get<std::string>()
      << "): " << doc["status"].get<std::string>() << "\n";
  if (doc["status"] == nlohmann::json(ExecutionStatus::kSucceeded))
    out << "output: " << doc["output"].dump(2) << "\n";
  if (doc.contains("error")) {
    // The pointer names the place that is wrong (a parameter, a field of the input).
    const std::string pointer = doc["error"].value("pointer", "");
    out << "error: " << printable(doc["error"].value("code", "")) << ": "
        << (pointer.empty() ? "" : printable(pointer) + ": ")
        << printable(doc["error"].value("message", "")) << "\n";
  }
  std::map<std::string_view, size_t> by_name;  // in the order of the names, as before
  size_t total = 0;
  for (const auto& [type, n] : counts) {
    by_name[to_string(type)] = n;
    total += n;
  }
  out << "history: " << total << " events";
  for (const auto& [type, n] : by_name) out << ", " << type << " " << n;
  out << "\n";
}

Result<json> read_input(const RunOptions& options, std::istream& in) {
  if (options.input_file.empty()) return json::object();
  return read_json_input("--input", options.input_file, in);
}

}  // namespace

int run_run_command(const RunOptions& options, const Installation& installation, std::istream& in,
                    std::ostream& out, std::ostream& err) {
  auto budget = parse_duration(options.wait_up_to);
  if (!budget) {
    err << "coalition run: --wait-up-to: " << budget.error().message() << "\n";
    return kExitUsage;
  }
  SessionOptions session = options.session;
  if (int code =
          load_workflow_to_run(options.workflow_file, installation, err, session.workflows)) {
    return code;
  }
  auto input = read_input(options, in);
  if (!input) {
    err << "coalition run: " << input.error().to_string() << "\n";
    return exit_code_for(input.error());
  }
  auto opened = Session::open(installation, session);
  if (!opened) {
    err << "coalition run: " << opened.error().to_string() << "\n";
    return exit_code_for(opened.error());
  }
  Session& s = **opened;
  auto workflow =
      s.catalog().find(session.workflows.front()->id, session.workflows.front()->version);
  auto id = s.engine().start(workflow, std::move(*input), options.id, options.actor);
  if (!id) {
    err << "coalition run: " << id.error().to_string() << "\n";
    return exit_code_for(id.error());
  }
  // Run until finished, or until the only thing left is a wait longer than the budget (real
  // time) or later than --now (virtual time). The execution's own next due time, as committed,
  // decides: the clock's pending calls do not — a timer the clock has just taken off its list,
  // whose call is still on its way to the engine, would look like nothing left to do, and an
  // execution parked in the store waits on a wake-up call instead of its own timers. A due time
  // already past that nothing acts on (the engine could not reload the execution: its log says
  // why) is waited on for a few seconds, never spun on for ever.
  constexpr int kStalledPasses = 500;  // of 10 ms without a change
  int stalled = 0;
  std::optional<TimePoint> last_due;
  TimePoint last_update{};
  for (;;) {
    if (auto settled = s.settle(); !settled) {
      err << "coalition run: " << settled.error().to_string() << "\n";
      return exit_code_for(settled.error());
    }
    if (s.manual_clock() != nullptr) break;
    auto record = s.store().execution(*id);
    if (!record || !*record) break;  // reported below
    if (is_finished((*record)->status)) break;
    const auto due = (*record)->next_due;
    const TimePoint now = s.clock().now();
    if (!due || *due - now > *budget) break;
    if (*due < now) {
      const bool changed = due != last_due || (*record)->updated_at != last_update;
      last_due = due;
      last_update = (*record)->updated_at;
      stalled = changed ? 0 : stalled + 1;
      if (stalled > kStalledPasses) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    stalled = 0;
    std::this_thread::sleep_until(*due + std::chrono::milliseconds(1));
  }
  if (auto closed = s.close(); !closed) {
    err << "coalition run: " << closed.error().to_string() << "\n";
    return exit_code_for(closed.error());
  }
  auto record = s.store().execution(*id);
  if (!record || !*record) {
    err << "coalition run: cannot read execution " << *id << " back from the store\n";
    return kExitIoError;
  }
  json doc = snapshot_json(**record);
  if (options.json) {
    auto history = s.store().history(*id);
    if (!history) {
      err << "coalition run: cannot read execution " << *id << " back from the store\n";
      return kExitIoError;
    }
    json events = json::array();
    for (const auto& e : *history) events.push_back(e.to_json());
    doc["history"] = std::move(events);
    out << doc.dump(2) << "\n";
  } else {
    auto counts = s.store().event_counts(*id);
    if (!counts) {
      err << "coalition run: cannot read execution " << *id << " back from the store\n";
      return kExitIoError;
    }
    print_text(doc, *counts, out);
  }
  return (*record)->status == ExecutionStatus::kFailed ? 1 : kExitOk;
}

Command run_command() {
  return make_command<RunOptions>(
      {.path = "run",
       .help = "Run a workflow in this process",
       .media = MediaScan::kByEngine,
       .define =
           [](CommandOptions& c, RunOptions& o) {
             CLI::App& app = c.app();
             app.add_option("FILE", o.workflow_file, "Workflow file")->required();
             app.add_option("--input", o.input_file, "Input JSON file, or - for standard input");
             c.json(o.json, "Print one JSON object");
             app.add_option("--wait-up-to", o.wait_up_to,
                            "Keep running through timers due within this ISO 8601 duration "
                            "(PT1M)");
             c.person("--as", o.actor, "Who starts it (the initiator)");
             c.name("--id", o.id, "Execution id (default: a fresh one)");
             c.session(o.session);
           },
       .run =
           [](const RunOptions& o, const CommandContext& c) {
             return run_run_command(o, *c.installation, *c.in, *c.out, *c.err);
           }});
}

}  // namespace coalition::cli
