#include "cli/execution_commands.h"

#include <CLI/CLI.hpp>
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
#include "cli/command_options.h"
#include "cli/document_printing.h"
#include "cli/exit_code.h"
#include "cli/instant_option.h"
#include "cli/json_input.h"
#include "cli/real_time_loop.h"
#include "cli/remote_commands.h"
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
Result<std::unique_ptr<Session>> open_for_reading(const SessionOptions& session,
                                                  const Installation& installation) {
  SessionOptions so = session;
  so.act = false;
  return Session::open(installation, so);
}

Result<TimePoint> command_time(const SessionOptions& session) {
  if (session.now.empty()) return utc_now();
  auto at = parse_instant_text(session.now, "--now", DateAlone::kRefused, TimeZone::utc());
  if (!at) return std::move(at).error();
  return at->at;
}

Result<OpenedExecution> open_execution(const SessionOptions& session, const std::string& execution,
                                       const std::string& view_as,
                                       const Installation& installation) {
  auto s = open_for_reading(session, installation);
  if (!s) return std::move(s).error();
  auto view = app::view_execution((*s)->store(), (*s)->catalog(), execution);
  if (!view) return std::move(view).error();
  OpenedExecution opened;
  static_cast<app::ExecutionView&>(opened) = std::move(*view);
  opened.session = std::move(*s);
  if (!view_as.empty()) {
    opened.clearance = opened.policy->clearance(view_as);
    opened.as_role = view_as;
  }
  return opened;
}

