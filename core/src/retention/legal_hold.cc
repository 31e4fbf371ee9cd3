#include "retention/legal_hold.h"

#include "audit/audit_chain.h"
#include "guard/media_scan.h"

namespace coalition {

using nlohmann::json;

namespace {

Status check(Store& store, const HoldRequest& r) {
  if (r.actor.empty() || r.reason.empty()) {
    return Error::invalid_argument("a legal hold needs --as (who) and --reason (a reference)");
  }
  auto record = store.execution(r.execution_id);
  if (!record) return std::move(record).error();
  if (!*record) return Error::not_found("no execution " + r.execution_id);
  if (auto found = find_media(json{{"actor", r.actor}, {"role", r.role}, {"reason", r.reason}})) {
    StoreBatch batch;
    batch.audit.push_back(make_audit_draft(r.now, "(withheld)", "", "", r.execution_id, "",
                                           "media_refused",
                                           {{"source", "legal hold"},
                                            {"pointer", found->pointer},
                                            {"kind", found->kind},
                                            {"detected_by", found->how}}));
    (void)store.apply(batch);
    return Error::media_refused("media refused in the legal hold: " + found->kind + " (" +
                                    found->how + "); names and reasons are text",
                                found->pointer);
  }
  return ok_status();
}

}  // namespace

Result<bool> place_legal_hold(Store& store, const HoldRequest& r) {
  if (auto s = check(store, r); !s) return std::move(s).error();
  auto current = store.legal_hold(r.execution_id);
  if (!current) return std::move(current).error();
  if (*current && (*current)->released_at.empty()) return false;
  StoreBatch batch;
  const std::string at = format_utc(r.now);
  batch.holds.push_back({r.execution_id, at, r.actor, r.role, r.reason, "", ""});
  batch.audit.push_back(make_audit_draft(r.now, r.actor, r.role, r.organisation, r.execution_id, "",
                                         "legal_hold_placed",
                                         with_identity({{"reason", r.reason}}, r.identity)));
  if (auto s = store.apply(batch); !s) return std::move(s).error();
  return true;
}

Status release_legal_hold(Store& store, const HoldRequest& r) {
  if (auto s = check(store, r); !s) return s;
  auto current = store.legal_hold(r.execution_id);
  if (!current) return std::move(current).error();
  if (!*current || !(*current)->released_at.empty()) {
    return Error::not_found("execution " + r.execution_id + " is not under legal hold");
  }
  LegalHold released = **current;
  released.released_at = format_utc(r.now);
  released.released_by = r.actor;
  StoreBatch batch;
  batch.holds.push_back(released);
  batch.audit.push_back(make_audit_draft(
      r.now, r.actor, r.role, r.organisation, r.execution_id, "", "legal_hold_released",
      with_identity({{"reason", r.reason}, {"placed_at", released.placed_at}}, r.identity)));
  return store.apply(batch);
}

}  // namespace coalition
