#include "app/schedule_actions.h"

#include <spdlog/spdlog.h>

#include "app/access.h"
#include "app/execution_actions.h"
#include "app/schedule.h"
#include "audit/audit_chain.h"
#include "common/utc_time.h"

namespace coalition::app {
namespace {

using nlohmann::json;

bool may_change_schedules(const Principal& p) {
  return p.admin || p.coordinate || p.source == IdentitySource::kAsserted;
}

// The start of one occurrence: the key makes its execution id, so it is started once.
StartRequest schedule_start_request(const Schedule& schedule, const Occurrence& occurrence,
                                    json input) {
  StartRequest request;
  request.workflow = schedule.workflow;
  request.version = schedule.version;
  request.input = std::move(input);
  request.idempotency_key = "schedule:" + schedule.id + "/" + occurrence.period;
  request.run = true;
  request.shared_key = true;
  return request;
}

// The audit entry of a change, in the batch that makes it: no change without its entry.
void audit_schedule_change(Session& s, const Principal& p, const std::string& type,
                           const json& summary, StoreBatch& batch) {
  const Actor a = actor_of(p, p.roles.empty() ? std::string() : p.roles.front());
  json with_identity = summary;
  with_identity["identity"] = a.identity;
  batch.audit.push_back(
      make_audit_draft(s.clock().now(), a.id, a.role, a.organisation, "", "", type, with_identity));
}

Result<std::optional<ScheduleRecord>> find_schedule_record(Store& store, const std::string& id) {
  auto all = store.schedules();
  if (!all) return std::move(all).error();
  for (auto& r : *all) {
    if (r.id == id) return std::optional<ScheduleRecord>(std::move(r));
  }
  return std::optional<ScheduleRecord>();
}

}  // namespace

Result<ScheduleChange> add_schedule(Session& s, const Principal& p, const json& doc) {
  if (!may_change_schedules(p)) {
    return Error::permission_denied("schedules need the coordinate or admin scope");
  }
  auto schedule = parse_schedule(doc);
  if (!schedule) return std::move(schedule).error();
  const TimePoint now = s.clock().now();
  auto first = schedule->next_after(now, s.calendars());
  if (!first) {
    Error e = std::move(first).error();
    const std::string pointer = schedule->cron ? "/when/time_zone" : "/when/calendar";
    return Error::invalid_data(e.message(), e.pointer().empty() ? pointer : e.pointer());
  }
  // The first run, tried now: an unknown workflow or an input it refuses is found today, not
  // on the first business day of next quarter.
  auto input = schedule->input_for(*first);
  if (!input) return Error::invalid_data(input.error().message(), "/input");
  if (auto planned = plan_start(s, p, schedule_start_request(*schedule, *first, std::move(*input)));
      !planned) {
    Error e = std::move(planned).error();
    if (e.code() == ErrorCode::kNotFound) {
      return Error::invalid_data(
          e.message() + " (register it first: schedules add --workflow FILE)", "/workflow");
    }
    if (e.code() == ErrorCode::kInvalidData) {
      // The workflow's pointer is into the run's input, which the schedule's "input" makes.
      const std::string inner = e.pointer() == "/" ? "" : e.pointer();
      return Error::invalid_data("the first run's input does not fit the workflow: " + e.message(),
                                 "/input" + inner);
    }
    return e;
  }
  auto existing = find_schedule_record(s.store(), schedule->id);
  if (!existing) return std::move(existing).error();
  ScheduleChange change;
  ScheduleRecord record;
  if (*existing) {
    if ((*existing)->definition == doc) return ScheduleChange{**existing, false, false};
    record = **existing;  // runs, skips and the last run are kept
    change.changed = true;
  } else {
    record.id = schedule->id;
    record.created_at = now;
    change.created = true;
  }
  record.definition = doc;
  record.next_at = first->at;
  record.next_period = first->period;
  record.last_error.clear();
  record.updated_at = now;
  StoreBatch batch;
  batch.schedules.push_back(record);
  audit_schedule_change(s, p, change.created ? "schedule_added" : "schedule_changed",
                        {{"schedule", record.id},
                         {"workflow", schedule->workflow},
                         {"next", format_utc(record.next_at)}},
                        batch);
  if (auto stored = s.store().apply(batch); !stored) return stored.error();
  change.record = std::move(record);
  return change;
}

Result<ScheduleRecord> set_schedule_paused(Session& s, const Principal& p, const std::string& id,
                                           bool paused) {
  if (!may_change_schedules(p)) {
    return Error::permission_denied("schedules need the coordinate or admin scope");
  }
  auto existing = find_schedule_record(s.store(), id);
  if (!existing) return std::move(existing).error();
  if (!*existing) return Error::not_found("no schedule is named '" + id + "'");
  ScheduleRecord record = std::move(**existing);
  if (record.paused == paused) return record;
  const TimePoint now = s.clock().now();
  if (!paused) {
    // From the next occurrence after now: what fell in the pause is not owed.
    auto schedule = parse_schedule(record.definition);
    if (!schedule) return std::move(schedule).error();
    auto next = schedule->next_after(now, s.calendars());
    if (!next) return std::move(next).error();
    record.next_at = next->at;
    record.next_period = next->period;
    record.last_error.clear();
  }
  record.paused = paused;
  record.updated_at = now;
  StoreBatch batch;
  batch.schedules.push_back(record);
  audit_schedule_change(s, p, paused ? "schedule_paused" : "schedule_resumed",
                        {{"schedule", id}, {"next", format_utc(record.next_at)}}, batch);
  if (auto stored = s.store().apply(batch); !stored) return stored.error();
  return record;
}

Result<size_t> run_due_schedules(Session& s, TimePoint now) {
  auto all = s.store().schedules();
  if (!all) return std::move(all).error();
  const Principal scheduler = asserted_principal("scheduler", "", "");
  size_t started = 0;
  for (ScheduleRecord& record : *all) {
    if (record.paused || record.next_at > now) continue;
    auto schedule = parse_schedule(record.definition);
    Result<Firing> firing =
        schedule ? plan_firing(*schedule, {record.next_at, record.next_period}, now, s.calendars())
                 : Result<Firing>(Error(schedule.error()));
    if (!firing) {
      // Left as it is, it would be due again at once, for ever: paused, with the reason.
      record.paused = true;
      record.last_error = firing.error().message();
      spdlog::error("schedule {} paused: {}", record.id, record.last_error);
    } else {
      std::optional<Occurrence> retry_from;
      for (const Occurrence& occurrence : firing->run) {
        auto input = schedule->input_for(occurrence);
        auto run = input ? start_execution(
                               s, scheduler,
                               schedule_start_request(*schedule, occurrence, std::move(*input)))
                         : Result<Started>(std::move(input).error());
        if (!run) {
          record.last_error = occurrence.period + ": " + run.error().message();
          spdlog::warn("schedule {}: the run for {} did not start: {}", record.id,
                       occurrence.period, run.error().message());
          if (run.error().code() == ErrorCode::kIo) {
            // The store failed, not the run: this occurrence stays next, for the next pass.
            retry_from = occurrence;
            break;
          }
          continue;  // the run itself is refused (its input, its workflow): retrying cannot help
        }
        if (run->created) {
          ++record.runs;
          ++started;
        }
        record.last_at = occurrence.at;
        record.last_period = occurrence.period;
        record.last_execution = run->id;
        record.last_error.clear();
      }
      record.skipped += firing->skipped;
      const Occurrence& next = retry_from ? *retry_from : firing->next;
      record.next_at = next.at;
      record.next_period = next.period;
      if (firing->next_error && !retry_from) {
        // Nothing after these can be planned (a calendar ends): paused, with the reason, once
        // the due runs have started.
        record.paused = true;
        record.last_error = firing->next_error->message();
        spdlog::error("schedule {} paused: {}", record.id, record.last_error);
      }
    }
    record.updated_at = now;
    StoreBatch batch;
    batch.schedules.push_back(record);
    if (auto stored = s.store().apply(batch); !stored) return stored.error();
  }
  return started;
}

Result<std::optional<TimePoint>> next_schedule_at(Store& store) {
  auto all = store.schedules();
  if (!all) return std::move(all).error();
  std::optional<TimePoint> earliest;
  for (const auto& r : *all) {
    if (!r.paused && (!earliest || r.next_at < *earliest)) earliest = r.next_at;
  }
  return earliest;
}

json schedule_json(const ScheduleRecord& r) {
  json doc{{"id", r.id},
           {"definition", r.definition},
           {"paused", r.paused},
           {"runs", r.runs},
           {"skipped", r.skipped},
           {"created_at", format_utc(r.created_at)},
           {"updated_at", format_utc(r.updated_at)}};
  if (!r.paused) {
    doc["next_at"] = format_utc(r.next_at);
    doc["next_period"] = r.next_period;
  }
  if (r.last_at) {
    doc["last_at"] = format_utc(*r.last_at);
    doc["last_period"] = r.last_period;
    doc["last_execution"] = r.last_execution;
  }
  if (!r.last_error.empty()) doc["last_error"] = r.last_error;
  return doc;
}

}  // namespace coalition::app
