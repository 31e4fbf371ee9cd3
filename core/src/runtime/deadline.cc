#include "runtime/deadline.h"

#include "common/utc_time.h"
#include "workflow/data_template.h"

namespace coalition {

Result<TimePoint> add_span(TimePoint from, const Span& span, const CalendarSet& calendars) {
  if (span.fixed) return from + *span.fixed;
  auto calendar = calendars.find(span.calendar);
  if (!calendar) return std::move(calendar).error();
  return (*calendar)->add_business_days(from, span.business_days);
}

Result<TimePoint> due_from(const Span& in, const std::string& anchor, const nlohmann::json& context,
                           TimePoint start, const CalendarSet& calendars) {
  TimePoint base = start;
  if (!anchor.empty()) {
    const nlohmann::json* value = find_at(context, anchor);
    std::optional<TimePoint> parsed;
    if (value != nullptr && value->is_string()) parsed = parse_utc(value->get<std::string>());
    if (!parsed) {
      return Error::invalid_data("the deadline anchor " + anchor +
                                 " does not hold an RFC 3339 timestamp");
    }
    base = *parsed;
  }
  return add_span(base, in, calendars);
}

std::string describe(const Span& span) {
  if (span.fixed) return format_duration(*span.fixed);
  return std::to_string(span.business_days) + " business day" +
         (span.business_days == 1 ? "" : "s") + " (" + span.calendar + ")";
}

namespace {

void check_span(const Span& span, const std::string& at, const CalendarSet& calendars,
                Problems& problems) {
  if (span.fixed) return;
  if (auto c = calendars.find(span.calendar); !c) {
    problems.push_back({at + "/calendar", c.error().message()});
  }
}

void check_sequence(const Sequence& seq, const CalendarSet& calendars, Problems& problems) {
  for (const Step& step : seq.steps) {
    if (step.deadline) {
      const std::string at = step.pointer + "/deadline";
      check_span(step.deadline->in, at + "/in", calendars, problems);
      if (step.deadline->cap_in)
        check_span(*step.deadline->cap_in, at + "/cap/in", calendars, problems);
      for (size_t i = 0; i < step.deadline->escalate.size(); ++i) {
        check_span(step.deadline->escalate[i].in, at + "/escalate/" + std::to_string(i) + "/in",
                   calendars, problems);
      }
    }
    for (const auto& b : step.branches) check_sequence(*b.sequence, calendars, problems);
    if (step.iterator) check_sequence(*step.iterator, calendars, problems);
  }
}

}  // namespace

Problems check_calendars(const Workflow& workflow, const CalendarSet& calendars) {
  Problems problems;
  check_sequence(*workflow.main, calendars, problems);
  return problems;
}

}  // namespace coalition
