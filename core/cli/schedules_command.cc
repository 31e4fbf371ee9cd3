#include "cli/schedules_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <ostream>

#include "app/schedule_actions.h"
#include "app/workflow_actions.h"
#include "cli/command_options.h"
#include "cli/exit_code.h"
#include "cli/json_input.h"
#include "cli/workflow_to_run.h"
#include "common/utc_time.h"

namespace coalition::cli {
namespace {

using nlohmann::json;

// The operator at the engine's terminal, under the name --as gives (default "operator").
Principal schedule_operator(const std::string& actor) {
  return asserted_principal(actor.empty() ? "operator" : actor, "", "");
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

int run_schedules_add(const ScheduleAddOptions& o, const Installation& installation,
                      std::ostream& out, std::ostream& err) {
  auto doc = read_json_input("FILE", o.file, std::cin);
  if (!doc) return fail(err, "schedules add", doc.error());
  std::vector<std::shared_ptr<const Workflow>> workflows;
  if (!o.workflow_file.empty()) {
    if (int code = load_workflow_to_run(o.workflow_file, installation, err, workflows)) {
      return code;
    }
  }
  auto s = Session::open(installation, o.session);
  if (!s) return fail(err, "schedules add", s.error());
  if (!workflows.empty()) {
    // Stored before the schedule names it: the process that runs the schedule finds it there.
    Principal registrar = schedule_operator(o.actor);
    registrar.admin = true;  // whoever holds the store file at its terminal
    Problems problems;
    auto registered =
        app::register_workflow(**s, registrar, workflows.front()->document.dump(), &problems);
    if (!registered) return fail(err, "schedules add", registered.error());
  }
  auto change = app::add_schedule(**s, schedule_operator(o.actor), *doc);
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

int run_schedules_list(const ScheduleListOptions& o, const Installation& installation,
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

int run_schedules_pause(const ScheduleChangeOptions& o, bool paused,
                        const Installation& installation, std::ostream& out, std::ostream& err) {
  const std::string command = paused ? "schedules pause" : "schedules resume";
  auto s = Session::open(installation, o.session);
  if (!s) return fail(err, command, s.error());
  auto record = app::set_schedule_paused(**s, schedule_operator(o.actor), o.id, paused);
  if (!record) return fail(err, command, record.error());
  if (auto c = (*s)->close(); !c) return fail(err, command, c.error());
  if (o.json) {
    out << app::schedule_json(*record).dump(2) << "\n";
  } else {
    print_schedule(*record, out);
  }
  return kExitOk;
}

void define_schedules_add(CommandOptions& c, ScheduleAddOptions& o) {
  c.app().add_option("FILE", o.file, "Schedule file (or - for stdin)")->required();
  c.app().add_option("--workflow", o.workflow_file, "Register this workflow file first");
  c.local_only(c.person("--as", o.actor, "Who adds it (default: operator)"));
  c.json(o.json);
  c.session(o.session);
}

void define_schedule_change(CommandOptions& c, ScheduleChangeOptions& o) {
  c.name("ID", o.id, "Schedule id")->required();
  c.local_only(c.person("--as", o.actor, "Who does it (default: operator)"));
  c.json(o.json);
  c.session(o.session);
}

}  // namespace

Command schedules_add_command() {
  return make_command<ScheduleAddOptions>(
      {.path = "schedules add",
       .help = "Add a schedule (or change the one with its id)",
       .define = define_schedules_add,
       .run = [](const ScheduleAddOptions& o, const CommandContext& c) {
         return run_schedules_add(o, *c.installation, *c.out, *c.err);
       }});
}

Command schedules_list_command() {
  return make_command<ScheduleListOptions>(
      {.path = "schedules list",
       .help = "List the schedules",
       .define =
           [](CommandOptions& c, ScheduleListOptions& o) {
             c.json(o.json);
             c.store(o.session.store);
           },
       .run =
           [](const ScheduleListOptions& o, const CommandContext& c) {
             return run_schedules_list(o, *c.installation, *c.out, *c.err);
           }});
}

Command schedules_pause_command() {
  return make_command<ScheduleChangeOptions>(
      {.path = "schedules pause",
       .help = "Pause a schedule: no run starts until resumed",
       .define = define_schedule_change,
       .run = [](const ScheduleChangeOptions& o, const CommandContext& c) {
         return run_schedules_pause(o, true, *c.installation, *c.out, *c.err);
       }});
}

Command schedules_resume_command() {
  return make_command<ScheduleChangeOptions>(
      {.path = "schedules resume",
       .help = "Resume a schedule from its next occurrence after now",
       .define = define_schedule_change,
       .run = [](const ScheduleChangeOptions& o, const CommandContext& c) {
         return run_schedules_pause(o, false, *c.installation, *c.out, *c.err);
       }});
}

}  // namespace coalition::cli
