// The commands that work with executions in the store: start, status, history, timeline, tasks,
// complete, signal, extend, tick, worker, export, purge and hold (docs/cli.md), and what they
// share.
#ifndef COALITION_CLI_EXECUTION_COMMANDS_H_
#define COALITION_CLI_EXECUTION_COMMANDS_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "app/execution_view.h"
#include "app/installation.h"
#include "app/session.h"
#include "auth/principal.h"
#include "cli/command.h"
#include "workflow/visibility.h"

namespace coalition::cli {

using app::Installation;
using app::Session;
using app::SessionOptions;

// The options of each command, one struct per command (status, history and timeline take the
// same ones). Each command owns its own instance (cli/command.h).
struct StartOptions {
  SessionOptions session;
  std::string workflow_file;
  std::string input_file;
  int64_t count = 1;  // 1 to the configured limits.start_count
  std::string actor;  // --as: the initiator
  bool json = false;
  std::string each;   // --each: a file (or -) holding the items, one per execution
  std::string items;  // --items: pointer to the list inside --each (default: whole)
  std::string where;  // --where: a condition over {"item", "index"}
  std::string key;    // --key: what names an item in its batch
  std::string batch;  // --batch: the batch's name
  bool dry_run = false;
};

// status, history, timeline.
struct ReadOptions {
  SessionOptions session;
  std::string execution;
  std::string view;  // --view ROLE: what that role may see
  bool json = false;
};

struct TasksOptions {
  SessionOptions session;  // --now judges lateness only
  std::string execution;
  std::string role;
  std::string organisation;
  std::string assignee;    // only tasks this person holds
  std::string due_before;  // RFC 3339, or a date
  bool overdue = false;
  bool all = false;  // closed tasks too
  bool json = false;
};

struct CompleteOptions {
  SessionOptions session;
  std::string task;
  std::string actor;
  std::string role;
  std::string organisation;
  std::string data;  // JSON text, or a file holding it
  bool json = false;
};

struct SignalOptions {
  SessionOptions session;
  std::string execution;
  std::string name;
  std::string data;
  std::string actor;
  std::string role;
  std::string organisation;
};

struct ExtendOptions {
  SessionOptions session;
  std::string task;
  std::string to;  // RFC 3339, or a date
  std::string justification;
  std::string actor;
  std::string role;
  std::string organisation;
};

struct TickOptions {
  SessionOptions session;
};

struct WorkerOptions {
  SessionOptions session;
  bool until_idle = false;
};

struct ExportOptions {
  SessionOptions session;
  std::string execution;
  std::string view;
  std::string out_file;  // --out
  bool force = false;    // replace an existing --out file
  std::string actor;
  std::string role;
  std::string organisation;
};

struct PurgeOptions {
  SessionOptions session;
  bool dry_run = false;
  bool json = false;
  std::string actor;  // default: retention
  std::string role;
};

struct HoldOptions {
  SessionOptions session;
  std::string execution;
  std::string reason;
  bool release = false;
  std::string actor;
  std::string role;
  std::string organisation;
};

// Shared by the execution commands: print `error` for `command`, return its exit code; open
// the store for reading only (no lock, no engine).
int fail(std::ostream& err, const std::string& command, const Error& error);
Result<std::unique_ptr<Session>> open_for_reading(const SessionOptions& session,
                                                  const Installation& installation);
// The instant a command that only appends to the audit log acts at: --now when given (strict
// RFC 3339, kInvalidArgument saying what is wrong), else the wall clock.
Result<TimePoint> command_time(const SessionOptions& session);

// At the engine's own terminal, identity is what the command line says: an asserted identity,
// marked so in the audit log. `Options` names the actor, their role and organisation.
template <class Options>
Principal asserted(const Options& o) {
  return asserted_principal(o.actor, o.role, o.organisation);
}

// The store opened for reading and execution `execution` as the command may see it (kNotFound
// when there is none): what status, history, timeline and export start with. With a `view`
// role, that role's clearance under the execution's workflow; without it, the operator's full
// view.
struct OpenedExecution : app::ExecutionView {
  std::unique_ptr<Session> session;
};
Result<OpenedExecution> open_execution(const SessionOptions& session, const std::string& execution,
                                       const std::string& view, const Installation& installation);

// The options of status, history and timeline: one execution, as a role may see it.
void define_read(CommandOptions& c, ReadOptions& o);

// The table's entries (cli/command_table.h).
Command start_command();
Command status_command();
Command history_command();
Command timeline_command();
Command tasks_command();
Command complete_command();
Command signal_command();
Command extend_command();
Command tick_command();
Command worker_command();
// The execution as one JSON document for records requests and hand-over, never with restricted
// data; records an `exported` audit entry.
Command export_command();
// Retention: purge expired records; place or release a legal hold.
Command purge_command();
Command hold_command();

}  // namespace coalition::cli

#endif  // COALITION_CLI_EXECUTION_COMMANDS_H_
