#include "audit/audit_grouping.h"

#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "common/json_text.h"
#include "common/sha256.h"

namespace coalition {

namespace {

using nlohmann::json;

constexpr size_t kDigestHex = 64;

// A summary is a JSON object's text, as make_audit_draft writes it. Anything else is kept out
// of a run rather than spliced into a list it could break.
bool object_text(const std::string& summary) {
  return summary.size() >= 2 && summary.front() == '{' && summary.back() == '}';
}

bool groupable(const AuditDraft& d) {
  return d.event_seq != 0 && d.event_count == 1 && object_text(d.summary);
}

// One step, or steps the caller says are alike: a retention purge empties the summaries of the
// entries holding events of steps members may not see, whole (the summary's digest covers it
// whole), so an entry never mixes such a step with one members may see.
bool continues(const AuditDraft& run, const AuditDraft& next, const StepsAlike& alike) {
  return groupable(next) && next.event_seq == run.event_seq + run.event_count &&
         next.execution_id == run.execution_id && next.actor == run.actor &&
         next.role == run.role && next.organisation == run.organisation &&
         (next.step == run.step || (alike && alike(run.step, next.step)));
}

// The entry for drafts [first, last): the first's time, actor, step and first event. The
// summary is written here as text: the drafts' summaries are already JSON objects, so each goes
// in whole instead of being parsed and printed again. An item leaves out its step when it is the
// entry's, and an empty summary (most engine events have nothing more to say). Names go in
// through append_json_string, the text nlohmann would print, without a document per name: this
// runs for every drain, on the committer's draining thread.
AuditDraft fold(std::vector<AuditDraft>& drafts, size_t first, size_t last) {
  AuditDraft out = std::move(drafts[first]);
  std::string summary = R"({"events":[)";
  for (size_t i = first; i < last; ++i) {
    const AuditDraft& d = i == first ? out : drafts[i];
    if (i > first) summary += ',';
    summary += R"({"type":)";
    append_json_string(summary, d.type);
    if (d.step != out.step) {
      summary += R"(,"step":)";
      append_json_string(summary, d.step);
    }
    if (d.summary != "{}") {
      summary += R"(,"summary":)";
      summary += d.summary;
    }
    summary += '}';
  }
  summary += "]}";
  out.type = std::string(kAuditEventsType);
  out.summary = std::move(summary);
  out.summary_hash = sha256_hex(out.summary);
  out.event_count = last - first;
  return out;
}

std::string text_member(const json& item, const char* key) {
  const auto it = item.find(key);
  return it != item.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

void append_grouped_audit(std::vector<AuditDraft>& out, std::vector<AuditDraft>&& drafts,
                          const StepsAlike& alike) {
  for (size_t first = 0; first < drafts.size();) {
    size_t last = first + 1;
    if (groupable(drafts[first])) {
      while (last < drafts.size() && continues(drafts[last - 1], drafts[last], alike)) ++last;
    }
    out.push_back(last - first == 1 ? std::move(drafts[first]) : fold(drafts, first, last));
    if (out.back().summary_hash.empty()) out.back().summary_hash = sha256_hex(out.back().summary);
    first = last;
  }
  drafts.clear();
}

std::vector<AuditRecord> expand_audit_entry(AuditRecord entry) {
  const uint64_t count = audit_event_count(entry);
  if (count < 2 || entry.type != kAuditEventsType || entry.summary.empty()) return {entry};
  const json doc = json::parse(entry.summary, nullptr, /*allow_exceptions=*/false);
  const auto events = doc.is_object() ? doc.find("events") : doc.end();
  if (events == doc.end() || !events->is_array() || events->size() != count) return {entry};
  std::vector<AuditRecord> out;
  out.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    const json& item = (*events)[i];
    if (!item.is_object()) return {entry};
    AuditRecord r;
    r.seq = entry.seq;
    r.at = entry.at;
    r.actor = entry.actor;
    r.role = entry.role;
    r.organisation = entry.organisation;
    r.execution_id = entry.execution_id;
    const auto step = item.find("step");
    if (step != item.end() && !step->is_string()) return {entry};  // which step is unknown
    r.step = step != item.end() ? step->get<std::string>() : entry.step;
    r.type = text_member(item, "type");
    const auto summary = item.find("summary");
    r.summary = summary != item.end() ? summary->dump() : "{}";
    r.summary_hash = sha256_hex(r.summary);
    r.prev_hash = entry.prev_hash;
    r.hash = entry.hash;
    r.scheme = entry.scheme;
    r.event_seq = entry.event_seq + i;
    r.event_hash = entry.event_hash.substr(i * kDigestHex, kDigestHex);
    r.part = i + 1;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace coalition
