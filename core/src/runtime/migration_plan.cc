// A plan is checked member by member with the pointer of what is wrong, like a workflow file:
// it is typed by a coordinator and applied to executions that took weeks of people's answers, so
// a typo must stop it before anything moves.
#include "runtime/migration_plan.h"

#include <set>

#include "common/json_text.h"
#include "guard/media_scan.h"

namespace coalition {

using nlohmann::json;

namespace {

Error plan_error(const std::string& message, const std::string& pointer) {
  return Error::invalid_data("migration plan: " + message, pointer);
}

Result<int64_t> plan_version(const json& doc, const char* key) {
  const std::string at = pointer_append("", key);
  auto it = doc.find(key);
  if (it == doc.end()) return plan_error(std::string("`") + key + "` (a version) is missing", "");
  if (!it->is_number_integer() || it->get<int64_t>() < 1) {
    return plan_error("expected a version: a whole number from 1", at);
  }
  return it->get<int64_t>();
}

// What each JSON Patch operation needs besides `op` and `path` (RFC 6902 section 4).
Status check_patch(const json& ops) {
  static const std::set<std::string> kOps{"add", "remove", "replace", "move", "copy", "test"};
  if (!ops.is_array()) return plan_error("expected a list of JSON Patch operations", "/context");
  for (size_t i = 0; i < ops.size(); ++i) {
    const std::string at = pointer_append("/context", i);
    const json& op = ops[i];
    if (!op.is_object()) return plan_error("expected an operation object", at);
    const auto name = op.find("op");
    if (name == op.end() || !name->is_string() || kOps.count(name->get<std::string>()) == 0) {
      return plan_error("`op` must be one of add, remove, replace, move, copy, test",
                        pointer_append(at, "op"));
    }
    const std::string kind = name->get<std::string>();
    for (const char* key : {"path", "from"}) {
      if (std::string(key) == "from" && kind != "move" && kind != "copy") continue;
      const auto p = op.find(key);
      if (p == op.end() || !p->is_string()) {
        return plan_error(
            std::string("`") + key + "` (a JSON Pointer such as \"/region\") is missing", at);
      }
      const std::string text = p->get<std::string>();
      if (text.empty() || text[0] != '/') {
        return plan_error("expected a JSON Pointer into the context, starting with '/'",
                          pointer_append(at, key));
      }
    }
    if ((kind == "add" || kind == "replace" || kind == "test") && !op.contains("value")) {
      return plan_error("`" + kind + "` needs a `value`", at);
    }
  }
  return ok_status();
}

void collect_step_ids(const Sequence& sequence, std::set<std::string>& ids) {
  for (const Step& step : sequence.steps) {
    ids.insert(step.id);
    for (const Branch& b : step.branches) collect_step_ids(*b.sequence, ids);
    if (step.iterator) collect_step_ids(*step.iterator, ids);
  }
}

}  // namespace

const std::string& MigrationPlan::renamed(const std::string& id) const {
  auto it = steps.find(id);
  return it == steps.end() ? id : it->second;
}

Result<MigrationPlan> parse_migration_plan(const json& doc) {
  if (!doc.is_object()) return plan_error("expected an object", "");
  static const std::set<std::string> kKnown{"workflow", "from",    "to",
                                            "steps",    "context", "executions"};
  for (const auto& [key, value] : doc.items()) {
    if (kKnown.count(key) == 0) {
      return plan_error("unknown member `" + key +
                            "` (a plan has workflow, from, to, steps, context, executions)",
                        pointer_append("", key));
    }
  }
  // Coordinators write plans; what they write ends up in contexts and the audit log.
  if (auto found = find_media(doc)) {
    return plan_error("images and video are never stored: " + found->kind + " (" + found->how +
                          "); a plan holds references only",
                      found->pointer);
  }
  MigrationPlan plan;
  const auto wf = doc.find("workflow");
  if (wf == doc.end() || !wf->is_string() || wf->get<std::string>().empty()) {
    return plan_error("expected `workflow`: the id of the workflow whose executions move",
                      wf == doc.end() ? "" : "/workflow");
  }
  plan.workflow = wf->get<std::string>();
  auto from = plan_version(doc, "from");
  if (!from) return std::move(from).error();
  auto to = plan_version(doc, "to");
  if (!to) return std::move(to).error();
  plan.from = *from;
  plan.to = *to;
  if (plan.from == plan.to) {
    return plan_error("`from` and `to` name the same version", "/to");
  }
  if (auto steps = doc.find("steps"); steps != doc.end()) {
    if (!steps->is_object()) return plan_error("expected an object of old id: new id", "/steps");
    std::set<std::string> targets;
    for (const auto& [old_id, new_id] : steps->items()) {
      const std::string at = pointer_append("/steps", old_id);
      if (!new_id.is_string() || new_id.get<std::string>().empty()) {
        return plan_error("expected the step's id in the new version", at);
      }
      if (!targets.insert(new_id.get<std::string>()).second) {
        return plan_error("two steps are renamed to '" + new_id.get<std::string>() + "'", at);
      }
      plan.steps.emplace(old_id, new_id.get<std::string>());
    }
  }
  if (auto ops = doc.find("context"); ops != doc.end()) {
    if (auto s = check_patch(*ops); !s) return std::move(s).error();
    plan.context = *ops;
  }
  if (auto ids = doc.find("executions"); ids != doc.end()) {
    if (!ids->is_array() || ids->empty()) {
      return plan_error("expected a non-empty list of execution ids (leave it out for all)",
                        "/executions");
    }
    std::set<std::string> seen;
    for (size_t i = 0; i < ids->size(); ++i) {
      const json& id = (*ids)[i];
      if (!id.is_string() || id.get<std::string>().empty()) {
        return plan_error("expected an execution id", pointer_append("/executions", i));
      }
      if (seen.insert(id.get<std::string>()).second) plan.executions.push_back(id);
    }
  }
  return plan;
}

Status check_migration_plan(const MigrationPlan& plan, const Workflow& from, const Workflow& to) {
  std::set<std::string> old_ids;
  std::set<std::string> new_ids;
  collect_step_ids(*from.main, old_ids);
  collect_step_ids(*to.main, new_ids);
  for (const auto& [old_id, new_id] : plan.steps) {
    const std::string at = pointer_append("/steps", old_id);
    if (old_ids.count(old_id) == 0) {
      return plan_error(from.key() + " has no step '" + old_id + "'", at);
    }
    if (new_ids.count(new_id) == 0) {
      return plan_error(to.key() + " has no step '" + new_id + "'", at);
    }
    // Two steps would answer to one id (their visits, their keys).
    if (old_ids.count(new_id) > 0 && plan.steps.count(new_id) == 0) {
      return plan_error("'" + new_id + "' is a step of " + from.key() +
                            " too, which the plan does not rename: two steps would share one id",
                        at);
    }
  }
  return ok_status();
}

json MigrationReport::to_json() const {
  return {{"execution", execution},
          {"result", applied            ? "migrated"
                     : problems.empty() ? "would migrate"
                                        : "cannot migrate"},
          {"changes", changes},
          {"problems", problems}};
}

}  // namespace coalition
