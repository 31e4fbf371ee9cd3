#include "workflow/workflow_files.h"

#include <set>

#include "common/json_text.h"

namespace coalition {

namespace fs = std::filesystem;

WorkflowSet load_workflow_files(const std::vector<std::string>& paths, const FileSystem& files) {
  WorkflowSet set;
  std::set<fs::path> seen;
  // Workflows whose sub-workflow references are still to be resolved, with their folder.
  std::vector<std::pair<std::shared_ptr<const Workflow>, fs::path>> pending;
  for (const auto& path : paths) {
    WorkflowFile file{path, true, {}};
    auto text = files.read(path);
    if (!text) {
      file.readable = false;
      file.loaded.problems.push_back({"", "cannot read the file: " + text.error().message()});
    } else {
      file.loaded = load_workflow(*text, path);
      if (file.loaded.workflow) {
        (void)set.catalog.add(file.loaded.workflow);
        pending.emplace_back(file.loaded.workflow, fs::path(path).parent_path());
      }
    }
    seen.insert(fs::path(path).lexically_normal());
    set.files.push_back(std::move(file));
  }
  // A sub-workflow named "escalation_run" is read from escalation_run.json beside the file that
  // names it, and only then: nothing else in the folder is opened, so a huge, malformed or
  // special file there cannot get in the way.
  while (!pending.empty()) {
    auto [workflow, folder] = std::move(pending.back());
    pending.pop_back();
    for (const Step* call : sub_workflow_calls(*workflow)) {
      if (set.catalog.find(call->workflow_id, call->workflow_version) != nullptr) continue;
      const fs::path candidate = (folder / (call->workflow_id + ".json")).lexically_normal();
      if (!seen.insert(candidate).second || !files.is_regular_file(candidate)) continue;
      auto text = files.read(candidate);
      if (!text) continue;
      auto loaded = load_workflow(*text, candidate.string());
      if (!loaded.workflow || !set.catalog.add(loaded.workflow)) continue;
      pending.emplace_back(loaded.workflow, folder);
    }
  }
  return set;
}

}  // namespace coalition
