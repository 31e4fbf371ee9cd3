// Deadline arithmetic: spans (calendar time or business days) and due instants anchored on
// context data. An unknown calendar is an error, never a silent fallback to calendar days.
#ifndef COALITION_RUNTIME_DEADLINE_H_
#define COALITION_RUNTIME_DEADLINE_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "calendar/business_calendar.h"
#include "common/clock.h"
#include "common/result.h"
#include "workflow/problem.h"
#include "workflow/workflow.h"

namespace coalition {

// `from` plus `span`.
Result<TimePoint> add_span(TimePoint from, const Span& span, const CalendarSet& calendars);

// `in` after the instant at context pointer `anchor` (RFC 3339), or after `start` when `anchor`
// is empty. kInvalidData when the anchor is missing or not a timestamp.
Result<TimePoint> due_from(const Span& in, const std::string& anchor, const ContextReader& context,
                           TimePoint start, const CalendarSet& calendars);

// How a due instant was reached, for the people who read it: `rule` says it in words ("3
// business days (au-national) after /input/alert_at", "at /regulatory/due_at"); `calendar` is
// the business-day calendar it was computed under, empty for calendar time. An `at` deadline
// takes the calendar the object holding the instant names for it in its "calendars" member
// ({"due_at": ..., "calendars": {"due_at": "au-national"}}), as a plugin that computed the
// instant under one writes it (regulatory.filing_deadline does); none otherwise.
struct DueBasis {
  std::string rule;
  std::string calendar;

  bool operator==(const DueBasis&) const = default;
};

// The instant `due` names: the instant at its `at` pointer, or its span (resolved from the
// context when it is a reference) after its anchor or `start`. kInvalidData when a pointer does
// not hold what it should; kConfiguration for an unknown calendar. `basis`, when given, is set
// to how the instant was reached.
Result<TimePoint> resolve_due(const DueSpec& due, const ContextReader& context, TimePoint start,
                              const CalendarSet& calendars, DueBasis* basis = nullptr);

// A step's deadline as it stands when the step starts at `start`: `due` (the cap when the due
// instant would pass it), and `cap`, each with how it was reached. The errors of resolve_due.
struct StepDue {
  TimePoint due;
  std::optional<TimePoint> cap;
  DueBasis basis;
  DueBasis cap_basis;
};
Result<StepDue> resolve_step_due(const DeadlineSpec& deadline, const ContextReader& context,
                                 TimePoint start, const CalendarSet& calendars);

// A span written in JSON: an ISO 8601 duration or {"business_days": N, "calendar": ID}.
Result<Span> parse_span(const nlohmann::json& doc);

// Every business-day span of `workflow` (deadlines, caps, escalation tiers, in every sequence)
// whose calendar `calendars` does not know, as problems with the span's JSON Pointer.
Problems check_calendars(const Workflow& workflow, const CalendarSet& calendars);

}  // namespace coalition

#endif  // COALITION_RUNTIME_DEADLINE_H_
