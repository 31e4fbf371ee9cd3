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

std::string encode_event_data(const nlohmann::json& data) {
  return data.dump();
}

// The digest is taken over the very fields the store writes: the time in stored milliseconds,
// the type's stored word and the payload text encoded above.
std::string stored_event_digest(const std::string& execution_id, const Event& event,
                                const std::string& data_text) {
  return event_digest(execution_id, event.seq, stored_ms(event.at), to_string(event.type),
                      event.step, data_text);
}

void encode_stored_forms(StoreBatch& batch) {
  for (auto& e : batch.executions) {
    if (e.state_encoded.empty()) e.state_encoded = encode_snapshot(e.state);
    if (e.result_encoded.empty()) e.result_encoded = encode_result(e.result);
  }
  for (auto& [execution_id, event, data_encoded, digest] : batch.events) {
    if (data_encoded.empty()) {
      data_encoded = encode_event_data(event.data);
      digest.clear();  // taken over another text, if any
    }
    if (digest.empty()) digest = stored_event_digest(execution_id, event, data_encoded);
  }
  for (auto& p : batch.parts) {
    if (p.body_encoded.empty()) p.body_encoded = encode_snapshot(p.body);
  }
}

}  // namespace coalition
