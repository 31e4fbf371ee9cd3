// Thin: each command opens a session and calls the application layer (app/execution_actions.h,
// app/task_actions.h), the same code the server's routes call, with the identity the command
// line asserts. What they print is what the same command prints through a server.
#include "cli/steering_commands.h"

#include <CLI/CLI.hpp>
#include <ostream>

#include "app/execution_actions.h"
#include "app/task_actions.h"
#include "cli/command_options.h"
#include "cli/exit_code.h"
#include "cli/remote_commands.h"
#include "common/text_field.h"

namespace coalition::cli {

namespace {

// Runs `act` in a session on the store and reports its outcome under `command`.
template <class Options, class Act>
int steer(const Options& o, const Installation& installation, const std::string& command,
          std::ostream& err, Act act) {
  auto s = Session::open(installation, o.session);
  if (!s) return fail(err, command, s.error());
  Status done = act(**s);
  if (auto c = (*s)->close(); !c) return fail(err, command, c.error());
  if (!done) return fail(err, command, done.error());
  return kExitOk;
}

int run_cancel_command(const SteerOptions& o, const Installation& installation, std::ostream& out,
                       std::ostream& err) {
  const int code = steer(o, installation, "cancel", err, [&](Session& s) {
    return app::cancel_execution(s, asserted(o), o.execution, o.justification);
  });
  if (code == kExitOk) out << "execution " << printable(o.execution) << " is cancelled\n";
  return code;
}

int run_retry_command(const SteerOptions& o, const Installation& installation, std::ostream& out,
                      std::ostream& err) {
  // The steps run again in this command: closing the session lets them settle, as `run` does.
  const int code = steer(o, installation, "retry", err, [&](Session& s) {
    return app::retry_execution(s, asserted(o), o.execution, o.justification);
  });
  if (code == kExitOk) out << "execution " << printable(o.execution) << " is running again\n";
  return code;
}

int run_claim_command(const ClaimOptions& o, const Installation& installation, std::ostream& out,
                      std::ostream& err) {
  const int code = steer(o, installation, "claim", err, [&](Session& s) {
    return app::claim_task(s, asserted(o), o.task, o.role);
  });
  if (code == kExitOk) {
    out << "task " << printable(o.task) << " is held by " << printable(normal_name(o.actor))
        << "\n";
  }
  return code;
}

int run_release_command(const ClaimOptions& o, const Installation& installation, std::ostream& out,
                        std::ostream& err) {
  const int code = steer(o, installation, "release", err,
                         [&](Session& s) { return app::release_task(s, asserted(o), o.task); });
  if (code == kExitOk) out << "task " << printable(o.task) << " is released\n";
  return code;
}

int run_reassign_command(const ReassignOptions& o, const Installation& installation,
                         std::ostream& out, std::ostream& err) {
  const int code = steer(o, installation, "reassign", err, [&](Session& s) {
    return app::reassign_task(s, asserted(o), o.task,
                              app::Handover{o.to_person, o.to_role, o.justification, o.role});
  });
  if (code == kExitOk) {
    out << "task " << printable(o.task) << " is held by " << printable(normal_name(o.to_person))
        << "\n";
  }
  return code;
}

void define_steer(CommandOptions& c, SteerOptions& o) {
  c.name("EXECUTION", o.execution, "Execution id")->required();
  c.reason("--justification", o.justification, "Why (audited)")->required();
  c.acting(o.actor, o.role, o.organisation);
  c.session(o.session);
}

void define_claim(CommandOptions& c, ClaimOptions& o) {
  c.name("TASK", o.task, "Task id")->required();
  c.acting(o.actor, o.role, o.organisation);
  c.session(o.session);
}

void define_reassign(CommandOptions& c, ReassignOptions& o) {
  c.name("TASK", o.task, "Task id")->required();
  c.acting(o.actor, o.role, o.organisation);
  c.name("--to", o.to_person, "The person it goes to")->required();
  c.name("--to-role", o.to_role, "The role they would act in (required without --server)");
  c.reason("--justification", o.justification, "Why (audited)")->required();
  c.session(o.session);
}

// Through a server the role comes from the person's credential; here someone must name it.
Status check_reassign(const ReassignOptions& o, bool through_server) {
  if (through_server || !o.to_role.empty()) return ok_status();
  return Error::invalid_argument(
      "--to-role is required without --server (the server finds the role from the person's "
      "credential)");
}

}  // namespace

Command cancel_command() {
  return make_command<SteerOptions>(
      {.path = "cancel",
       .help = "Stop a running execution for good, with a justification",
       .naming = Naming::kActor,
       .media = MediaScan::kByEngine,
       .define = define_steer,
       .run =
           [](const SteerOptions& o, const CommandContext& c) {
             return run_cancel_command(o, *c.installation, *c.out, *c.err);
           },
       .remote = remote_steer});
}

Command retry_command() {
  return make_command<SteerOptions>(
      {.path = "retry",
       .help = "Carry a failed execution on from its failed step, with the context it had",
       .naming = Naming::kActor,
       .media = MediaScan::kByEngine,
       .define = define_steer,
       .run =
           [](const SteerOptions& o, const CommandContext& c) {
             return run_retry_command(o, *c.installation, *c.out, *c.err);
           },
       .remote = remote_steer});
}

Command claim_command() {
  return make_command<ClaimOptions>(
      {.path = "claim",
       .help = "Claim a task: until released or handed on, only you may complete it",
       .naming = Naming::kActorAndRole,
       .media = MediaScan::kByEngine,
       .define = define_claim,
       .run =
           [](const ClaimOptions& o, const CommandContext& c) {
             return run_claim_command(o, *c.installation, *c.out, *c.err);
           },
       .remote = remote_claim});
}

Command release_command() {
  return make_command<ClaimOptions>(
      {.path = "release",
       .help = "Give a claimed task back to everyone it is assigned to",
       .naming = Naming::kActor,
       .media = MediaScan::kByEngine,
       .define = define_claim,
       .run =
           [](const ClaimOptions& o, const CommandContext& c) {
             return run_release_command(o, *c.installation, *c.out, *c.err);
           },
       .remote = remote_release});
}

Command reassign_command() {
  return make_command<ReassignOptions>(
      {.path = "reassign",
       .help = "Hand a task to another person who may complete it, with a justification",
       .naming = Naming::kActorAndRole,
       .media = MediaScan::kByEngine,
       .define = define_reassign,
       .check = check_reassign,
       .run =
           [](const ReassignOptions& o, const CommandContext& c) {
             return run_reassign_command(o, *c.installation, *c.out, *c.err);
           },
       .remote = remote_reassign});
}

}  // namespace coalition::cli
