// Workflow actions: the definitions a session knows, listed and drawn; a definition checked as
// `coalition validate` checks it; and registered, so executions can start from it — the same
// for the CLI and the server.
#ifndef COALITION_APP_WORKFLOW_ACTIONS_H_
#define COALITION_APP_WORKFLOW_ACTIONS_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "app/session.h"
#include "auth/principal.h"
#include "workflow/problem.h"
#include "workflow/workflow_graph.h"
#include "workflow/workflow_loader.h"

namespace coalition::app {

// Listing and reading definitions is for those who start and follow executions: the coordinate
// and admin scopes (a member sees the tasks and executions they take part in, not the catalog).
Status require_catalog_reader(const Principal& p);

// {"workflows": [{"id", "version", "title", "description", "digest"}]}: every definition, by id
// then version.
nlohmann::json workflow_list(const WorkflowCatalog& catalog);

// One definition: {"id", "version", "title", "description", "digest", "definition"}, and
// "graph" drawn in `graph` when set. Without `version`, the highest. kNotFound when unknown.
Result<nlohmann::json> workflow_document(const WorkflowCatalog& catalog, const std::string& id,
                                         std::optional<int64_t> version,
                                         std::optional<GraphFormat> graph);

// Every problem of a loaded definition, in one pass: the loader's, then what needs the
// installed plugins, the known workflows and the calendars (`calendars` null: not checked) —
// on the definition, or on what could be built of it when the format refuses part of it
// (LoadedWorkflow::checkable), leaving out what the format's own problems already cover.
Problems definition_problems(const LoadedWorkflow& loaded, const PluginRegistry& registry,
                             const WorkflowCatalog& catalog, const CalendarSet* calendars);

// What `coalition validate` reports for the definition `text`: syntax and format, then what
// needs the installed plugins, the known workflows and the calendars. Empty: valid.
Problems check_definition(std::string_view text, const PluginRegistry& registry,
                          const WorkflowCatalog& catalog, const CalendarSet& calendars);

// The problems as JSON: [{"pointer", "message"}].
nlohmann::json problems_json(const Problems& problems);

struct Registered {
  std::string id;
  int64_t version = 0;
  std::string digest;
  bool created = false;  // false: the same definition was registered already
};

// Registers the definition `text` (admin): checked as check_definition does (kInvalidData with
// the first problem's pointer; `problems` gets them all), stored durably, then in the catalog.
// The same definition again changes nothing; a different one under a registered id and version
// is kConflict (a changed definition needs a new version). Audited (`workflow_registered`).
Result<Registered> register_workflow(Session& session, const Principal& p, std::string_view text,
                                     Problems* problems);

}  // namespace coalition::app

#endif  // COALITION_APP_WORKFLOW_ACTIONS_H_
