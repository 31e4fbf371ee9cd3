// The coalition command: a thin shell over the core library. Data goes to stdout, diagnostics to
// stderr, and the exit code follows cli/exit_code.h.
#include <coalition/plugin_abi.h>
#include <fmt/format.h>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "app/installation.h"
#include "cli/audit_commands.h"
#include "cli/calendars_command.h"
#include "cli/doctor_command.h"
#include "cli/execution_commands.h"
#include "cli/executions_command.h"
#include "cli/exit_code.h"
#include "cli/graph_command.h"
#include "cli/migrate_command.h"
#include "cli/notifications_command.h"
#include "cli/plugin_manifest_command.h"
#include "cli/plugin_new_command.h"
#include "cli/plugin_signing_commands.h"
#include "cli/plugin_test_command.h"
#include "cli/plugins_command.h"
#include "cli/remote_commands.h"
#include "cli/run_command.h"
#include "cli/schedules_command.h"
#include "cli/serve_command.h"
#include "cli/steering_commands.h"
#include "cli/tokens_command.h"
#include "cli/validate_command.h"
#include "common/json_limits.h"
#include "common/logging.h"
#include "common/text_field.h"
#include "config/config_discovery.h"
#include "guard/media_scan.h"
#include "runtime/plugin_call_pool.h"
#include "version.h"

