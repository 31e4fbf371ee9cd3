// The coalition command: a thin shell over the core library. Data goes to stdout, diagnostics to
// stderr, and the exit code follows cli/exit_code.h. The commands come from the table
// (cli/command_table.h); this file builds the command line from it and applies its rules —
// what works with --server, who must be named, which words are checked — to every command alike.
#include <coalition/plugin_abi.h>
#include <fmt/format.h>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "app/installation.h"
#include "cli/command_options.h"
#include "cli/command_table.h"
#include "cli/execution_commands.h"
#include "cli/exit_code.h"
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

void add_global_options(CLI::App& app, GlobalOptions& global, const std::string& remote_paths) {
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
                 "Act through this server (https://host:port) instead of a store: " + remote_paths);
  app.add_option("--token-file", global.remote.token_file,
                 "With --server: a file holding your credential (default: $COALITION_TOKEN)");
  app.add_option("--ca-file", global.remote.ca_file,
                 "With --server: the CA certificate (PEM) that signed the server's certificate");
}

std::string remote_paths(const std::vector<DefinedCommand>& commands) {
  std::string paths;
  for (const DefinedCommand& d : commands) {
    if (!d.command.remote) continue;
    paths += (paths.empty() ? "" : ", ") + d.command.path;
  }
  return paths;
}

// Through a server: the command must have a remote form, and the options that only work against
// a store are refused.
std::optional<Error> refused_remotely(const DefinedCommand& d) {
  if (!d.command.remote) return Error::invalid_argument("not available with --server");
  if (const auto given = d.options->local_only_given(); !given.empty()) {
    return Error::invalid_argument(given.front() +
                                   " is for direct store access; over --server your credential "
                                   "says who you are, and the server keeps its store and its "
                                   "clock");
  }
  return std::nullopt;
}

// At the engine's terminal the command line says who acts, so it must say it.
std::optional<Error> unnamed_here(const DefinedCommand& d) {
  const auto empty = [&](std::string_view option) {
    const std::string* text = d.options->text_of(option);
    return text == nullptr || text->empty();
  };
  switch (d.command.naming) {
    case Naming::kNobody: return std::nullopt;
    case Naming::kActor:
      if (empty("--as")) return Error::invalid_argument("--as is required (or --server)");
      return std::nullopt;
    case Naming::kActorAndRole:
      if (empty("--as") || empty("--role")) {
        return Error::invalid_argument(
            "--as and --role are required (or --server, where your credential says who you "
            "are)");
      }
      return std::nullopt;
  }
  return std::nullopt;
}

// Words typed on the command line reach the audit log (who acted, why) and printed timelines:
// like every payload they may not carry an image or video, and each is one line of valid UTF-8.
// The engine refuses media itself, audited, for the commands that act on an execution
// (MediaScan::kByEngine); for the others it is refused here before anything opens. The message
// names the option, never the bytes; the media scan comes first so an image is refused as one.
std::optional<Error> refused_words(const DefinedCommand& d) {
  if (d.command.media == MediaScan::kHere) {
    for (const TextOption& t : d.options->texts()) {
      if (!t.names_someone) continue;
      if (auto found = find_media(nlohmann::json(*t.text))) {
        return Error::invalid_data(t.option + ": an image or video (" + found->kind +
                                   ") is not allowed here; give a name or a reference");
      }
    }
  }
  for (const TextOption& t : d.options->texts()) {
    if (auto checked = check_text_field(t.option, *t.text, t.max_bytes); !checked) {
      return checked.error();
    }
  }
  return std::nullopt;
}

// Every rule of the table for the chosen command, before anything is read or opened; the exit
// code when the line is refused.
std::optional<int> refuse_command_line(const DefinedCommand& d, bool remote, std::ostream& err) {
  std::optional<Error> refused = remote ? refused_remotely(d) : unnamed_here(d);
  if (!refused && d.command.check) {
    if (Status usable = d.command.check(remote); !usable) refused = usable.error();
  }
  if (!refused) refused = refused_words(d);
  if (!refused) return std::nullopt;
  return fail(err, d.command.path, *refused);
}

void configure_default_logging(const GlobalOptions& global) {
  configure_logging(parse_log_format(global.log_format).value_or(LogFormat::kText),
                    parse_log_level(global.log_level).value_or(LogLevel::kInfo));
}

