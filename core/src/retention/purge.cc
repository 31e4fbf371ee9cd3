// One transaction per purged record: its redaction, its tombstone and its audit entry commit
// together or not at all, so a purge killed half-way leaves every record either untouched or
// purged with its tombstone, and the next run carries on where it stopped.
#include "retention/purge.h"

#include <set>

#include "audit/audit_chain.h"
#include "audit/event_digest.h"
#include "audit/purge_evidence.h"
#include "retention/retention_policy.h"
#include "runtime/event_view.h"
#include "runtime/persisted_state.h"
#include "workflow/visibility.h"

namespace coalition {

using nlohmann::json;

namespace {

// Whether the execution is under legal hold, and the hold's key ("" when not held).
std::string hold_key(const std::optional<LegalHold>& hold, const std::string& hold_pointer,
                     const json& final_context) {
  if (hold && hold->released_at.empty()) return "hold@" + hold->placed_at;
  if (!hold_pointer.empty()) {
    try {
      const json& v = final_context.at(json::json_pointer(hold_pointer));
      if (v.is_boolean() && v.get<bool>()) return "context:" + hold_pointer;
    } catch (const json::exception&) {
    }
  }
  return "";
}

// The digest the store will give the event once its payload is `data` (the same fields and
// text SqliteStore writes), recorded in the `purged` entry so the rewrite stays verifiable.
std::string stored_event_digest(const std::string& execution_id, const Event& e, const json& data) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(e.at.time_since_epoch()).count();
  return event_digest(execution_id, e.seq, ms, to_string(e.type), e.step, data.dump());
}

}  // namespace

Result<PurgeReport> purge_expired(Store& store, const WorkflowCatalog& catalog,
                                  const json& installation_rules, const PurgeOptions& o) {
  PurgeReport report;
  auto finished = store.finished_executions();
  if (!finished) return std::move(finished).error();
  const std::string now_text = format_utc(o.now);
  for (const auto& record : *finished) {
    ++report.examined;
    auto workflow = catalog.find(record.workflow_id, record.workflow_version);
    if (workflow == nullptr) {
      return Error::internal("execution " + record.id + " names workflow " + record.workflow_id +
                             "@" + std::to_string(record.workflow_version) +
                             ", which the store does not hold");
    }
    auto tombstones = store.tombstones(record.id);
    if (!tombstones) return std::move(tombstones).error();
    std::set<std::string> done;
    for (const auto& t : *tombstones) done.insert(t.record_type);
    auto hold = store.legal_hold(record.id);
    if (!hold) return std::move(hold).error();
    auto notes = store.retention_notes(record.id);
    if (!notes) return std::move(notes).error();

    const RetentionPolicy policy = retention_policy(*workflow, installation_rules);
    const json final_context = record.result.output.value_or(json::object());
    const std::string held_by = hold_key(*hold, policy.hold, final_context);

    for (const auto& rule : policy.rules) {
      if (done.count(rule.record_type) != 0 || done.count("execution") != 0) {
        ++report.already;
        continue;
      }
      std::string note;
      const TimePoint expires =
          retention_expiry(rule, record.started_at, record.updated_at, final_context, &note);
      if (o.now < expires) {
        ++report.kept;
        continue;
      }
      json line{{"execution", record.id},
                {"record_type", rule.record_type},
                {"expired_at", format_utc(expires)},
                {"policy", rule.to_json()}};
      if (!note.empty()) line["note"] = note;
      StoreBatch batch;
      if (!held_by.empty()) {
        ++report.held;
        line["action"] = "held";
        line["hold"] = held_by;
        report.actions.push_back(line);
        bool noted = false;
        for (const auto& n : *notes) {
          noted = noted || (n.record_type == rule.record_type && n.hold == held_by);
        }
        if (noted || o.dry_run) continue;
        batch.retention_notes.push_back({record.id, rule.record_type, held_by, now_text});
        batch.audit.push_back(make_audit_draft(o.now, o.actor, o.role, o.organisation, record.id,
                                               "", "purge_skipped",
                                               with_identity({{"record_type", rule.record_type},
                                                              {"hold", held_by},
                                                              {"expired_at", line["expired_at"]}},
                                                             o.identity)));
        if (auto s = store.apply(batch); !s) return std::move(s).error();
        continue;
      }

      Redaction r;
      r.execution_id = record.id;
      std::set<uint64_t> deleted;
      std::map<uint64_t, std::string> rewritten;
      json counts = json::object();
      if (rule.record_type == "execution") {
        r.everything = true;
        r.state = purged_state(workflow->key());
        r.result = ExecutionResult{};
      } else {
        const VisibilityPolicy vis = VisibilityPolicy::compile(*workflow, &catalog);
        auto events = store.history(record.id);
        if (!events) return std::move(events).error();
        for (const auto& e : *events) {
          auto kept = view_event(vis, e, Visibility::kMember);
          if (!kept) {
            r.delete_events.push_back(e.seq);
            deleted.insert(e.seq);
          } else if (kept->data != e.data) {
            rewritten[e.seq] = stored_event_digest(record.id, e, kept->data);
            r.rewrite_events.emplace_back(e.seq, std::move(kept->data));
          }
        }
        auto tasks = store.tasks(TaskFilter{record.id, "", false});
        if (!tasks) return std::move(tasks).error();
        for (const auto& t : *tasks) {
          if (!vis.can_see_step(t.step, Visibility::kMember)) r.delete_tasks.push_back(t.id);
        }
        auto audit = store.audit(record.id);
        if (!audit) return std::move(audit).error();
        for (const auto& a : *audit) {
          if (!a.summary.empty() && !a.step.empty() &&
              !vis.can_see_step(a.step, Visibility::kMember)) {
            r.redact_audit.push_back(a.seq);
          }
        }
        if (record.result.output) {
          ExecutionResult result = record.result;
          auto kept = vis.filter_context(*result.output, "", Visibility::kMember);
          result.output = kept ? *kept : json::object();
          if (result != record.result) r.result = std::move(result);
        }
        counts = {{"events_removed", r.delete_events.size()},
                  {"events_rewritten", r.rewrite_events.size()},
                  {"tasks_removed", r.delete_tasks.size()},
                  {"audit_summaries_removed", r.redact_audit.size()}};
      }
      ++report.purged;
      line["action"] = "purged";
      if (!counts.empty()) line["removed"] = counts;
      report.actions.push_back(line);
      if (o.dry_run) continue;
      json tombstone_policy = rule.to_json();
      tombstone_policy["expired_at"] = line["expired_at"];
      if (!note.empty()) tombstone_policy["note"] = note;
      if (!counts.empty()) tombstone_policy["removed"] = counts;
      batch.redactions.push_back(std::move(r));
      batch.tombstones.push_back(
          {record.id, rule.record_type, workflow->key(), now_text, tombstone_policy});
      // The entry, not the tombstone, carries the event evidence: it is in the chain.
      json summary = tombstone_policy;
      summary["events"] = purge_events_summary(deleted, rewritten);
      batch.audit.push_back(make_audit_draft(o.now, o.actor, o.role, o.organisation, record.id, "",
                                             "purged", with_identity(summary, o.identity)));
      if (auto s = store.apply(batch); !s) return std::move(s).error();
      done.insert(rule.record_type);
    }
  }
  return report;
}

}  // namespace coalition
