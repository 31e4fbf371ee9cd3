// A task as a store keeps it: what an inbox lists (store.h InboxEntry) and the form beside it.
#include "store/store.h"

#include <algorithm>

namespace coalition {

namespace {

bool in_form(const std::string& key) {
  return std::find(kTaskFormKeys.begin(), kTaskFormKeys.end(), key) != kTaskFormKeys.end();
}

}  // namespace

// Built from the fields it keeps rather than a copy of the document with the form erased: the
// answer schema is most of a task's document, and this runs for every task written.
nlohmann::json task_summary(const TaskRecord& task) {
  nlohmann::json summary = nlohmann::json::object();
  if (task.doc.is_object()) {
    for (const auto& [key, value] : task.doc.items()) {
      if (!in_form(key)) summary[key] = value;
    }
  }
  summary["status"] = task.status;
  return summary;
}

nlohmann::json task_form(const TaskRecord& task) {
  nlohmann::json form = nlohmann::json::object();
  if (task.doc.is_object()) {
    for (const auto& [key, value] : task.doc.items()) {
      if (in_form(key)) form[key] = value;
    }
  }
  return form;
}

nlohmann::json task_document(nlohmann::json summary, const nlohmann::json& form) {
  if (!summary.is_object()) summary = nlohmann::json::object();
  if (form.is_object()) summary.update(form);
  return summary;
}

}  // namespace coalition
