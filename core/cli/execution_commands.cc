#include "cli/execution_commands.h"

#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>

#include "app/bulk_start.h"
#include "app/execution_actions.h"
#include "app/execution_documents.h"
#include "app/task_actions.h"
#include "auth/principal.h"
#include "cli/audit_commands.h"
#include "cli/document_printing.h"
#include "cli/exit_code.h"
#include "cli/instant_option.h"
#include "cli/json_input.h"
#include "cli/real_time_loop.h"
#include "cli/workflow_to_run.h"
#include "common/json_text.h"
#include "common/text_field.h"
#include "common/utc_time.h"
#include "workflow/data_template.h"

namespace coalition::cli {

using nlohmann::json;

int fail(std::ostream& err, const std::string& command, const Error& error) {
  err << "coalition " << command << ": " << error.to_string() << "\n";
  return exit_code_for(error);
}

// Status, history, tasks and audit only read: no lock, no engine, beside a running worker.
Result<std::unique_ptr<Session>> open_for_reading(const ExecutionCommandOptions& o,
                                                  const Installation& installation) {
  SessionOptions so = o.session;
  so.act = false;
  return Session::open(installation, so);
}

Result<TimePoint> command_time(const ExecutionCommandOptions& o) {
  if (o.session.now.empty()) return utc_now();
  auto at = parse_instant_text(o.session.now, "--now", DateAlone::kRefused, TimeZone::utc());
  if (!at) return std::move(at).error();
  return at->at;
}

Result<OpenedExecution> open_execution(const ExecutionCommandOptions& o,
                                       const Installation& installation) {
  auto s = open_for_reading(o, installation);
  if (!s) return std::move(s).error();
  auto view = app::view_execution((*s)->store(), (*s)->catalog(), o.execution);
  if (!view) return std::move(view).error();
  OpenedExecution opened;
  static_cast<app::ExecutionView&>(opened) = std::move(*view);
  opened.session = std::move(*s);
  if (!o.view.empty()) {
    opened.clearance = opened.policy->clearance(o.view);
    opened.as_role = o.view;
  }
  return opened;
}

// At the engine's own terminal, identity is what the command line says: an asserted identity,
// marked so in the audit log.
namespace {

Principal asserted(const ExecutionCommandOptions& o) {
  return asserted_principal(o.actor, o.role, o.organisation);
}

}  // namespace

namespace {

// start --each: one execution per item, the batch checked whole first (app/bulk_start.h).
int run_bulk_start(const ExecutionCommandOptions& o, const Installation& installation,
                   SessionOptions session, std::ostream& out, std::ostream& err) {
  if (o.batch.empty()) {
    return fail(err, "start",
                Error::invalid_argument("--each needs --batch NAME: the batch's name makes "
                                        "running it again start only what is missing"));
  }
  if (o.key.empty()) {
    return fail(err, "start",
                Error::invalid_argument("--each needs --key POINTER: what names an item in the "
                                        "batch whatever its place in the list, such as /item/id "
                                        "(/index only for a list that never changes)"));
  }
  if (o.count != 1) {
    return fail(err, "start", Error::invalid_argument("--count and --each do not go together"));
  }
  if (o.each == "-" && o.input_file == "-") {
    return fail(
        err, "start",
        Error::invalid_argument("--each - and --input -: standard input holds one of them"));
  }
  auto items = read_json_input("--each", o.each, std::cin);
  if (!items) return fail(err, "start", items.error());
  app::BulkStart request;
  const auto& workflow = session.workflows.front();
  request.workflow = workflow->id;
  request.version = workflow->version;
  request.items = *items;
  if (!o.items.empty()) {
    const json* list = find_at(*items, o.items);
    if (list == nullptr) {
      return fail(
          err, "start",
          Error::invalid_data("--items: " + o.each + " has nothing at " + o.items, o.items));
    }
    request.items = *list;
  }
  if (!o.input_file.empty()) {
    auto input = read_json_input("--input", o.input_file, std::cin);
    if (!input) return fail(err, "start", input.error());
    request.input_template = std::move(*input);
  }
  if (!o.where.empty()) {
    auto where = read_data(o.where);
    if (!where) return fail(err, "start", where.error());
    request.where = std::move(*where);
  }
  request.key = o.key;
  request.batch = o.batch;
  request.dry_run = o.dry_run;
  session.act = !o.dry_run;
  auto s = Session::open(installation, session);
  if (!s) return fail(err, "start", s.error());
  auto started = app::start_each(**s, asserted(o), request);
  if (!o.dry_run) {
    if (auto c = (*s)->close(); !c) return fail(err, "start", c.error());
  }
  if (!started) return fail(err, "start", started.error());
  size_t created = 0;
  for (const auto& item : started->items) created += item.created ? 1 : 0;
  if (o.json) {
    json list = json::array();
    for (const auto& item : started->items) {
      list.push_back(
          {{"index", item.index}, {"key", item.key}, {"id", item.id}, {"created", item.created}});
    }
    out << json{{"batch", o.batch},
                {"dry_run", o.dry_run},
                {"executions", list},
                {"started", created},
                {"already_started", started->items.size() - created},
                {"skipped", started->skipped}}
               .dump(2)
        << "\n";
    return kExitOk;
  }
  const char* fresh = o.dry_run ? "would start" : "started";
  for (const auto& item : started->items) {
    out << printable(item.key) << "  " << item.id << "  "
        << (item.created ? fresh : "already started") << "\n";
  }
  out << "batch " << printable(o.batch) << ": " << created << " " << fresh << ", "
      << started->items.size() - created << " already started, " << started->skipped
      << " left out by --where\n";
  return kExitOk;
}

}  // namespace

int run_start_command(const ExecutionCommandOptions& o, const Installation& installation,
                      std::ostream& out, std::ostream& err) {
  SessionOptions session = o.session;
  if (int code = load_workflow_to_run(o.workflow_file, installation, err, session.workflows)) {
    return code;
  }
  if (!o.each.empty()) return run_bulk_start(o, installation, std::move(session), out, err);
  const auto max_count = static_cast<int64_t>(installation.config.limits.start_count);
  if (o.count < 1 || o.count > max_count) {
    return fail(err, "start",
                Error::invalid_argument("--count: from 1 to " + std::to_string(max_count) +
                                        " (limits.start_count), not " + std::to_string(o.count)));
  }
  json input = json::object();
  if (!o.input_file.empty()) {
    auto data = read_json_input("--input", o.input_file, std::cin);
    if (!data) return fail(err, "start", data.error());
    input = std::move(*data);
  }
  auto s = Session::open(installation, session);
  if (!s) return fail(err, "start", s.error());
  const auto& workflow = session.workflows.front();
  json ids = json::array();
  for (int64_t i = 0; i < o.count; ++i) {
    app::StartRequest request{workflow->id, workflow->version, input, "", /*run=*/false};
    auto started = app::start_execution(**s, asserted(o), request);
    if (!started) return fail(err, "start", started.error());
    ids.push_back(started->id);
  }
  if (auto c = (*s)->close(); !c) return fail(err, "start", c.error());
  if (o.json) {
    out << json{{"executions", ids}}.dump(2) << "\n";
  } else {
    for (const auto& id : ids) out << id.get<std::string>() << "\n";
  }
  return kExitOk;
}

int run_status_command(const ExecutionCommandOptions& o, const Installation& installation,
                       std::ostream& out, std::ostream& err) {
  auto view = open_execution(o, installation);
  if (!view) return fail(err, "status", view.error());
  auto status = app::status_document(*view);
  if (!status) return fail(err, "status", status.error());
  if (o.json) {
    out << status->dump(2) << "\n";
    return kExitOk;
  }
  print_status(*status, out);
  return kExitOk;
}

int run_history_command(const ExecutionCommandOptions& o, const Installation& installation,
                        std::ostream& out, std::ostream& err) {
  auto view = open_execution(o, installation);
  if (!view) return fail(err, "history", view.error());
  auto doc = app::history_document(*view);
  if (!doc) return fail(err, "history", doc.error());
  if (o.json) {
    out << doc->dump(2) << "\n";
  } else {
    print_history(*doc, out);
  }
  return kExitOk;
}

int run_tasks_command(const ExecutionCommandOptions& o, const Installation& installation,
                      std::ostream& out, std::ostream& err) {
  auto s = open_for_reading(o, installation);
  if (!s) return fail(err, "tasks", s.error());
  TaskFilter filter{o.execution, o.role, !o.all};
  filter.organisation = normal_name(o.organisation);
  filter.assignee = normal_name(o.assignee);
  // "Due before 2025-05-10" leaves that day out: the start of the day, in UTC.
  auto due_before = instant_option("--due-before", o.due_before, DateAlone::kStartOfDay, err);
  if (!due_before) return fail(err, "tasks", due_before.error());
  filter.due_before = *due_before;
  // Overdue at the store's own instant: its virtual time in a rehearsal.
  if (o.overdue) {
    filter.due_by = (*s)->clock().now();
    filter.open_only = true;  // a closed task is late no longer
  }
  auto tasks = (*s)->store().tasks(filter);
  if (!tasks) return fail(err, "tasks", tasks.error());
  if (o.json) {
    json list = json::array();
    for (const auto& t : *tasks) {
      json doc = t.doc;
      doc["status"] = t.status;
      list.push_back(std::move(doc));
    }
    out << json{{"tasks", list}}.dump(2) << "\n";
    return kExitOk;
  }
  if (tasks->empty()) out << "no open tasks\n";
  for (const auto& t : *tasks) {
    if (o.all) out << t.status << "  ";
    print_task_line(t.doc, out);
  }
  return kExitOk;
}

int run_complete_command(const ExecutionCommandOptions& o, const Installation& installation,
                         std::ostream& out, std::ostream& err) {
  auto data = read_data(o.data);
  if (!data) return fail(err, "complete", data.error());
  auto s = Session::open(installation, o.session);
  if (!s) return fail(err, "complete", s.error());
  auto task = app::complete_task(**s, asserted(o), o.task, *data, o.role);
  if (auto c = (*s)->close(); !c) return fail(err, "complete", c.error());
  if (!task) return fail(err, "complete", task.error());
  if (o.json) {
    out << task->dump(2) << "\n";
  } else {
    out << "completed " << o.task << " as " << o.actor << " (" << o.role
        << "): " << (*task)["completions"].size() << "/" << task->value("quorum", 1) << " done\n";
  }
  return kExitOk;
}

int run_signal_command(const ExecutionCommandOptions& o, const Installation& installation,
                       std::ostream& out, std::ostream& err) {
  auto data = read_data(o.data);
  if (!data) return fail(err, "signal", data.error());
  auto s = Session::open(installation, o.session);
  if (!s) return fail(err, "signal", s.error());
  Status sent = app::send_signal(**s, asserted(o), o.execution, o.name, *data);
  if (auto c = (*s)->close(); !c) return fail(err, "signal", c.error());
  if (!sent) return fail(err, "signal", sent.error());
  out << "delivered signal " << o.name << " to " << o.execution << "\n";
  return kExitOk;
}

int run_extend_command(const ExecutionCommandOptions& o, const Installation& installation,
                       std::ostream& out, std::ostream& err) {
  // The text is checked before the store is opened: a typo costs no lock and no session.
  if (auto checked = parse_instant_text(o.to, "--to", DateAlone::kEndOfDay, TimeZone::utc());
      !checked) {
    return fail(err, "extend", checked.error());
  }
  auto s = Session::open(installation, o.session);
  if (!s) return fail(err, "extend", s.error());
  const Principal by = asserted(o);
  auto due = app::read_new_due(**s, by, o.task, o.to, "--to");
  Status moved = due ? app::extend_deadline(**s, by, o.task, due->at, o.justification, o.role)
                     : Status(due.error());
  if (auto c = (*s)->close(); !c) return fail(err, "extend", c.error());
  if (!moved) return fail(err, "extend", moved.error());
  out << "task " << o.task << " is now due " << format_utc(due->at);
  if (!due->reading.empty()) out << ": " << due->reading;
  out << "\n";
  return kExitOk;
}

int run_tick_command(const ExecutionCommandOptions& o, const Installation& installation,
                     std::ostream& out, std::ostream& err) {
  SessionOptions so = o.session;
  so.manual_clock = true;
  if (so.now.empty()) so.now = format_utc(utc_now());
  auto s = Session::open(installation, so);  // fires what is due up to --now, in order
  if (!s) return fail(err, "tick", s.error());
  if (auto c = (*s)->close(); !c) return fail(err, "tick", c.error());
  out << "tick to " << format_utc((*s)->clock().now()) << ": " << (*s)->timers_fired()
      << " timer(s) fired, " << (*s)->schedule_runs() << " scheduled run(s) started\n";
  return kExitOk;
}

// Real time until SIGTERM or SIGINT (cli/real_time_loop.h); then plugin calls in flight
// finish, everything is committed, exit 0.
int run_worker_command(const ExecutionCommandOptions& o, const Installation& installation,
                       std::ostream& out, std::ostream& err) {
  const sigset_t stop = block_stop_signals();
  auto s = Session::open(installation, o.session);
  if (!s) return fail(err, "worker", s.error());
  RealTimeLoop loop(**s, installation, stop, "coalition worker", err);
  loop.report_recovery();
  Status ran =
      loop.run([&] { return o.until_idle && (*s)->engine().idle() && !(*s)->clock().next_due(); });
  if (!ran) return fail(err, "worker", ran.error());
  (*s)->engine().wait_idle();
  loop.finish();
  if (auto c = (*s)->close(); !c) return fail(err, "worker", c.error());
  out << "worker stopped\n";
  return kExitOk;
}

}  // namespace coalition::cli