namespace {

using namespace coalition;
using namespace coalition::cli;
using namespace coalition::app;

struct GlobalOptions {
  std::string config_file;
  bool verbose = false;
  std::string log_format;
  std::string log_level;
  RemoteOptions remote;
};

int run(int argc, char** argv) {
  CLI::App app{"Coalition: durable workflows for partnership coordination.", "coalition"};
  app.set_version_flag("--version",
                       fmt::format("coalition {} (plugin ABI {}.{})", kCoalitionVersion,
                                   COALITION_ABI_MAJOR, COALITION_ABI_MINOR));
  app.require_subcommand(1);
  GlobalOptions global;
  app.add_option("--config", global.config_file,
                 "Engine configuration file (default: $COALITION_CONFIG, else "
                 "./config/coalition.json, ./coalition.json, /etc/coalition/coalition.json, "
                 "else built-in defaults)");
  app.add_flag("--verbose", global.verbose, "Say on stderr which configuration file is used");
  app.add_option("--log-format", global.log_format, "Log format on stderr: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--log-level", global.log_level, "debug, info, warn, error or off")
      ->check(CLI::IsMember({"debug", "info", "warn", "error", "off"}));
  app.add_option("--server", global.remote.server,
                 "Act through this server (https://host:port) instead of a store: start, tasks, "
                 "executions, complete, signal, extend, claim, release, reassign, cancel, retry, "
                 "migrate, "
                 "status, "
                 "history, timeline, export, audit verify, hold, purge");
  app.add_option("--token-file", global.remote.token_file,
                 "With --server: a file holding your credential (default: $COALITION_TOKEN)");
  app.add_option("--ca-file", global.remote.ca_file,
                 "With --server: the CA certificate (PEM) that signed the server's certificate");

  PluginsOptions plugins;
  auto* plugins_cmd = app.add_subcommand("plugins", "List installed plugins and step types");
  plugins_cmd->add_flag("--json", plugins.json, "Print JSON instead of text");
  plugins_cmd
      ->add_option("--schema", plugins.schema_of,
                   "Print the parameters, input, output and answer schemas of STEP_TYPE")
      ->type_name("STEP_TYPE");

  std::vector<std::string> validate_files;
  auto* validate_cmd = app.add_subcommand("validate", "Check workflow files; exit 65 on problems");
  validate_cmd->add_option("FILE", validate_files, "Workflow files")->required();

  RunOptions run;
  auto* run_cmd = app.add_subcommand("run", "Run a workflow in this process");
  run_cmd->add_option("FILE", run.workflow_file, "Workflow file")->required();
  run_cmd->add_option("--input", run.input_file, "Input JSON file, or - for standard input");
  run_cmd->add_flag("--json", run.json, "Print one JSON object");
  run_cmd->add_option("--wait-up-to", run.wait_up_to,
                      "Keep running through timers due within this ISO 8601 duration (PT1M)");
  run_cmd->add_option("--as", run.actor, "Who starts it (the initiator)");
  run_cmd->add_option("--id", run.id, "Execution id (default: a fresh one)");

  ExecutionCommandOptions x;
  auto store_option = [&](CLI::App* cmd, SessionOptions& so) {
    cmd->add_option("--store", so.store,
                    "Store file (default: $COALITION_STORE, store.path, ./coalition.db)");
  };
  auto now_option = [&](CLI::App* cmd, SessionOptions& so) {
    cmd->add_option("--now", so.now,
                    "Virtual time: act as if it were this RFC 3339 instant (2026-03-02T09:00:00Z)");
  };
  // Commands whose actor must be named at the terminal (not with --server, where the
  // credential names them).
  std::vector<CLI::App*> named_actor;
  auto actor_options = [&](CLI::App* cmd, bool required) {
    cmd->add_option("--as", x.actor, "Who acts (a person's id; not with --server)");
    cmd->add_option("--role", x.role, "The role they act in");
    if (required) named_actor.push_back(cmd);
    cmd->add_option("--org", x.organisation, "The organisation they act for (not with --server)");
  };
  store_option(run_cmd, run.session);
  now_option(run_cmd, run.session);

  auto* start_cmd = app.add_subcommand("start", "Record new executions for a worker to run");
  start_cmd->add_option("FILE", x.workflow_file, "Workflow file")->required();
  start_cmd->add_option("--input", x.input_file, "Input JSON file");
  start_cmd->add_option("--count", x.count, "How many executions to start (default 1)");
  start_cmd->add_option("--as", x.actor, "Who starts them (the initiator)");
  start_cmd->add_flag("--json", x.json, "Print JSON");
  auto* each_option =
      start_cmd->add_option("--each", x.each,
                            "One execution per item of the list in this JSON file (or -); "
                            "--input is then a template over {item, index}");
  start_cmd->add_option("--items", x.items, "With --each: the pointer to the list in the file")
      ->needs(each_option);
  start_cmd
      ->add_option("--where", x.where,
                   "With --each: only items this condition holds for (JSON or a file)")
      ->needs(each_option);
  start_cmd
      ->add_option("--key", x.key,
                   "With --each: what names an item in the batch, a pointer such as /item/id")
      ->needs(each_option);
  start_cmd
      ->add_option("--batch", x.batch,
                   "With --each: the batch's name; running it again starts only what is missing")
      ->needs(each_option);
  start_cmd->add_flag("--dry-run", x.dry_run, "With --each: say what would start; start nothing")
      ->needs(each_option);

  auto* status_cmd = app.add_subcommand("status", "Show an execution's state and open tasks");
  status_cmd->add_option("EXECUTION", x.execution, "Execution id")->required();
  status_cmd->add_flag("--json", x.json, "Print JSON");
  auto* timeline_cmd = app.add_subcommand(
      "timeline", "Tell an execution's story: who acted, refusals, deadlines, escalations");
  timeline_cmd->add_option("EXECUTION", x.execution, "Execution id")->required();
  timeline_cmd->add_flag("--json", x.json, "Print JSON");
  auto* history_cmd = app.add_subcommand("history", "Show an execution's events in order");
  history_cmd->add_option("EXECUTION", x.execution, "Execution id")->required();
  history_cmd->add_flag("--json", x.json, "Print JSON");

  for (auto* cmd : {status_cmd, history_cmd, timeline_cmd}) {
    cmd->add_option("--view", x.view,
                    "Show only what this role may see (the workflow's visibility classes)");
  }
  auto* export_cmd = app.add_subcommand(
      "export", "Write an execution as one JSON document, never with restricted data (audited)");
  export_cmd->add_option("EXECUTION", x.execution, "Execution id")->required();
  export_cmd->add_option("--view", x.view, "Export only what this role may see");
  export_cmd->add_option("--out", x.out_file,
                         "Write to this new file (mode 0600, never through a symbolic link)");
  export_cmd->add_flag("--force", x.force, "Replace the --out file if it exists");
  auto* purge_cmd = app.add_subcommand(
      "purge", "Remove expired data under the retention policy, leaving tombstones (audited)");
  purge_cmd->add_flag("--dry-run", x.dry_run, "Say what would be purged; change nothing");
  purge_cmd->add_flag("--json", x.json, "Print JSON");
  auto* hold_cmd = app.add_subcommand(
      "hold", "Place (or --release) a legal hold: purge skips the execution while it holds");
  hold_cmd->add_option("EXECUTION", x.execution, "Execution id")->required();
  hold_cmd->add_option("--reason", x.reason, "A reference, e.g. the request's number")->required();
  hold_cmd->add_flag("--release", x.release, "Release the hold in force");

  SchedulesOptions schedules;
  auto* schedules_cmd =
      app.add_subcommand("schedules", "Recurring starts: add, list, pause, resume");
  schedules_cmd->add_flag("--json", x.json, "Print JSON");
  auto* schedules_add_cmd =
      schedules_cmd->add_subcommand("add", "Add a schedule (or change the one with its id)");
  schedules_add_cmd->add_option("FILE", schedules.file, "Schedule file (or - for stdin)")
      ->required();
  schedules_add_cmd->add_option("--workflow", schedules.workflow_file,
                                "Register this workflow file first");
  schedules_add_cmd->add_option("--as", x.actor, "Who adds it (default: operator)");
  schedules_add_cmd->add_flag("--json", x.json, "Print JSON");
  auto* schedules_list_cmd = schedules_cmd->add_subcommand("list", "List the schedules");
  schedules_list_cmd->add_flag("--json", x.json, "Print JSON");
  auto* schedules_pause_cmd =
      schedules_cmd->add_subcommand("pause", "Pause a schedule: no run starts until resumed");
  auto* schedules_resume_cmd = schedules_cmd->add_subcommand(
      "resume", "Resume a schedule from its next occurrence after now");
  for (auto* cmd : {schedules_pause_cmd, schedules_resume_cmd}) {
    cmd->add_option("ID", schedules.id, "Schedule id")->required();
    cmd->add_option("--as", x.actor, "Who does it (default: operator)");
    cmd->add_flag("--json", x.json, "Print JSON");
  }
  schedules_cmd->require_subcommand(1);

  auto* tasks_cmd = app.add_subcommand("tasks", "List open human tasks, earliest due first");
  tasks_cmd->add_option("--execution", x.execution, "Only this execution's tasks");
  tasks_cmd->add_option("--role", x.role, "Only tasks this role may complete");
  tasks_cmd->add_option("--org", x.organisation, "Only tasks of this organisation");
  tasks_cmd->add_option("--assignee", x.assignee, "Only tasks this person holds (has claimed)");
  tasks_cmd->add_option("--due-before", x.due_before,
                        "Only tasks due before this RFC 3339 instant, or before this date (UTC)");
  tasks_cmd->add_flag("--overdue", x.overdue, "Only open tasks past their due time");
  tasks_cmd->add_flag("--all", x.all, "Include completed, cancelled and expired tasks");
  tasks_cmd->add_flag("--json", x.json, "Print JSON");

  auto* executions_cmd = app.add_subcommand(
      "executions", "List and search executions, newest first, a page at a time");
  executions_cmd->add_option("--workflow", x.workflow, "Only executions of this workflow id");
  executions_cmd->add_option("--status", x.statuses,
                             "running, waiting, succeeded, failed, cancelled (repeat or a,b)");
  executions_cmd->add_option("--org", x.organisation,
                             "Only those with a task of this organisation");
  executions_cmd->add_option("--started-from", x.started_from,
                             "Started at or after (RFC 3339, or a date: its start, UTC)");
  executions_cmd->add_option("--started-until", x.started_until,
                             "Started before (RFC 3339), or up to the end of a date (UTC)");
  executions_cmd->add_option("--finished-from", x.finished_from,
                             "Ended at or after (RFC 3339, or a date: its start, UTC)");
  executions_cmd->add_option("--finished-until", x.finished_until,
                             "Ended before (RFC 3339), or up to the end of a date (UTC)");
  executions_cmd->add_flag("--overdue", x.overdue,
                           "Only those with an open task past its due time");
  executions_cmd->add_flag("--escalated", x.escalated, "Only those with an open task escalated");
  executions_cmd->add_option("--limit", x.limit, "At most this many (1 to 500; default 50)");
  executions_cmd->add_option("--after", x.after, "The cursor a previous page ended with");
  executions_cmd->add_flag("--json", x.json, "Print JSON");
  auto* notifications_cmd = app.add_subcommand(
      "notifications", "List what the engine notified people of about their tasks, newest first");
  notifications_cmd->add_option("--execution", x.execution, "Only this execution's");
  notifications_cmd->add_option("--status", x.statuses, "pending, sent or failed");
  notifications_cmd->add_option("--limit", x.limit, "At most this many (default 50)");
  notifications_cmd->add_flag("--json", x.json, "Print JSON");

  auto* complete_cmd = app.add_subcommand("complete", "Complete a human task");
  complete_cmd->add_option("TASK", x.task, "Task id")->required();
  actor_options(complete_cmd, true);
  complete_cmd->add_option("--data", x.data, "The answer: JSON text or a file holding it");
  complete_cmd->add_flag("--json", x.json, "Print the task as JSON");

  auto* signal_cmd = app.add_subcommand("signal", "Deliver an external event to a waiting step");
  signal_cmd->add_option("EXECUTION", x.execution, "Execution id")->required();
  signal_cmd->add_option("NAME", x.name, "Signal name")->required();
  signal_cmd->add_option("--data", x.data, "Payload: JSON text or a file holding it");
  actor_options(signal_cmd, false);

  auto* extend_cmd = app.add_subcommand("extend", "Move a task's deadline (never beyond its cap)");
  extend_cmd->add_option("TASK", x.task, "Task id")->required();
  extend_cmd
      ->add_option(
          "--to", x.to,
          "New due instant (RFC 3339), or a date: the end of that day in the task calendar's zone")
      ->required();
  extend_cmd->add_option("--justification", x.justification, "Why")->required();
  actor_options(extend_cmd, true);

  auto* cancel_cmd =
      app.add_subcommand("cancel", "Stop a running execution for good, with a justification");
  auto* retry_cmd = app.add_subcommand(
      "retry", "Carry a failed execution on from its failed step, with the context it had");
  for (auto* cmd : {cancel_cmd, retry_cmd}) {
    cmd->add_option("EXECUTION", x.execution, "Execution id")->required();
    cmd->add_option("--justification", x.justification, "Why (audited)")->required();
    actor_options(cmd, false);
  }
  MigrateOptions migrate;
  auto* migrate_cmd = app.add_subcommand(
      "migrate", "Move running executions to another version of their workflow, as a plan says");
  migrate_cmd->add_option("--plan", migrate.plan_file, "The migration plan (JSON file, or -)")
      ->required();
  migrate_cmd->add_option("--workflow", migrate.workflow_file,
                          "The new version's workflow file (registered when applied)");
  migrate_cmd->add_flag("--dry-run", migrate.dry_run,
                        "Say what would change and what cannot move, changing nothing");
  migrate_cmd->add_option("--justification", x.justification, "Why (audited); not for a dry run");
  migrate_cmd->add_flag("--json", x.json, "Print JSON");
  actor_options(migrate_cmd, false);
  auto* claim_cmd = app.add_subcommand(
      "claim", "Claim a task: until released or handed on, only you may complete it");
  auto* release_cmd =
      app.add_subcommand("release", "Give a claimed task back to everyone it is assigned to");
  auto* reassign_cmd = app.add_subcommand(
      "reassign", "Hand a task to another person who may complete it, with a justification");
  for (auto* cmd : {claim_cmd, release_cmd, reassign_cmd}) {
    cmd->add_option("TASK", x.task, "Task id")->required();
    actor_options(cmd, cmd != release_cmd);
  }
  reassign_cmd->add_option("--to", x.to_person, "The person it goes to")->required();
  reassign_cmd->add_option("--to-role", x.to_role,
                           "The role they would act in (required without --server)");
  reassign_cmd->add_option("--justification", x.justification, "Why (audited)")->required();

  auto* tick_cmd = app.add_subcommand("tick", "Fire every timer due up to --now, in order");
  auto* worker_cmd = app.add_subcommand("worker", "Run executions in real time until SIGTERM");
  worker_cmd->add_flag("--until-idle", x.until_idle,
                       "Exit once nothing is running and no timer is pending");

  auto* audit_cmd = app.add_subcommand("audit", "The hash-chained audit log");
  audit_cmd->require_subcommand(1);
  auto* verify_cmd = audit_cmd->add_subcommand("verify", "Check every entry and link of the chain");
  verify_cmd->add_flag("--json", x.json, "Print JSON");
  verify_cmd->add_option("--checkpoints", x.checkpoints,
                         "Signed checkpoints (JSON lines) the chain must still hold");
  verify_cmd->add_option("--public-key", x.public_key,
                         "File with the hex Ed25519 public key the checkpoints must be signed by");
  auto* checkpoint_cmd =
      audit_cmd->add_subcommand("checkpoint", "Sign the chain's head; append it to a file");
  checkpoint_cmd->add_option("--out", x.checkpoints,
                             "Checkpoint file to append to (default: audit.checkpoints)");
  checkpoint_cmd->add_option("--key", x.signing_key,
                             "Signing key file (default: audit.signing_key)");
  checkpoint_cmd->add_flag("--json", x.json, "Print JSON");
  now_option(checkpoint_cmd, x.session);

  for (auto* cmd : {start_cmd,
                    status_cmd,
                    history_cmd,
                    timeline_cmd,
                    tasks_cmd,
                    executions_cmd,
                    notifications_cmd,
                    schedules_add_cmd,
                    schedules_list_cmd,
                    schedules_pause_cmd,
                    schedules_resume_cmd,
                    complete_cmd,
                    signal_cmd,
                    extend_cmd,
                    tick_cmd,
                    worker_cmd,
                    verify_cmd,
                    checkpoint_cmd,
                    export_cmd,
                    purge_cmd,
                    hold_cmd,
                    cancel_cmd,
                    retry_cmd,
                    migrate_cmd,
                    claim_cmd,
                    release_cmd,
                    reassign_cmd}) {
    store_option(cmd, x.session);
  }
  for (auto* cmd :
       {start_cmd, complete_cmd, signal_cmd, extend_cmd, tick_cmd, export_cmd, purge_cmd, hold_cmd,
        schedules_add_cmd, schedules_pause_cmd, schedules_resume_cmd, cancel_cmd, retry_cmd,
        migrate_cmd, claim_cmd, release_cmd, reassign_cmd}) {
    now_option(cmd, x.session);
  }
  for (auto* cmd : {tasks_cmd, executions_cmd}) {
    cmd->add_option("--now", x.session.now,
                    "Judge lateness (--overdue) at this RFC 3339 instant; moves nothing");
  }
  actor_options(hold_cmd, true);
  actor_options(export_cmd, false);
  auto* purge_as = purge_cmd->add_option("--as", x.actor, "Who runs it (default: retention)");
  purge_cmd->add_option("--role", x.role, "The role they act in")->needs(purge_as);

  ServeOptions serve;
  auto* serve_cmd =
      app.add_subcommand("serve", "Run the engine in real time behind the HTTP API until SIGTERM");
  serve_cmd->add_option("--listen", serve.listen, "HOST:PORT (default: server.listen)");
  serve_cmd->add_option("--store", serve.store,
                        "Store file (default: $COALITION_STORE, store.path, ./coalition.db)");

  TokensOptions tokens;
  auto* tokens_cmd =
      app.add_subcommand("tokens", "Make, list and revoke API tokens for the server");
  tokens_cmd->require_subcommand(1);
  auto* token_create = tokens_cmd->add_subcommand("create", "Make a token; it is printed once");
  token_create->add_option("--person", tokens.person, "Whom it names")->required();
  token_create->add_option("--org", tokens.organisation, "Their organisation");
  token_create->add_option("--roles", tokens.roles, "Their roles, comma-separated")->delimiter(',');
  token_create
      ->add_option("--scopes", tokens.scopes,
                   "admin, coordinate, metrics or signal:<workflow>, comma-separated")
      ->delimiter(',');
  token_create->add_option(
      "--expires", tokens.expires,
      "When it stops working: RFC 3339 instant, a date (its end, UTC) or a duration (P90D)");
  token_create->add_flag("--json", tokens.json, "Print JSON (with the token)");
  auto* token_list = tokens_cmd->add_subcommand("list", "List tokens (never their secrets)");
  token_list->add_flag("--json", tokens.json, "Print JSON");
  auto* token_revoke = tokens_cmd->add_subcommand("revoke", "Revoke a token at once");
  token_revoke->add_option("ID", tokens.id, "Token id (as tokens list shows it)")->required();
  for (auto* cmd : {token_create, token_list, token_revoke}) {
    cmd->add_option("--store", tokens.store,
                    "Store file (default: $COALITION_STORE, store.path, ./coalition.db)");
    cmd->add_option("--as", tokens.actor, "Who does this (the audit log's actor)");
  }

  std::string graph_file;
  std::string graph_format = "dot";
  PluginTestOptions plugin_test;
  auto* plugin_cmd =
      app.add_subcommand("plugin", "Tools for plugin authors, publishers and operators");
  auto* plugin_test_cmd = plugin_cmd->add_subcommand(
      "test", "Run a plugin library against JSON cases (isolated, with every engine check)");
  plugin_test_cmd->add_option("LIBRARY", plugin_test.library, "The plugin library (lib<id>.so)")
      ->required();
  plugin_test_cmd->add_option("CASE", plugin_test.cases, "Case files (JSON)")->required();
  plugin_test_cmd->add_flag("--in-process", plugin_test.in_process,
                            "Load the library into this process instead of a plugin host");
  plugin_test_cmd->add_flag("--exec", plugin_test.exec,
                            "LIBRARY is an exec plugin's program (JSON lines on stdin/stdout)");
  plugin_test_cmd->add_option("--interpreter", plugin_test.interpreter,
                              "The interpreter that runs the program, such as /usr/bin/python3 "
                              "(implies --exec)");
  PluginManifestOptions plugin_manifest;
  auto* plugin_manifest_cmd = plugin_cmd->add_subcommand(
      "manifest", "Write the manifest of a plugin library from what its code declares");
  plugin_manifest_cmd
      ->add_option("LIBRARY", plugin_manifest.library, "The plugin library (lib<id>.so)")
      ->required();
  plugin_manifest_cmd->add_option("--out", plugin_manifest.out,
                                  "Where to write it ('-': standard output; default: "
                                  "<id>.plugin.json beside the library)");
  plugin_manifest_cmd->add_flag("--in-process", plugin_manifest.in_process,
                                "Load the library into this process instead of a plugin host");
  plugin_manifest_cmd->add_flag("--exec", plugin_manifest.exec,
                                "LIBRARY is an exec plugin's program (JSON lines on stdin/stdout)");
  plugin_manifest_cmd->add_option("--interpreter", plugin_manifest.interpreter,
                                  "The interpreter that runs the program, such as "
                                  "/usr/bin/python3 (implies --exec)");
  PluginSigningOptions plugin_signing;
  auto* plugin_keygen_cmd = plugin_cmd->add_subcommand(
      "keygen", "Create a publisher's Ed25519 signing key (mode 0600) and print its public key");
  plugin_keygen_cmd->add_option("KEYFILE", plugin_signing.key_file, "The key file to create")
      ->required();
  auto* plugin_sign_cmd = plugin_cmd->add_subcommand(
      "sign", "Sign a plugin manifest: writes <id>.plugin.sig beside it");
  plugin_sign_cmd
      ->add_option("MANIFEST", plugin_signing.manifest, "The manifest (<id>.plugin.json)")
      ->required();
  plugin_sign_cmd->add_option("--key", plugin_signing.key_file, "The publisher's key file")
      ->required();
  auto* plugin_lock_cmd = plugin_cmd->add_subcommand(
      "lock", "Pin every installed partner plugin to its digests in the lock file");
  plugin_lock_cmd->add_option("--out", plugin_signing.out,
                              "Where to write it (default: plugins.lock of the configuration)");
  PluginNewOptions plugin_new;
  auto* plugin_new_cmd = plugin_cmd->add_subcommand(
      "new", "Scaffold an out-of-tree plugin project (sources, CMake, test cases, README)");
  plugin_new_cmd->add_option("NAME", plugin_new.name, "The plugin id ([a-z][a-z0-9_]*)")
      ->required();
  plugin_new_cmd->add_option("--lang", plugin_new.lang, "cpp (default) or c")
      ->check(CLI::IsMember({"cpp", "c"}));
  plugin_new_cmd->add_option("--dir", plugin_new.dir, "Where to create it (default: ./NAME)");
  plugin_new_cmd->add_option("--publisher", plugin_new.publisher,
                             "The organisation that publishes it");
  plugin_new_cmd
      ->add_option("--partner-type", plugin_new.partner_type,
                   "financial, technology (default), ngo or coalition")
      ->check(CLI::IsMember({"financial", "technology", "ngo", "coalition"}));
  plugin_cmd->require_subcommand(1);

  bool doctor_json = false;
  auto* doctor_cmd = app.add_subcommand(
      "doctor", "Report how plugin hosts are confined on this machine, and installation problems");
  doctor_cmd->add_flag("--json", doctor_json, "Print JSON instead of text");

  CalendarsOptions calendars_options;
  auto* calendars_cmd = app.add_subcommand(
      "calendars", "List the business-day calendars, or one calendar's holidays by year");
  calendars_cmd->add_option("ID", calendars_options.id, "A calendar id: print its holidays");
  calendars_cmd->add_option("--year", calendars_options.year,
                            "Only this year (default: every year the calendar covers)");
  calendars_cmd->add_flag("--json", calendars_options.json, "Print JSON instead of text");

  auto* graph_cmd = app.add_subcommand("graph", "Draw a workflow as Graphviz DOT, Mermaid or JSON");
  graph_cmd->add_option("FILE", graph_file, "Workflow file")->required();
  graph_cmd->add_option("--format", graph_format, "dot, mermaid or json")
      ->check(CLI::IsMember({"dot", "mermaid", "json"}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {  // boundary: the command line
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }

  if (*graph_cmd) return run_graph_command(graph_file, graph_format, std::cout, std::cerr);

  std::string command;
  for (auto* sub : app.get_subcommands()) {
    command = sub->get_name();
    for (auto* inner : sub->get_subcommands()) command += " " + inner->get_name();
  }
  if (!global.remote.server.empty()) {
    if (!works_remotely(command)) {
      std::cerr << "coalition " << command << ": not available with --server\n";
      return kExitUsage;
    }
  } else {
    for (auto* cmd : named_actor) {
      if (*cmd && (x.actor.empty() || x.role.empty())) {
        std::cerr << "coalition " << command
                  << ": --as and --role are required (or --server, "
                     "where your credential says who you are)\n";
        return kExitUsage;
      }
    }
    if ((*cancel_cmd || *retry_cmd || *release_cmd || *migrate_cmd) && x.actor.empty()) {
      std::cerr << "coalition " << command << ": --as is required (or --server)\n";
      return kExitUsage;
    }
    if (*reassign_cmd && x.to_role.empty()) {
      std::cerr << "coalition reassign: --to-role is required without --server (the server "
                   "finds the role from the person's credential)\n";
      return kExitUsage;
    }
  }

  // Words typed on the command line reach the audit log (who acted, why): like every payload,
  // they may not carry an image or video. The engine refuses them, audited, for the commands
  // that act on an execution (start, run, complete, signal, extend, hold, cancel, retry, claim,
  // release, reassign); the others are
  // refused here before anything opens. The message names the option, never the bytes.
  const bool engine_checks = *run_cmd || *start_cmd || *complete_cmd || *signal_cmd ||
                             *extend_cmd || *hold_cmd || *cancel_cmd || *retry_cmd || *claim_cmd ||
                             *release_cmd || *reassign_cmd || *migrate_cmd;
  for (const auto& [option, text] :
       std::vector<std::pair<const char*, const std::string*>>{{"--as", &x.actor},
                                                               {"--role", &x.role},
                                                               {"--org", &x.organisation},
                                                               {"--view", &x.view}}) {
    if (engine_checks) break;
    if (auto found = find_media(nlohmann::json(*text))) {
      std::cerr << "coalition: " << option << ": an image or video (" << found->kind
                << ") is not allowed here; give a name or a reference\n";
      return kExitDataError;
    }
  }

  // Names, ids and reasons end up in the audit log and in printed timelines: one line of valid
  // UTF-8 each, checked after the media scan so an image there is still refused as one.
  for (const auto& [option, text, max] :
       std::vector<std::tuple<const char*, const std::string*, size_t>>{
           {"--as", &x.actor, kMaxNameBytes},
           {"--as", &run.actor, kMaxNameBytes},
           {"--role", &x.role, kMaxNameBytes},
           {"--org", &x.organisation, kMaxNameBytes},
           {"--assignee", &x.assignee, kMaxNameBytes},
           {"--workflow", &x.workflow, kMaxNameBytes},
           {"--after", &x.after, kMaxNameBytes},
           {"--batch", &x.batch, kMaxNameBytes},
           {"--view", &x.view, kMaxNameBytes},
           {"--id", &run.id, kMaxNameBytes},
           {"EXECUTION", &x.execution, kMaxNameBytes},
           {"TASK", &x.task, kMaxNameBytes},
           {"NAME", &x.name, kMaxNameBytes},
           {"--to", &x.to_person, kMaxNameBytes},
           {"--to-role", &x.to_role, kMaxNameBytes},
           {"--reason", &x.reason, kMaxReasonBytes},
           {"--justification", &x.justification, kMaxReasonBytes}}) {
    if (auto checked = check_text_field(option, *text, max); !checked) {
      std::cerr << "coalition: " << checked.error().message() << "\n";
      return exit_code_for(checked.error());
    }
  }

  RealFileSystem fs;
  ConfigSearch search;
  search.option = global.config_file;
  if (const char* env = std::getenv("COALITION_CONFIG")) search.environment = env;
  std::error_code cwd_error;
  search.working_directory = std::filesystem::current_path(cwd_error);
  const ConfigChoice chosen = find_config(search, fs);
  if (!chosen.refused.empty()) {
    configure_logging(LogFormat::kText, LogLevel::kInfo);
    std::cerr << "coalition: " << printable(chosen.refused) << "\n";
    return kExitConfig;
  }
  if (global.verbose) {
    std::cerr << "coalition: configuration: "
              << (chosen.file ? printable(chosen.file->string()) + " (" + chosen.found_by + ")"
                              : chosen.found_by)
              << "\n";
  }
  auto config = read_config(chosen.file, fs);
  if (!config) {
    configure_logging(LogFormat::kText, LogLevel::kInfo);
    std::cerr << "coalition: " << config.error().to_string() << "\n";
    return exit_code_for(config.error());
  }
  if (!global.log_format.empty()) config->log_format = *parse_log_format(global.log_format);
  if (!global.log_level.empty()) config->log_level = *parse_log_level(global.log_level);
  configure_logging(config->log_format, config->log_level);
  configure_json_limits(config->limits.json);
  // A long-running engine says which configuration it found by convention, so its operator can
  // tell from the log what it trusts (plugins, identity providers, the store).
  if ((*serve_cmd || *worker_cmd) && chosen.file && chosen.found_by != "--config" &&
      chosen.found_by != "$COALITION_CONFIG") {
    spdlog::info("configuration: {} ({})", printable(chosen.file->string()), chosen.found_by);
  }
  if (!global.remote.server.empty()) {
    if (*migrate_cmd) {  // the remote commands take their files in the common options
      if (auto usable = check_migrate_options(migrate, x.justification, true); !usable) {
        return fail(std::cerr, command, usable.error());
      }
      x.data = migrate.plan_file;
      x.dry_run = migrate.dry_run;
    }
    return run_remote_command(command, x, global.remote, std::cout, std::cerr);
  }

  if (*plugin_test_cmd) {
    return run_plugin_test_command(plugin_test, *config, std::cout, std::cerr);
  }
  if (*plugin_manifest_cmd) {
    return run_plugin_manifest_command(plugin_manifest, *config, std::cout, std::cerr);
  }
  if (*plugin_new_cmd) return run_plugin_new_command(plugin_new, std::cout, std::cerr);
  if (*calendars_cmd) {
    auto calendars = load_calendars(*config);
    if (!calendars) {
      std::cerr << "coalition calendars: " << calendars.error().to_string() << "\n";
      return exit_code_for(calendars.error());
    }
    return run_calendars_command(calendars_options, *calendars, std::cout, std::cerr);
  }
  if (*plugin_keygen_cmd) return run_plugin_keygen_command(plugin_signing, std::cout, std::cerr);
  if (*plugin_sign_cmd) return run_plugin_sign_command(plugin_signing, std::cout, std::cerr);
  if (*plugin_lock_cmd) {
    return run_plugin_lock_command(plugin_signing, *config, std::cout, std::cerr);
  }

  auto libraries = std::make_unique<DllLibraryLoader>();
  auto installation = open_installation(std::move(*config), fs, *libraries);
  // A thread abandoned to a plugin call that never returned is still inside the plugin: its
  // instance, its library and its host must outlive it, so they are then never destroyed (main
  // ends the process with quick_exit).
  struct KeepWhileStranded {
    std::unique_ptr<DllLibraryLoader>& libraries;
    std::unique_ptr<Installation>& installation;
    ~KeepWhileStranded() {
      if (PluginCallPool::stranded_in_process() == 0) return;
      (void)installation.release();
      (void)libraries.release();
    }
  } keep_while_stranded{libraries, installation};
  if (*plugins_cmd) return run_plugins_command(plugins, *installation, std::cout, std::cerr);
  if (*doctor_cmd) return run_doctor_command(doctor_json, *installation, std::cout, std::cerr);
  if (*validate_cmd)
    return run_validate_command(validate_files, *installation, std::cout, std::cerr);
  if (*run_cmd) return run_run_command(run, *installation, std::cin, std::cout, std::cerr);
  if (*start_cmd) return run_start_command(x, *installation, std::cout, std::cerr);
  if (*status_cmd) return run_status_command(x, *installation, std::cout, std::cerr);
  if (*history_cmd) return run_history_command(x, *installation, std::cout, std::cerr);
  if (*timeline_cmd) return run_timeline_command(x, *installation, std::cout, std::cerr);
  if (*tasks_cmd) return run_tasks_command(x, *installation, std::cout, std::cerr);
  if (*executions_cmd) return run_executions_command(x, *installation, std::cout, std::cerr);
  if (*notifications_cmd) {
    return run_notifications_command(x, *installation, std::cout, std::cerr);
  }
  if (*complete_cmd) return run_complete_command(x, *installation, std::cout, std::cerr);
  if (*signal_cmd) return run_signal_command(x, *installation, std::cout, std::cerr);
  if (*extend_cmd) return run_extend_command(x, *installation, std::cout, std::cerr);
  if (*cancel_cmd) return run_cancel_command(x, *installation, std::cout, std::cerr);
  if (*retry_cmd) return run_retry_command(x, *installation, std::cout, std::cerr);
  if (*migrate_cmd) {
    return run_migrate_command(migrate, x, *installation, std::cout, std::cerr);
  }
  if (*claim_cmd) return run_claim_command(x, *installation, std::cout, std::cerr);
  if (*release_cmd) return run_release_command(x, *installation, std::cout, std::cerr);
  if (*reassign_cmd) return run_reassign_command(x, *installation, std::cout, std::cerr);
  if (*tick_cmd) return run_tick_command(x, *installation, std::cout, std::cerr);
  if (*worker_cmd) return run_worker_command(x, *installation, std::cout, std::cerr);
  if (*export_cmd) return run_export_command(x, *installation, std::cout, std::cerr);
  if (*purge_cmd) return run_purge_command(x, *installation, std::cout, std::cerr);
  if (*hold_cmd) return run_hold_command(x, *installation, std::cout, std::cerr);
  if (*schedules_add_cmd) {
    return run_schedules_add(schedules, x, *installation, std::cout, std::cerr);
  }
  if (*schedules_list_cmd) return run_schedules_list(x, *installation, std::cout, std::cerr);
  if (*schedules_pause_cmd || *schedules_resume_cmd) {
    return run_schedules_pause(schedules, static_cast<bool>(*schedules_pause_cmd), x, *installation,
                               std::cout, std::cerr);
  }
  if (*serve_cmd) return run_serve_command(serve, *installation, std::cout, std::cerr);
  if (*tokens_cmd) {
    tokens.action = *token_create ? "create" : *token_list ? "list" : "revoke";
    return run_tokens_command(tokens, *installation, std::cout, std::cerr);
  }
  if (*verify_cmd) return run_audit_verify_command(x, *installation, std::cout, std::cerr);
  if (*checkpoint_cmd) {
    return run_audit_checkpoint_command(x, *installation, std::cout, std::cerr);
  }
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const int code = run(argc, argv);
    if (coalition::PluginCallPool::stranded_in_process() > 0) {
      // Threads are still inside plugin calls that never returned: static destructors could
      // pull what they use from under them. Everything of value is committed and flushed.
      std::cout.flush();
      spdlog::shutdown();
      std::quick_exit(code);
    }
    return code;
  } catch (const std::exception& e) {  // a bug: report it, never a core dump
    // The library's own words ("[json.exception.type_error.306] ...") mean nothing to the
    // person at the terminal; what happened goes to the log for whoever fixes it.
    spdlog::debug("internal error: {}", e.what());
    std::cerr << "coalition: internal error (a bug in Coalition; run again with --log-level "
                 "debug for details, and report it)\n";
    return coalition::cli::kExitSoftware;
  }
}