// The configuration this command line names or finds, with logging configured from it; what is
// wrong with it when there is none to run with.
Result<EngineConfig> load_config(const GlobalOptions& global, bool runs_until_stopped,
                                 const FileSystem& fs) {
  ConfigSearch search;
  search.option = global.config_file;
  if (const char* env = std::getenv("COALITION_CONFIG")) search.environment = env;
  std::error_code cwd_error;
  search.working_directory = std::filesystem::current_path(cwd_error);
  const ConfigChoice chosen = find_config(search, fs);
  if (!chosen.refused.empty()) return Error::configuration(printable(chosen.refused));
  if (global.verbose) {
    std::cerr << "coalition: configuration: "
              << (chosen.file ? printable(chosen.file->string()) + " (" + chosen.found_by + ")"
                              : chosen.found_by)
              << "\n";
  }
  auto config = read_config(chosen.file, fs);
  if (!config) return config;
  if (!global.log_format.empty()) config->log_format = *parse_log_format(global.log_format);
  if (!global.log_level.empty()) config->log_level = *parse_log_level(global.log_level);
  configure_logging(config->log_format, config->log_level);
  configure_json_limits(config->limits.json);
  // A long-running engine says which configuration it found by convention, so its operator can
  // tell from the log what it trusts (plugins, identity providers, the store).
  if (runs_until_stopped && chosen.file && chosen.found_by != "--config" &&
      chosen.found_by != "$COALITION_CONFIG") {
    spdlog::info("configuration: {} ({})", printable(chosen.file->string()), chosen.found_by);
  }
  return config;
}

int run_remotely(const Command& command, const RemoteOptions& options) {
  auto client = RemoteClient::open(options);
  if (!client) return fail(std::cerr, command.path, client.error());
  return command.remote(RemoteCall{command.path, &*client, &std::cout, &std::cerr});
}

// The installation opened, then the command. A thread abandoned to a plugin call that never
// returned is still inside the plugin: its instance, its library and its host must outlive it,
// so they are then never destroyed (main ends the process with quick_exit).
int run_installed(const Command& command, EngineConfig config, const FileSystem& fs) {
  auto libraries = std::make_unique<DllLibraryLoader>();
  auto installation = open_installation(std::move(config), fs, *libraries);
  struct KeepWhileStranded {
    std::unique_ptr<DllLibraryLoader>& libraries;
    std::unique_ptr<Installation>& installation;
    ~KeepWhileStranded() {
      if (PluginCallPool::stranded_in_process() == 0) return;
      (void)installation.release();
      (void)libraries.release();
    }
  } keep_while_stranded{libraries, installation};
  return command.run(
      CommandContext{&installation->config, installation.get(), &std::cin, &std::cout, &std::cerr});
}

int run(int argc, char** argv) {
  CLI::App app{"Coalition: durable workflows for partnership coordination.", "coalition"};
  app.set_version_flag("--version",
                       fmt::format("coalition {} (plugin ABI {}.{})", kCoalitionVersion,
                                   COALITION_ABI_MAJOR, COALITION_ABI_MINOR));
  app.require_subcommand(1);
  GlobalOptions global;
  const std::vector<DefinedCommand> commands = define_commands(app);
  add_global_options(app, global, remote_paths(commands));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {  // boundary: the command line
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  const DefinedCommand* chosen = nullptr;
  for (const DefinedCommand& d : commands) {
    if (d.app->parsed()) chosen = &d;
  }
  if (chosen == nullptr) return kExitUsage;
  const Command& command = chosen->command;
  const bool remote = !global.remote.server.empty();
  if (auto refused = refuse_command_line(*chosen, remote, std::cerr)) return *refused;

  const CommandContext bare{nullptr, nullptr, &std::cin, &std::cout, &std::cerr};
  if (command.needs == Needs::kNothing) {
    configure_default_logging(global);
    return command.run(bare);
  }
  RealFileSystem fs;
  auto config = load_config(global, command.runs_until_stopped, fs);
  if (!config) {
    configure_default_logging(global);
    std::cerr << "coalition: " << config.error().to_string() << "\n";
    return exit_code_for(config.error());
  }
  if (remote) return run_remotely(command, global.remote);
  if (command.needs == Needs::kConfig) {
    return command.run(CommandContext{&*config, nullptr, &std::cin, &std::cout, &std::cerr});
  }
  return run_installed(command, std::move(*config), fs);
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
