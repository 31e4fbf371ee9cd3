// The commands that work with executions in the store: start, status, history, tasks, complete,
// signal, extend, tick, worker and audit (docs/cli.md).
#ifndef COALITION_CLI_EXECUTION_COMMANDS_H_
#define COALITION_CLI_EXECUTION_COMMANDS_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "app/execution_view.h"
#include "app/installation.h"
#include "app/session.h"
#include "workflow/visibility.h"

namespace coalition::cli {

using app::Installation;
using app::Session;
using app::SessionOptions;

struct ExecutionCommandOptions {
  SessionOptions session;
  bool json = false;
  std::string execution;     // status, history, tasks --execution, signal
  std::string task;          // complete, extend
  std::string actor;         // --as
  std::string role;          // --role
  std::string organisation;  // --org
  std::string data;          // --data: JSON text, or a file holding it
  std::string name;          // signal name
  std::string to;            // extend --to
  std::string to_person;     // reassign --to
  std::string to_role;       // reassign --to-role
  std::string justification;
  std::string workflow_file;  // start
  std::string input_file;     // start
  int64_t count = 1;          // start: 1 to the configured limits.start_count
  std::string each;           // start --each: a file (or -) holding the items, one per execution
  std::string items;          // start --items: pointer to the list inside --each (default: whole)
  std::string where;          // start --where: a condition over {"item", "index"}
  std::string key;            // start --key: what names an item in its batch
  std::string batch;          // start --batch: the batch's name
  bool all = false;           // tasks --all
  bool overdue = false;       // tasks, executions: only past their due time
  bool escalated = false;     // executions: with a task escalated at least once
  std::string assignee;       // tasks --assignee: only tasks this person holds
  std::string due_before;     // tasks --due-before (RFC 3339)
  std::string workflow;       // executions --workflow
  std::vector<std::string> statuses;                                       // executions --status
  std::string started_from, started_until, finished_from, finished_until;  // executions
  size_t limit = 50;        // executions --limit: one page
  std::string after;        // executions --after: the previous page's cursor
  bool until_idle = false;  // worker
  std::string view;         // --view ROLE: what that role may see (status, history, ...)
  std::string out_file;     // export --out
  bool force = false;       // export: replace an existing --out file
  std::string reason;       // hold
  bool release = false;     // hold --release
  bool dry_run = false;     // purge
  std::string checkpoints;  // audit verify --checkpoints, audit checkpoint --out
  std::string public_key;   // audit verify --public-key
  std::string signing_key;  // audit checkpoint --key
};

// Shared by the execution commands: print `error` for `command`, return its exit code; open
// the store for reading only (no lock, no engine).
int fail(std::ostream& err, const std::string& command, const Error& error);
Result<std::unique_ptr<Session>> open_for_reading(const ExecutionCommandOptions& o,
                                                  const Installation& installation);
// The instant a command that only appends to the audit log acts at: --now when given (strict
// RFC 3339, kInvalidArgument saying what is wrong), else the wall clock.
Result<TimePoint> command_time(const ExecutionCommandOptions& o);

// The store opened for reading and execution `o.execution` as the command may see it (kNotFound
// when there is none): what status, history, timeline and export start with. With --view ROLE,
// that role's clearance under the execution's workflow; without it, the operator's full view.
struct OpenedExecution : app::ExecutionView {
  std::unique_ptr<Session> session;
};
Result<OpenedExecution> open_execution(const ExecutionCommandOptions& o,
                                       const Installation& installation);

int run_start_command(const ExecutionCommandOptions& o, const Installation& i, std::ostream& out,
                      std::ostream& err);
int run_status_command(const ExecutionCommandOptions& o, const Installation& i, std::ostream& out,
                       std::ostream& err);
// An execution's story for people: actions, refusals, deadlines and escalations.
int run_timeline_command(const ExecutionCommandOptions& o, const Installation& i, std::ostream& out,
                         std::ostream& err);
int run_history_command(const ExecutionCommandOptions& o, const Installation& i, std::ostream& out,
                        std::ostream& err);
int run_tasks_command(const ExecutionCommandOptions& o, const Installation& i, std::ostream& out,
                      std::ostream& err);
int run_complete_command(const ExecutionCommandOptions& o, const Installation& i, std::ostream& out,
                         std::ostream& err);
int run_signal_command(const ExecutionCommandOptions& o, const Installation& i, std::ostream& out,
                       std::ostream& err);
int run_extend_command(const ExecutionCommandOptions& o, const Installation& i, std::ostream& out,
                       std::ostream& err);
int run_tick_command(const ExecutionCommandOptions& o, const Installation& i, std::ostream& out,
                     std::ostream& err);
int run_worker_command(const ExecutionCommandOptions& o, const Installation& i, std::ostream& out,
                       std::ostream& err);
// The execution as one JSON document for records requests and hand-over, never with restricted
// data; records an `exported` audit entry.
int run_export_command(const ExecutionCommandOptions& o, const Installation& i, std::ostream& out,
                       std::ostream& err);
// Retention: purge expired records; place or release a legal hold.
int run_purge_command(const ExecutionCommandOptions& o, const Installation& i, std::ostream& out,
                      std::ostream& err);
int run_hold_command(const ExecutionCommandOptions& o, const Installation& i, std::ostream& out,
                     std::ostream& err);

}  // namespace coalition::cli

#endif  // COALITION_CLI_EXECUTION_COMMANDS_H_
