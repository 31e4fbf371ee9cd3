// `coalition calendars`: the business-day calendars the engine knows, and a year's holidays of
// one of them, so a coordinator can compare it with the official list before extending it.
#ifndef COALITION_CLI_CALENDARS_COMMAND_H_
#define COALITION_CLI_CALENDARS_COMMAND_H_

#include <optional>
#include <ostream>
#include <string>

#include "calendar/business_calendar.h"
#include "cli/command.h"

namespace coalition::cli {

struct CalendarsOptions {
  std::string id;           // empty: list the calendars
  std::optional<int> year;  // with an id: that year's holidays (default: every covered year)
  bool json = false;
};

// Writes to `out`, diagnostics to `err`. Returns 0, or 78 for an unknown calendar or a year
// outside its coverage (the message says which years it covers).
int run_calendars_command(const CalendarsOptions& options, const CalendarSet& calendars,
                          std::ostream& out, std::ostream& err);

Command calendars_command();

}  // namespace coalition::cli

#endif  // COALITION_CLI_CALENDARS_COMMAND_H_
