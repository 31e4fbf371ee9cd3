#include "runtime/deadline.h"

#include "common/utc_time.h"
#include "workflow/data_template.h"
#include "workflow/duration.h"

namespace coalition {

namespace {

// Instants stay within the years a timestamp can name (0001-9999): a span added to a late
// anchor fails the deadline instead of producing an instant nobody can write down.
Result<TimePoint> within_years(TimePoint t) {
  if (t < earliest_rfc3339() || t > latest_rfc3339()) {
    return Error::invalid_data("the deadline falls outside the years 0001 to 9999");
  }
  return t;
}

}  // namespace

Result<TimePoint> add_span(TimePoint from, const Span& span, const CalendarSet& calendars) {
  if (span.fixed) return within_years(from + *span.fixed);
  auto calendar = calendars.find(span.calendar);
  if (!calendar) return std::move(calendar).error();
  auto due = (*calendar)->add_business_days(from, span.business_days);
  if (!due) return std::move(due).error();
  return within_years(*due);
}

Result<TimePoint> due_from(const Span& in, const std::string& anchor, const ContextReader& context,
                           TimePoint start, const CalendarSet& calendars) {
  TimePoint base = start;
  if (!anchor.empty()) {
    const nlohmann::json* value = context.find(anchor);
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

Result<Span> parse_span(const nlohmann::json& doc) {
  Span span;
  if (doc.is_string()) {
    auto d = parse_duration(doc.get<std::string>());
    if (!d) return std::move(d).error();
    span.fixed = *d;
    return span;
  }
  if (doc.is_object() && doc.contains("business_days") &&
      doc["business_days"].is_number_unsigned() &&
      doc.value("calendar", nlohmann::json()).is_string() && doc.size() == 2) {
    span.business_days = doc["business_days"].get<uint32_t>();
    span.calendar = doc["calendar"].get<std::string>();
    if (span.business_days > 0 && !span.calendar.empty()) return span;
  }
  return Error::invalid_data(
      "expected an ISO 8601 duration or {\"business_days\": N, \"calendar\": ID}, got " +
      doc.dump());
}

namespace {

// The calendar the object holding the instant at `pointer` names for that very member
// ({"due_at": ..., "calendars": {"due_at": "au-national"}}), if any: an instant derived from it
// by calendar arithmetic (a lead time before it) names none and reports none.
std::string calendar_beside(const std::string& pointer, const ContextReader& context) {
  const auto slash = pointer.rfind('/');
  if (slash == std::string::npos || slash == 0) return {};
  const nlohmann::json* holder = context.find(pointer.substr(0, slash));
  if (holder == nullptr || !holder->is_object()) return {};
  const auto calendars = holder->find("calendars");
  if (calendars == holder->end() || !calendars->is_object()) return {};
  const auto c = calendars->find(pointer.substr(slash + 1));
  return c != calendars->end() && c->is_string() ? c->get<std::string>() : std::string();
}

void set_basis(DueBasis* basis, const Span& span, const std::string& from) {
  if (basis == nullptr) return;
  basis->rule = describe(span) + (from.empty() ? std::string() : " after " + from);
  basis->calendar = span.fixed ? std::string() : span.calendar;
}

}  // namespace

Result<TimePoint> resolve_due(const DueSpec& due, const ContextReader& context, TimePoint start,
                              const CalendarSet& calendars, DueBasis* basis) {
  if (!due.at.empty()) {
    const nlohmann::json* value = context.find(due.at);
    std::optional<TimePoint> parsed;
    if (value != nullptr && value->is_string()) parsed = parse_utc(value->get<std::string>());
    if (!parsed) {
      return Error::invalid_data("the due instant " + due.at +
                                 " does not hold an RFC 3339 timestamp");
    }
    if (basis != nullptr) *basis = {"at " + due.at, calendar_beside(due.at, context)};
    return *parsed;
  }
  if (due.in_ref.is_null()) {
    set_basis(basis, due.in, due.from);
    return due_from(due.in, due.from, context, start, calendars);
  }
  auto resolved = resolve_template(due.in_ref, context);
  if (!resolved) {
    return Error::invalid_data("the span reference " + due.in_ref.value("$path", "") +
                               " is missing");
  }
  auto span = parse_span(*resolved);
  if (!span) {
    return Error::invalid_data("the span at " + due.in_ref.value("$path", "") + ": " +
                               span.error().message());
  }
  set_basis(basis, *span, due.from);
  return due_from(*span, due.from, context, start, calendars);
}

Result<StepDue> resolve_step_due(const DeadlineSpec& deadline, const ContextReader& context,
                                 TimePoint start, const CalendarSet& calendars) {
  StepDue out;
  auto due = resolve_due(deadline.due, context, start, calendars, &out.basis);
  if (!due) return std::move(due).error();
  out.due = *due;
  if (deadline.cap) {
    auto cap = resolve_due(*deadline.cap, context, start, calendars, &out.cap_basis);
    if (!cap) return std::move(cap).error();
    out.cap = *cap;
    if (out.due > *cap) {  // the cap bounds the deadline
      out.due = *cap;
      out.basis = {"the cap: " + out.cap_basis.rule, out.cap_basis.calendar};
    }
  }
  return out;
}

namespace {

void check_span(const Span& span, const std::string& at, const CalendarSet& calendars,
                Problems& problems) {
  if (span.fixed || span.calendar.empty()) return;  // a duration, or `at` / a reference
  if (auto c = calendars.find(span.calendar); !c) {
    problems.push_back({at + "/calendar", c.error().message()});
  }
}

void check_sequence(const Sequence& seq, const CalendarSet& calendars, Problems& problems) {
  for (const Step& step : seq.steps) {
    if (step.deadline) {
      const std::string at = step.pointer + "/deadline";
      check_span(step.deadline->due.in, at + "/in", calendars, problems);
      if (step.deadline->cap)
        check_span(step.deadline->cap->in, at + "/cap/in", calendars, problems);
      for (size_t i = 0; i < step.deadline->escalate.size(); ++i) {
        check_span(step.deadline->escalate[i].due.in, at + "/escalate/" + std::to_string(i) + "/in",
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
