#include "cli/executions_command.h"

#include <iostream>

#include "auth/principal.h"
#include "cli/document_printing.h"
#include "cli/exit_code.h"
#include "common/text_field.h"
#include "common/utc_time.h"

namespace coalition::cli {

using nlohmann::json;

Result<app::ExecutionQuery> execution_query(const ExecutionCommandOptions& o) {
  app::ExecutionQuery q;
  q.workflow = o.workflow;
  // --status running,waiting and --status running --status waiting say the same.
  for (const auto& given : o.statuses) {
    size_t start = 0;
    while (start <= given.size()) {
      const size_t comma = std::min(given.find(',', start), given.size());
      if (comma > start) q.statuses.push_back(given.substr(start, comma - start));
      start = comma + 1;
    }
  }
  q.organisation = normal_name(o.organisation);
  for (auto [option, text, field] :
       {std::tuple{"--started-from", &o.started_from, &q.started_from},
        std::tuple{"--started-until", &o.started_until, &q.started_until},
        std::tuple{"--finished-from", &o.finished_from, &q.finished_from},
        std::tuple{"--finished-until", &o.finished_until, &q.finished_until}}) {
    if (text->empty()) continue;
    std::string why;
    *field = parse_utc(*text, &why);
    if (!*field) {
      return Error::invalid_argument(std::string(option) + ": not an RFC 3339 timestamp: " + why);
    }
  }
  q.overdue = o.overdue;
  q.escalated = o.escalated;
  q.limit = o.limit;
  q.after = o.after;
  return q;
}

void print_executions(const json& page, std::ostream& out) {
  const json& list = page["executions"];
  if (list.empty()) out << "no executions match\n";
  for (const auto& e : list) {
    out << printable(e["id"].get<std::string>()) << "  "
        << printable(e["workflow"].get<std::string>()) << "@" << e["version"].get<int64_t>() << "  "
        << e["status"].get<std::string>() << "  started " << e["started_at"].get<std::string>();
    if (e.contains("finished_at")) out << "  finished " << e["finished_at"].get<std::string>();
    if (e.contains("next_due")) out << "  next due " << e["next_due"].get<std::string>();
    if (e.contains("initiator")) out << "  by " << printable(e["initiator"].get<std::string>());
    out << "\n";
  }
  if (page.contains("next")) {
    out << "more: add --after " << printable(page["next"].get<std::string>()) << "\n";
  }
}

int run_executions_command(const ExecutionCommandOptions& o, const Installation& installation,
                           std::ostream& out, std::ostream& err) {
  auto query = execution_query(o);
  if (!query) return fail(err, "executions", query.error());
  auto s = open_for_reading(o, installation);
  if (!s) return fail(err, "executions", s.error());
  // At the engine's terminal, whoever holds the store file sees all of it, as `status` does
  // without --view; lateness is judged at the store's instant (its virtual time in a rehearsal).
  Principal operator_view = asserted_principal("operator", "", "");
  operator_view.admin = true;
  auto page = app::search_executions(**s, operator_view, *query);
  if (!page) return fail(err, "executions", page.error());
  if (o.json) {
    out << page->dump(2) << "\n";
  } else {
    print_executions(*page, out);
  }
  return kExitOk;
}

}  // namespace coalition::cli
