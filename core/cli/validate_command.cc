#include "cli/validate_command.h"

#include <CLI/CLI.hpp>
#include "cli/command_options.h"

#include "app/workflow_actions.h"
#include "cli/exit_code.h"
#include "runtime/deadline.h"
#include "workflow/workflow_files.h"

namespace coalition::cli {

int run_validate_command(const std::vector<std::string>& paths, const Installation& installation,
                         std::ostream& out, std::ostream& err) {
  auto calendars = load_calendars(installation.config);
  if (!calendars) {
    err << "coalition validate: " << calendars.error().to_string() << "\n";
    return exit_code_for(calendars.error());
  }
  RealFileSystem fs;
  auto set = load_workflow_files(paths, fs);
  int code = kExitOk;
  for (const auto& file : set.files) {
    const Problems problems =
        app::definition_problems(file.loaded, installation.registry, set.catalog, &*calendars);
    for (const auto& p : problems) err << p.format(file.path) << "\n";
    if (!file.readable) {
      code = kExitNoInput;
    } else if (!problems.empty() && code == kExitOk) {
      code = kExitDataError;
    }
    if (problems.empty()) out << file.path << ": valid\n";
  }
  return code;
}

Command validate_command() {
  return make_command<ValidateOptions>(
      {.path = "validate",
       .help = "Check workflow files; exit 65 on problems",
       .define =
           [](CommandOptions& c, ValidateOptions& o) {
             c.app().add_option("FILE", o.files, "Workflow files")->required();
           },
       .run =
           [](const ValidateOptions& o, const CommandContext& c) {
             return run_validate_command(o.files, *c.installation, *c.out, *c.err);
           }});
}

}  // namespace coalition::cli
