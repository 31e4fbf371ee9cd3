// What an inbox lists of a task: every store writes it with the task (store.h InboxEntry).
#include "store/store.h"

namespace coalition {

// Built from the fields it keeps rather than a copy of the document with the form erased: the
// answer schema is most of a task's document, and this runs for every task written.
nlohmann::json task_summary(const TaskRecord& task) {
  nlohmann::json summary = nlohmann::json::object();
  if (task.doc.is_object()) {
    for (const auto& [key, value] : task.doc.items()) {
      if (key != "answer_schema" && key != "instructions" && key != "items") summary[key] = value;
    }
  }
  summary["status"] = task.status;
  return summary;
}

}  // namespace coalition
