#include "app/execution_export.h"

#include "audit/audit_chain.h"
#include "common/utc_time.h"

namespace coalition::app {

using nlohmann::json;

Result<json> export_execution(ExecutionView view, const ExportRequest& request) {
  view.clearance = std::min(view.clearance, Visibility::kMember);
  const VisibilityPolicy& policy = *view.policy;
  const ExecutionRecord& r = view.record;
  Store& store = *view.store;
  auto events = view.events();
  if (!events) return std::move(events).error();
  auto audit = view.audit();
  if (!audit) return std::move(audit).error();
  auto tasks = store.tasks(TaskFilter{r.id, "", false});
  if (!tasks) return std::move(tasks).error();
  auto tombstones = store.tombstones(r.id);
  if (!tombstones) return std::move(tombstones).error();

  // The context: the final output once finished, else the main sequence's live context.
  json context = json::object();
  if (r.result.output) {
    context = *r.result.output;
  } else {
    auto parts = store.state_parts(r.id);
    if (!parts) return std::move(parts).error();
    context = Execution::main_context(r.state, *parts);
  }
  json doc{{"exported_at", format_utc(request.now)},
           {"view", {{"role", view.as_role}, {"clearance", to_string(view.clearance)}}},
           {"execution",
            {{"id", r.id},
             {"workflow", r.workflow_id + "@" + std::to_string(r.workflow_version)},
             {"status", r.status},
             {"initiator", r.initiator},
             {"started_at", format_utc(r.started_at)}}}};
  doc["context"] = policy.filter_context(context, "", view.clearance).value_or(json::object());
  json history = json::array();
  for (const auto& e : *events) history.push_back(e.to_json());
  doc["history"] = std::move(history);
  json task_list = json::array();
  for (const auto& t : *tasks) {
    if (!policy.can_see_step(t.step, view.clearance)) continue;
    json d = t.doc;
    d["status"] = t.status;
    task_list.push_back(std::move(d));
  }
  doc["tasks"] = std::move(task_list);
  json entries = json::array();
  for (const auto& a : *audit) {
    json entry{{"seq", a.seq},   {"at", a.at},     {"actor", a.actor}, {"role", a.role},
               {"type", a.type}, {"step", a.step}, {"hash", a.hash}};
    // An entry that records several events is listed once per event (audit/audit_grouping.h).
    if (a.event_seq != 0) entry["event"] = a.event_seq;
    if (a.part != 0) entry["part"] = a.part;
    entries.push_back(std::move(entry));
  }
  doc["audit"] = std::move(entries);
  json purged = json::array();
  for (const auto& t : *tombstones) {
    if (t.record_type == "execution") {
      purged.push_back({{"record_type", t.record_type}, {"purged_at", t.purged_at}});
    }
  }
  doc["purged"] = std::move(purged);

  // Audited before the data leaves. Appending to the chain is safe beside a running engine:
  // the store reads the chain's tail inside the transaction that appends.
  StoreBatch batch;
  batch.audit.push_back(make_audit_draft(request.now, request.by.id, request.by.role,
                                         request.by.organisation, r.id, "", "exported",
                                         with_identity({{"view", view.as_role},
                                                        {"clearance", to_string(view.clearance)},
                                                        {"to", request.to},
                                                        {"events", doc["history"].size()},
                                                        {"tasks", doc["tasks"].size()}},
                                                       request.by.identity)));
  if (auto s = store.apply(batch); !s) return std::move(s).error();
  return doc;
}

}  // namespace coalition::app
