#include "store/stored_forms.h"

#include <algorithm>
#include <chrono>
#include <string_view>
#include <unordered_map>
#include <utility>

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

size_t event_run_end(const std::vector<StoredEvent>& events, size_t begin) {
  size_t end = begin + 1;
  while (end < events.size() && events[end].execution_id == events[begin].execution_id &&
         events[end].event.seq > events[end - 1].event.seq) {
    ++end;
  }
  return end;
}

namespace {

// Each audit entry's digests from the batch's own events, so the writer seals it without
// looking any up. An execution's events are consecutive in a batch and in order (the committer
// drains each execution once per batch); an entry whose events are not found so is left to the
// store, which finds them or refuses the batch.
void attach_event_hashes(StoreBatch& batch) {
  if (batch.audit.empty() || batch.events.empty()) return;
  std::unordered_map<std::string_view, std::pair<size_t, size_t>> ranges;  // [begin, end)
  for (size_t begin = 0; begin < batch.events.size();) {
    const size_t end = event_run_end(batch.events, begin);
    ranges.emplace(batch.events[begin].execution_id, std::pair{begin, end});
    begin = end;
  }
  for (AuditDraft& draft : batch.audit) {
    if (draft.event_seq == 0 || !draft.event_hash.empty()) continue;
    const auto range = ranges.find(draft.execution_id);
    if (range == ranges.end()) continue;
    const auto [begin, end] = range->second;
    const uint64_t first = batch.events[begin].event.seq;
    const uint64_t count = std::max<uint64_t>(draft.event_count, 1);
    if (draft.event_seq < first || draft.event_seq - first + count > end - begin) continue;
    const size_t at = begin + (draft.event_seq - first);
    std::string hashes;
    hashes.reserve(count * 64);  // hex SHA-256 digests
    for (uint64_t i = 0; i < count; ++i) {
      const StoredEvent& e = batch.events[at + i];
      if (e.event.seq != draft.event_seq + i || e.digest.empty()) {
        hashes.clear();
        break;
      }
      hashes += e.digest;
    }
    draft.event_hash = std::move(hashes);
  }
}

}  // namespace

void encode_stored_forms(StoreBatch& batch) {
  for (auto& e : batch.executions) {
    if (e.state_encoded.empty()) e.state_encoded = encode_snapshot(e.state);
    if (e.result_encoded.empty()) e.result_encoded = encode_result(e.result);
  }
  for (StoredEvent& e : batch.events) {
    if (e.digest.empty()) e.digest = stored_event_digest(e.execution_id, e.event);
  }
  attach_event_hashes(batch);
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
  // What every unfinished execution holds, read without a parser (its lexer's buffers were 2%
  // of reloading a parked execution).
  if (text == "{}") return ExecutionResult();
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
