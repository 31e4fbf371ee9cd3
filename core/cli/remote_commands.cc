#include "cli/remote_commands.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string_view>
#include <utility>

#include "cli/document_printing.h"
#include "cli/executions_command.h"
#include "cli/exit_code.h"
#include "cli/instant_option.h"
#include "cli/json_input.h"
#include "cli/migrate_command.h"
#include "common/private_file.h"
#include "common/text_field.h"
#include "common/utc_time.h"

namespace coalition::cli {

using nlohmann::json;

namespace {

// The page size the CLI asks for while it collects a whole inbox.
constexpr int kInboxPage = 500;

// start's WORKFLOW: a workflow file (its id and version are started on the server, which must
// have it registered) or a workflow id (its highest version).
Result<json> start_target(const std::string& arg) {
  std::error_code ec;
  if (!std::filesystem::exists(arg, ec)) return json{{"workflow", arg}};
  auto doc = read_json_input("FILE", arg, std::cin);
  if (!doc) return std::move(doc).error();
  if (!doc->is_object() || !(*doc)["id"].is_string() || !(*doc)["version"].is_number_integer()) {
    return Error::invalid_data("FILE: a workflow definition names its id and version", "/id");
  }
  return json{{"workflow", (*doc)["id"]}, {"version", (*doc)["version"]}};
}

}  // namespace

int RemoteCall::failed(const Error& error) const {
  return fail(*err, command, error);
}

std::string RemoteCall::execution_path(const std::string& id) {
  return "/v1/executions/" + RemoteClient::segment(id);
}

std::string RemoteCall::task_path(const std::string& id) {
  return "/v1/tasks/" + RemoteClient::segment(id);
}

// start: as many executions as --count asks, each started on the server.
int remote_start(const StartOptions& o, const RemoteCall& r) {
  const RemoteClient& c = *r.client;
  std::ostream& out = *r.out;
  auto target = start_target(o.workflow_file);
  if (!target) return r.failed(target.error());
  json body = *target;
  body["input"] = json::object();
  if (!o.input_file.empty()) {
    auto input = read_json_input("--input", o.input_file, std::cin);
    if (!input) return r.failed(input.error());
    body["input"] = std::move(*input);
  }
  if (o.count < 1) return r.failed(Error::invalid_argument("--count: at least 1"));
  json ids = json::array();
  for (int64_t i = 0; i < o.count; ++i) {
    auto started = c.call("POST", "/v1/executions", body);
    if (!started) return r.failed(started.error());
    ids.push_back(started->json()["id"]);
  }
  if (o.json) {
    out << json{{"executions", ids}}.dump(2) << "\n";
  } else {
    for (const auto& id : ids) out << id.get<std::string>() << "\n";
  }
  return kExitOk;
}

// tasks: the whole inbox the credential may complete, page by page.
int remote_tasks(const TasksOptions& o, const RemoteCall& r) {
  const RemoteClient& c = *r.client;
  std::ostream& out = *r.out;
  if (o.all || !o.role.empty() || !o.organisation.empty() || !o.assignee.empty()) {
    return r.failed(Error::invalid_argument(
        "--all, --role, --org and --assignee read the store directly; over --server the inbox "
        "is the tasks your credential may complete"));
  }
  std::string filters;
  if (o.overdue) filters += "&overdue=true";
  auto due_before = instant_option("--due-before", o.due_before, DateAlone::kStartOfDay, *r.err);
  if (!due_before) return r.failed(due_before.error());
  if (*due_before) filters += "&due_before=" + RemoteClient::segment(format_utc(**due_before));
  json tasks = json::array();
  std::string cursor;
  do {
    std::string path = "/v1/tasks?limit=" + std::to_string(kInboxPage) + filters;
    if (!cursor.empty()) path += "&cursor=" + RemoteClient::segment(cursor);
    auto page = c.call("GET", path);
    if (!page) return r.failed(page.error());
    const json doc = page->json();
    for (const auto& t : doc["tasks"]) {
      if (o.execution.empty() || t.value("execution", "") == o.execution) tasks.push_back(t);
    }
    cursor = doc.value("next", "");
  } while (!cursor.empty());
  if (o.json) {
    out << json{{"tasks", tasks}}.dump(2) << "\n";
    return kExitOk;
  }
  if (tasks.empty()) out << "no open tasks\n";
  for (const auto& t : tasks) print_task_line(t, out);
  return kExitOk;
}

// executions: one page of the search; instants read here are sent as instants.
int remote_executions(const ExecutionsOptions& o, const RemoteCall& r) {
  const RemoteClient& c = *r.client;
  std::ostream& out = *r.out;
  auto query = execution_query(o, *r.err);  // reads the instants before anything is sent
  if (!query) return r.failed(query.error());
  std::string path = "/v1/executions?limit=" + std::to_string(o.limit);
  const auto add = [&](const char* name, const std::string& value) {
    if (!value.empty()) path += std::string("&") + name + "=" + RemoteClient::segment(value);
  };
  add("workflow", o.workflow);
  std::string statuses;
  for (const auto& st : query->statuses) statuses += (statuses.empty() ? "" : ",") + st;
  add("status", statuses);
  add("organisation", query->organisation);
  // The server takes instants: a date is sent as the instant it was read as here.
  const auto add_instant = [&](const char* name, const std::optional<TimePoint>& at) {
    if (at) add(name, format_utc(*at));
  };
  add_instant("started_from", query->started_from);
  add_instant("started_until", query->started_until);
  add_instant("finished_from", query->finished_from);
  add_instant("finished_until", query->finished_until);
  if (o.overdue) path += "&overdue=true";
  if (o.escalated) path += "&escalated=true";
  add("cursor", o.after);
  auto page = c.call("GET", path);
  if (!page) return r.failed(page.error());
  if (o.json) {
    out << page->json().dump(2) << "\n";
  } else {
    print_executions(page->json(), out);
  }
  return kExitOk;
}

int remote_complete(const CompleteOptions& o, const RemoteCall& r) {
  const RemoteClient& c = *r.client;
  std::ostream& out = *r.out;
  auto data = read_data(o.data);
  if (!data) return r.failed(data.error());
  json body{{"answer", *data}};
  if (!o.role.empty()) body["role"] = o.role;
  auto done = c.call("POST", RemoteCall::task_path(o.task) + "/complete", body);
  if (!done) return r.failed(done.error());
  const json doc = done->json();
  if (o.json) {
    out << doc.dump(2) << "\n";
  } else {
    const json& last = doc["completions"].back();
    out << "completed " << printable(o.task) << " as " << printable(last.value("actor", "")) << " ("
        << printable(last.value("role", "")) << "): " << doc["completions"].size() << "/"
        << doc.value("quorum", 1) << " done\n";
  }
  return kExitOk;
}

int remote_signal(const SignalOptions& o, const RemoteCall& r) {
  const RemoteClient& c = *r.client;
  std::ostream& out = *r.out;
  auto data = read_data(o.data);
  if (!data) return r.failed(data.error());
  auto sent = c.call(
      "POST", RemoteCall::execution_path(o.execution) + "/signals/" + RemoteClient::segment(o.name),
      *data);
  if (!sent) return r.failed(sent.error());
  out << "delivered signal " << printable(o.name) << " to " << printable(o.execution) << "\n";
  return kExitOk;
}

int remote_extend(const ExtendOptions& o, const RemoteCall& r) {
  const RemoteClient& c = *r.client;
  std::ostream& out = *r.out;
  json body{{"due", o.to}, {"justification", o.justification}};
  if (!o.role.empty()) body["role"] = o.role;
  auto moved = c.call("POST", RemoteCall::task_path(o.task) + "/extend", body);
  if (!moved) return r.failed(moved.error());
  const json answer = moved->json();
  out << "task " << printable(o.task) << " is now due " << printable(answer.value("due", ""));
  if (answer.contains("reading") && answer["reading"].is_string()) {
    out << ": " << printable(answer["reading"].get<std::string>());
  }
  out << "\n";
  return kExitOk;
}

namespace {

// claim, release, reassign: who holds the task now.
int print_holder(const std::string& task, const nlohmann::json& doc, std::ostream& out) {
  if (doc.contains("assignee")) {
    out << "task " << printable(task) << " is held by "
        << printable(doc["assignee"].get<std::string>()) << "\n";
  } else {
    out << "task " << printable(task) << " is released\n";
  }
  return kExitOk;
}

}  // namespace

int remote_claim(const ClaimOptions& o, const RemoteCall& r) {
  json body = json::object();
  if (!o.role.empty()) body["role"] = o.role;
  auto done = r.client->call("POST", RemoteCall::task_path(o.task) + "/claim", body);
  if (!done) return r.failed(done.error());
  return print_holder(o.task, done->json(), *r.out);
}

int remote_release(const ClaimOptions& o, const RemoteCall& r) {
  auto done = r.client->call("POST", RemoteCall::task_path(o.task) + "/release", json::object());
  if (!done) return r.failed(done.error());
  return print_holder(o.task, done->json(), *r.out);
}

int remote_reassign(const ReassignOptions& o, const RemoteCall& r) {
  json body = {{"to", o.to_person}, {"justification", o.justification}};
  if (!o.to_role.empty()) body["to_role"] = o.to_role;
  if (!o.role.empty()) body["role"] = o.role;
  auto done = r.client->call("POST", RemoteCall::task_path(o.task) + "/reassign", body);
  if (!done) return r.failed(done.error());
  return print_holder(o.task, done->json(), *r.out);
}

// migrate: the plan is read here and sent; the new version must be registered on the server.
int remote_migrate(const MigrateOptions& o, const RemoteCall& r) {
  const RemoteClient& c = *r.client;
  std::ostream& out = *r.out;
  auto plan = read_json_input("--plan", o.plan_file, std::cin);
  if (!plan) return r.failed(plan.error());
  json body{{"plan", std::move(*plan)}};
  if (o.dry_run) {
    body["dry_run"] = true;
  } else {
    body["justification"] = o.justification;
  }
  auto done = c.call("POST", "/v1/migrations", body);
  if (!done) return r.failed(done.error());
  return print_migration_run(done->json(), o.json, out);
}

// cancel, retry.
int remote_steer(const SteerOptions& o, const RemoteCall& r) {
  const RemoteClient& c = *r.client;
  std::ostream& out = *r.out;
  auto done = c.call("POST", RemoteCall::execution_path(o.execution) + "/" + r.command,
                     {{"justification", o.justification}});
  if (!done) return r.failed(done.error());
  out << "execution " << printable(o.execution)
      << (r.command == "cancel" ? " is cancelled\n" : " is running again\n");
  return kExitOk;
}

// status, history, timeline: the document, as JSON or printed.
int remote_read(const ReadOptions& o, const RemoteCall& r) {
  const RemoteClient& c = *r.client;
  std::ostream& out = *r.out;
  const std::string path = RemoteCall::execution_path(o.execution);
  auto read = c.call("GET", r.command == "status" ? path : path + "/" + r.command);
  if (!read) return r.failed(read.error());
  const json doc = read->json();
  if (o.json) {
    out << doc.dump(2) << "\n";
  } else if (r.command == "status") {
    print_status(doc, out);
  } else if (r.command == "history") {
    print_history(doc, out);
  } else {
    print_timeline(doc, out);
  }
  return kExitOk;
}

int remote_export(const ExportOptions& o, const RemoteCall& r) {
  const RemoteClient& c = *r.client;
  std::ostream& out = *r.out;
  auto exported = c.call("GET", RemoteCall::execution_path(o.execution) + "/export");
  if (!exported) return r.failed(exported.error());
  const std::string text = exported->json().dump(2) + "\n";
  if (o.out_file.empty()) {
    out << text;
    return kExitOk;
  }
  if (auto s = write_private_file(o.out_file, text, o.force); !s) return r.failed(s.error());
  *r.err << "exported " << printable(o.execution) << " to " << o.out_file << "\n";
  return kExitOk;
}

// hold, hold --release.
int remote_hold(const HoldOptions& o, const RemoteCall& r) {
  const RemoteClient& c = *r.client;
  std::ostream& out = *r.out;
  auto changed = c.call(
      "POST",
      RemoteCall::execution_path(o.execution) + (o.release ? "/legal-hold/release" : "/legal-hold"),
      json{{"reason", o.reason}});
  if (!changed) return r.failed(changed.error());
  if (!changed->json().value("changed", true)) {
    out << printable(o.execution) << " is already under legal hold; nothing changed\n";
  } else {
    out << (o.release ? "released the legal hold on " : "placed a legal hold on ")
        << printable(o.execution) << "\n";
  }
  return kExitOk;
}

int remote_purge(const PurgeOptions& o, const RemoteCall& r) {
  const RemoteClient& c = *r.client;
  std::ostream& out = *r.out;
  auto report = c.call("POST", "/v1/purge", json{{"dry_run", o.dry_run}});
  if (!report) return r.failed(report.error());
  if (o.json) {
    out << report->json().dump(2) << "\n";
  } else {
    print_purge_report(report->json(), out);
  }
  return kExitOk;
}

// audit verify: the server verifies its own chain.
int remote_audit_verify(const AuditVerifyOptions& o, const RemoteCall& r) {
  const RemoteClient& c = *r.client;
  std::ostream& out = *r.out;
  if (!o.checkpoints.empty() || !o.public_key.empty()) {
    return r.failed(Error::invalid_argument(
        "--checkpoints and --public-key check the store's file directly; over --server the "
        "server verifies its own chain"));
  }
  auto verified = c.call("GET", "/v1/audit/verify");
  if (!verified) return r.failed(verified.error());
  const json doc = verified->json();
  if (o.json) {
    out << doc.dump(2) << "\n";
  } else {
    print_audit_verification(doc, out);
  }
  return doc.value("ok", false) ? kExitOk : kExitDataError;
}

}  // namespace coalition::cli
