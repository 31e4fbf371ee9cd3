// Reading workflow files: each file's problems, and the catalog of workflows a
// sub-workflow step can name (the files given plus the workflows they name, found beside them).
#ifndef COALITION_WORKFLOW_WORKFLOW_FILES_H_
#define COALITION_WORKFLOW_WORKFLOW_FILES_H_

#include <filesystem>
#include <string>
#include <vector>

#include "common/file_system.h"
#include "workflow/workflow_loader.h"
#include "workflow/workflow_validator.h"

namespace coalition {

struct WorkflowFile {
  std::string path;
  bool readable = true;  // false: the file could not be read (exit 66)
  LoadedWorkflow loaded;
};

struct WorkflowSet {
  std::vector<WorkflowFile> files;  // the ones asked for, in order
  WorkflowCatalog catalog;          // every workflow that loaded, asked for or found beside them
};

// Loads `paths` and the sub-workflows they name, transitively: workflow `id` is read from
// `<id>.json` in the folder of the file that names it, when no file given holds it already.
// Problems of those found files are not reported here (validate them by name).
WorkflowSet load_workflow_files(const std::vector<std::string>& paths, const FileSystem& fs);

}  // namespace coalition

#endif  // COALITION_WORKFLOW_WORKFLOW_FILES_H_
