#include "workflow/workflow_files.h"

#include <set>

#include "common/json_text.h"

namespace coalition {

namespace fs = std::filesystem;

WorkflowSet load_workflow_files(const std::vector<std::string>& paths, const FileSystem& files) {
  WorkflowSet set;
  std::set<fs::path> seen;
  std::set<fs::path> folders;
  for (const auto& path : paths) {
    WorkflowFile file{path, true, {}};
    auto text = files.read(path);
    if (!text) {
      file.readable = false;
      file.loaded.problems.push_back({"", "cannot read the file"});
    } else {
      file.loaded = load_workflow(*text, path);
      if (file.loaded.workflow) (void)set.catalog.add(file.loaded.workflow);
    }
    seen.insert(fs::path(path).lexically_normal());
    folders.insert(fs::path(path).parent_path().empty() ? fs::path(".")
                                                        : fs::path(path).parent_path());
    set.files.push_back(std::move(file));
  }
  for (const auto& folder : folders) {
    for (const auto& entry : files.list(folder)) {
      if (entry.extension() != ".json" || seen.count(entry.lexically_normal()) != 0) continue;
      auto text = files.read(entry);
      if (!text) continue;
      auto doc = parse_json(*text);
      if (!doc || !doc->is_object() || !doc->contains("steps")) continue;
      auto loaded = load_workflow(*text, entry.string());
      if (loaded.workflow) (void)set.catalog.add(loaded.workflow);
    }
  }
  return set;
}

}  // namespace coalition
