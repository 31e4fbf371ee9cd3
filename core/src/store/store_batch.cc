// StoreBatch::remove_executions: what a group commit keeps of a batch when some of the
// executions it carries were claimed by another node (store/execution_leases.h). Every field an
// execution's drain fills is filtered here; retention's fields are written by purges, which act
// on finished executions and carry no lease.
#include <algorithm>

#include "store/store.h"

namespace coalition {

namespace {

template <class T, class Of>
void remove_of(std::vector<T>& items, const std::set<std::string>& ids, Of execution_of) {
  items.erase(std::remove_if(items.begin(), items.end(),
                             [&](const T& item) { return ids.count(execution_of(item)) > 0; }),
              items.end());
}

}  // namespace

void StoreBatch::remove_executions(const std::set<std::string>& ids) {
  if (ids.empty()) return;
  remove_of(executions, ids, [](const ExecutionRecord& e) { return e.id; });
  remove_of(events, ids, [](const StoredEvent& e) { return e.execution_id; });
  remove_of(tasks, ids, [](const TaskRecord& t) { return t.execution_id; });
  remove_of(audit, ids, [](const AuditDraft& a) { return a.execution_id; });
  remove_of(interruptions, ids, [](const auto& i) { return i.first; });
  remove_of(part_drops, ids, [](const StatePartDrop& d) { return d.execution_id; });
  remove_of(parts, ids, [](const StatePart& p) { return p.execution_id; });
  remove_of(notifications, ids, [](const NotificationRecord& n) { return n.execution_id; });
  remove_of(notification_updates, ids, [](const NotificationRecord& n) { return n.execution_id; });
  remove_of(fences, ids, [](const ExecutionFence& f) { return f.execution_id; });
}

}  // namespace coalition
