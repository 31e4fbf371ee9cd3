#include "audit/purge_evidence.h"

namespace coalition {

bool PurgeEvidence::covers_deletion(uint64_t seq) const {
  return covers_redaction() && (everything || deleted.count(seq) != 0);
}

bool PurgeEvidence::covers_rewrite(uint64_t seq, const std::string& digest) const {
  if (!covers_redaction()) return false;
  const auto it = rewritten.find(seq);
  return it != rewritten.end() && it->second == digest;
}

// Tolerant reading: a summary the chain verified but that lacks "events" (a purge written
// before this evidence existed) simply accepts no event change beyond an execution purge.
void PurgeEvidence::note_purged_entry(const std::string& summary) {
  const auto doc = nlohmann::json::parse(summary, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return;
  audited = true;
  if (doc.value("record_type", std::string()) == "execution") everything = true;
  const auto events = doc.find("events");
  if (events == doc.end() || !events->is_object()) return;
  const nlohmann::json removed = events->value("deleted", nlohmann::json::array());
  for (const auto& seq : removed) {
    if (seq.is_number_unsigned()) deleted.insert(seq.get<uint64_t>());
  }
  const nlohmann::json changed = events->value("rewritten", nlohmann::json::object());
  for (const auto& [seq, digest] : changed.items()) {
    if (digest.is_string()) rewritten[std::strtoull(seq.c_str(), nullptr, 10)] = digest;
  }
}

nlohmann::json purge_events_summary(const std::set<uint64_t>& deleted,
                                    const std::map<uint64_t, std::string>& rewritten) {
  nlohmann::json out{{"deleted", deleted}, {"rewritten", nlohmann::json::object()}};
  for (const auto& [seq, digest] : rewritten) out["rewritten"][std::to_string(seq)] = digest;
  return out;
}

}  // namespace coalition