namespace {

// start --each: one execution per item, the batch checked whole first (app/bulk_start.h).
int run_bulk_start(const StartOptions& o, const Installation& installation, SessionOptions session,
                   std::ostream& out, std::ostream& err) {
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
  auto started = app::start_each(**s, asserted_principal(o.actor, "", ""), request);
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

int run_start_command(const StartOptions& o, const Installation& installation, std::ostream& out,
                      std::ostream& err) {
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
    auto started = app::start_execution(**s, asserted_principal(o.actor, "", ""), request);
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

int run_status_command(const ReadOptions& o, const Installation& installation, std::ostream& out,
                       std::ostream& err) {
  auto view = open_execution(o.session, o.execution, o.view, installation);
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

int run_history_command(const ReadOptions& o, const Installation& installation, std::ostream& out,
                        std::ostream& err) {
  auto view = open_execution(o.session, o.execution, o.view, installation);
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

int run_tasks_command(const TasksOptions& o, const Installation& installation, std::ostream& out,
                      std::ostream& err) {
  auto s = open_for_reading(o.session, installation);
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

int run_complete_command(const CompleteOptions& o, const Installation& installation,
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

int run_signal_command(const SignalOptions& o, const Installation& installation, std::ostream& out,
                       std::ostream& err) {
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

int run_extend_command(const ExtendOptions& o, const Installation& installation, std::ostream& out,
                       std::ostream& err) {
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

int run_tick_command(const TickOptions& o, const Installation& installation, std::ostream& out,
                     std::ostream& err) {
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
int run_worker_command(const WorkerOptions& o, const Installation& installation, std::ostream& out,
                       std::ostream& err) {
  const sigset_t stop = block_stop_signals();
  SessionOptions so = o.session;
  so.adopt = true;  // on PostgreSQL: a node like a server's, without the HTTP API
  auto s = Session::open(installation, so);
  if (!s) return fail(err, "worker", s.error());
  RealTimeLoop loop(**s, installation, stop, "coalition worker", err);
  loop.report_recovery();
  Status ran = loop.run([&] { return o.until_idle && (*s)->engine().settled(); });
  if (!ran) return fail(err, "worker", ran.error());
  (*s)->engine().wait_idle();
  loop.finish();
  if (auto c = (*s)->close(); !c) return fail(err, "worker", c.error());
  out << "worker stopped\n";
  return kExitOk;
}

// --each reads its items and starts through a store.
Status check_start(const StartOptions& o, bool through_server) {
  if (!through_server || o.each.empty()) return ok_status();
  return Error::invalid_argument(
      "--each reads and starts through a store; over --server, start each execution on its own");
}

void define_start(CommandOptions& c, StartOptions& o) {
  CLI::App& app = c.app();
  app.add_option("FILE", o.workflow_file, "Workflow file")->required();
  app.add_option("--input", o.input_file, "Input JSON file");
  app.add_option("--count", o.count, "How many executions to start (default 1)");
  c.local_only(c.person("--as", o.actor, "Who starts them (the initiator)"));
  c.json(o.json);
  auto* each = app.add_option("--each", o.each,
                              "One execution per item of the list in this JSON file (or -); "
                              "--input is then a template over {item, index}");
  app.add_option("--items", o.items, "With --each: the pointer to the list in the file")
      ->needs(each);
  app.add_option("--where", o.where,
                 "With --each: only items this condition holds for (JSON or a file)")
      ->needs(each);
  app.add_option("--key", o.key,
                 "With --each: what names an item in the batch, a pointer such as /item/id")
      ->needs(each);
  c.name("--batch", o.batch,
         "With --each: the batch's name; running it again starts only what is missing")
      ->needs(each);
  app.add_flag("--dry-run", o.dry_run, "With --each: say what would start; start nothing")
      ->needs(each);
  c.session(o.session);
}

}  // namespace

void define_read(CommandOptions& c, ReadOptions& o) {
  c.name("EXECUTION", o.execution, "Execution id")->required();
  c.json(o.json);
  c.view(o.view, "Show only what this role may see (the workflow's visibility classes)");
  c.store(o.session.store);
}

namespace {

void define_tasks(CommandOptions& c, TasksOptions& o) {
  CLI::App& app = c.app();
  c.name("--execution", o.execution, "Only this execution's tasks");
  c.person("--role", o.role, "Only tasks this role may complete");
  c.person("--org", o.organisation, "Only tasks of this organisation");
  c.name("--assignee", o.assignee, "Only tasks this person holds (has claimed)");
  app.add_option("--due-before", o.due_before,
                 "Only tasks due before this RFC 3339 instant, or before this date (UTC)");
  app.add_flag("--overdue", o.overdue, "Only open tasks past their due time");
  app.add_flag("--all", o.all, "Include completed, cancelled and expired tasks");
  c.json(o.json);
  c.store(o.session.store);
  c.now(o.session.now, "Judge lateness (--overdue) at this RFC 3339 instant; moves nothing");
}

void define_complete(CommandOptions& c, CompleteOptions& o) {
  c.name("TASK", o.task, "Task id")->required();
  c.acting(o.actor, o.role, o.organisation);
  c.app().add_option("--data", o.data, "The answer: JSON text or a file holding it");
  c.json(o.json, "Print the task as JSON");
  c.session(o.session);
}

void define_signal(CommandOptions& c, SignalOptions& o) {
  c.name("EXECUTION", o.execution, "Execution id")->required();
  c.name("NAME", o.name, "Signal name")->required();
  c.app().add_option("--data", o.data, "Payload: JSON text or a file holding it");
  c.acting(o.actor, o.role, o.organisation);
  c.session(o.session);
}

void define_extend(CommandOptions& c, ExtendOptions& o) {
  c.name("TASK", o.task, "Task id")->required();
  c.app()
      .add_option(
          "--to", o.to,
          "New due instant (RFC 3339), or a date: the end of that day in the task calendar's zone")
      ->required();
  c.reason("--justification", o.justification, "Why")->required();
  c.acting(o.actor, o.role, o.organisation);
  c.session(o.session);
}

}  // namespace

Command start_command() {
  return make_command<StartOptions>({.path = "start",
                                     .help = "Record new executions for a worker to run",
                                     .media = MediaScan::kByEngine,
                                     .define = define_start,
                                     .check = check_start,
                                     .run =
                                         [](const StartOptions& o, const CommandContext& c) {
                                           return run_start_command(o, *c.installation, *c.out,
                                                                    *c.err);
                                         },
                                     .remote = remote_start});
}

Command status_command() {
  return make_command<ReadOptions>({.path = "status",
                                    .help = "Show an execution's state and open tasks",
                                    .define = define_read,
                                    .run =
                                        [](const ReadOptions& o, const CommandContext& c) {
                                          return run_status_command(o, *c.installation, *c.out,
                                                                    *c.err);
                                        },
                                    .remote = remote_read});
}

Command history_command() {
  return make_command<ReadOptions>({.path = "history",
                                    .help = "Show an execution's events in order",
                                    .define = define_read,
                                    .run =
                                        [](const ReadOptions& o, const CommandContext& c) {
                                          return run_history_command(o, *c.installation, *c.out,
                                                                     *c.err);
                                        },
                                    .remote = remote_read});
}

Command tasks_command() {
  return make_command<TasksOptions>({.path = "tasks",
                                     .help = "List open human tasks, earliest due first",
                                     .define = define_tasks,
                                     .run =
                                         [](const TasksOptions& o, const CommandContext& c) {
                                           return run_tasks_command(o, *c.installation, *c.out,
                                                                    *c.err);
                                         },
                                     .remote = remote_tasks});
}

Command complete_command() {
  return make_command<CompleteOptions>({.path = "complete",
                                        .help = "Complete a human task",
                                        .naming = Naming::kActorAndRole,
                                        .media = MediaScan::kByEngine,
                                        .define = define_complete,
                                        .run =
                                            [](const CompleteOptions& o, const CommandContext& c) {
                                              return run_complete_command(o, *c.installation,
                                                                          *c.out, *c.err);
                                            },
                                        .remote = remote_complete});
}

Command signal_command() {
  return make_command<SignalOptions>({.path = "signal",
                                      .help = "Deliver an external event to a waiting step",
                                      .media = MediaScan::kByEngine,
                                      .define = define_signal,
                                      .run =
                                          [](const SignalOptions& o, const CommandContext& c) {
                                            return run_signal_command(o, *c.installation, *c.out,
                                                                      *c.err);
                                          },
                                      .remote = remote_signal});
}

Command extend_command() {
  return make_command<ExtendOptions>({.path = "extend",
                                      .help = "Move a task's deadline (never beyond its cap)",
                                      .naming = Naming::kActorAndRole,
                                      .media = MediaScan::kByEngine,
                                      .define = define_extend,
                                      .run =
                                          [](const ExtendOptions& o, const CommandContext& c) {
                                            return run_extend_command(o, *c.installation, *c.out,
                                                                      *c.err);
                                          },
                                      .remote = remote_extend});
}

Command tick_command() {
  return make_command<TickOptions>(
      {.path = "tick",
       .help = "Fire every timer due up to --now, in order",
       .define = [](CommandOptions& c, TickOptions& o) { c.session(o.session); },
       .run =
           [](const TickOptions& o, const CommandContext& c) {
             return run_tick_command(o, *c.installation, *c.out, *c.err);
           }});
}

Command worker_command() {
  return make_command<WorkerOptions>(
      {.path = "worker",
       .help = "Run executions in real time until SIGTERM",
       .runs_until_stopped = true,
       .define =
           [](CommandOptions& c, WorkerOptions& o) {
             c.app().add_flag("--until-idle", o.until_idle,
                              "Exit once nothing is running and no timer is pending");
             c.store(o.session.store);
           },
       .run =
           [](const WorkerOptions& o, const CommandContext& c) {
             return run_worker_command(o, *c.installation, *c.out, *c.err);
           }});
}

}  // namespace coalition::cli
