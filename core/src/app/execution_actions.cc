#include "app/execution_actions.h"

#include <charconv>

#include "app/access.h"
#include "common/sha256.h"
#include "common/text_field.h"

namespace coalition::app {

namespace {

bool may_start(const Principal& p) {
  return p.admin || p.coordinate || p.source == IdentitySource::kAsserted;
}

std::shared_ptr<const Workflow> latest(const WorkflowCatalog& catalog, const std::string& id) {
  std::shared_ptr<const Workflow> best;
  for (const auto& key : catalog.keys()) {
    const auto at = key.rfind('@');
    if (at == std::string::npos || key.substr(0, at) != id) continue;
    int64_t version = 0;
    const char* first = key.data() + at + 1;
    const char* last = key.data() + key.size();
    if (std::from_chars(first, last, version).ptr != last) continue;
    auto w = catalog.find(id, version);
    if (w != nullptr && (best == nullptr || w->version > best->version)) best = w;
  }
  return best;
}

}  // namespace

namespace {

struct Plan {
  std::shared_ptr<const Workflow> workflow;
  Started started;  // the keyed id, and whether it is still to be made
};

Result<Plan> plan(Session& s, const Principal& p, const StartRequest& request) {
  if (!may_start(p)) {
    return Error::permission_denied("starting an execution needs the coordinate or admin scope");
  }
  if (auto ok = check_text_field("workflow", request.workflow); !ok) return std::move(ok).error();
  auto find = [&] {
    return request.version > 0 ? s.catalog().find(request.workflow, request.version)
                               : latest(s.catalog(), request.workflow);
  };
  auto workflow = find();
  if (workflow == nullptr) {
    // Registered through another node since this one read the store.
    if (auto added = s.refresh_catalog(); !added) return std::move(added).error();
    workflow = find();
  }
  if (workflow == nullptr) return Error::not_found("no workflow " + request.workflow);
  Plan out{workflow, Started{"", true}};
  if (request.idempotency_key.empty()) return out;
  // A batch's key joins a batch name and an item's key, each checked on its own: only its
  // form matters here (it is hashed).
  if (auto ok = check_text_field("Idempotency-Key", request.idempotency_key,
                                 request.shared_key ? 4 * kMaxNameBytes : kMaxNameBytes);
      !ok) {
    return std::move(ok).error();
  }
  // The id is the key's: a repeated start finds the execution the first one made, even after
  // a restart, without a table of keys.
  const std::string who = p.credential.empty() ? p.person : p.credential;
  out.started.id = request.shared_key
                       ? "ex-b" + sha256_hex(request.idempotency_key).substr(0, 24)
                       : "ex-k" + sha256_hex(who + "\n" + request.idempotency_key).substr(0, 24);
  auto existing = s.store().execution(out.started.id);
  if (!existing) return std::move(existing).error();
  if (*existing) {
    if ((*existing)->workflow_id != workflow->id) {
      return Error::conflict("Idempotency-Key already used to start a " + (*existing)->workflow_id +
                             " execution");
    }
    out.started.created = false;
  }
  return out;
}

}  // namespace

Result<Started> plan_start(Session& s, const Principal& p, const StartRequest& request) {
  auto planned = plan(s, p, request);
  if (!planned) return std::move(planned).error();
  if (planned->started.created) {
    if (auto ok = check_input(*planned->workflow, request.input); !ok) {
      return std::move(ok).error();
    }
  }
  return planned->started;
}

Result<Started> start_execution(Session& s, const Principal& p, const StartRequest& request) {
  auto planned = plan(s, p, request);
  if (!planned) return std::move(planned).error();
  if (!planned->started.created) return planned->started;
  const auto& workflow = planned->workflow;
  const std::string id = planned->started.id;
  auto started = s.engine().start(workflow, request.input, id, p.person, request.run);
  if (!started && !id.empty() && started.error().code() == ErrorCode::kConflict) {
    // The same key at the same moment: the other request made it.
    auto existing = s.store().execution(id);
    if (existing && *existing && (*existing)->workflow_id == workflow->id) {
      return Started{id, false};
    }
  }
  if (!started) return std::move(started).error();
  return Started{*started, true};
}

Status send_signal(Session& s, const Principal& p, const std::string& execution_id,
                   const std::string& name, const nlohmann::json& data) {
  const Actor actor = actor_of(p, p.roles.empty() ? std::string() : p.roles.front());
  if (p.source == IdentitySource::kAsserted) {
    Actor a = actor;
    if (a.id.empty()) a.id = "external";
    return s.engine().signal(execution_id, name, data, a);
  }
  auto record = s.store().execution(execution_id);
  if (!record) return std::move(record).error();
  const Error hidden = Error::not_found("no execution " + execution_id);
  if (!*record) return hidden;
  if (!(p.admin || p.coordinate || p.may_signal((*record)->workflow_id))) {
    // A person who sees the execution learns they may not signal it; others learn nothing.
    auto view = view_execution_for(s.store(), s.catalog(), p, execution_id);
    if (!view) return std::move(view).error();
    return Error::permission_denied("signals to " + (*record)->workflow_id +
                                    " executions need a service credential for it");
  }
  return s.engine().signal(execution_id, name, data, actor);
}

namespace {

// Cancel and retry: the coordinate scope, admin, or the operator at the terminal. A member who
// sees the execution learns they may not; others learn nothing.
Status may_steer(Session& s, const Principal& p, const std::string& execution_id,
                 const std::string& what) {
  if (may_start(p)) return ok_status();
  auto view = view_execution_for(s.store(), s.catalog(), p, execution_id);
  if (!view) return std::move(view).error();
  return Error::permission_denied(what + " an execution needs the coordinate or admin scope");
}

}  // namespace

Status cancel_execution(Session& s, const Principal& p, const std::string& execution_id,
                        const std::string& justification) {
  if (auto ok = may_steer(s, p, execution_id, "cancelling"); !ok) return ok;
  return s.engine().cancel(execution_id, actor_of(p, p.roles.empty() ? "" : p.roles.front()),
                           justification);
}

Status retry_execution(Session& s, const Principal& p, const std::string& execution_id,
                       const std::string& justification) {
  if (auto ok = may_steer(s, p, execution_id, "retrying"); !ok) return ok;
  return s.engine().retry(execution_id, actor_of(p, p.roles.empty() ? "" : p.roles.front()),
                          justification);
}

}  // namespace coalition::app
