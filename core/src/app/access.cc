#include "app/access.h"

#include <algorithm>

#include "audit/audit_chain.h"

namespace coalition::app {

using nlohmann::json;

Visibility clearance_of(const Principal& p, const VisibilityPolicy& policy) {
  if (p.admin) return kFullClearance;
  // Coordinators follow every execution's progress: at least what members see.
  Visibility best = p.coordinate ? Visibility::kMember : Visibility::kPublic;
  for (const auto& role : p.roles) best = std::max(best, policy.clearance(role));
  return best;
}

namespace {

bool same_organisation(const Principal& p, const json& doc) {
  const std::string org = doc.value("organisation", "");
  return org.empty() || org == p.organisation;
}

bool holds_a_role_of(const Principal& p, const json& doc) {
  const json roles = doc.value("roles", json::array());
  if (roles.empty()) return true;
  for (const auto& r : roles) {
    if (r.is_string() && p.has_role(r.get<std::string>())) return true;
  }
  return false;
}

bool completed_by(const Principal& p, const json& doc) {
  for (const auto& c : doc.value("completions", json::array())) {
    if (c.value("actor", "") == p.person) return true;
  }
  return false;
}

}  // namespace

bool may_act_on(const Principal& p, const json& doc) {
  if (p.service()) return false;
  return same_organisation(p, doc) && holds_a_role_of(p, doc);
}

std::string acting_role(const Principal& p, const json& doc, const std::string& requested) {
  if (!requested.empty()) return p.has_role(requested) ? requested : std::string();
  for (const auto& r : doc.value("roles", json::array())) {
    if (r.is_string() && p.has_role(r.get<std::string>())) return r.get<std::string>();
  }
  return p.roles.empty() ? std::string() : p.roles.front();
}

Result<ExecutionView> view_execution_for(Store& store, const WorkflowCatalog& catalog,
                                         const Principal& p, const std::string& id) {
  const Error hidden = Error::not_found("no execution " + id);
  auto view = view_execution(store, catalog, id);
  if (!view) return view.error().code() == ErrorCode::kNotFound ? hidden : view.error();
  // Not "whoever started it": an initiator is a bare name, the same in every organisation.
  bool visible = p.admin || p.coordinate;
  if (!visible && !p.service()) {
    // A follower role of the workflow's policy follows its executions in the person's
    // organisation (a task of exactly that organisation: a coalition-wide task opens nothing).
    const bool follows = !p.organisation.empty() &&
                         std::any_of(p.roles.begin(), p.roles.end(), [&](const std::string& r) {
                           return view->policy->followed_by(r);
                         });
    auto tasks = store.tasks(TaskFilter{id, "", false});
    if (!tasks) return std::move(tasks).error();
    for (const auto& t : *tasks) {
      if (may_act_on(p, t.doc) || (same_organisation(p, t.doc) && completed_by(p, t.doc)) ||
          (follows && t.doc.value("organisation", "") == p.organisation)) {
        visible = true;
        break;
      }
    }
  }
  if (!visible) return hidden;
  view->clearance = clearance_of(p, *view->policy);
  return view;
}

Actor actor_of(const Principal& p, const std::string& role) {
  Actor a{p.person, role, p.organisation, std::string(to_string(p.source))};
  if (!p.credential.empty()) a.identity += ":" + p.credential;
  return a;
}

Status audit_read(Store& store, const Principal& p, const ExecutionView& view,
                  const std::string& what, TimePoint now) {
  if (view.clearance < Visibility::kRestricted) return ok_status();
  StoreBatch batch;
  const Actor a = actor_of(p, p.roles.empty() ? std::string() : p.roles.front());
  batch.audit.push_back(make_audit_draft(now, a.id, a.role, a.organisation, view.record.id, "",
                                         "restricted_read",
                                         {{"read", what}, {"identity", a.identity}}));
  return store.apply(batch);
}

}  // namespace coalition::app
