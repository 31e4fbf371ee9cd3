// The coalition command: a thin shell over the core library. Data goes to stdout, diagnostics to
// stderr, and the exit code follows cli/exit_code.h.
#include <coalition/plugin_abi.h>
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

#include "cli/exit_code.h"
#include "cli/graph_command.h"
#include "cli/installation.h"
#include "cli/plugins_command.h"
#include "cli/run_command.h"
#include "cli/validate_command.h"
#include "common/logging.h"
#include "version.h"

namespace {

using namespace coalition;
using namespace coalition::cli;

struct GlobalOptions {
  std::string config_file;
  std::string log_format;
  std::string log_level;
};

int run(int argc, char** argv) {
  CLI::App app{"Coalition: durable workflows for partnership coordination.", "coalition"};
  app.set_version_flag("--version",
                       fmt::format("coalition {} (plugin ABI {}.{})", kCoalitionVersion,
                                   COALITION_ABI_MAJOR, COALITION_ABI_MINOR));
  app.require_subcommand(1);
  GlobalOptions global;
  app.add_option("--config", global.config_file,
                 "Engine configuration file (default: $COALITION_CONFIG, else built-in defaults)")
      ->envname("COALITION_CONFIG");
  app.add_option("--log-format", global.log_format, "Log format on stderr: text or json")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("--log-level", global.log_level, "debug, info, warn, error or off")
      ->check(CLI::IsMember({"debug", "info", "warn", "error", "off"}));

  PluginsOptions plugins;
  auto* plugins_cmd = app.add_subcommand("plugins", "List installed plugins and step types");
  plugins_cmd->add_flag("--json", plugins.json, "Print JSON instead of text");
  plugins_cmd->add_option("--schema", plugins.schema_of, "Print the parameters schema of STEP_TYPE")
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

  std::string graph_file;
  std::string graph_format = "dot";
  auto* graph_cmd = app.add_subcommand("graph", "Draw a workflow as Graphviz DOT or Mermaid");
  graph_cmd->add_option("FILE", graph_file, "Workflow file")->required();
  graph_cmd->add_option("--format", graph_format, "dot or mermaid")
      ->check(CLI::IsMember({"dot", "mermaid"}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {  // boundary: the command line
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }

  if (*graph_cmd) return run_graph_command(graph_file, graph_format, std::cout, std::cerr);

  RealFileSystem fs;
  std::optional<std::filesystem::path> config_file;
  if (!global.config_file.empty()) config_file = global.config_file;
  auto config = read_config(config_file, fs);
  if (!config) {
    configure_logging(LogFormat::kText, LogLevel::kInfo);
    std::cerr << "coalition: " << config.error().to_string() << "\n";
    return exit_code_for(config.error());
  }
  if (!global.log_format.empty()) config->log_format = *parse_log_format(global.log_format);
  if (!global.log_level.empty()) config->log_level = *parse_log_level(global.log_level);
  configure_logging(config->log_format, config->log_level);

  DllLibraryLoader libraries;
  auto installation = open_installation(std::move(*config), fs, libraries);
  if (*plugins_cmd) return run_plugins_command(plugins, *installation, std::cout, std::cerr);
  if (*validate_cmd)
    return run_validate_command(validate_files, *installation, std::cout, std::cerr);
  if (*run_cmd) return run_run_command(run, *installation, std::cin, std::cout, std::cerr);
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {  // a bug: report it, never a core dump
    std::cerr << "coalition: internal error: " << e.what() << "\n";
    return coalition::cli::kExitSoftware;
  }
}
