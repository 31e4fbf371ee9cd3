#include "cli/workflow_to_run.h"

#include <ostream>

#include "app/workflow_actions.h"
#include "cli/exit_code.h"
#include "runtime/deadline.h"
#include "workflow/workflow_files.h"

namespace coalition::cli {

int load_workflow_to_run(const std::string& path, const Installation& installation,
                         std::ostream& err,
                         std::vector<std::shared_ptr<const Workflow>>& workflows) {
  RealFileSystem fs;
  auto set = load_workflow_files({path}, fs);
  const auto& file = set.files.front();
  // A calendar directory that does not load is reported when the session opens.
  auto calendars = load_calendars(installation.config);
  const Problems problems = app::definition_problems(
      file.loaded, installation.registry, set.catalog, calendars ? &*calendars : nullptr);
  for (const auto& p : problems) err << p.format(file.path) << "\n";
  if (!file.readable) return kExitNoInput;
  if (!problems.empty()) return kExitDataError;
  workflows.push_back(file.loaded.workflow);
  for (const auto& key : set.catalog.keys()) {
    const auto at = key.rfind('@');
    workflows.push_back(set.catalog.find(key.substr(0, at), std::stoll(key.substr(at + 1))));
  }
  return kExitOk;
}

}  // namespace coalition::cli
