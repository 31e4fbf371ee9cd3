#include "store/stored_forms.h"

#include <chrono>

#include "audit/event_digest.h"

namespace coalition {

int64_t stored_ms(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string encode_snapshot(const nlohmann::json& doc) {
  std::string out;
  nlohmann::json::to_msgpack(doc, out);
  return out;
}

std::string encode_result(const ExecutionResult& result) {
  return to_json(result).dump();
}

// The digest is taken over the very fields the store writes: the time in stored milliseconds,
// the type's stored word and the payload text.
std::string stored_event_digest(const std::string& execution_id, const Event& event,
                                const std::string& payload) {
  return event_digest(execution_id, event.seq, stored_ms(event.at), to_string(event.type),
                      event.step, payload);
}

std::string stored_event_digest(const std::string& execution_id, const Event& event) {
  return stored_event_digest(execution_id, event, event.payload);
}

void encode_stored_forms(StoreBatch& batch) {
  for (auto& e : batch.executions) {
    if (e.state_encoded.empty()) e.state_encoded = encode_snapshot(e.state);
    if (e.result_encoded.empty()) e.result_encoded = encode_result(e.result);
  }
  for (auto& [execution_id, event, digest] : batch.events) {
    if (digest.empty()) digest = stored_event_digest(execution_id, event);
  }
  for (auto& p : batch.parts) {
    if (p.body_encoded.empty()) p.body_encoded = encode_snapshot(p.body);
  }
  for (auto& t : batch.tasks) {
    if (t.form_encoded.empty()) t.form_encoded = encode_task_form(t);
    if (t.summary_encoded.empty()) t.summary_encoded = encode_task_summary(t);
  }
}

std::string encode_task_form(const TaskRecord& task) {
  return task_form(task).dump();
}

std::string encode_task_summary(const TaskRecord& task) {
  return task_summary(task).dump();
}

nlohmann::json stored_json(std::string_view text) {
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

nlohmann::json stored_msgpack(std::string_view bytes) {
  return nlohmann::json::from_msgpack(bytes, /*strict=*/true, /*allow_exceptions=*/false);
}

nlohmann::json stored_state(const StoredExecution& stored) {
  return stored.state_msgpack.empty() ? stored.record.state : stored_msgpack(stored.state_msgpack);
}

Result<ExecutionStatus> stored_execution_status(std::string_view text, const std::string& id) {
  if (auto status = parse_execution_status(text)) return *status;
  return Error::invalid_data("store: " + (id.empty() ? "an execution" : "execution " + id) +
                             " has the status '" + std::string(text) +
                             "', which is not running, waiting, succeeded, failed or cancelled");
}

Result<TaskStatus> stored_task_status(std::string_view text, const std::string& id) {
  if (auto status = parse_task_status(text)) return *status;
  return Error::invalid_data("store: task " + id + " has the status '" + std::string(text) +
                             "', which is not open, completed, failed, expired or cancelled");
}

Result<ExecutionResult> stored_result(std::string_view text, const std::string& id) {
  auto result = read_execution_result(stored_json(text));
  if (!result) {
    return Error::invalid_data(
        "execution " + id +
            " has a stored result this engine did not write: " + result.error().message(),
        result.error().pointer());
  }
  return result;
}

namespace {
constexpr char kRoleMark = '\x1f';
}  // namespace

std::string task_roles_key(const nlohmann::json& doc) {
  std::string key;
  auto roles = doc.find("roles");
  if (roles == doc.end() || !roles->is_array()) return key;
  for (const auto& r : *roles) {
    if (!r.is_string()) continue;
    if (key.empty()) key.push_back(kRoleMark);
    key += r.get<std::string>();
    key.push_back(kRoleMark);
  }
  return key;
}

std::string task_role_mark(std::string_view role) {
  std::string mark(1, kRoleMark);
  mark += role;
  mark.push_back(kRoleMark);
  return mark;
}

std::string names_text(const std::vector<std::string>& names) {
  return nlohmann::json(names).dump();
}

std::vector<std::string> stored_names(std::string_view text) {
  std::vector<std::string> out;
  const nlohmann::json list = stored_json(text);
  if (!list.is_array()) return out;
  for (const auto& n : list) {
    if (n.is_string()) out.push_back(n.get<std::string>());
  }
  return out;
}

}  // namespace coalition
