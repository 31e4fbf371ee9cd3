// What an inbox lists of a task: every store writes it with the task (store.h InboxEntry).
#include "store/store.h"

namespace coalition {

nlohmann::json task_summary(const TaskRecord& task) {
  nlohmann::json summary = task.doc.is_object() ? task.doc : nlohmann::json::object();
  for (const char* form : {"answer_schema", "instructions", "items"}) summary.erase(form);
  summary["status"] = task.status;
  return summary;
}

}  // namespace coalition
