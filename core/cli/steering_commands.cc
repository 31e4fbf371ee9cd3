// Thin: each command opens a session and calls the application layer (app/execution_actions.h,
// app/task_actions.h), the same code the server's routes call, with the identity the command
// line asserts. What they print is what the same command prints through a server.
#include "cli/steering_commands.h"

#include <ostream>

#include "app/execution_actions.h"
#include "app/task_actions.h"
#include "cli/exit_code.h"
#include "common/text_field.h"

namespace coalition::cli {

namespace {

Principal asserted(const ExecutionCommandOptions& o) {
  return asserted_principal(o.actor, o.role, o.organisation);
}

// Runs `act` in a session on the store and reports its outcome under `command`.
template <class Act>
int steer(const ExecutionCommandOptions& o, const Installation& installation,
          const std::string& command, std::ostream& err, Act act) {
  auto s = Session::open(installation, o.session);
  if (!s) return fail(err, command, s.error());
  Status done = act(**s);
  if (auto c = (*s)->close(); !c) return fail(err, command, c.error());
  if (!done) return fail(err, command, done.error());
  return kExitOk;
}

}  // namespace

int run_cancel_command(const ExecutionCommandOptions& o, const Installation& installation,
                       std::ostream& out, std::ostream& err) {
  const int code = steer(o, installation, "cancel", err, [&](Session& s) {
    return app::cancel_execution(s, asserted(o), o.execution, o.justification);
  });
  if (code == kExitOk) out << "execution " << printable(o.execution) << " is cancelled\n";
  return code;
}

int run_retry_command(const ExecutionCommandOptions& o, const Installation& installation,
                      std::ostream& out, std::ostream& err) {
  // The steps run again in this command: closing the session lets them settle, as `run` does.
  const int code = steer(o, installation, "retry", err, [&](Session& s) {
    return app::retry_execution(s, asserted(o), o.execution, o.justification);
  });
  if (code == kExitOk) out << "execution " << printable(o.execution) << " is running again\n";
  return code;
}

int run_claim_command(const ExecutionCommandOptions& o, const Installation& installation,
                      std::ostream& out, std::ostream& err) {
  const int code = steer(o, installation, "claim", err, [&](Session& s) {
    return app::claim_task(s, asserted(o), o.task, o.role);
  });
  if (code == kExitOk) {
    out << "task " << printable(o.task) << " is held by " << printable(normal_name(o.actor))
        << "\n";
  }
  return code;
}

int run_release_command(const ExecutionCommandOptions& o, const Installation& installation,
                        std::ostream& out, std::ostream& err) {
  const int code = steer(o, installation, "release", err,
                         [&](Session& s) { return app::release_task(s, asserted(o), o.task); });
  if (code == kExitOk) out << "task " << printable(o.task) << " is released\n";
  return code;
}

int run_reassign_command(const ExecutionCommandOptions& o, const Installation& installation,
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

}  // namespace coalition::cli
