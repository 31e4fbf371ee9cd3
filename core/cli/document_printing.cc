#include "cli/document_printing.h"

#include "app/execution_documents.h"
#include "common/text_field.h"

namespace coalition::cli {

using nlohmann::json;

namespace {

std::string due_text(const json& task) {
  return task.contains("due") ? task["due"].get<std::string>() : std::string("no deadline");
}

}  // namespace

void print_task_line(const json& t, std::ostream& out) {
  std::string roles;
  for (const auto& r : t["roles"]) roles += (roles.empty() ? "" : ",") + r.get<std::string>();
  // A title is a plugin's words and roles a workflow's: printed escaped, on one line.
  out << printable(t["id"].get<std::string>()) << "  " << printable(t["step"].get<std::string>())
      << "  \"" << printable(t.value("title", "")) << "\"  roles " << printable(roles) << "  due "
      << due_text(t) << "  " << t["completions"].size() << "/" << t.value("quorum", 1) << " done";
  if (t.value("level", 0) > 0) out << "  escalated x" << t["level"].get<int>();
  if (t.contains("assignee") && t["assignee"].is_string()) {
    out << "  held by " << printable(t["assignee"].get<std::string>());
  }
  out << "\n";
}

void print_status(const json& doc, std::ostream& out) {
  out << "execution " << printable(doc["id"].get<std::string>()) << " ("
      << printable(doc["workflow"].get<std::string>()) << "): " << doc["status"].get<std::string>()
      << "\n";
  if (doc.contains("view") && !doc["view"].value("role", "").empty()) {
    out << "as seen by " << printable(doc["view"]["role"].get<std::string>()) << " (clearance "
        << doc["view"].value("clearance", "") << ")\n";
  }
  out << "started " << doc["started_at"].get<std::string>() << " by "
      << printable(doc["initiator"].get<std::string>()) << ", last change "
      << doc["updated_at"].get<std::string>() << "\n";
  if (doc.contains("next_due")) out << "next timer " << doc["next_due"].get<std::string>() << "\n";
  for (const auto& p : doc.value("in_progress", json::array())) {
    out << "in progress: " << printable(p.get<std::string>()) << "\n";
  }
  if (doc.contains("output")) out << "output: " << doc["output"].dump(2) << "\n";
  if (doc.contains("error")) {
    const std::string pointer = doc["error"].value("pointer", "");
    out << "error: " << printable(doc["error"].value("code", "")) << ": "
        << (pointer.empty() ? "" : printable(pointer) + ": ")
        << printable(doc["error"].value("message", "")) << "\n";
  }
  for (const auto& t : doc["open_tasks"]) {
    out << "open task ";
    print_task_line(t, out);
  }
  for (const auto& t : doc.value("purged", json::array())) {
    out << "purged " << t["record_type"].get<std::string>() << " data at "
        << t["purged_at"].get<std::string>() << " (kept " << t["policy"].value("keep", "")
        << " from " << t["policy"].value("from", "") << ")\n";
  }
  if (doc.contains("legal_hold")) {
    out << "under legal hold since " << doc["legal_hold"]["placed_at"].get<std::string>() << " ("
        << printable(doc["legal_hold"]["reason"].get<std::string>()) << ")\n";
  }
}

void print_history(const json& doc, std::ostream& out) {
  for (const auto& e : doc["events"]) {
    out << e["at"].get<std::string>() << "  " << e["seq"].get<uint64_t>() << "  "
        << e["type"].get<std::string>();
    if (e.contains("step")) out << "  " << printable(e["step"].get<std::string>());
    const json data = e.value("data", json::object());
    for (const char* key :
         {"task", "actor", "role", "roles", "due", "level", "attempt", "name", "action", "next"}) {
      if (data.contains(key)) out << "  " << key << "=" << data[key].dump();
    }
    if (data.contains("error") && data["error"].is_object()) {
      out << "  error=" << printable(data["error"].value("code", ""));
    }
    out << "\n";
  }
}

void print_timeline(const json& doc, std::ostream& out) {
  out << "timeline of " << printable(doc["id"].get<std::string>()) << " ("
      << printable(doc["workflow"].get<std::string>()) << "), times in UTC\n";
  // Names, reasons and codes come from people and plugins: one escaped line each, so a name
  // holding a newline or an escape sequence cannot forge a line or repaint the terminal.
  for (const auto& e : doc["entries"]) {
    out << "  " << app::minutes(e["at"].get<std::string>()) << "  "
        << printable(e["text"].get<std::string>()) << "\n";
  }
}

void print_audit_verification(const json& v, std::ostream& out) {
  if (v["ok"].get<bool>()) {
    out << "audit chain ok: " << v["entries"] << " entries, " << v["events"] << " event payloads";
    if (v.value("unanchored_events", 0) > 0) {
      out << " (+" << v["unanchored_events"] << " written before digests)";
    }
    if (v.contains("checkpoints")) out << ", " << v["checkpoints"] << " signed checkpoints hold";
    if (v.value("redacted", 0) > 0) {
      out << " (" << v["redacted"] << " summaries removed by purges, digests kept)";
    }
    out << ", head " << v["head"].get<std::string>() << "\n";
  } else {
    out << "audit chain BROKEN";
    if (v.value("first_bad_seq", 0) > 0) out << " at entry " << v["first_bad_seq"];
    out << " (" << v.value("kind", "") << "): " << printable(v.value("problem", "")) << " ("
        << v["entries"] << " entries verified before it)\n";
  }
}

void print_purge_report(const json& r, std::ostream& out) {
  const bool dry_run = r["dry_run"].get<bool>();
  for (const auto& a : r["actions"]) {
    out << (dry_run ? "would be " : "") << a["action"].get<std::string>() << "  "
        << a["execution"].get<std::string>() << "  " << a["record_type"].get<std::string>()
        << "  expired " << a["expired_at"].get<std::string>() << "  (kept "
        << a["policy"].value("keep", "") << " from " << a["policy"].value("from", "") << ", "
        << a["policy"].value("source", "") << ")";
    if (a.contains("hold")) out << "  hold " << a["hold"].get<std::string>();
    out << "\n";
  }
  out << "purge at " << r["now"].get<std::string>() << ": " << r["examined"]
      << " finished execution(s), " << r["purged"] << " record(s) " << (dry_run ? "would be " : "")
      << "purged, " << r["held"] << " held, " << r["kept"] << " not yet expired, "
      << r["already_purged"] << " already purged\n";
}

}  // namespace coalition::cli
