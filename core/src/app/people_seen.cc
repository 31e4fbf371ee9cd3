// Writes are rare by design: the first request of each person after a start, and a change of
// their roles. The memory is bounded; forgetting only costs a write that changes nothing.
#include "app/people_seen.h"

namespace coalition::app {

Status PeopleSeen::note(Store& store, const Principal& p, TimePoint now) {
  if (p.source != IdentitySource::kOidc || p.person.empty()) return ok_status();
  std::string as_seen = p.organisation;
  for (const auto& r : p.roles) as_seen += "\n" + r;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = recorded_.find(p.credential);
    if (it != recorded_.end() && it->second == as_seen) return ok_status();
  }
  StoreBatch batch;
  batch.people.push_back(
      PersonRecord{p.person, p.organisation, p.roles, "oidc:" + p.credential, now});
  if (auto s = store.apply(batch); !s) return s;
  std::lock_guard<std::mutex> lock(mutex_);
  if (recorded_.size() >= kMaxRemembered) recorded_.clear();
  recorded_[p.credential] = std::move(as_seen);
  return ok_status();
}

}  // namespace coalition::app
