#include "cli/executions_command.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "auth/principal.h"
#include "cli/command_options.h"
#include "cli/document_printing.h"
#include "cli/exit_code.h"
#include "cli/instant_option.h"
#include "cli/remote_commands.h"
#include "common/text_field.h"
#include "common/utc_time.h"

namespace coalition::cli {

using nlohmann::json;

Result<app::ExecutionQuery> execution_query(const ExecutionsOptions& o, std::ostream& notes) {
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
  // A date alone takes the whole day in: "from" its start, "until" its end (the bounds after
  // "until" are exclusive, so the next day's start).
  for (auto [option, text, field, date] :
       {std::tuple{"--started-from", &o.started_from, &q.started_from, DateAlone::kStartOfDay},
        std::tuple{"--started-until", &o.started_until, &q.started_until, DateAlone::kThroughDay},
        std::tuple{"--finished-from", &o.finished_from, &q.finished_from, DateAlone::kStartOfDay},
        std::tuple{"--finished-until", &o.finished_until, &q.finished_until,
                   DateAlone::kThroughDay}}) {
    auto at = instant_option(option, *text, date, notes);
    if (!at) return std::move(at).error();
    *field = *at;
  }
  q.overdue = o.overdue;
  q.escalated = o.escalated;
  q.limit = o.limit;
  q.after = o.after;
  return q;
}

void print_executions(const json& page, std::ostream& out) {
  // A server's answer is read as data that may lack a field or hold the wrong kind of value:
  // every field is taken with its default and printed escaped.
  const auto text = [](const json& doc, const char* key) {
    const auto it = doc.find(key);
    return it != doc.end() && it->is_string() ? printable(it->get<std::string>()) : std::string();
  };
  const auto list = page.is_object() ? page.find("executions") : page.end();
  if (!page.is_object() || list == page.end() || !list->is_array() || list->empty()) {
    out << "no executions match\n";
    return;
  }
  for (const auto& e : *list) {
    if (!e.is_object()) continue;
    const auto version = e.find("version");
    out << text(e, "id") << "  " << text(e, "workflow") << "@"
        << (version != e.end() && version->is_number_integer() ? version->dump() : "?") << "  "
        << text(e, "status") << "  started " << text(e, "started_at");
    for (auto [key, label] : {std::pair{"finished_at", "finished"},
                              std::pair{"next_due", "next due"}, std::pair{"initiator", "by"}}) {
      if (e.contains(key)) out << "  " << label << " " << text(e, key);
    }
    out << "\n";
  }
  if (!text(page, "next").empty()) out << "more: add --after " << text(page, "next") << "\n";
}

namespace {

int run_executions_command(const ExecutionsOptions& o, const Installation& installation,
                           std::ostream& out, std::ostream& err) {
  auto query = execution_query(o, err);
  if (!query) return fail(err, "executions", query.error());
  auto s = open_for_reading(o.session, installation);
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

void define_executions(CommandOptions& c, ExecutionsOptions& o) {
  CLI::App& app = c.app();
  c.name("--workflow", o.workflow, "Only executions of this workflow id");
  app.add_option("--status", o.statuses,
                 "running, waiting, succeeded, failed, cancelled (repeat or a,b)");
  c.person("--org", o.organisation, "Only those with a task of this organisation");
  app.add_option("--started-from", o.started_from,
                 "Started at or after (RFC 3339, or a date: its start, UTC)");
  app.add_option("--started-until", o.started_until,
                 "Started before (RFC 3339), or up to the end of a date (UTC)");
  app.add_option("--finished-from", o.finished_from,
                 "Ended at or after (RFC 3339, or a date: its start, UTC)");
  app.add_option("--finished-until", o.finished_until,
                 "Ended before (RFC 3339), or up to the end of a date (UTC)");
  app.add_flag("--overdue", o.overdue, "Only those with an open task past its due time");
  app.add_flag("--escalated", o.escalated, "Only those with an open task escalated");
  app.add_option("--limit", o.limit, "At most this many (1 to 500; default 50)");
  c.name("--after", o.after, "The cursor a previous page ended with");
  c.json(o.json);
  c.store(o.session.store);
  c.now(o.session.now, "Judge lateness (--overdue) at this RFC 3339 instant; moves nothing");
}

}  // namespace

Command executions_command() {
  return make_command<ExecutionsOptions>(
      {.path = "executions",
       .help = "List and search executions, newest first, a page at a time",
       .define = define_executions,
       .run =
           [](const ExecutionsOptions& o, const CommandContext& c) {
             return run_executions_command(o, *c.installation, *c.out, *c.err);
           },
       .remote = remote_executions});
}

}  // namespace coalition::cli
