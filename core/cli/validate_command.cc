#include "cli/validate_command.h"

#include "cli/exit_code.h"
#include "workflow/workflow_files.h"

namespace coalition::cli {

int run_validate_command(const std::vector<std::string>& paths, const Installation& installation,
                         std::ostream& out, std::ostream& err) {
  RealFileSystem fs;
  auto set = load_workflow_files(paths, fs);
  int code = kExitOk;
  for (const auto& file : set.files) {
    Problems problems = file.loaded.problems;
    if (file.loaded.workflow) {
      problems = validate_workflow(*file.loaded.workflow, installation.registry, set.catalog);
    }
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

}  // namespace coalition::cli
