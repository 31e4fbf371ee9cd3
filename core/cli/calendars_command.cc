#include "cli/calendars_command.h"

#include <CLI/CLI.hpp>
#include "app/installation.h"
#include "cli/command_options.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "calendar/holiday_rule.h"
#include "cli/exit_code.h"

namespace coalition::cli {
namespace {

const char* calendar_weekday_name(int64_t day) {
  static const char* const kNames[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  return kNames[weekday_of(day)];
}

}  // namespace

int run_calendars_command(const CalendarsOptions& options, const CalendarSet& calendars,
                          std::ostream& out, std::ostream& err) {
  if (options.id.empty()) {
    nlohmann::json list = nlohmann::json::array();
    for (const BusinessCalendar* c : calendars.all()) {
      list.push_back({{"id", c->id()},
                      {"time_zone", c->zone().name()},
                      {"coverage", {{"from", c->first_year()}, {"until", c->last_year()}}}});
      if (!options.json) {
        out << fmt::format("{:<20} {:<22} {}-{}\n", c->id(), c->zone().name(), c->first_year(),
                           c->last_year());
      }
    }
    if (options.json) out << list.dump(2) << "\n";
    if (!options.json && list.empty()) out << "no calendars (calendars.directory)\n";
    return kExitOk;
  }
  auto calendar = calendars.find(options.id);
  if (!calendar) {
    err << "coalition calendars: " << calendar.error().message() << "\n";
    return exit_code_for(calendar.error());
  }
  const BusinessCalendar& c = **calendar;
  const int first = options.year.value_or(c.first_year());
  const int last = options.year.value_or(c.last_year());
  nlohmann::json years = nlohmann::json::object();
  for (int year = first; year <= last; ++year) {
    auto holidays = c.holidays_in(year);
    if (!holidays) {
      err << "coalition calendars: " << holidays.error().message() << "\n";
      return exit_code_for(holidays.error());
    }
    nlohmann::json days = nlohmann::json::array();
    for (const Holiday& h : *holidays) {
      days.push_back({{"date", format_day(h.day)},
                      {"weekday", calendar_weekday_name(h.day)},
                      {"name", h.name}});
      if (!options.json) {
        out << fmt::format("{} {}  {}\n", format_day(h.day), calendar_weekday_name(h.day), h.name);
      }
    }
    years[std::to_string(year)] = std::move(days);
  }
  if (options.json) {
    out << nlohmann::json{{"id", c.id()},
                          {"time_zone", c.zone().name()},
                          {"coverage", {{"from", c.first_year()}, {"until", c.last_year()}}},
                          {"holidays", std::move(years)}}
               .dump(2)
        << "\n";
  }
  return kExitOk;
}

namespace {

int run_calendars(const CalendarsOptions& o, const CommandContext& c) {
  auto calendars = app::load_calendars(*c.config);
  if (!calendars) {
    *c.err << "coalition calendars: " << calendars.error().to_string() << "\n";
    return exit_code_for(calendars.error());
  }
  return run_calendars_command(o, *calendars, *c.out, *c.err);
}

}  // namespace

Command calendars_command() {
  return make_command<CalendarsOptions>(
      {.path = "calendars",
       .help = "List the business-day calendars, or one calendar's holidays by year",
       .needs = Needs::kConfig,
       .define =
           [](CommandOptions& c, CalendarsOptions& o) {
             c.name("ID", o.id, "A calendar id: print its holidays");
             c.app().add_option("--year", o.year,
                                "Only this year (default: every year the calendar covers)");
             c.json(o.json, "Print JSON instead of text");
           },
       .run = run_calendars});
}

}  // namespace coalition::cli
