// One transaction per purged record: its redaction, its tombstone and its audit entry commit
// together or not at all, so a purge killed half-way leaves every record either untouched or
// purged with its tombstone, and the next run carries on where it stopped.
#include "retention/purge.h"

#include <set>

#include "audit/audit_chain.h"
#include "audit/purge_evidence.h"
#include "retention/retention_policy.h"
#include "runtime/event_view.h"
#include "runtime/persisted_state.h"
#include "store/stored_forms.h"
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

// One finished execution, as purge_expired goes through its policy's rules.
struct Examined {
  const ExecutionRecord& record;
  std::shared_ptr<const Workflow> workflow;
  std::set<std::string> done;  // record types purged already (tombstones)
  std::vector<RetentionNote> notes;
  RetentionPolicy policy;
  json final_context;   // the output, which retention and holds may read dates and keys from
  std::string held_by;  // the legal hold's key; empty when not held
};

// What a purge of one record removes, and the evidence of it for the audit entry.
struct Removal {
  Redaction redaction;
  std::set<uint64_t> deleted;                 // event seqs
  std::map<uint64_t, std::string> rewritten;  // event seq -> its digest after the rewrite
  json counts = json::object();
};

class Purger {
 public:
  Purger(Store& store, const WorkflowCatalog& catalog, const json& installation_rules,
         const PurgeOptions& o)
      : store_(store),
        catalog_(catalog),
        installation_rules_(installation_rules),
        o_(o),
        now_text_(format_utc(o.now)) {}

  // Every rule of the execution's policy: each record type kept, held, or purged in a
  // transaction of its own.
  Status examine(const ExecutionRecord& record) {
    ++report.examined;
    auto x = look_at(record);
    if (!x) return std::move(x).error();
    for (const auto& rule : x->policy.rules) {
      if (auto s = apply(*x, rule); !s) return s;
    }
    return ok_status();
  }

  PurgeReport report;

 private:
  Result<Examined> look_at(const ExecutionRecord& record) {
    auto workflow = catalog_.find(record.workflow_id, record.workflow_version);
    if (workflow == nullptr) {
      return Error::internal("execution " + record.id + " names workflow " + record.workflow_id +
                             "@" + std::to_string(record.workflow_version) +
                             ", which the store does not hold");
    }
    auto tombstones = store_.tombstones(record.id);
    if (!tombstones) return std::move(tombstones).error();
    auto hold = store_.legal_hold(record.id);
    if (!hold) return std::move(hold).error();
    auto notes = store_.retention_notes(record.id);
    if (!notes) return std::move(notes).error();
    Examined x{.record = record,
               .workflow = workflow,
               .done = {},
               .notes = std::move(*notes),
               .policy = retention_policy(*workflow, installation_rules_),
               .final_context = record.result.output.value_or(json::object()),
               .held_by = {}};
    for (const auto& t : *tombstones) x.done.insert(t.record_type);
    x.held_by = hold_key(*hold, x.policy.hold, x.final_context);
    return x;
  }

  Status apply(Examined& x, const RetentionRule& rule) {
    if (x.done.count(rule.record_type) != 0 || x.done.count("execution") != 0) {
      ++report.already;
      return ok_status();
    }
    std::string note;
    const TimePoint expires =
        retention_expiry(rule, x.record.started_at, x.record.updated_at, x.final_context, &note);
    if (o_.now < expires) {
      ++report.kept;
      return ok_status();
    }
    json line{{"execution", x.record.id},
              {"record_type", rule.record_type},
              {"expired_at", format_utc(expires)},
              {"policy", rule.to_json()}};
    if (!note.empty()) line["note"] = note;
    if (!x.held_by.empty()) return skip_held(x, rule, std::move(line));
    return purge(x, rule, std::move(line), note);
  }

  // Expired but under legal hold: reported every time, audited once per hold.
  Status skip_held(const Examined& x, const RetentionRule& rule, json line) {
    ++report.held;
    line["action"] = "held";
    line["hold"] = x.held_by;
    const json expired_at = line["expired_at"];
    report.actions.push_back(std::move(line));
    for (const auto& n : x.notes) {
      if (n.record_type == rule.record_type && n.hold == x.held_by) return ok_status();
    }
    if (o_.dry_run) return ok_status();
    StoreBatch batch;
    batch.retention_notes.push_back({x.record.id, rule.record_type, x.held_by, now_text_});
    batch.audit.push_back(make_audit_draft(
        o_.now, o_.actor, o_.role, o_.organisation, x.record.id, "", "purge_skipped",
        with_identity(
            {{"record_type", rule.record_type}, {"hold", x.held_by}, {"expired_at", expired_at}},
            o_.identity)));
    return store_.apply(batch);
  }

