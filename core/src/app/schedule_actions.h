// What coordinators do with schedules (app/schedule.h) — add or change one, pause it, resume it,
// list them — and what the engine does with them: start the runs that are due. A run's
// execution id comes from the schedule and the period ("ex-b" and a digest, as for a batch of
// starts), so an occurrence started twice (a crash between the start and the schedule's
// update) finds the execution the first start made.
#ifndef COALITION_APP_SCHEDULE_ACTIONS_H_
#define COALITION_APP_SCHEDULE_ACTIONS_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "app/session.h"
#include "auth/principal.h"

namespace coalition::app {

struct ScheduleChange {
  ScheduleRecord record;
  bool created = false;
  bool changed = false;  // false with created false: the same definition was there already
};

// Adds the schedule `doc`, or replaces the one with its id (runs and skips kept, the next
// occurrence computed again from now). Coordinators, admins and the operator may. kInvalidData
// with the pointer of the first problem: the document, an unknown calendar or time zone, an
// unknown workflow, an input the workflow's input schema refuses (tried on the first
// occurrence). Audited (schedule_added, schedule_changed).
Result<ScheduleChange> add_schedule(Session& s, const Principal& p, const nlohmann::json& doc);

// Pauses (no occurrence runs, none is counted missed) or resumes (from the next occurrence after
// now) schedule `id`; kNotFound for an unknown one. Audited.
Result<ScheduleRecord> set_schedule_paused(Session& s, const Principal& p, const std::string& id,
                                           bool paused);

// Starts the runs of every active schedule due at `now`, under each schedule's
// missed-run policy, and moves each to its next occurrence; how many executions it started. A
// start that fails is recorded on the schedule (last_error) and the schedule carries on; a rule
// that can no longer be computed (a calendar removed) pauses it with the reason.
Result<size_t> run_due_schedules(Session& s, TimePoint now);

// The earliest next occurrence of an active schedule, if any.
Result<std::optional<TimePoint>> next_schedule_at(Store& store);

// A schedule as `schedules list --json` and the API show it.
nlohmann::json schedule_json(const ScheduleRecord& record);

}  // namespace coalition::app

#endif  // COALITION_APP_SCHEDULE_ACTIONS_H_
