#include "app/workflow_actions.h"

#include <mutex>

#include "app/access.h"
#include "audit/audit_chain.h"
#include "common/sha256.h"
#include "common/utc_time.h"
#include "runtime/deadline.h"
#include "workflow/visibility.h"
#include "workflow/workflow_loader.h"

namespace coalition::app {

using nlohmann::json;

namespace {

json summary_of(const Workflow& w) {
  return {{"id", w.id},
          {"version", w.version},
          {"title", w.title},
          {"description", w.description},
          {"digest", sha256_hex(w.document.dump())}};
}

}  // namespace

Status require_catalog_reader(const Principal& p) {
  if (p.admin || p.coordinate) return ok_status();
  return Error::permission_denied("reading workflow definitions needs the coordinate scope");
}

json workflow_list(const WorkflowCatalog& catalog) {
  json list = json::array();
  for (const auto& w : catalog.all()) list.push_back(summary_of(*w));
  return json{{"workflows", std::move(list)}};
}

Result<json> workflow_document(const WorkflowCatalog& catalog, const std::string& id,
                               std::optional<int64_t> version, std::optional<GraphFormat> graph) {
  std::shared_ptr<const Workflow> found;
  if (version) {
    found = catalog.find(id, *version);
  } else {
    for (const auto& w : catalog.all()) {
      if (w->id == id) found = w;  // all() is by version: the last is the highest
    }
  }
  if (!found) {
    return Error::not_found("no workflow " + id +
                            (version ? " version " + std::to_string(*version) : std::string()));
  }
  json doc = summary_of(*found);
  doc["definition"] = found->document;
  if (graph == GraphFormat::kJson) {
    doc["graph"] = graph_document(*found);
  } else if (graph) {
    doc["graph"] = render_graph(*found, *graph);
  }
  return doc;
}

Problems definition_problems(const LoadedWorkflow& loaded, const PluginRegistry& registry,
                             const WorkflowCatalog& catalog, const CalendarSet* calendars) {
  Problems problems = loaded.problems;
  const Workflow* built = loaded.workflow ? loaded.workflow.get() : loaded.checkable.get();
  if (built == nullptr) return problems;
  Problems more = validate_workflow(*built, registry, catalog);
  auto titles = VisibilityPolicy::compile(*built, &catalog).check_task_titles(*built);
  more.insert(more.end(), titles.begin(), titles.end());
  if (calendars != nullptr) {
    auto unknown = check_calendars(*built, *calendars);
    more.insert(more.end(), unknown.begin(), unknown.end());
  }
  for (auto& p : more) {
    if (!loaded.covers(p.pointer)) problems.push_back(std::move(p));
  }
  return problems;
}

Problems check_definition(std::string_view text, const PluginRegistry& registry,
                          const WorkflowCatalog& catalog, const CalendarSet& calendars) {
  return definition_problems(load_workflow(text, "request"), registry, catalog, &calendars);
}

json problems_json(const Problems& problems) {
  json list = json::array();
  for (const auto& p : problems) list.push_back({{"pointer", p.pointer}, {"message", p.message}});
  return list;
}

Result<Registered> register_workflow(Session& session, const Principal& p, std::string_view text,
                                     Problems* problems) {
  if (!p.admin) return Error::permission_denied("registering a workflow needs the admin scope");
  auto loaded = load_workflow(text, "api");
  const Problems found = definition_problems(loaded, session.engine().registry(), session.catalog(),
                                             &session.calendars());
  if (!found.empty()) {
    if (problems != nullptr) *problems = found;
    return Error::invalid_data("the definition has " + std::to_string(found.size()) +
                                   " problem(s); the first: " + found.front().message,
                               found.front().pointer);
  }
  const Workflow& w = *loaded.workflow;
  const std::string text_stored = w.document.dump();
  Registered out{w.id, w.version, sha256_hex(text_stored), false};
  // One registration at a time: the check, the durable write and the catalog agree, and two
  // requests registering the same definition write one audit entry.
  static std::mutex registering;
  std::lock_guard<std::mutex> lock(registering);
  if (auto known = session.catalog().find(w.id, w.version)) {
    if (known->document != w.document) {
      return Error::conflict("workflow " + w.id + " version " + std::to_string(w.version) +
                             " is registered with another definition; a changed definition "
                             "needs a new version");
    }
    return out;
  }
  out.created = true;
  StoreBatch batch;
  batch.workflows.push_back(WorkflowRecord{w.id, w.version, out.digest, text_stored});
  const Actor a = actor_of(p, p.roles.empty() ? std::string() : p.roles.front());
  batch.audit.push_back(make_audit_draft(
      session.clock().now(), a.id, a.role, a.organisation, "", "", "workflow_registered",
      {{"workflow", w.key()}, {"digest", out.digest}, {"identity", a.identity}}));
  // Stored first: a definition the catalog offers is one a restarted server finds again.
  if (auto stored = session.store().apply(batch); !stored) return stored.error();
  if (auto added = session.catalog().add(loaded.workflow); !added) return added.error();
  return out;
}

}  // namespace coalition::app
