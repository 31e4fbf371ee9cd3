// coalition export: one execution as a JSON document, for a records request or a hand-over to
// another system. An export leaves the engine's control, so it never carries restricted data:
// its clearance is the view's (--view ROLE) capped at member, and the export itself is audited.
#include "audit/audit_chain.h"
#include "cli/execution_commands.h"
#include "cli/exit_code.h"
#include "common/private_file.h"
#include "common/text_field.h"
#include "common/utc_time.h"
#include "runtime/execution.h"

namespace coalition::cli {

using nlohmann::json;

int run_export_command(const ExecutionCommandOptions& o, const Installation& installation,
                       std::ostream& out, std::ostream& err) {
  auto at = command_time(o);
  if (!at) return fail(err, "export", at.error());
  TimePoint now = *at;
  auto view = open_execution(o, installation);
  if (!view) return fail(err, "export", view.error());
  view->clearance = std::min(view->clearance, Visibility::kMember);
  const VisibilityPolicy& policy = *view->policy;
  const ExecutionRecord& r = view->record;
  Store& store = view->session->store();
  if (!o.session.now.empty()) {
    auto mode = app::store_clock(store);
    if (!mode) return fail(err, "export", mode.error());
    if (*mode == app::StoreClock::kReal) {
      return fail(err, "export",
                  Error::invalid_argument("this store runs in real time: --now is for rehearsal "
                                          "stores (virtual time)"));
    }
  }
  // Without --now, a store that runs in virtual time is not stamped before its own present:
  // audit time never moves back, and an explicit --now in the past is refused below.
  if (o.session.now.empty()) {
    auto stored = store.meta("clock.now");
    if (!stored) return fail(err, "export", stored.error());
    if (*stored) now = std::max(now, parse_utc(**stored).value_or(now));
  }

  auto events = view->events();
  if (!events) return fail(err, "export", events.error());
  auto audit = view->audit();
  if (!audit) return fail(err, "export", audit.error());
  auto tasks = store.tasks(TaskFilter{r.id, "", false});
  if (!tasks) return fail(err, "export", tasks.error());
  auto tombstones = store.tombstones(r.id);
  if (!tombstones) return fail(err, "export", tombstones.error());

  // The context: the final output once finished, else the main sequence's live context.
  json context = json::object();
  if (r.result.is_object() && r.result.contains("output")) {
    context = r.result["output"];
  } else {
    auto parts = store.state_parts(r.id);
    if (!parts) return fail(err, "export", parts.error());
    context = Execution::main_context(r.state, *parts);
  }
  json doc{{"exported_at", format_utc(now)},
           {"view", {{"role", o.view}, {"clearance", to_string(view->clearance)}}},
           {"execution",
            {{"id", r.id},
             {"workflow", r.workflow_id + "@" + std::to_string(r.workflow_version)},
             {"status", r.status},
             {"initiator", r.initiator},
             {"started_at", format_utc(r.started_at)}}}};
  doc["context"] = policy.filter_context(context, "", view->clearance).value_or(json::object());
  json history = json::array();
  for (const auto& e : *events) history.push_back(e.to_json());
  doc["history"] = std::move(history);
  json task_list = json::array();
  for (const auto& t : *tasks) {
    if (!policy.can_see_step(t.step, view->clearance)) continue;
    json d = t.doc;
    d["status"] = t.status;
    task_list.push_back(std::move(d));
  }
  doc["tasks"] = std::move(task_list);
  json entries = json::array();
  for (const auto& a : *audit) {
    entries.push_back({{"seq", a.seq},
                       {"at", a.at},
                       {"actor", a.actor},
                       {"role", a.role},
                       {"type", a.type},
                       {"step", a.step},
                       {"hash", a.hash}});
  }
  doc["audit"] = std::move(entries);
  json purged = json::array();
  for (const auto& t : *tombstones) {
    if (t.record_type == "execution") {
      purged.push_back({{"record_type", t.record_type}, {"purged_at", t.purged_at}});
    }
  }
  doc["purged"] = std::move(purged);

  const std::string text = doc.dump(2) + "\n";
  // Audited before the data leaves: an export that cannot be recorded (a `--now` before the
  // log's last entry) does not happen. Appending to the chain is safe beside a worker: the
  // store reads the chain's tail inside the transaction that appends.
  StoreBatch batch;
  batch.audit.push_back(make_audit_draft(now, o.actor.empty() ? "operator" : o.actor, o.role,
                                         o.organisation, r.id, "", "exported",
                                         {{"view", o.view},
                                          {"clearance", to_string(view->clearance)},
                                          {"to", o.out_file.empty() ? "stdout" : "file"},
                                          {"events", doc["history"].size()},
                                          {"tasks", doc["tasks"].size()}}));
  if (auto s = store.apply(batch); !s) return fail(err, "export", s.error());
  if (o.out_file.empty()) {
    out << text;
    return kExitOk;
  }
  if (auto s = write_private_file(o.out_file, text, o.force); !s) {
    return fail(err, "export", s.error());
  }
  err << "exported " << printable(r.id) << " to " << o.out_file << "\n";
  return kExitOk;
}

}  // namespace coalition::cli
