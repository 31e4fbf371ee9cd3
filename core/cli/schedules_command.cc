#include "cli/schedules_command.h"

#include <fmt/format.h>

#include <iostream>
#include <ostream>

#include "app/schedule_actions.h"
#include "app/workflow_actions.h"
#include "cli/exit_code.h"
#include "cli/json_input.h"
#include "cli/workflow_to_run.h"
#include "common/utc_time.h"

namespace coalition::cli {
namespace {

using nlohmann::json;

// The operator at the engine's terminal, under the name --as gives (default "operator").
Principal schedule_operator(const ExecutionCommandOptions& o) {
  Principal p = asserted_principal(o.actor.empty() ? "operator" : o.actor, o.role, o.organisation);
  return p;
}

void print_schedule(const ScheduleRecord& r, std::ostream& out) {
  const json when = r.definition.value("when", json::object());
  const std::string rule =
      when.contains("cron")
          ? fmt::format("cron '{}' {}", when.value("cron", ""), when.value("time_zone", "UTC"))
          : fmt::format("business day {} of each {} under {} at {}", when.value("business_day", 0),
                        when.value("of", "month"), when.value("calendar", ""),
                        when.value("at", "09:00"));
  out << fmt::format("{}  {}  {}  ", r.id, r.definition.value("workflow", ""), rule);
  if (r.paused) {
    out << "paused";
  } else {
    out << "next " << r.next_period << " at " << format_utc(r.next_at);
  }
  out << fmt::format("  runs {}", r.runs);
  if (r.skipped > 0) out << fmt::format(", skipped {}", r.skipped);
  if (r.last_at) out << "  last " << r.last_period << " → " << r.last_execution;
  if (!r.last_error.empty()) out << "  — " << r.last_error;
  out << "\n";
}

}  // namespace

int run_schedules_add(const SchedulesOptions& so, const ExecutionCommandOptions& o,
                      const Installation& installation, std::ostream& out, std::ostream& err) {
  auto doc = read_json_input("FILE", so.file, std::cin);
  if (!doc) return fail(err, "schedules add", doc.error());
  std::vector<std::shared_ptr<const Workflow>> workflows;
  if (!so.workflow_file.empty()) {
    if (int code = load_workflow_to_run(so.workflow_file, installation, err, workflows)) {
      return code;
    }
  }
  auto s = Session::open(installation, o.session);
  if (!s) return fail(err, "schedules add", s.error());
  if (!workflows.empty()) {
    // Stored before the schedule names it: the process that runs the schedule finds it there.
    Principal registrar = schedule_operator(o);
    registrar.admin = true;  // whoever holds the store file at its terminal
    Problems problems;
    auto registered =
        app::register_workflow(**s, registrar, workflows.front()->document.dump(), &problems);
    if (!registered) return fail(err, "schedules add", registered.error());
  }
  auto change = app::add_schedule(**s, schedule_operator(o), *doc);
  if (!change) return fail(err, "schedules add", change.error());
  if (auto c = (*s)->close(); !c) return fail(err, "schedules add", c.error());
  if (o.json) {
    json shown = app::schedule_json(change->record);
    shown["created"] = change->created;
    shown["changed"] = change->changed;
    out << shown.dump(2) << "\n";
    return kExitOk;
  }
  out << (change->created ? "added " : change->changed ? "changed " : "unchanged ");
  print_schedule(change->record, out);
  return kExitOk;
}

int run_schedules_list(const ExecutionCommandOptions& o, const Installation& installation,
                       std::ostream& out, std::ostream& err) {
  SessionOptions session = o.session;
  session.act = false;
  auto s = Session::open(installation, session);
  if (!s) return fail(err, "schedules", s.error());
  auto all = (*s)->store().schedules();
  if (!all) return fail(err, "schedules", all.error());
  if (o.json) {
    json list = json::array();
    for (const auto& r : *all) list.push_back(app::schedule_json(r));
    out << json{{"schedules", std::move(list)}}.dump(2) << "\n";
    return kExitOk;
  }
  for (const auto& r : *all) print_schedule(r, out);
  if (all->empty()) out << "no schedules\n";
  return kExitOk;
}

int run_schedules_pause(const SchedulesOptions& so, bool paused, const ExecutionCommandOptions& o,
                        const Installation& installation, std::ostream& out, std::ostream& err) {
  const std::string command = paused ? "schedules pause" : "schedules resume";
  auto s = Session::open(installation, o.session);
  if (!s) return fail(err, command, s.error());
  auto record = app::set_schedule_paused(**s, schedule_operator(o), so.id, paused);
  if (!record) return fail(err, command, record.error());
  if (auto c = (*s)->close(); !c) return fail(err, command, c.error());
  if (o.json) {
    out << app::schedule_json(*record).dump(2) << "\n";
  } else {
    print_schedule(*record, out);
  }
  return kExitOk;
}

}  // namespace coalition::cli