  Status purge(Examined& x, const RetentionRule& rule, json line, const std::string& note) {
    auto removal = rule.record_type == "execution" ? whole_execution(x) : restricted_data(x);
    if (!removal) return std::move(removal).error();
    ++report.purged;
    line["action"] = "purged";
    if (!removal->counts.empty()) line["removed"] = removal->counts;
    json tombstone_policy = rule.to_json();
    tombstone_policy["expired_at"] = line["expired_at"];
    report.actions.push_back(std::move(line));
    if (o_.dry_run) return ok_status();
    if (!note.empty()) tombstone_policy["note"] = note;
    if (!removal->counts.empty()) tombstone_policy["removed"] = removal->counts;
    StoreBatch batch;
    batch.redactions.push_back(std::move(removal->redaction));
    batch.tombstones.push_back(
        {x.record.id, rule.record_type, x.workflow->key(), now_text_, tombstone_policy});
    // The entry, not the tombstone, carries the event evidence: it is in the chain.
    json summary = tombstone_policy;
    summary["events"] = purge_events_summary(removal->deleted, removal->rewritten);
    batch.audit.push_back(make_audit_draft(o_.now, o_.actor, o_.role, o_.organisation, x.record.id,
                                           "", "purged", with_identity(summary, o_.identity)));
    if (auto s = store_.apply(batch); !s) return s;
    x.done.insert(rule.record_type);
    return ok_status();
  }

  Result<Removal> whole_execution(const Examined& x) const {
    Removal removal;
    removal.redaction.execution_id = x.record.id;
    removal.redaction.everything = true;
    removal.redaction.state = purged_state(x.workflow->key());
    removal.redaction.result = ExecutionResult{};
    return removal;
  }

  // Restricted data: what a member may not see leaves the events (removed, or rewritten with
  // what a member sees), the tasks, the audit summaries and the output.
  Result<Removal> restricted_data(const Examined& x) const {
    const VisibilityPolicy vis = VisibilityPolicy::compile(*x.workflow, &catalog_);
    Removal removal;
    Redaction& r = removal.redaction;
    r.execution_id = x.record.id;
    auto events = store_.history(x.record.id);
    if (!events) return std::move(events).error();
    for (const auto& e : *events) {
      auto kept = view_event(vis, e, Visibility::kMember);
      if (!kept) {
        r.delete_events.push_back(e.seq);
        removal.deleted.insert(e.seq);
      } else if (kept->payload != e.payload && kept->data() != e.data()) {
        // The digest the store will give the event once its payload is the kept one, recorded
        // in the `purged` entry so the rewrite stays verifiable.
        removal.rewritten[e.seq] = stored_event_digest(x.record.id, e, kept->payload);
        r.rewrite_events.emplace_back(e.seq, std::move(kept->payload));
      }
    }
    auto tasks = store_.tasks(TaskFilter{x.record.id, "", false});
    if (!tasks) return std::move(tasks).error();
    for (const auto& t : *tasks) {
      if (!vis.can_see_step(t.step, Visibility::kMember)) r.delete_tasks.push_back(t.id);
    }
    auto audit = store_.audit(x.record.id);
    if (!audit) return std::move(audit).error();
    for (const auto& a : *audit) {
      // An entry of several events is read back as one record each (audit/audit_grouping.h):
      // one of them on a step members cannot see empties the whole entry's summary, once.
      if (!a.summary.empty() && !a.step.empty() && !vis.can_see_step(a.step, Visibility::kMember) &&
          (r.redact_audit.empty() || r.redact_audit.back() != a.seq)) {
        r.redact_audit.push_back(a.seq);
      }
    }
    if (x.record.result.output) {
      ExecutionResult result = x.record.result;
      auto kept = vis.filter_context(*result.output, "", Visibility::kMember);
      result.output = kept ? *kept : json::object();
      if (result != x.record.result) r.result = std::move(result);
    }
    removal.counts = {{"events_removed", r.delete_events.size()},
                      {"events_rewritten", r.rewrite_events.size()},
                      {"tasks_removed", r.delete_tasks.size()},
                      {"audit_summaries_removed", r.redact_audit.size()}};
    return removal;
  }

  Store& store_;
  const WorkflowCatalog& catalog_;
  const json& installation_rules_;
  const PurgeOptions& o_;
  const std::string now_text_;
};

}  // namespace

Result<PurgeReport> purge_expired(Store& store, const WorkflowCatalog& catalog,
                                  const json& installation_rules, const PurgeOptions& o) {
  auto finished = store.finished_executions();
  if (!finished) return std::move(finished).error();
  Purger purger(store, catalog, installation_rules, o);
  for (const auto& record : *finished) {
    if (auto s = purger.examine(record); !s) return std::move(s).error();
  }
  return std::move(purger.report);
}

}  // namespace coalition
