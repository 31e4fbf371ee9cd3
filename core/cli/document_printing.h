// How the CLI prints the application layer's documents (status, history, timeline, tasks) as
// text — the same whether they were built from the store or came back from a server, so
// `coalition status X` and `coalition --server URL status X` read alike. Everything a person or
// a plugin wrote is printed escaped, one line each.
#ifndef COALITION_CLI_DOCUMENT_PRINTING_H_
#define COALITION_CLI_DOCUMENT_PRINTING_H_

#include <nlohmann/json.hpp>
#include <ostream>

namespace coalition::cli {

// "<id>  <step>  "<title>"  roles a,b  due <t>  1/2 done[  escalated xN]"
void print_task_line(const nlohmann::json& task, std::ostream& out);
// A status document (app/execution_documents.h status_document).
void print_status(const nlohmann::json& status, std::ostream& out);
// A history document's events, one line each.
void print_history(const nlohmann::json& history, std::ostream& out);
// A timeline document.
void print_timeline(const nlohmann::json& timeline, std::ostream& out);
// An audit verification (app/audit_report.h).
void print_audit_verification(const nlohmann::json& verification, std::ostream& out);
// A purge report (app/retention_actions.h purge_report_json).
void print_purge_report(const nlohmann::json& report, std::ostream& out);

}  // namespace coalition::cli

#endif  // COALITION_CLI_DOCUMENT_PRINTING_H_
