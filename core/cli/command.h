// Command: one entry of the `coalition` command table (cli/command_table.h) — its words, its help,
// what it needs before it runs, who must be named at the engine's terminal, and how it runs here
// and, when it can, through a server. main.cc applies those rules the same way to every entry.
//
// Each command owns one instance of its own options struct: make_command binds the entry's
// functions to it, so no command reads or writes another's options.
#ifndef COALITION_CLI_COMMAND_H_
#define COALITION_CLI_COMMAND_H_

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

#include "app/installation.h"
#include "cli/remote_client.h"
#include "common/result.h"

namespace coalition::cli {

class CommandOptions;

// What a command needs before it runs. kNothing runs before the configuration is read (a broken
// configuration cannot stop a plugin author scaffolding a project); kConfig reads it; kInstallation
// also opens plugins, calendars and workflows.
enum class Needs { kNothing, kConfig, kInstallation };

// Who a command that acts on a store directly must name on the command line. Through a server
// the credential names them and these options are refused.
enum class Naming { kNobody, kActor, kActorAndRole };

// Where the words that name people (--as, --role, --org, --view) are scanned for images and
// video: here, before anything opens; or by the engine, which refuses them in its audit log.
enum class MediaScan { kHere, kByEngine };

// What a command runs with: the parts its Needs asked for (the others are null) and the streams.
struct CommandContext {
  const EngineConfig* config = nullptr;
  const app::Installation* installation = nullptr;
  std::istream* in = nullptr;
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
};

// A command through --server: its path, the client, where it writes.
struct RemoteCall {
  std::string command;
  const RemoteClient* client = nullptr;
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;

  // Prints `error` for the command and returns its exit code.
  int failed(const Error& error) const;
  // /v1/executions/<id> and /v1/tasks/<id>, the id percent-encoded.
  static std::string execution_path(const std::string& id);
  static std::string task_path(const std::string& id);
};

struct Command {
  std::string path;  // the words that select it: "status", "audit verify"
  std::string help;
  Needs needs = Needs::kInstallation;
  Naming naming = Naming::kNobody;
  MediaScan media = MediaScan::kHere;
  // Runs until stopped (worker, serve): says in the log which configuration it found.
  bool runs_until_stopped = false;
  // Adds the command's options to its subcommand, bound to the command's options.
  std::function<void(CommandOptions&)> define;
  // Refuses a combination of options before anything is opened; `through_server` says which
  // run follows. Empty: nothing to check.
  std::function<Status(bool through_server)> check;
  std::function<int(const CommandContext&)> run;
  // Empty when the command is not available with --server.
  std::function<int(const RemoteCall&)> remote;
};

// A command written against its own options type; see make_command.
template <class Options>
struct CommandSpec {
  std::string path{};
  std::string help{};
  Needs needs = Needs::kInstallation;
  Naming naming = Naming::kNobody;
  MediaScan media = MediaScan::kHere;
  bool runs_until_stopped = false;
  void (*define)(CommandOptions&, Options&) = nullptr;
  Status (*check)(const Options&, bool through_server) = nullptr;
  int (*run)(const Options&, const CommandContext&) = nullptr;
  int (*remote)(const Options&, const RemoteCall&) = nullptr;
};

// The entry for `spec`, with a fresh Options instance its functions share.
template <class Options>
Command make_command(const CommandSpec<Options>& spec) {
  auto options = std::make_shared<Options>();
  Command command;
  command.path = spec.path;
  command.help = spec.help;
  command.needs = spec.needs;
  command.naming = spec.naming;
  command.media = spec.media;
  command.runs_until_stopped = spec.runs_until_stopped;
  command.define = [options, define = spec.define](CommandOptions& c) { define(c, *options); };
  if (spec.check != nullptr) {
    command.check = [options, check = spec.check](bool remote) { return check(*options, remote); };
  }
  command.run = [options, run = spec.run](const CommandContext& c) { return run(*options, c); };
  if (spec.remote != nullptr) {
    command.remote = [options, remote = spec.remote](const RemoteCall& r) {
      return remote(*options, r);
    };
  }
  return command;
}

}  // namespace coalition::cli

#endif  // COALITION_CLI_COMMAND_H_
